/**
 * When Soisy's own data proves a refund (refund-settle-decision.ts), table by table: a cancelled loan,
 * a loan reduced by exactly the open refunds, several open refunds, refunds already resolved, a loan
 * already reduced for an earlier refund, and everything ambiguous; the backoff between reads; the
 * timeline's sentences for what the pass decided, in Italian and English.
 */
import { describe, expect, it } from "vitest";
import { decideRefundSettlement, observationKey, settleIntervalMs, type SettleInput } from "~/payments/refund-settle-decision";
import { timelineSentence } from "~/transactions/sentences";

const base = (over: Partial<SettleInput> & Pick<SettleInput, "soisy">): SettleInput => ({
  originalLoanCents: 100_00,
  amountMismatch: false,
  settledRefundCents: 0,
  open: [{ id: "r1", amountCents: 100_00 }],
  ...over,
});
const open = (...amounts: number[]) => amounts.map((amountCents, i) => ({ id: `r${i + 1}`, amountCents }));

describe("decideRefundSettlement", () => {
  it.each<[string, SettleInput, string, string[]?]>([
    ["full refund, loan cancelled after disbursal", base({ soisy: { status: "cancelled", loanAmountCents: 100_00 } }), "resolve:cancelled", ["r1"]],
    ["full refund, cancelled without a loanAmount", base({ soisy: { status: "cancelled", loanAmountCents: null } }), "resolve:cancelled", ["r1"]],
    ["two open refunds that together give everything back, cancelled", base({ open: open(60_00, 40_00), soisy: { status: "cancelled", loanAmountCents: 0 } }), "resolve:cancelled", ["r1", "r2"]],
    ["last refund after one resolved, cancelled", base({ settledRefundCents: 30_00, open: open(70_00), soisy: { status: "cancelled", loanAmountCents: 70_00 } }), "resolve:cancelled", ["r1"]],
    ["partial refund, loan reduced by exactly it", base({ open: open(25_00), soisy: { status: "disbursed", loanAmountCents: 75_00 } }), "resolve:reduced", ["r1"]],
    ["partial refund while waiting for disbursement", base({ open: open(1), soisy: { status: "waiting_for_disbursement", loanAmountCents: 99_99 } }), "resolve:reduced", ["r1"]],
    ["second refund, loan already reduced for the first (resolved)", base({ settledRefundCents: 20_00, open: open(30_00), soisy: { status: "disbursed", loanAmountCents: 50_00 } }), "resolve:reduced", ["r1"]],
    ["two open refunds, loan reduced by the second only", base({ open: open(10_00, 35_00), soisy: { status: "disbursed", loanAmountCents: 65_00 } }), "resolve:reduced", ["r2"]],
    ["two open refunds, loan reduced by both", base({ open: open(10_00, 35_00), soisy: { status: "disbursed", loanAmountCents: 55_00 } }), "resolve:reduced", ["r1", "r2"]],
    ["loan unchanged", base({ open: open(25_00), soisy: { status: "disbursed", loanAmountCents: 100_00 } }), "wait"],
    ["loan unchanged since an earlier refund was settled", base({ settledRefundCents: 20_00, open: open(30_00), soisy: { status: "disbursed", loanAmountCents: 80_00 } }), "wait"],
    ["reduced by another amount", base({ open: open(25_00), soisy: { status: "disbursed", loanAmountCents: 80_00 } }), "ambiguous:reduced_other_amount"],
    ["reduced by one cent too many", base({ open: open(25_00), soisy: { status: "disbursed", loanAmountCents: 74_99 } }), "ambiguous:reduced_other_amount"],
    ["two open refunds of the same amount, reduced by one of them", base({ open: open(20_00, 20_00), soisy: { status: "disbursed", loanAmountCents: 80_00 } }), "ambiguous:reduced_several_ways"],
    ["cancelled but the refund is partial", base({ open: open(25_00), soisy: { status: "cancelled", loanAmountCents: 100_00 } }), "ambiguous:cancelled_partial"],
    ["loan higher than the baseline (earlier refund confirmed without reducing)", base({ settledRefundCents: 20_00, open: open(30_00), soisy: { status: "disbursed", loanAmountCents: 100_00 } }), "ambiguous:loan_higher"],
    ["unknown status", base({ open: open(25_00), soisy: { status: "frozen", loanAmountCents: 75_00 } }), "ambiguous:status_unknown"],
    ["a status a granted loan cannot have", base({ open: open(25_00), soisy: { status: "request_accepted", loanAmountCents: 75_00 } }), "ambiguous:status_unknown"],
    ["no loanAmount", base({ open: open(25_00), soisy: { status: "disbursed", loanAmountCents: null } }), "ambiguous:loan_amount_missing"],
    ["payment held for an amount mismatch", base({ amountMismatch: true, soisy: { status: "cancelled", loanAmountCents: null } }), "ambiguous:payment_amount_mismatch"],
    ["authorization never captured", base({ originalLoanCents: null, soisy: { status: "cancelled", loanAmountCents: null } }), "ambiguous:loan_unknown"],
    ["too many open refunds", base({ open: open(...Array.from({ length: 13 }, () => 1_00)), soisy: { status: "disbursed", loanAmountCents: 99_00 } }), "ambiguous:too_many_refunds"],
  ])("%s", (_name, input, expected, ids) => {
    const verdict = decideRefundSettlement(input);
    const got = verdict.kind === "resolve" ? `resolve:${verdict.reason}` : verdict.kind === "ambiguous" ? `ambiguous:${verdict.reason}` : "wait";
    expect(got).toBe(expected);
    if (ids) expect(verdict.kind === "resolve" ? verdict.refundIds : []).toEqual(ids);
    expect(verdict.evidence.status).toBe(input.soisy.status);
    expect(verdict.evidence.loanAfterCents).toBe(input.soisy.loanAmountCents);
  });

  it("the evidence carries the loan before the open refunds", () => {
    const verdict = decideRefundSettlement(base({ settledRefundCents: 20_00, open: open(30_00), soisy: { status: "disbursed", loanAmountCents: 50_00 } }));
    expect(verdict.evidence).toEqual({ status: "disbursed", loanBeforeCents: 80_00, loanAfterCents: 50_00 });
  });

  it("one observation key per distinct observation", () => {
    const a = decideRefundSettlement(base({ open: open(25_00), soisy: { status: "disbursed", loanAmountCents: 80_00 } }));
    const same = decideRefundSettlement(base({ open: open(25_00), soisy: { status: "disbursed", loanAmountCents: 80_00 } }));
    const other = decideRefundSettlement(base({ open: open(25_00), soisy: { status: "disbursed", loanAmountCents: 70_00 } }));
    expect(observationKey(a)).toBe(observationKey(same));
    expect(observationKey(a)).not.toBe(observationKey(other));
  });
});

describe("settleIntervalMs", () => {
  it.each([
    [0, 60_000],
    [-5_000, 60_000],
    [4 * 60_000, 60_000],
    [3_600_000, 900_000],
    [86_400_000, 6 * 3_600_000],
    [30 * 86_400_000, 6 * 3_600_000],
  ])("a refund %i ms old is read again after %i ms", (age, interval) => {
    expect(settleIntervalMs(age)).toBe(interval);
  });
});

describe("timeline sentences of the pass", () => {
  const say = (type: string, detail: Record<string, unknown>, locale: "it" | "en") => timelineSentence({ source: "app", type, detail }, locale);
  it("a refund settled because the loan was cancelled / reduced", () => {
    expect(say("refund_settled_from_soisy", { amountCents: 100_00, reason: "cancelled", soisyStatus: "cancelled", loanBeforeCents: 100_00, loanAfterCents: null }, "it")).toBe(
      "Rimborso di € 100,00 chiuso automaticamente: su Soisy il finanziamento risulta annullato",
    );
    expect(say("refund_settled_from_soisy", { amountCents: 25_00, reason: "reduced", soisyStatus: "disbursed", loanBeforeCents: 100_00, loanAfterCents: 75_00 }, "en")).toBe(
      "Refund of €25.00 settled automatically: Soisy shows the loan reduced from €100.00 to €75.00, exactly the refunded amount",
    );
  });

  it("an ambiguous observation says what Soisy showed and why the app did not decide", () => {
    expect(say("refund_soisy_ambiguous", { amountCents: 25_00, reason: "reduced_other_amount", soisyStatus: "disbursed", loanBeforeCents: 100_00, loanAfterCents: 80_00 }, "en")).toBe(
      "Refund of €25.00 not settled automatically. Soisy shows: Paid out: Soisy has disbursed the loan; a loan of €80.00 (before this refund: €100.00). " +
        "The loan was reduced by an amount other than the open refunds'. Confirm the refund yourself once you have made it at Soisy.",
    );
    expect(say("refund_soisy_ambiguous", { amountCents: 25_00, reason: "cancelled_partial", soisyStatus: "cancelled", loanBeforeCents: 100_00, loanAfterCents: 100_00 }, "it")).toBe(
      "Rimborso di € 25,00 non chiuso automaticamente. Su Soisy il finanziamento risulta annullato. " +
        "Il finanziamento è annullato per intero, ma i rimborsi richiesti non coprono l'intero importo. Conferma tu il rimborso quando l'hai fatto su Soisy.",
    );
    expect(say("refund_soisy_ambiguous", { amountCents: 25_00, reason: "something_new", soisyStatus: "frozen", loanBeforeCents: 100_00 }, "en")).toContain("Soisy's data does not prove this refund.");
  });
});
