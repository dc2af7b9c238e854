/**
 * Payments as the e2e files set them up on a stack (test/helpers/stack.ts): a payment Soisy verified and
 * Shopify resolved, the mutations Shopify applied to a session, the fields of the shopper's step-2 form.
 */
import { expect } from "vitest";
import { simSession, eventually, type Stack } from "./stack";

/** How long the app may take to settle a payment after Soisy's callback (outbox included) on a busy machine. */
export const PAYMENT_SETTLED_TIMEOUT_MS = 15_000;

/** Mutations Shopify applied for a session (repeats of an identical mutation are not counted). */
export function appliedMutations(stack: Stack, id: string): string[] {
  return simSession(stack, id)
    .mutations.filter((m) => m.outcome === "applied")
    .map((m) => m.name);
}

/** A test payment Soisy verified and Shopify resolved: only such a payment can be refunded. */
export async function resolvedPayment(stack: Stack, amount: string) {
  const db = stack.database.db;
  const payment = await stack.shopify.startPayment({ shop: stack.shop, amount, test: true });
  expect(payment.ok).toBe(true);
  const row = await db.paymentSession.findUniqueOrThrow({ where: { id: payment.id } });
  expect(row.soisyToken).toBeTruthy();
  const token = row.soisyToken!;
  await stack.soisy.completeOrder(token);
  await stack.soisy.fireEvent(token, "LoanWasVerified");
  await eventually(
    async () => (await db.paymentSession.findUniqueOrThrow({ where: { id: payment.id } })).state === "resolved",
    PAYMENT_SETTLED_TIMEOUT_MS,
    "payment resolved",
  );
  return payment;
}

/** A complete step-2 (pre-approval) form as the shopper's browser posts it, for `fiscalCode`. */
export function preapprovalForm(fiscalCode: string): URLSearchParams {
  return new URLSearchParams({
    instalments: "12",
    fiscalCode,
    citizenship: "italian",
    jobDescription: "retired",
    firstname: "Alice",
    lastname: "Rossi",
    email: "alice.rossi@example.com",
    mobilePhone: "3331234567",
    address: "Via Roma",
    civicNumber: "1",
    postalCode: "20121",
    city: "Milano",
    province: "MI",
    privacy: "on",
  });
}
