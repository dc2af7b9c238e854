/**
 * Checks of a follow-up session (refund now; capture / void when the app supports authorisations)
 * against the payment it names. Pure (unit-tested); refund-service.server.ts supplies the money
 * already committed on the payment and acts on the refusal.
 *
 * A refund is accepted when: its currency is the payment's, its amount is > 0 and not more than what
 * remains refundable — the payment's amount minus every refund of it that is open (awaiting the
 * merchant / resolving) or resolved — and the payment is in a state that can be refunded.
 */
import { translate } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";
import { formatEuro } from "~/i18n/money";
import { centsToDecimal } from "~/money/cents";
import type { PaymentState } from "./lifecycle";

export type FollowUpKind = "refund" | "capture" | "void";

/** Payment states each kind of follow-up session may act on. */
export const FOLLOW_UP_STATES: Record<FollowUpKind, readonly PaymentState[]> = {
  // Only a payment Shopify was told is paid (paymentSessionResolve) has money to give back.
  refund: ["resolved"],
  // Soisy payments are sales, never authorisations: nothing to capture or void (yet).
  capture: [],
  void: [],
};

/** Refund states that count against what remains refundable (a rejected refund gives nothing back). */
export const COMMITTED_REFUND_STATES = ["awaiting_merchant", "resolving", "resolved"] as const;

export interface PaymentForCheck {
  amountCents: number;
  currency: string;
  state: string;
}

export type RefusalCode = "currency" | "amount" | "exceeds" | "state";

export interface Refusal {
  code: RefusalCode;
  /** What remains refundable (cents), for the message and the log. */
  remainingCents: number;
  /** Both languages in one line (≤ 255 characters, Shopify's merchantMessage limit). */
  merchantMessage: string;
}

export function checkAgainstPayment(
  kind: FollowUpKind,
  payment: PaymentForCheck,
  request: { amountCents: number; currency: string },
  committedCents: number,
): Refusal | null {
  const remainingCents = Math.max(0, payment.amountCents - committedCents);
  const refuse = (code: RefusalCode, params: Record<string, string>): Refusal => ({
    code,
    remainingCents,
    merchantMessage: bilingual(`refund.refused.${code}` as MessageKey, params),
  });
  if (request.currency !== payment.currency) return refuse("currency", { currency: request.currency, paymentCurrency: payment.currency });
  if (!(FOLLOW_UP_STATES[kind] as readonly string[]).includes(payment.state)) return refuse("state", { state: payment.state });
  if (!Number.isSafeInteger(request.amountCents) || request.amountCents <= 0) return refuse("amount", {});
  if (request.amountCents > remainingCents) {
    return refuse("exceeds", { remaining: money(remainingCents, payment.currency, "it"), remainingEn: money(remainingCents, payment.currency, "en") });
  }
  return null;
}

function money(cents: number, currency: string, locale: "it" | "en"): string {
  return currency === "EUR" ? formatEuro(cents, locale) : `${centsToDecimal(cents)} ${currency}`;
}

function bilingual(key: MessageKey, params: Record<string, string>): string {
  const it = translate("it", key, params);
  const en = translate("en", key, { ...params, ...(params.remainingEn ? { remaining: params.remainingEn } : {}) });
  return `${it} / ${en}`.slice(0, 255);
}
