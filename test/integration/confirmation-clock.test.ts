/**
 * Oversell protection when Shopify never answers the confirmation (decision 16), driven by the clock
 * the reconciliation pass reads: nothing before 15 minutes, one "confirmation_overdue" alert after 15
 * minutes however many passes see it, and after 24 hours a paymentSessionReject (PROCESSING_ERROR)
 * delivered once to the Shopify simulator. Real database (SQLite or PostgreSQL), real Soisy and Shopify
 * simulators over HTTP (test/helpers/settlement-harness.ts), the reconciliation service itself.
 */
import { describe, expect, it } from "vitest";
import { CONFIRMATION_GIVE_UP_MS, CONFIRMATION_OVERDUE_MS, serializeDeferred } from "~/payments/lifecycle";
import { reconcileOpenPayments } from "~/payments/reconcile.server";
import { createSoisyClient } from "~/soisy/client.server";
import { createPaymentRow } from "../helpers/payment-rows";
import { clock, h, PLAIN, SHOP, until, useSettlementHarness } from "../helpers/settlement-harness";

useSettlementHarness();

const MINUTE = 60_000;

/** A sale confirmed at Shopify's request `confirmationRequestedAt` = now, Soisy's loan verified meanwhile (a resolve deferred). */
async function confirmingSale(amountCents: number): Promise<{ id: string; gid: string }> {
  const payment = await h.shopify.startPayment({ shop: SHOP, amount: (amountCents / 100).toFixed(2) });
  // Soisy's order carries the session id as its reference (the app refuses any other).
  const { token } = await createSoisyClient({ environment: "sandbox", ...PLAIN, baseUrl: h.soisy.url }).createOrder({ amount: amountCents, orderReference: payment.id });
  await h.soisy.completeOrder(token);
  await h.soisy.fireEvent(token, "LoanWasVerified");
  await createPaymentRow(h.t.db, payment.id, SHOP, "confirming", {
    gid: payment.gid,
    amountCents,
    soisyToken: token,
    environment: "production",
    test: false,
    confirmationRequestedAt: clock.now(),
    deferredJson: serializeDeferred({ outcome: "resolve" }),
  });
  return { id: payment.id, gid: payment.gid };
}

/** One reconciliation pass that read Soisy's order without failing. */
async function pass() {
  const report = await reconcileOpenPayments(h.deps, { olderThanMs: 0 });
  expect(report.failed).toBe(0);
  return report;
}
const alertsOf = (id: string) => h.t.db.timelineEvent.findMany({ where: { paymentSessionId: id, type: "alert:confirmation_overdue" } });
const messagesOf = (id: string) => h.t.db.outboxMessage.findMany({ where: { paymentSessionId: id } });

describe("a confirmation Shopify never answers, by the reconciliation clock", () => {
  it("no alert before 15 minutes, one alert after (over several passes), a PROCESSING_ERROR reject delivered once after 24 hours", async () => {
    const p = await confirmingSale(64_000);

    clock.advance(CONFIRMATION_OVERDUE_MS - MINUTE);
    await pass();
    expect(await alertsOf(p.id)).toHaveLength(0);
    expect((await h.t.db.paymentSession.findUniqueOrThrow({ where: { id: p.id } })).state).toBe("confirming");

    clock.advance(2 * MINUTE);
    await pass();
    clock.advance(10 * MINUTE);
    await pass();
    const alerts = await alertsOf(p.id);
    expect(alerts).toHaveLength(1);
    expect(JSON.parse(alerts[0]!.detailJson ?? "{}").message).toMatch(/24 hours/);
    expect(await messagesOf(p.id)).toHaveLength(0);
    expect((await h.t.db.paymentSession.findUniqueOrThrow({ where: { id: p.id } })).state).toBe("confirming");

    clock.advance(CONFIRMATION_GIVE_UP_MS);
    await pass();
    await until(async () => h.shopify.paymentSessions.get(p.id)?.state.code === "REJECTED", "the reject at Shopify");
    const session = await h.t.db.paymentSession.findUniqueOrThrow({ where: { id: p.id } });
    expect(session.state).toBe("rejected");
    const messages = await messagesOf(p.id);
    expect(messages.map((m) => [m.mutation, m.status])).toEqual([["paymentSessionReject", "delivered"]]);
    expect(JSON.parse(messages[0]!.variablesJson).reason.code).toBe("PROCESSING_ERROR");
    // Another pass later changes nothing: a rejected payment is no longer polled.
    clock.advance(MINUTE);
    expect(await pass()).toMatchObject({ checked: 0 });
    expect(await messagesOf(p.id)).toHaveLength(1);
    expect(await alertsOf(p.id)).toHaveLength(1);
  });
});
