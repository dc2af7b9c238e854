/**
 * A PaymentSession row written straight to the database, for tests that need a payment to hang
 * outbox messages, refunds or timeline rows on without going through Shopify and Soisy.
 */
import type { Db } from "~/db.server";

type PaymentRowData = Parameters<Db["paymentSession"]["create"]>[0]["data"];

/** Stores a test-mode sandbox payment of 123.45 EUR with this id, shop and state; `extra` overrides any column. */
export async function createPaymentRow(db: Db, id: string, shop: string, state: string, extra: Partial<PaymentRowData> = {}): Promise<string> {
  await db.paymentSession.create({
    data: {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      shop,
      group: `g-${id}`,
      amountCents: 12_345,
      currency: "EUR",
      test: true,
      kind: "sale",
      proposedAt: new Date(),
      environment: "sandbox",
      state,
      callbackSecret: "x",
      ...extra,
    } as PaymentRowData,
  });
  return id;
}
