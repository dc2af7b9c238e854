/**
 * A payment's timeline for the merchant: timeline rows (Shopify requests, Soisy callbacks and polls,
 * shopper returns, app and merchant decisions, alerts), every Shopify mutation queued in the outbox
 * and each of its delivery attempts — merged and ordered by time (ties keep a fixed kind order, then
 * their id, so the order is stable). Pure: the route formats it for one locale.
 */
import { translator, type Locale, type MessageKey } from "~/i18n/i18n";

export interface TimelineEventInput {
  id: string;
  source: string;
  type: string;
  detailJson: string | null;
  createdAt: Date;
}

export interface TimelineAttemptInput {
  id: string;
  startedAt: Date;
  durationMs: number;
  httpStatus: number | null;
  outcome: string;
  error: string | null;
}

export interface TimelineMessageInput {
  id: string;
  mutation: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  attemptsLog: TimelineAttemptInput[];
}

export type TimelineKind = "event" | "alert" | "mutation" | "attempt";

export interface TimelineEntry {
  id: string;
  kind: TimelineKind;
  at: string;
  source: string;
  event: string;
  details: string;
  /** Attempts: the HTTP status; alerts / dead / errors: "critical"; others null. */
  httpStatus: number | null;
  outcome: string | null;
  tone: "critical" | "warning" | "success" | null;
}

const CAUSE_WINDOW_MS = 1_000;
const KIND_ORDER: Record<TimelineKind, number> = { event: 0, alert: 1, mutation: 2, attempt: 3 };
const SOURCES = ["shopify", "soisy_callback", "soisy_poll", "shopper_return", "app", "merchant"] as const;
const ALERTS = ["amount_mismatch", "duplicate_loan_in_group", "cancelled_after_resolve", "loan_after_reject", "pending_past_expiry", "unknown_soisy_status"] as const;
const OUTBOX_STATUSES = ["pending", "delivered", "dead"] as const;

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** "key: value, key: value" from a timeline row's JSON detail (nested values as compact JSON). */
export function describeDetail(detailJson: string | null): string {
  if (!detailJson) return "";
  let detail: unknown;
  try {
    detail = JSON.parse(detailJson);
  } catch {
    return clip(detailJson);
  }
  if (detail === null || typeof detail !== "object" || Array.isArray(detail)) return clip(JSON.stringify(detail));
  return clip(
    Object.entries(detail as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null && v !== "")
      .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(", "),
  );
}

export function alertLabel(code: string, locale: Locale): string {
  const t = translator(locale);
  return (ALERTS as readonly string[]).includes(code) ? t(`transactions.alert.${code}` as MessageKey) : t("transactions.alert.other", { code });
}

/** Timeline rows of the in-store pre-approval (level 2) get words; other types are shown as recorded. */
const LABELLED_EVENTS = [
  "preapproval_requested",
  "preapproval_additional_data",
  "preapproval_invalid",
  "preapproval_failed",
  "preapproval_approved",
  "preapproval_refused",
  "preapproved",
  "soisy_order_interrupted",
] as const;

export function eventLabel(type: string, locale: Locale): string {
  return (LABELLED_EVENTS as readonly string[]).includes(type) ? translator(locale)(`transactions.event.${type}` as MessageKey) : type;
}

export function sourceLabel(source: string, locale: Locale): string {
  return (SOURCES as readonly string[]).includes(source) ? translator(locale)(`transactions.source.${source}` as MessageKey) : source;
}

export function outboxStatusLabel(status: string, locale: Locale): string {
  return (OUTBOX_STATUSES as readonly string[]).includes(status) ? translator(locale)(`transactions.outbox.${status}` as MessageKey) : status;
}

export function buildTimeline(events: TimelineEventInput[], messages: TimelineMessageInput[], locale: Locale, formatTime: (d: Date) => string): (TimelineEntry & { time: string })[] {
  const t = translator(locale);
  const entries: (TimelineEntry & { date: Date })[] = [];
  for (const e of events) {
    const isAlert = e.type.startsWith("alert:");
    if (isAlert) {
      const code = e.type.slice("alert:".length);
      entries.push({ id: e.id, kind: "alert", date: e.createdAt, at: "", source: t("transactions.source.alert"), event: alertLabel(code, locale), details: describeDetail(e.detailJson), httpStatus: null, outcome: null, tone: "critical" });
    } else {
      const dead = e.type === "outbox_dead_letter";
      entries.push({ id: e.id, kind: "event", date: e.createdAt, at: "", source: sourceLabel(e.source, locale), event: eventLabel(e.type, locale), details: describeDetail(e.detailJson), httpStatus: null, outcome: null, tone: dead ? "critical" : e.type === "soisy_order_interrupted" ? "warning" : null });
    }
  }
  for (const m of messages) {
    entries.push({
      id: m.id,
      kind: "mutation",
      date: m.createdAt,
      at: "",
      source: t("transactions.source.outbox"),
      event: t("transactions.timeline.mutation", { mutation: m.mutation }),
      details: [t("transactions.timeline.mutationStatus", { status: outboxStatusLabel(m.status, locale), attempts: m.attempts }), m.lastError ? t("transactions.timeline.error", { error: clip(m.lastError) }) : ""].filter(Boolean).join(", "),
      httpStatus: null,
      outcome: m.status,
      tone: m.status === "dead" ? "critical" : m.status === "delivered" ? "success" : "warning",
    });
    for (const a of m.attemptsLog) {
      // "superseded": a pending closed unsent because the payment was already resolved or rejected.
      const ok = a.outcome === "delivered" || a.outcome === "already_done" || a.outcome === "superseded";
      entries.push({
        id: a.id,
        kind: "attempt",
        date: a.startedAt,
        at: "",
        source: t("transactions.source.outbox"),
        event: t("transactions.timeline.attempt", { mutation: m.mutation }),
        details: [
          t("transactions.timeline.attemptDetail", { status: a.httpStatus ?? t("transactions.timeline.noHttp"), outcome: a.outcome, ms: a.durationMs }),
          a.error ? t("transactions.timeline.error", { error: clip(a.error) }) : "",
        ]
          .filter(Boolean)
          .join(", "),
        httpStatus: a.httpStatus,
        outcome: a.outcome,
        tone: ok ? "success" : a.outcome === "dead" || a.outcome === "user_error" ? "critical" : "warning",
      });
    }
  }
  // A mutation is enqueued in the same transaction as the decision that causes it, a few ms before
  // that decision's timeline rows are written: order it after them (rows up to CAUSE_WINDOW_MS later),
  // but never after its own first delivery attempt. Its shown time stays its own.
  const eventTimes = entries.filter((e) => e.kind === "event" || e.kind === "alert").map((e) => e.date.getTime());
  const firstAttempt = new Map(messages.map((m) => [m.id, Math.min(...m.attemptsLog.map((a) => a.startedAt.getTime()))]));
  const sortKey = (e: (typeof entries)[number]): number => {
    const at = e.date.getTime();
    if (e.kind !== "mutation") return at;
    const caused = eventTimes.filter((t) => t >= at && t <= at + CAUSE_WINDOW_MS);
    const after = caused.length ? Math.max(...caused) : at;
    return Math.max(at, Math.min(after, firstAttempt.get(e.id) ?? Infinity));
  };
  const keyed = entries.map((e) => ({ e, key: sortKey(e) }));
  keyed.sort((a, b) => a.key - b.key || KIND_ORDER[a.e.kind] - KIND_ORDER[b.e.kind] || (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0));
  return keyed.map(({ e: { date, ...rest } }) => ({ ...rest, at: date.toISOString(), time: formatTime(date) }));
}
