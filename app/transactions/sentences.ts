/**
 * What happened to a payment, in the merchant's words: each timeline row (source, type, detail as
 * recorded by the payment, refund, pre-approval, outbox and webhook code) becomes who acted and one
 * sentence; payment states and Soisy's order statuses become sentences too. Pure and total: an
 * unknown type, status or actor gets a readable fallback, never its code (the code stays in the
 * technical details the page shows behind a disclosure).
 */
import { translator, type Locale, type MessageKey } from "~/i18n/i18n";
import { formatMoney } from "~/i18n/money";
import { PAYMENT_STATES, soisyProgress, type PaymentState } from "~/payments/lifecycle";
import { SOISY_CALLBACK_EVENT_IDS, SOISY_ORDER_STATUSES } from "~/soisy/types";
import { PAYMENTS_API_MUTATIONS } from "~/shopify/payments-api-documents";
import { parseDecimalToCents } from "~/money/cents";
import { AMBIGUOUS_REASONS, REFUND_AMBIGUOUS_TYPE, REFUND_SETTLED_TYPE } from "~/payments/refund-settle-decision";
import { confirmationCause, SETTLEMENT_ALERTS, SETTLEMENT_TIMELINE_TYPES, settlementOutcome, settlementSentence } from "./settlement-sentences";

type Detail = Record<string, unknown>;
type T = ReturnType<typeof translator>;

const has = (list: readonly string[], value: unknown): value is string => typeof value === "string" && list.includes(value);
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const cents = (value: unknown): number | undefined => (typeof value === "number" && Number.isSafeInteger(value) ? value : undefined);

/** Timeline sources as the code writes them (TimelineEvent.source). */
export const TIMELINE_SOURCES = ["shopify", "soisy_callback", "soisy_poll", "soisy", "shopper_return", "app", "merchant"] as const;

/** Every timeline type the code writes, by source (lifecycle decisions are written by "app"). */
export const TIMELINE_TYPES = {
  shopify: ["payment_session_received", "refund_session_received", "customer_data_request", "customer_redacted", ...SETTLEMENT_TIMELINE_TYPES.shopify],
  app: [
    "not_eligible",
    "soisy_order_created",
    "soisy_order_failed",
    "soisy_order_interrupted",
    "order_created",
    "preapproved",
    "resolved",
    "rejected",
    "pending",
    "abandoned",
    "flagged",
    "refund_refused",
    REFUND_SETTLED_TYPE,
    REFUND_AMBIGUOUS_TYPE,
    "outbox_dead_letter",
    "preapproval_requested",
    "preapproval_additional_data",
    "preapproval_invalid",
    "preapproval_failed",
    "preapproval_approved",
    "preapproval_refused",
    "alert:amount_mismatch",
    "alert:duplicate_loan_in_group",
    "alert:cancelled_after_resolve",
    "alert:loan_after_reject",
    "alert:pending_past_expiry",
    "alert:unknown_soisy_status",
    ...SETTLEMENT_TIMELINE_TYPES.app,
  ],
  soisy_callback: SOISY_CALLBACK_EVENT_IDS,
  soisy_poll: ["soisy_status"],
  soisy: SETTLEMENT_TIMELINE_TYPES.soisy,
  shopper_return: ["returned_success", "returned_error", "returned_success_unconfirmed", "returned_error_unconfirmed"],
  merchant: ["merchant_resolve", "merchant_reject", "refund_confirmed", "refund_declined", ...SETTLEMENT_TIMELINE_TYPES.merchant],
} as const satisfies Record<(typeof TIMELINE_SOURCES)[number], readonly string[]>;

const ALERTS = [
  "amount_mismatch",
  "duplicate_loan_in_group",
  "cancelled_after_resolve",
  "loan_after_reject",
  "pending_past_expiry",
  "unknown_soisy_status",
  ...SETTLEMENT_ALERTS,
] as const;
const PREAPPROVAL_STEPS = ["preapproval_requested", "preapproval_additional_data", "preapproval_invalid", "preapproval_failed", "preapproval_approved", "preapproval_refused", "soisy_order_interrupted"] as const;
const INELIGIBLE = ["shop_not_ready", "unsupported_kind", "currency", "amount_too_small", "amount_too_large", "country"] as const;
const REFUSALS = ["currency", "amount", "exceeds", "state"] as const;

export function stateSentence(state: string, locale: Locale): string {
  const t = translator(locale);
  return has(PAYMENT_STATES, state) ? t(`state.${state}` as MessageKey) : t("soisy.unknown");
}

/** A short label (≤ 20 characters) for a payment state, e.g. "Pagato" / "Paid". */
export function stateLabel(state: PaymentState, locale: Locale): string {
  return translator(locale)(`state.label.${state}`);
}

export function soisyStatusSentence(status: string, locale: Locale): string {
  const t = translator(locale);
  return has(SOISY_ORDER_STATUSES, status) ? t(`soisy.${status}` as MessageKey) : t("soisy.unknown");
}

export function alertSentence(code: string, locale: Locale): string {
  const t = translator(locale);
  return has(ALERTS, code) ? t(`transactions.alert.${code}` as MessageKey) : t("tl.unknown");
}

/**
 * Who decided (a refund's or payment's `decidedBy`): "merchant:<shop>" or a staff email → the shop
 * (you), "auto" → the app automatically, "app" → the app, "operator…" → the operator, "soisy" → Soisy.
 */
export function deciderLabel(by: string | null | undefined, locale: Locale): string {
  const t = translator(locale);
  if (!by) return t("who.app");
  if (by.startsWith("merchant:")) return t("who.merchant");
  if (by === "auto") return t("who.auto");
  if (by === "app") return t("who.app");
  if (by === "soisy") return t("who.soisy");
  if (by === "operator" || by.startsWith("operator:")) return t("who.operator");
  if (by.includes("@")) return t("who.merchantUser", { email: by });
  return t("who.merchant");
}

/** The words for a Shopify mutation ("payment confirmation"). */
export function mutationWords(mutation: string, locale: Locale): string {
  const t = translator(locale);
  return has(PAYMENTS_API_MUTATIONS, mutation) ? t(`tl.mutation.${mutation}` as MessageKey) : t("tl.mutation.other");
}

export interface TimelineRowInput {
  source: string;
  type: string;
  detail: Detail;
}

/** Who acted on a timeline row. */
export function whoActed(row: TimelineRowInput, locale: Locale): string {
  const t = translator(locale);
  switch (row.source) {
    case "shopify":
      return t("who.shopify");
    case "soisy_callback":
    case "soisy_poll":
    case "soisy":
      return t("who.soisy");
    case "shopper_return":
      return t("who.shopper");
    case "merchant":
      return deciderLabel(str(row.detail.by), locale);
    default:
      if (row.type === "preapproval_approved" || row.type === "preapproval_refused" || row.type === "preapproved") return t("who.soisy");
      return t("who.app");
  }
}

/** One timeline row as a sentence. */
export function timelineSentence(row: TimelineRowInput, locale: Locale, currency = "EUR"): string {
  const t = translator(locale);
  const { type, detail } = row;
  const money = (value: unknown) => (cents(value) === undefined ? "—" : formatMoney(cents(value)!, currency, locale));
  if (type.startsWith("alert:")) return alertSentence(type.slice("alert:".length), locale);
  const settlement = settlementSentence(t, row.source, type, detail, money, locale);
  if (settlement !== null) return settlement;
  switch (row.source) {
    case "shopify":
      return shopifySentence(t, type, detail, money, locale);
    case "soisy_callback":
      return has(SOISY_CALLBACK_EVENT_IDS, type) ? t(`tl.callback.${type}` as MessageKey) : t("tl.callbackUnknown");
    case "soisy_poll":
      return type === "soisy_status" ? t("tl.pollStatus", { status: soisyStatusSentence(str(detail.status) ?? "", locale) }) : t("tl.unknown");
    case "shopper_return":
      if (type.endsWith("_unconfirmed")) return t("tl.returnedUnconfirmed");
      return type === "returned_success" ? t("tl.returnedSuccess") : type === "returned_error" ? t("tl.returnedError") : t("tl.unknown");
    case "merchant":
      if (type === "merchant_resolve") return t("tl.merchantResolve");
      if (type === "merchant_reject") return t("tl.merchantReject");
      if (type === "refund_confirmed") return t("tl.refundConfirmed", { amount: money(detail.amountCents) });
      if (type === "refund_declined") return t("tl.refundDeclined", { amount: money(detail.amountCents) });
      return t("tl.unknown");
    default:
      return appSentence(t, type, detail, money, locale);
  }
}

function shopifySentence(t: T, type: string, detail: Detail, money: (v: unknown) => string, locale: Locale): string {
  switch (type) {
    case "payment_session_received": {
      const amount = amountOf(detail.amount, str(detail.currency), locale);
      return amount ? t("tl.paymentRequested", { amount }) : t("tl.paymentRequestedNoAmount");
    }
    case "refund_session_received": {
      const amount = money(detail.amountCents);
      if (detail.refused) return t("tl.refundRequestedRefused", { amount });
      return detail.auto === true ? t("tl.refundRequestedAuto", { amount }) : t("tl.refundRequested", { amount });
    }
    case "customer_data_request":
      return t("tl.customerDataRequest");
    case "customer_redacted":
      return t("tl.customerRedacted");
    default:
      return t("tl.unknown");
  }
}

/** Shopify's decimal amount ("1234.56") in the admin's format, or null when it is not one. */
function amountOf(amount: unknown, currency: string | undefined, locale: Locale): string | null {
  if (typeof amount !== "string") return null;
  try {
    return formatMoney(parseDecimalToCents(amount), currency ?? "EUR", locale);
  } catch {
    return null;
  }
}

function appSentence(t: T, type: string, detail: Detail, money: (v: unknown) => string, locale: Locale): string {
  if ((PREAPPROVAL_STEPS as readonly string[]).includes(type)) return t(`transactions.event.${type}` as MessageKey);
  switch (type) {
    case "not_eligible":
      // Two rows: the eligibility check (its reason) and the lifecycle's decision (its input).
      if (detail.input === "not_eligible") return t("tl.notEligibleRejected");
      return t("tl.notEligible", { reason: t(has(INELIGIBLE, detail.reason) ? (`tl.reason.${detail.reason}` as MessageKey) : "tl.reason.other") });
    case "soisy_order_created":
      return detail.level === "preapproval" ? t("tl.orderCreatedPreapproval") : t("tl.orderCreated");
    case "order_created":
      return detail.level === "preapproval" ? t("tl.preapprovalStarted") : t("tl.sentToSoisy");
    case "soisy_order_failed": {
      const kind = str(detail.kind);
      const reason = kind === "timeout" || kind === "network" || kind === "auth" ? t(`tl.failure.${kind}`) : t("tl.failure.other");
      return t("tl.orderFailed", { reason });
    }
    case "refund_refused":
      return t("tl.refundRefused", { amount: money(detail.amountCents), reason: t(has(REFUSALS, detail.code) ? (`tl.refusal.${detail.code}` as MessageKey) : "tl.refusal.other") });
    case REFUND_SETTLED_TYPE:
      return t(detail.reason === "cancelled" ? "tl.refundSettled.cancelled" : "tl.refundSettled.reduced", {
        amount: money(detail.amountCents),
        before: money(detail.loanBeforeCents),
        after: money(detail.loanAfterCents),
      });
    case REFUND_AMBIGUOUS_TYPE:
      return refundAmbiguousSentence(t, detail, money, locale);
    case "outbox_dead_letter":
      return t("tl.deadLetter", { what: mutationWords(str(detail.mutation) ?? "", locale) });
    case "preapproved":
    case "resolved":
    case "rejected":
    case "pending":
    case "abandoned":
    case "flagged":
    case "confirming":
      return decisionSentence(t, type, detail, locale);
    default:
      return t("tl.unknown");
  }
}

/** A refund the app left to the merchant: what Soisy showed, and why that does not prove the refund. */
function refundAmbiguousSentence(t: T, detail: Detail, money: (v: unknown) => string, locale: Locale): string {
  const status = str(detail.soisyStatus) ?? "";
  const seen =
    status === "cancelled"
      ? t("tl.refundAmbiguous.seenCancelled")
      : cents(detail.loanAfterCents) !== undefined && cents(detail.loanBeforeCents) !== undefined
        ? t("tl.refundAmbiguous.seenLoan", { status: soisyStatusSentence(status, locale), after: money(detail.loanAfterCents), before: money(detail.loanBeforeCents) })
        : t("tl.refundAmbiguous.seenStatus", { status: soisyStatusSentence(status, locale) });
  const why = t(has(AMBIGUOUS_REASONS, detail.reason) ? (`tl.refundAmbiguous.why.${detail.reason}` as MessageKey) : "tl.refundAmbiguous.why.other");
  return t("tl.refundAmbiguous", { amount: money(detail.amountCents), seen, why });
}

/** A lifecycle decision: what caused it (Soisy's news, the shopper, you), then what it did. */
function decisionSentence(t: T, type: string, detail: Detail, locale: Locale): string {
  const outcome = settlementOutcome(t, type, detail, locale) ?? outcomeOf(t, type, detail);
  const cause = causeOf(t, detail);
  if (!cause) return outcome.charAt(0).toUpperCase() + outcome.slice(1);
  return `${cause}: ${outcome}`;
}

function causeOf(t: T, detail: Detail): string | null {
  if (detail.why === "confirmation_never_answered") return t("tl.cause.confirmationSilent");
  switch (detail.input) {
    case "merchant_decided":
      return t(detail.decision === "reject" ? "tl.cause.merchantReject" : "tl.cause.merchantResolve");
    case "preapproval_approved":
      return t("tl.cause.preapprovalApproved");
    case "preapproval_refused":
      return t("tl.cause.preapprovalRefused");
    case "confirmation":
      return confirmationCause(t, detail);
    case "shopper_returned":
    case "soisy_callback":
    case "reconciled": {
      const progress = typeof detail.soisyStatus === "string" ? soisyProgress(detail.soisyStatus) : "unknown";
      if (detail.input === "shopper_returned" && progress === "in_progress") return t("tl.cause.shopperLeft");
      return t(`tl.cause.${progress}`);
    }
    default:
      return null;
  }
}

function outcomeOf(t: T, type: string, detail: Detail): string {
  switch (type) {
    case "preapproved":
      return t("tl.outcome.preapproved");
    case "resolved":
      return t("tl.outcome.resolved");
    case "rejected":
      if (detail.why === "inventory_not_reserved") return t("tl.outcome.rejectedOversold");
      return t(detail.why === "group_already_resolved" ? "tl.outcome.rejectedGroup" : "tl.outcome.rejected");
    case "confirming":
      if (detail.why === "amount_mismatch") return t("tl.outcome.confirmingMerchant");
      if (detail.why === "deferred_upgraded" || detail.why === "merchant_resolve") return t("tl.outcome.confirmingResolve");
      return t("tl.outcome.confirming");
    case "pending":
      return t(detail.why === "MERCHANT_ACTION_REQUIRED" ? "tl.outcome.pendingMerchant" : "tl.outcome.pending");
    case "abandoned":
      return t("tl.outcome.abandoned");
    default:
      if (detail.why === "cancelled_after_resolve") return t("tl.outcome.cancelledAfterResolve");
      if (detail.why === "loan_after_reject") return t("tl.outcome.loanAfterReject");
      return t("tl.outcome.flagged");
  }
}
