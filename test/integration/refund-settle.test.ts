/**
 * Refunds settled from Soisy's own data (issue 16, part 1), end to end with the real simulators over
 * HTTP and a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL): Shopify's refund session →
 * our 201 (awaiting the merchant) → the merchant acts in Soisy's back office (the simulator's operator
 * endpoints) → the pass reads GET /orders/{token} → refundSessionResolve exactly once at Shopify, with
 * the evidence on the timeline; ambiguous observations left to the merchant with one timeline row each;
 * an unchanged loan, the setting off, Soisy failing, two instances running the pass at once.
 */
import { describe, expect, it } from "vitest";
import { settlePayment, settleRefundsFromSoisy } from "~/payments/refund-settle.server";
import { decideRefund } from "~/payments/refund-service.server";
import { buildTimeline } from "~/transactions/timeline";
import {
  appliedToRefund,
  clock,
  h,
  logLines,
  paidPayment,
  refund,
  refundState,
  secondInstance,
  SHOP,
  soisyOperator,
  soisyReadsOf,
  timelineRows,
  until,
  useRefundSettleHarness,
} from "../helpers/refund-settle-harness";

useRefundSettleHarness();

const MINUTE = 60_000;

async function resolvedAtShopify(refundId: string): Promise<void> {
  await until(async () => (await refundState(refundId)) === "resolved", `${refundId} resolved`);
  expect(appliedToRefund(refundId)).toEqual(["refundSessionResolve"]);
}

async function loadPayment(id: string) {
  return h.t.db.paymentSession.findUniqueOrThrow({
    where: { id },
    include: { refunds: { orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, amountCents: true, state: true, createdAt: true } } },
  });
}

describe("refunds settled from Soisy's data", () => {
  it("a FULL refund resolves once the merchant cancelled the (disbursed) loan at Soisy", async () => {
    const payment = await paidPayment(100_00);
    const refundId = await refund(payment.id, "100.00");
    expect(await soisyOperator(payment.token, "cancel")).toMatchObject({ status: "cancelled" });

    const report = await settleRefundsFromSoisy(h.deps);
    expect(report).toEqual({ checked: 1, resolved: 1, ambiguous: 0, waiting: 0, failed: 0 });
    await resolvedAtShopify(refundId);
    const row = await h.t.db.refundSession.findUniqueOrThrow({ where: { id: refundId } });
    expect(row).toMatchObject({ decidedBy: "soisy", state: "resolved" });
    expect(await timelineRows(payment.id, "refund_settled_from_soisy")).toEqual([
      {
        source: "app",
        detail: { refundId, amountCents: 100_00, by: "soisy", reason: "cancelled", soisyStatus: "cancelled", loanBeforeCents: 100_00, loanAfterCents: 100_00, refundsCents: 100_00 },
      },
    ]);
    // The merchant reads it in their language, with the app's own words for who decided.
    const detail = await h.t.db.timelineEvent.findMany({ where: { paymentSessionId: payment.id } });
    const timeline = buildTimeline(detail, [], "it", String);
    expect(timeline.find((e) => e.code === "app · refund_settled_from_soisy")).toMatchObject({
      event: "Rimborso di € 100,00 chiuso automaticamente: su Soisy il finanziamento risulta annullato",
      tone: "success",
    });
    // Nothing left to do: the next pass does not read Soisy again.
    const reads = soisyReadsOf(payment.token);
    clock.advance(7 * 3_600_000);
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 0 });
    expect(soisyReadsOf(payment.token)).toBe(reads);
  });

  it("a PARTIAL refund resolves once the loan is reduced by exactly its cents; a second one against the already reduced loan too", async () => {
    const payment = await paidPayment(100_00);
    const first = await refund(payment.id, "25.00");
    expect(await soisyOperator(payment.token, { reduceBy: 25_00 })).toMatchObject({ loanAmount: 75_00, loanNetAmount: 75_00 - Math.floor((75_00 * 3) / 100) });
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 1, resolved: 1 });
    await resolvedAtShopify(first);
    expect((await timelineRows(payment.id, "refund_settled_from_soisy"))[0]?.detail).toMatchObject({ reason: "reduced", soisyStatus: "disbursed", loanBeforeCents: 100_00, loanAfterCents: 75_00 });

    // Baseline now 75.00 (100.00 minus the resolved refund): a 10.00 refund and a loan at 65.00.
    const second = await refund(payment.id, "10.00");
    await soisyOperator(payment.token, { reduceBy: 10_00 });
    clock.advance(MINUTE);
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 1, resolved: 1 });
    await resolvedAtShopify(second);
    expect((await timelineRows(payment.id, "refund_settled_from_soisy"))[1]?.detail).toMatchObject({ refundId: second, loanBeforeCents: 75_00, loanAfterCents: 65_00 });
  });

  it("AMBIGUOUS: a loan reduced by another amount stays with the merchant, one timeline row per distinct observation", async () => {
    const payment = await paidPayment(100_00);
    const refundId = await refund(payment.id, "25.00");
    await soisyOperator(payment.token, { reduceBy: 20_00 });
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 1, ambiguous: 1, resolved: 0 });
    expect(await refundState(refundId)).toBe("awaiting_merchant");
    const rows = await timelineRows(payment.id, "refund_soisy_ambiguous");
    expect(rows).toEqual([
      { source: "app", detail: { refundId, amountCents: 25_00, reason: "reduced_other_amount", soisyStatus: "disbursed", loanBeforeCents: 100_00, loanAfterCents: 80_00 } },
    ]);

    // The same observation on later passes: no new row.
    clock.advance(10 * MINUTE);
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 1, ambiguous: 1 });
    expect(await timelineRows(payment.id, "refund_soisy_ambiguous")).toHaveLength(1);
    // A different observation: one more row.
    await soisyOperator(payment.token, { reduceBy: 10_00 });
    clock.advance(10 * MINUTE);
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 1, ambiguous: 1 });
    expect((await timelineRows(payment.id, "refund_soisy_ambiguous")).map((r) => r.detail.loanAfterCents)).toEqual([80_00, 70_00]);
    expect(await h.t.db.outboxMessage.count({ where: { refundSessionId: refundId } })).toBe(0);
    expect(appliedToRefund(refundId)).toEqual([]);

    // The merchant still decides, with the card's buttons' path.
    expect(await decideRefund(h.deps, SHOP, refundId, "resolve", "merchant:" + SHOP)).toMatchObject({ ok: true });
    await resolvedAtShopify(refundId);
  });

  it("AMBIGUOUS: a loan cancelled for a partial refund stays with the merchant", async () => {
    const payment = await paidPayment(100_00);
    const refundId = await refund(payment.id, "40.00");
    await soisyOperator(payment.token, "cancel");
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ ambiguous: 1 });
    expect(await refundState(refundId)).toBe("awaiting_merchant");
    expect((await timelineRows(payment.id, "refund_soisy_ambiguous"))[0]?.detail).toMatchObject({ reason: "cancelled_partial", soisyStatus: "cancelled" });
  });

  it("an unchanged loan: nothing, and Soisy is read again only after the backoff", async () => {
    const payment = await paidPayment(100_00);
    const refundId = await refund(payment.id, "25.00");
    expect(await settleRefundsFromSoisy(h.deps)).toEqual({ checked: 1, resolved: 0, ambiguous: 0, waiting: 1, failed: 0 });
    const reads = soisyReadsOf(payment.token);
    expect(reads).toBe(1);
    // Not due yet: no Soisy call at all.
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 0 });
    clock.advance(30_000);
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 0 });
    expect(soisyReadsOf(payment.token)).toBe(reads);
    expect(await refundState(refundId)).toBe("awaiting_merchant");
    expect(await h.t.db.timelineEvent.count({ where: { paymentSessionId: payment.id, type: { in: ["refund_settled_from_soisy", "refund_soisy_ambiguous"] } } })).toBe(0);

    // Once due, the merchant has reduced the loan: resolved.
    await soisyOperator(payment.token, { reduceBy: 25_00 });
    clock.advance(MINUTE);
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 1, resolved: 1 });
    await resolvedAtShopify(refundId);
  });

  it("the merchant reduced the loan at Soisy BEFORE refunding in Shopify: read as soon as the refund arrives", async () => {
    const payment = await paidPayment(100_00);
    // Soisy was read a moment ago (the payment's own checks): the new refund still gets a read at once.
    await h.t.db.paymentSession.update({ where: { id: payment.id }, data: { lastCheckedAt: new Date(Date.now() - 1_000) } });
    await soisyOperator(payment.token, { reduceBy: 12_34 });
    const refundId = await refund(payment.id, "12.34");
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 1, resolved: 1 });
    await resolvedAtShopify(refundId);
  });

  it("the setting off: Soisy is not read and the refund waits for the merchant", async () => {
    await h.t.db.shopSettings.update({ where: { shop: SHOP }, data: { settleRefundsFromSoisy: false } });
    const payment = await paidPayment(100_00);
    const refundId = await refund(payment.id, "100.00");
    await soisyOperator(payment.token, "cancel");
    const before = soisyReadsOf(payment.token);
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 0, resolved: 0 });
    expect(soisyReadsOf(payment.token)).toBe(before);
    expect(await refundState(refundId)).toBe("awaiting_merchant");
  });

  it("Soisy failing: logged and counted, the pass goes on with the other payments", async () => {
    const failing = await paidPayment(100_00);
    const healthy = await paidPayment(50_00);
    const failingRefund = await refund(failing.id, "100.00");
    const healthyRefund = await refund(healthy.id, "50.00");
    await soisyOperator(failing.token, "cancel");
    await soisyOperator(healthy.token, "cancel");
    h.soisy.setFaults({ failNext: { count: 20, status: 500 }, match: failing.token });
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 2, failed: 1, resolved: 1 });
    expect(await refundState(failingRefund)).toBe("awaiting_merchant");
    await resolvedAtShopify(healthyRefund);
    const warning = logLines.find((l) => l.msg.startsWith("refund settlement could not read the Soisy order"));
    expect(warning).toMatchObject({ paymentId: failing.id });
    expect(JSON.stringify(logLines)).not.toContain("refund-key");

    h.soisy.clearFaults();
    clock.advance(MINUTE);
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 1, resolved: 1 });
    await resolvedAtShopify(failingRefund);
  });

  it("Soisy hanging: the read is bounded, the pass ends with the order counted as failed", async () => {
    const payment = await paidPayment(100_00);
    const refundId = await refund(payment.id, "100.00");
    await soisyOperator(payment.token, "cancel");
    h.soisy.setFaults({ hangNext: 10, match: payment.token });
    const started = Date.now();
    expect(await settleRefundsFromSoisy(h.deps)).toMatchObject({ checked: 1, failed: 1, resolved: 0 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await refundState(refundId)).toBe("awaiting_merchant");
  });

  it("two app instances running the pass at once: Soisy read once, one refundSessionResolve at Shopify", async () => {
    const payment = await paidPayment(100_00);
    const refundId = await refund(payment.id, "100.00");
    await soisyOperator(payment.token, "cancel");
    const other = secondInstance();
    const reports = await Promise.all([settleRefundsFromSoisy(h.deps), settleRefundsFromSoisy(other)]);
    expect(reports.map((r) => r.checked).sort()).toEqual([0, 1]);
    expect(soisyReadsOf(payment.token)).toBe(1);
    await resolvedAtShopify(refundId);
    expect(await h.t.db.outboxMessage.count({ where: { refundSessionId: refundId } })).toBe(1);
  });

  it("two instances settling the same payment past the claim: the conditional update lets one resolve", async () => {
    const payment = await paidPayment(100_00);
    const refundId = await refund(payment.id, "30.00");
    await soisyOperator(payment.token, { reduceBy: 30_00 });
    const other = secondInstance();
    const row = await loadPayment(payment.id);
    const outcomes = await Promise.all([settlePayment(h.deps, row), settlePayment(other, row), settlePayment(h.deps, row)]);
    expect(outcomes.every((o) => o.kind === "resolved")).toBe(true);
    await resolvedAtShopify(refundId);
    expect(await h.t.db.outboxMessage.count({ where: { refundSessionId: refundId, mutation: "refundSessionResolve" } })).toBe(1);
    expect(await timelineRows(payment.id, "refund_settled_from_soisy")).toHaveLength(1);
    expect(h.shopify.refundSessions.get(refundId)?.mutations.filter((m) => m.name === "refundSessionResolve")).toHaveLength(1);
  });
});
