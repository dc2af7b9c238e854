/**
 * The payouts page's pagination (app/payouts/query.server.ts, view.ts), pure: the `page` parameter
 * (a bad value is page 1), one page of 100 lines with the totals of all, a page past the end shows the
 * last one, and the range and totals texts in both languages.
 */
import { describe, expect, it } from "vitest";
import { PAYOUT_PAGE_SIZE, pageOfLines, parsePayoutPage } from "~/payouts/query.server";
import { reconTotals, type ReconLine } from "~/payouts/reconcile";
import { payoutRangeText, payoutTotalsText } from "~/payouts/view";

const line = (k: number): ReconLine => ({
  paymentId: `p${k}`,
  paymentState: "resolved",
  soisyOrderReference: `t${k}`,
  date: new Date(Date.UTC(2026, 0, 1) - k * 60_000),
  orderCents: 10_000,
  loanCents: 10_000,
  netCents: 9_700,
  feeCents: 300,
  refundedCents: 0,
  disbursedAt: null,
  soisyStatus: "disbursed",
  differences: k % 3 === 0 ? [{ reason: "refunded", cents: -100 }] : [],
});
const lines = (n: number) => Array.from({ length: n }, (_, k) => line(k));

describe("the page parameter", () => {
  it.each([
    [null, 1],
    ["1", 1],
    ["2", 2],
    ["000003", 3],
    ["123456789", 123_456_789],
  ])("%s → page %i", (value, page) => {
    expect(parsePayoutPage(new URLSearchParams(value === null ? "" : `page=${value}`))).toBe(page);
  });

  it.each(["", "0", "-1", "1.5", "abc", "2x", " 2", "1e3", "9".repeat(40), "Infinity"])("%j is ignored (page 1)", (value) => {
    expect(parsePayoutPage(new URLSearchParams({ page: value }))).toBe(1);
  });
});

describe("one page of lines", () => {
  it("100 lines a page, in the given order; the totals count every line", () => {
    const all = lines(250);
    const second = pageOfLines(all, 2);
    expect(PAYOUT_PAGE_SIZE).toBe(100);
    expect(second.lines).toEqual(all.slice(100, 200));
    expect(second).toMatchObject({ page: 2, pageCount: 3, firstLine: 101 });
    expect(second.totals).toEqual(reconTotals(all));
    expect(second.totals.lines).toBe(250);
    expect(pageOfLines(all, 3).lines).toEqual(all.slice(200));
  });

  it("a page past the end shows the last one", () => {
    expect(pageOfLines(lines(250), 7)).toMatchObject({ page: 3, pageCount: 3, firstLine: 201 });
    expect(pageOfLines(lines(200), 3)).toMatchObject({ page: 2, pageCount: 2, firstLine: 101 });
    expect(pageOfLines(lines(200), 3).lines).toHaveLength(100);
  });

  it("no lines: page 1 of 1, empty", () => {
    expect(pageOfLines([], 5)).toMatchObject({ lines: [], page: 1, pageCount: 1, firstLine: 0, totals: { lines: 0 } });
  });

  it("another page size", () => {
    expect(pageOfLines(lines(5), 2, 2)).toMatchObject({ page: 2, pageCount: 3, firstLine: 3 });
  });
});

describe("the range and totals texts", () => {
  it("say where the page is and count every line, in Italian and English", () => {
    const page = pageOfLines(lines(250), 3);
    expect(payoutRangeText(page, "it")).toBe("Righe 201–250 di 250");
    expect(payoutRangeText(page, "en")).toBe("Lines 201–250 of 250");
    expect(payoutRangeText(pageOfLines([], 1), "it")).toBeNull();
    expect(payoutTotalsText(page.totals, "it")).toBe(
      "Righe in tutto (tutte le pagine): 250, con differenze: 84. Finanziato € 25.000,00, accreditato € 24.250,00, commissioni € 750,00.",
    );
    expect(payoutTotalsText(page.totals, "en")).toBe("Lines in all (every page): 250, with differences: 84. Lent €25,000.00, paid out €24,250.00, fees €750.00.");
  });
});
