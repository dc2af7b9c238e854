/**
 * Fund on fulfilment on the payment's page, the list and the CSV (issue 15): what an authorization
 * is and until when it can be captured, whether Shopify confirmed the goods, and its captures and
 * voids as the merchant reads them. Pure: the routes read the rows and pass the clock.
 */
import { translator, type Locale } from "~/i18n/i18n";
import { formatMoney } from "~/i18n/money";
import { deciderLabel } from "./sentences";
import { rejectTextSentence, settlementReason, settlementStateWords } from "./settlement-sentences";
import { formatDateTime } from "./format";

export interface SettlementRowInput {
  id: string;
  kind: string;
  state: string;
  amountCents: number | null;
  currency: string | null;
  rejectCode: string | null;
  soisyResult: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

export interface SettlementItem {
  id: string;
  kind: "capture" | "void";
  state: string;
  title: string;
  stateLabel: string;
  tone: "success" | "critical" | "attention" | "info";
  /** Why it was refused (Soisy's reason in words, or the expiry); null when not refused. */
  reason: string | null;
  requested: string;
  decided: string | null;
  /** A void waiting for the merchant to cancel the loan at Soisy and confirm. */
  awaitingMerchant: boolean;
}

/** States a capture or void is still moving through (not resolved or rejected). */
export const OPEN_SETTLEMENT_STATES = ["received", "triggering", "checking", "awaiting_merchant", "resolving", "rejecting"] as const;

/** Soisy's refusal or the expiry in words; else the service's own rejection text; else "no reason given". */
function reasonOf(r: SettlementRowInput, texts: RejectTexts, locale: Locale): string {
  const words = settlementReason(r, locale);
  const known = r.rejectCode === "AUTHORIZATION_EXPIRED" || r.soisyResult?.startsWith("refused");
  if (words && known) return words;
  const text = texts.get(r.id);
  return (text && rejectTextSentence(text.messageKey, text.params, locale)) ?? words ?? translator(locale)("settle.refusal.other");
}

function toneOf(state: string): SettlementItem["tone"] {
  if (state === "resolved") return "success";
  if (state === "rejected" || state === "rejecting") return "critical";
  if (state === "awaiting_merchant") return "attention";
  return "info";
}

/** A rejection's message key and parameters, by settlement id, from the payment's timeline rows. */
export type RejectTexts = ReadonlyMap<string, { messageKey: unknown; params: unknown }>;

/** Reads the `capture_rejected` / `void_rejected` rows (detail: captureId|voidId, messageKey, params). */
export function rejectTexts(events: readonly { type: string; detailJson: string | null }[]): RejectTexts {
  const map = new Map<string, { messageKey: unknown; params: unknown }>();
  for (const e of events) {
    if ((e.type !== "capture_rejected" && e.type !== "void_rejected") || !e.detailJson) continue;
    try {
      const d = JSON.parse(e.detailJson) as Record<string, unknown>;
      const id = typeof d.captureId === "string" ? d.captureId : typeof d.voidId === "string" ? d.voidId : null;
      if (id) map.set(id, { messageKey: d.messageKey, params: d.params });
    } catch {
      // An unreadable row says nothing: the state's words and Soisy's result still show.
    }
  }
  return map;
}

export function settlementItems(rows: readonly SettlementRowInput[], locale: Locale, paymentCurrency: string, texts: RejectTexts = new Map()): SettlementItem[] {
  const t = translator(locale);
  const fmt = (d: Date) => formatDateTime(d, locale);
  return rows.map((r) => {
    const kind = r.kind === "void" ? "void" : "capture";
    const title =
      kind === "void"
        ? t("settle.void")
        : r.amountCents === null
          ? t("settle.captureNoAmount")
          : t("settle.capture", { amount: formatMoney(r.amountCents, r.currency ?? paymentCurrency, locale) });
    const refused = r.state === "rejected" || r.state === "rejecting";
    return {
      id: r.id,
      kind,
      state: r.state,
      title,
      stateLabel: settlementStateWords(kind, r.state, locale),
      tone: toneOf(r.state),
      reason: refused ? reasonOf(r, texts, locale) : null,
      requested: fmt(r.createdAt),
      decided: r.decidedBy && r.decidedAt ? t("settle.decidedBy", { who: deciderLabel(r.decidedBy, locale), date: fmt(r.decidedAt) }) : null,
      awaitingMerchant: kind === "void" && r.state === "awaiting_merchant",
    };
  });
}

export interface AuthorizationInput {
  kind: string;
  authorizationExpiresAt: Date | null;
  confirmationRequestedAt: Date | null;
  confirmationResult: boolean | null;
  confirmationAnsweredAt: Date | null;
  settlements: readonly Pick<SettlementRowInput, "kind" | "state">[];
}

/** The payment page's extra facts: kind and expiry of an authorization, Shopify's inventory answer. */
export function authorizationFacts(p: AuthorizationInput, locale: Locale, now: Date): [label: string, value: string][] {
  const t = translator(locale);
  const fmt = (d: Date) => formatDateTime(d, locale);
  const facts: [string, string][] = [];
  if (p.kind === "authorization") {
    facts.push([t("auth.kindLabel"), t("auth.kind.authorization")]);
    if (p.authorizationExpiresAt) {
      const captured = p.settlements.some((s) => s.kind === "capture" && s.state === "resolved");
      const expired = !captured && p.authorizationExpiresAt.getTime() <= now.getTime();
      facts.push([t("auth.expiresLabel"), t(expired ? "auth.expiredAt" : "auth.expiresAt", { date: fmt(p.authorizationExpiresAt) })]);
    }
  }
  if (p.confirmationResult !== null) {
    const at = fmt(p.confirmationAnsweredAt ?? p.confirmationRequestedAt ?? now);
    facts.push([t("auth.confirmationLabel"), t(p.confirmationResult ? "auth.confirmation.yes" : "auth.confirmation.no", { date: at })]);
  } else if (p.confirmationRequestedAt) {
    facts.push([t("auth.confirmationLabel"), t("auth.confirmation.waiting", { date: fmt(p.confirmationRequestedAt) })]);
  }
  return facts;
}

type SettlementSummaryInput = Pick<SettlementRowInput, "kind" | "state" | "amountCents" | "createdAt">;

/** Cents Soisy was asked to fund by resolved captures (Shopify's "captured"). */
export function capturedCents(settlements: readonly SettlementSummaryInput[]): number {
  return settlements.filter((s) => s.kind === "capture" && s.state === "resolved").reduce((sum, s) => sum + (s.amountCents ?? 0), 0);
}

/** The state of the latest capture (or void), or null when there is none. */
export function latestSettlementState(settlements: readonly SettlementSummaryInput[], kind: "capture" | "void"): string | null {
  const mine = settlements.filter((s) => s.kind === kind).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return mine.at(-1)?.state ?? null;
}

export function voidAwaitingMerchant(settlements: readonly Pick<SettlementRowInput, "kind" | "state">[]): boolean {
  return settlements.some((s) => s.kind === "void" && s.state === "awaiting_merchant");
}
