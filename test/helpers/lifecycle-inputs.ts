/**
 * Every kind of lifecycle input, with every Soisy order status (the documented ones and an unknown
 * one) and three loan amounts (none, the payment's, another): the matrix the lifecycle tests and the
 * timeline-sentence tests walk.
 */
import type { LifecycleInput } from "~/payments/lifecycle";
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
