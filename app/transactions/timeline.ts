/**
 * A payment's timeline for the merchant: timeline rows (Shopify requests, Soisy callbacks and polls,
 * shopper returns, app and merchant decisions, alerts), every Shopify mutation queued in the outbox
 * and each of its delivery attempts — merged and ordered by time (ties keep a fixed kind order, then
 * their id, so the order is stable). Pure: the route formats it for one locale. Each entry says who
 * acted and what happened as a sentence (sentences.ts); the recorded code and detail are kept apart
 * for the page's "technical details" disclosure.
 */
import { translator, type Locale, type MessageKey } from "~/i18n/i18n";
import { REFUND_AMBIGUOUS_TYPE, REFUND_SETTLED_TYPE } from "~/payments/refund-settle-decision";
import { alertSentence, mutationWords, timelineSentence, whoActed } from "./sentences";

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
  /** Who acted, in words ("Soisy", "Il negozio (tu)"). */
  source: string;
  /** What happened, as a sentence in the merchant's language. */
  event: string;
  /** The recorded code (source and type, or the Shopify mutation): technical details only. */
  code: string;
  /** The recorded detail ("key: value, …"): technical details only. */
  details: string;
  /** Attempts: the HTTP status; alerts / dead / errors: "critical"; others null. */
  httpStatus: number | null;
  outcome: string | null;
  tone: "critical" | "warning" | "success" | null;
}

const CAUSE_WINDOW_MS = 1_000;
const KIND_ORDER: Record<TimelineKind, number> = { event: 0, alert: 1, mutation: 2, attempt: 3 };
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
  return alertSentence(code, locale);
}

function parseDetail(detailJson: string | null): Record<string, unknown> {
  if (!detailJson) return {};
  try {
    const detail: unknown = JSON.parse(detailJson);
    return detail !== null && typeof detail === "object" && !Array.isArray(detail) ? (detail as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Event rows shown with a tone (the others have none). */
const EVENT_TONE: Record<string, TimelineEntry["tone"]> = {
  outbox_dead_letter: "critical",
  soisy_order_interrupted: "warning",
  [REFUND_SETTLED_TYPE]: "success",
  [REFUND_AMBIGUOUS_TYPE]: "warning",
};

const ATTEMPT_SENTENCE: Record<string, MessageKey> = {
  delivered: "tl.attempt.ok",
  already_done: "tl.attempt.already",
  superseded: "tl.attempt.superseded",
  retry: "tl.attempt.retry",
  user_error: "tl.attempt.refused",
  dead: "tl.attempt.dead",
};

export function buildTimeline(
  events: TimelineEventInput[],
  messages: TimelineMessageInput[],
  locale: Locale,
  formatTime: (d: Date) => string,
  currency = "EUR",
): (TimelineEntry & { time: string })[] {
  const t = translator(locale);
  const outboxStatus = (status: string) => ((OUTBOX_STATUSES as readonly string[]).includes(status) ? t(`transactions.outbox.${status}` as MessageKey) : status);
  const entries: (TimelineEntry & { date: Date })[] = [];
  for (const e of events) {
    const row = { source: e.source, type: e.type, detail: parseDetail(e.detailJson) };
    const base = { id: e.id, date: e.createdAt, at: "", source: whoActed(row, locale), event: timelineSentence(row, locale, currency), code: `${e.source} · ${e.type}`, details: describeDetail(e.detailJson), httpStatus: null, outcome: null };
    if (e.type.startsWith("alert:")) entries.push({ ...base, kind: "alert", tone: "critical" });
    else entries.push({ ...base, kind: "event", tone: EVENT_TONE[e.type] ?? null });
  }
  for (const m of messages) {
    entries.push({
      id: m.id,
      kind: "mutation",
      date: m.createdAt,
      at: "",
      source: t("who.app"),
      event: t(m.status === "dead" ? "tl.message.dead" : m.status === "delivered" ? "tl.message.delivered" : "tl.message.pending", { what: mutationWords(m.mutation, locale) }),
      code: m.mutation,
      details: [t("transactions.timeline.mutationStatus", { status: outboxStatus(m.status), attempts: m.attempts }), m.lastError ? t("transactions.timeline.error", { error: clip(m.lastError) }) : ""].filter(Boolean).join(", "),
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
        source: t("who.app"),
        event: t(ATTEMPT_SENTENCE[a.outcome] ?? "tl.attempt.retry", { what: mutationWords(m.mutation, locale) }),
        code: m.mutation,
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
