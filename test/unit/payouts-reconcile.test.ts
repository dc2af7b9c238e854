/**
 * The payout reconciliation (app/payouts/reconcile.ts): one case per difference reason, the cases that
 * must NOT be differences (within the grace period, a loan lowered by exactly the refund, the same Soisy
 * order read under both environments), and a property: a consistent history has no difference at all,
 * and one planted mismatch shows up exactly once, on its payment, with its amount.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reconcile, reconTotals, type ReconPayment, type ReconPayout } from "~/payouts/reconcile";

const NOW = new Date("2026-12-05T12:00:00Z");
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

function payment(id: string, extra: Partial<ReconPayment> = {}): ReconPayment {
  return {
    id,
    state: "resolved",
    kind: "sale",
    environment: "production",
    amountCents: 100_000,
    currency: "EUR",
    soisyToken: `tok-${id}`,
    createdAt: daysAgo(20),
    resolvedAt: daysAgo(20),
    capturedCents: null,
    capturedAt: null,
    refundedCents: 0,
    ...extra,
  };
}

function payout(ref: string, extra: Partial<ReconPayout> = {}): ReconPayout {
  return {
    environment: "production",
    soisyOrderReference: `tok-${ref}`,
    orderReference: ref,
    status: "disbursed",
    loanAmountCents: 100_000,
    loanNetAmountCents: 97_000,
    feeCents: 3_000,
    disbursedAt: daysAgo(18),
    requestedAt: daysAgo(20),
    ...extra,
  };
}

const run = (payments: ReconPayment[], payouts: ReconPayout[]) => reconcile({ payments, payouts, now: NOW, graceDays: 7 });
const diffs = (payments: ReconPayment[], payouts: ReconPayout[]) =>
  run(payments, payouts).flatMap((l) => l.differences.map((d) => ({ id: l.paymentId ?? l.soisyOrderReference, ...d })));

describe("reconcile: each reason", () => {
  it.each<[string, ReconPayment[], ReconPayout[], Array<{ id: string | null; reason: string; cents: number }>]>([
    ["all fine", [payment("a")], [payout("a")], []],
    ["partial funding (loan below the order)", [payment("a")], [payout("a", { loanAmountCents: 80_000, loanNetAmountCents: 77_600, feeCents: 2_400 })], [{ id: "a", reason: "loan_differs", cents: -20_000 }]],
    ["refund, loan lowered by exactly the refund", [payment("a", { refundedCents: 30_000 })], [payout("a", { loanAmountCents: 70_000, loanNetAmountCents: 67_900, feeCents: 2_100 })], [{ id: "a", reason: "refunded", cents: -30_000 }]],
    ["refund, loan unchanged", [payment("a", { refundedCents: 30_000 })], [payout("a")], [{ id: "a", reason: "refunded", cents: -30_000 }]],
    ["net + fee ≠ loan", [payment("a")], [payout("a", { loanNetAmountCents: 96_999 })], [{ id: "a", reason: "net_fee_mismatch", cents: -1 }]],
    ["no payout after the grace period", [payment("a", { resolvedAt: daysAgo(8) })], [], [{ id: "a", reason: "missing_payout", cents: -100_000 }]],
    ["no payout within the grace period", [payment("a", { resolvedAt: daysAgo(6) })], [], []],
    ["a payout not disbursed counts as missing", [payment("a")], [payout("a", { status: "cancelled", disbursedAt: null })], [{ id: "a", reason: "missing_payout", cents: -100_000 }]],
    ["disbursed for a rejected payment", [payment("a", { state: "rejected", resolvedAt: null })], [payout("a")], [{ id: "a", reason: "payout_not_resolved", cents: 97_000 }]],
    ["a rejected payment without payout is no line", [payment("a", { state: "rejected" })], [], []],
    ["unknown to the app", [], [payout("x", { orderReference: null })], [{ id: "tok-x", reason: "unknown_order", cents: 97_000 }]],
    ["unknown but not disbursed: no line", [], [payout("x", { status: "cancelled", disbursedAt: null })], []],
    ["matched by orderReference when the token differs", [payment("a", { soisyToken: "other" })], [payout("a")], []],
    [
      "captured authorization: the captured amount is the order",
      [payment("a", { kind: "authorization", capturedCents: 60_000, capturedAt: daysAgo(10) })],
      [payout("a", { loanAmountCents: 60_000, loanNetAmountCents: 58_200, feeCents: 1_800 })],
      [],
    ],
    ["authorization not captured: no line", [payment("a", { kind: "authorization" })], [], []],
    [
      "the same order read under both environments counts once",
      [payment("a", { environment: "sandbox" })],
      [payout("a", { environment: "production", loanNetAmountCents: 1 }), payout("a", { environment: "sandbox" })],
      [],
    ],
  ])("%s", (_name, payments, payouts, expected) => {
    expect(diffs(payments, payouts)).toEqual(expected);
  });

  it("totals and line amounts", () => {
    const lines = run([payment("a"), payment("b", { resolvedAt: daysAgo(1) })], [payout("a")]);
    expect(lines.map((l) => [l.paymentId, l.orderCents, l.loanCents, l.netCents, l.feeCents])).toEqual([
      ["b", 100_000, null, null, null],
      ["a", 100_000, 100_000, 97_000, 3_000],
    ]);
    expect(reconTotals(lines)).toEqual({ lines: 2, orderCents: 200_000, loanCents: 100_000, netCents: 97_000, feeCents: 3_000, withDifferences: 0 });
  });
});

describe("reconcile: property", () => {
  const cents = fc.integer({ min: 100, max: 3_000_000 });
  const history = fc.array(fc.record({ amount: cents, feePct: fc.integer({ min: 0, max: 10 }), days: fc.integer({ min: 0, max: 60 }) }), { minLength: 1, maxLength: 40 });

  it("a consistent history has no difference; one planted loan mismatch is found once, on its payment, with its amount", () => {
    fc.assert(
      fc.property(history, fc.nat(), fc.integer({ min: 1, max: 5000 }), (rows, pick, delta) => {
        const payments = rows.map((r, i) => payment(`p${i}`, { amountCents: r.amount, resolvedAt: daysAgo(r.days + 1) }));
        const payouts = rows.map((r, i) => {
          const fee = Math.floor((r.amount * r.feePct) / 100);
          return payout(`p${i}`, { loanAmountCents: r.amount, feeCents: fee, loanNetAmountCents: r.amount - fee, disbursedAt: daysAgo(r.days) });
        });
        expect(diffs(payments, payouts)).toEqual([]);
        const i = pick % rows.length;
        const planted = payouts[i]!;
        payouts[i] = { ...planted, loanAmountCents: planted.loanAmountCents! - delta, loanNetAmountCents: planted.loanNetAmountCents! - delta };
        expect(diffs(payments, payouts)).toEqual([{ id: `p${i}`, reason: "loan_differs", cents: -delta }]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("reconcile: amounts not yet paid out", () => {
  it("a loan Soisy has not disbursed shows the loan but no payout and no fee (and is not in the paid-out total)", () => {
    const lines = run([payment("a", { resolvedAt: daysAgo(2) })], [payout("a", { status: "waiting_for_disbursement", disbursedAt: null })]);
    expect(lines.map((l) => [l.loanCents, l.netCents, l.feeCents, l.differences])).toEqual([[100_000, null, null, []]]);
    expect(reconTotals(lines)).toMatchObject({ loanCents: 100_000, netCents: 0, feeCents: 0 });
  });
});
