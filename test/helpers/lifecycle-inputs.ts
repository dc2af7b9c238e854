/**
 * Every kind of lifecycle input, with every Soisy order status (the documented ones and an unknown
 * one) and three loan amounts (none, the payment's, another): the matrix the lifecycle tests and the
 * timeline-sentence tests walk. Also the instant the lifecycle unit tests decide at, and the context
 * they start from.
 */
import type { LifecycleContext, LifecycleInput } from "~/payments/lifecycle";
import { SOISY_ORDER_STATUSES } from "~/soisy/types";

export const MATRIX_STATUSES = [...SOISY_ORDER_STATUSES, "mystery_status"];

/** `amountCents`: the payment's amount; the loan amounts tried are none, it, and it + 1 cent. */
export function allLifecycleInputs(amountCents: number): LifecycleInput[] {
  const list: LifecycleInput[] = [
    { kind: "order_created" },
    { kind: "order_created", level: "preapproval" },
    { kind: "preapproval_approved" },
    { kind: "preapproval_refused" },
    { kind: "not_eligible", code: "AMOUNT_TOO_LARGE", merchantMessage: "too large" },
    { kind: "merchant_decided", decision: "resolve" },
    { kind: "merchant_decided", decision: "reject" },
    { kind: "confirmation", result: true },
    { kind: "confirmation", result: false },
  ];
  for (const status of MATRIX_STATUSES) {
    for (const loanAmountCents of [null, amountCents, amountCents + 1]) {
      const soisy = { status, loanAmountCents };
      list.push(
        { kind: "shopper_returned", via: "success", soisy },
        { kind: "shopper_returned", via: "error", soisy },
        { kind: "soisy_callback", eventId: "LoanWasVerified", soisy },
        { kind: "reconciled", soisy },
      );
    }
  }
  return list;
}

/** When the lifecycle unit tests decide (`now` of their contexts), and the spans they move it by. */
export const NOW = new Date("2026-07-13T10:00:00.000Z");
export const MINUTE = 60_000;
export const DAY = 86_400_000;

/**
 * A sale of `amountCents` just redirected to Soisy, that Shopify has not confirmed yet (oversell
 * protection), decided at NOW with the default settings; `over` changes any of it.
 */
export function lifecycleContext(amountCents: number, over: Partial<LifecycleContext> = {}): LifecycleContext {
  return {
    state: "redirected",
    amountCents,
    flagReason: null,
    pendingExpiresAt: null,
    groupAlreadyResolved: false,
    settings: { resolveOn: "verified", pendingExpiryDays: 3, authorizationDays: 30 },
    now: NOW,
    kind: "sale",
    confirmed: false,
    deferred: null,
    confirmationRequestedAt: null,
    ...over,
  };
}
