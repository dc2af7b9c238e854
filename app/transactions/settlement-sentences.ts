/**
 * Fund on fulfilment (issue 15) in the merchant's words: the timeline rows of the inventory
 * confirmation, captures, voids and authorization expiry; Soisy's refusals of a trigger; a
 * settlement's state. Pure and total: unknown reasons and states get a readable fallback, never
 * their code. app/transactions/sentences.ts hands these rows here.
 */
import { translator, type Locale, type MessageKey } from "~/i18n/i18n";
import { MESSAGES } from "~/i18n/messages";
import { MATCH_TRIGGER_REFUSALS } from "~/soisy/match-trigger";
import { formatDateTime } from "./format";

type Detail = Record<string, unknown>;
type T = ReturnType<typeof translator>;

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const has = (list: readonly string[], value: unknown): value is string => typeof value === "string" && list.includes(value);

/** Timeline types of issue 15, by source (merged into TIMELINE_TYPES by sentences.ts). */
export const SETTLEMENT_TIMELINE_TYPES = {
  shopify: ["confirmation_received", "capture_session_received", "void_session_received"],
  soisy: ["capture_triggered", "capture_refused", "capture_unknown"],
  app: [
    "capture_rejected",
    "void_rejected",
    "authorization_expired",
    "confirming",
    "alert:confirmation_rejected",
    "alert:confirmation_overdue",
    "alert:disbursed_without_capture",
    "alert:void_requested",
  ],
  merchant: ["void_confirmed"],
} as const;

export const SETTLEMENT_ALERTS = ["confirmation_rejected", "confirmation_overdue", "disbursed_without_capture", "void_requested"] as const;

/** SettlementSession.state values (app/payments/settlement-lifecycle.ts). */
export const SETTLEMENT_STATES = ["received", "triggering", "checking", "awaiting_merchant", "resolving", "resolved", "rejecting", "rejected"] as const;

/**
 * Why Soisy did not fund a capture, in words: a match-trigger refusal reason ("not_suspended"), the
 * stored `soisyResult` ("refused:not_suspended"), or Shopify's rejection code AUTHORIZATION_EXPIRED.
 */
export function refusalWords(reason: unknown, locale: Locale): string {
  const t = translator(locale);
  let code = str(reason) ?? "";
  if (code.startsWith("refused:")) code = code.slice("refused:".length);
  if (code === "AUTHORIZATION_EXPIRED" || code === "expired" || code === "authorization_expired") return t("settle.refusal.expired");
  return has(MATCH_TRIGGER_REFUSALS, code) ? t(`settle.refusal.${code}` as MessageKey) : t("settle.refusal.other");
}

/** A capture's or void's state in words ("Captured: Soisy funds the order", "Waiting for you"). */
export function settlementStateWords(kind: string, state: string, locale: Locale): string {
  const t = translator(locale);
  const k = kind === "void" ? "void" : "capture";
  switch (state) {
    case "resolving":
    case "resolved":
      return t(`settle.state.${state}.${k}`);
    default:
      return has(SETTLEMENT_STATES, state) ? t(`settle.state.${state}` as MessageKey) : t("settle.state.unknown");
  }
}

/**
 * Why a capture was rejected, for the merchant: Soisy's refusal when the app recorded one, the
 * expiry, else the rejection message the app sent to Shopify (already written for merchants).
 */
export function settlementReason(row: { rejectCode: string | null; soisyResult: string | null }, locale: Locale): string | null {
  if (row.rejectCode === "AUTHORIZATION_EXPIRED") return refusalWords("expired", locale);
  if (row.soisyResult?.startsWith("refused")) return refusalWords(row.soisyResult, locale);
  if (row.rejectCode) return refusalWords(row.rejectCode, locale);
  return null;
}

/**
 * Why the settlement service rejected a capture or void, in the merchant's language: the message key
 * and parameters it recorded (app/payments/settlement-lifecycle.ts, `settlement.reject.*`; Shopify got
 * the English text). Soisy's refusal reads with its reason in words; null when there is no usable key.
 */
export function rejectTextSentence(messageKey: unknown, params: unknown, locale: Locale): string | null {
  if (typeof messageKey !== "string" || !messageKey.startsWith("settlement.reject.") || !(messageKey in MESSAGES[locale])) return null;
  const values: Record<string, string> = {};
  if (params && typeof params === "object") {
    for (const [k, v] of Object.entries(params as Record<string, unknown>)) if (typeof v === "string" || typeof v === "number") values[k] = String(v);
  }
  const t = translator(locale);
  if (messageKey === "settlement.reject.soisy") return t("tl.captureRefused", { reason: refusalWords(values.reason, locale) });
  if (messageKey === "settlement.reject.expired") return t("tl.captureRejected", { reason: refusalWords("expired", locale) });
  return t(messageKey as MessageKey, values);
}

/** One issue-15 timeline row as a sentence, or null when the row is not one of them. */
export function settlementSentence(t: T, source: string, type: string, detail: Detail, money: (v: unknown) => string, locale: Locale): string | null {
  switch (`${source}/${type}`) {
    case "shopify/confirmation_received":
      return t(detail.result === false ? "tl.confirmationReceived.no" : "tl.confirmationReceived.yes");
    case "shopify/capture_session_received":
      return typeof detail.amountCents === "number" ? t("tl.captureRequested", { amount: money(detail.amountCents) }) : t("tl.captureRequestedNoAmount");
    case "shopify/void_session_received":
      return t("tl.voidRequested");
    case "soisy/capture_triggered":
      return t("tl.captureTriggered");
    case "soisy/capture_refused":
      return t("tl.captureRefused", { reason: refusalWords(detail.reason, locale) });
    case "soisy/capture_unknown":
      return t("tl.captureUnknown");
    case "app/void_rejected":
      return rejectTextSentence(detail.messageKey, detail.params, locale) ?? t("tl.voidRejected", { reason: refusalWords(detail.code, locale) });
    case "app/capture_rejected": {
      const text = rejectTextSentence(detail.messageKey, detail.params, locale);
      if (text) return text;
      const reason = refusalWords(detail.code, locale);
      const message = str(detail.message)?.trim().slice(0, 300);
      // AUTHORIZATION_EXPIRED says it all; PROCESSING_ERROR carries the merchant message sent to Shopify.
      return message && detail.code !== "AUTHORIZATION_EXPIRED" ? t("tl.captureRejectedMessage", { reason, message }) : t("tl.captureRejected", { reason });
    }
    case "app/authorization_expired":
      return t("tl.authorizationExpired");
    case "merchant/void_confirmed":
      return t("tl.voidConfirmed");
    default:
      return null;
  }
}

/** The cause of a lifecycle decision taken on Shopify's confirmation answer, or null for other inputs. */
export function confirmationCause(t: T, detail: Detail): string | null {
  if (detail.input !== "confirmation") return null;
  const refused = detail.result === false || detail.why === "confirmation_rejected" || detail.why === "CONFIRMATION_REJECTED";
  return t(refused ? "tl.cause.confirmationRefused" : "tl.cause.confirmed");
}

/** The outcome of a lifecycle decision specific to issue 15, or null when it is not one. */
export function settlementOutcome(t: T, type: string, detail: Detail, locale: Locale): string | null {
  if (type === "confirming") return t("tl.outcome.confirming");
  if (type === "rejected" && (detail.why === "confirmation_rejected" || detail.why === "CONFIRMATION_REJECTED")) return t("tl.outcome.confirmationRejected");
  if (type === "resolved" && typeof detail.authorizationExpiresAt === "string") {
    const at = new Date(detail.authorizationExpiresAt);
    if (!Number.isNaN(at.getTime())) return t("tl.outcome.authorized", { date: formatDateTime(at, locale) });
  }
  return null;
}
