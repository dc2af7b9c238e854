/**
 * The payouts page on a shop with years of orders (20,000 payments in the suite,
 * `PAYOUTS_VOLUME_ROWS=…` for another size), on SQLite and PostgreSQL: the page's read (the
 * reconciliation of every line, then one page of them) is timed and printed for docs/payouts.md; the
 * page holds 100 lines, the totals count every line of the filter, a page past the end shows the last
 * one, and another shop's rows never show. Seeded with multi-row INSERTs (five times faster than
 * createMany here), so the file runs in seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { PAYOUT_PAGE_SIZE, payoutLines, payoutPage } from "~/payouts/query.server";
import { reconTotals, type ReconLine } from "~/payouts/reconcile";
import { romeDay } from "~/time/rome";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const SHOP = "payouts-volume.myshopify.com";
const OTHER = "payouts-volume-other.myshopify.com";
const ROWS = Number(process.env.PAYOUTS_VOLUME_ROWS ?? 20_000);
const NOW = new Date("2026-12-05T12:00:00Z");
const DAY = 86_400_000;
/** Three years of orders, the newest 10 days before NOW (past the 7-day grace: a missing payout is a difference). */
const SPAN = 3 * 365 * DAY;
/** Generous: a busy 2-core machine must not make this flake; the figure itself is printed. */
const CEILING_MS = 15_000;

let database: TestDatabase;
let db: Db;

/** What the seed plants, so the test knows the line and difference counts without the code under test. */
const planted = { lines: 0, withDifferences: 0, orderCents: 0, refundedCents: 0 };

/** Multi-row parameterised INSERTs of 500 rows (every column given: ids and @updatedAt are client-side in Prisma). */
async function insertRows(table: string, rows: Array<Record<string, unknown>>) {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]!);
  for (let k = 0; k < rows.length; k += 500) {
    const part = rows.slice(k, k + 500);
    let n = 0;
    const placeholder = () => (database.kind === "postgres" ? `$${++n}` : "?");
    const values = part.map(() => `(${columns.map(placeholder).join(",")})`).join(",");
    await db.$executeRawUnsafe(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(",")}) VALUES ${values}`, ...part.flatMap((r) => columns.map((c) => r[c])));
  }
}

type Kind = "fine" | "refunded" | "captured" | "rejected" | "missing";
/** Per 20 payments: 15 fine, 2 refunded (loan lowered by the refund), 1 captured authorization, 1 rejected (no line), 1 missing payout. */
const kindOf = (i: number): Kind => (["refunded", "refunded", "captured", "rejected", "missing"] as const)[(i % 20) - 15] ?? "fine";

async function seed(shop: string, count: number, prefix: string, counted: boolean) {
  const batch = 1_000;
  for (let offset = 0; offset < count; offset += batch) {
    const payments: Array<Record<string, unknown>> = [];
    const payouts: Array<Record<string, unknown>> = [];
    const refunds: Array<Record<string, unknown>> = [];
    const captures: Array<Record<string, unknown>> = [];
    for (let i = offset; i < Math.min(count, offset + batch); i++) {
      const kind = kindOf(i);
      const id = `${prefix}${i}`;
      const at = new Date(NOW.getTime() - 10 * DAY - Math.floor(((count - i) * SPAN) / count));
      const amount = 10_000 + (i % 997) * 100;
      const refund = kind === "refunded" ? 1_000 + (i % 13) * 100 : 0;
      const fee = Math.floor((amount - refund) * 0.03);
      payments.push({
        id,
        gid: `gid://shopify/PaymentSession/${id}`,
        shop,
        group: `g-${id}`,
        amountCents: amount,
        currency: "EUR",
        test: false,
        kind: kind === "captured" ? "authorization" : "sale",
        proposedAt: at,
        environment: "production",
        state: kind === "rejected" ? "rejected" : "resolved",
        soisyToken: `tok-${id}`,
        callbackSecret: "x",
        createdAt: at,
        updatedAt: at,
        resolvedAt: kind === "rejected" ? null : at,
        rejectedAt: kind === "rejected" ? at : null,
      });
      if (kind !== "rejected" && kind !== "missing") {
        payouts.push({
          id: `p-${id}`,
          shop,
          environment: "production",
          soisyOrderReference: `tok-${id}`,
          orderReference: id,
          status: "disbursed",
          loanAmountCents: amount - refund,
          loanNetAmountCents: amount - refund - fee,
          feeCents: fee,
          requestedAt: at,
          disbursedAt: new Date(at.getTime() + DAY / 2),
          firstSeenAt: at,
          updatedAt: at,
        });
      }
      if (refund) {
        const common = { shop, paymentSessionId: id, currency: "EUR", test: false, proposedAt: at, createdAt: at, updatedAt: at };
        refunds.push({ id: `r-${id}`, gid: `gid://shopify/RefundSession/r-${id}`, amountCents: refund, state: "resolved", ...common });
        // A refund turned down: not counted.
        refunds.push({ id: `rx-${id}`, gid: `gid://shopify/RefundSession/rx-${id}`, amountCents: 999, state: "rejected", ...common });
      }
      if (kind === "captured") {
        const common = { shop, paymentSessionId: id, kind: "capture", currency: "EUR", test: false, proposedAt: at, createdAt: at, updatedAt: at };
        // Captured in two parts (fund on fulfilment of a split order), plus one turned down.
        captures.push({ id: `c1-${id}`, gid: `gid://shopify/SettlementSession/c1-${id}`, amountCents: amount - 2_000, state: "resolved", decidedAt: at, ...common });
        captures.push({ id: `c2-${id}`, gid: `gid://shopify/SettlementSession/c2-${id}`, amountCents: 2_000, state: "resolved", decidedAt: new Date(at.getTime() + 3_600_000), ...common });
        captures.push({ id: `cx-${id}`, gid: `gid://shopify/SettlementSession/cx-${id}`, amountCents: 500, state: "rejected", decidedAt: at, ...common });
      }
      // Every 100th: an order Soisy paid out that the app does not know.
      if (i % 100 === 50) {
        payouts.push({
          id: `u-${id}`,
          shop,
          environment: "production",
          soisyOrderReference: `unknown-${id}`,
          orderReference: null,
          status: "disbursed",
          loanAmountCents: 5_000,
          loanNetAmountCents: 4_850,
          feeCents: 150,
          requestedAt: at,
          disbursedAt: at,
          firstSeenAt: at,
          updatedAt: at,
        });
      }
      if (counted) {
        planted.lines += (kind === "rejected" ? 0 : 1) + (i % 100 === 50 ? 1 : 0);
        planted.withDifferences += (kind === "refunded" || kind === "missing" ? 1 : 0) + (i % 100 === 50 ? 1 : 0);
        planted.orderCents += kind === "rejected" ? 0 : amount;
        planted.refundedCents += refund;
      }
    }
    await insertRows("PaymentSession", payments);
    await insertRows("SoisyPayout", payouts);
    await insertRows("RefundSession", refunds);
    await insertRows("SettlementSession", captures);
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await db.shopSettings.create({ data: { shop: SHOP, payoutGraceDays: 7 } });
  await seed(SHOP, ROWS, "v", true);
  await seed(OTHER, Math.round(ROWS / 10), "o", false);
  await db.$executeRawUnsafe("ANALYZE");
}, 120_000);

afterAll(async () => database?.cleanup());

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const began = performance.now();
  const result = await run();
  const ms = Math.round(performance.now() - began);
  console.log(`[payouts] ${database.kind} ${ROWS.toLocaleString("en")} payments, ${label}: ${ms} ms`);
  expect(ms, label).toBeLessThan(CEILING_MS);
  return result;
}

describe(`payouts page over ${ROWS.toLocaleString("en")} payments`, () => {
  let all: ReconLine[];

  it("every line of the shop (the CSV's read) is the planted set, and no other shop's", async () => {
    all = await timed("all lines (CSV)", () => payoutLines(db, SHOP, {}, NOW));
    expect(reconTotals(all)).toMatchObject({ lines: planted.lines, withDifferences: planted.withDifferences, orderCents: planted.orderCents });
    expect(all.reduce((sum, l) => sum + l.refundedCents, 0)).toBe(planted.refundedCents);
    expect(all.some((l) => l.paymentId?.startsWith("o") || l.soisyOrderReference?.includes("-o"))).toBe(false);
    expect(all.every((l, k) => k === 0 || all[k - 1]!.date >= l.date)).toBe(true);
  });

  it("the page holds 100 lines, newest first; the totals count every line of the filter", async () => {
    const first = await timed("page 1", () => payoutPage(db, SHOP, {}, 1, NOW));
    expect(first.lines).toHaveLength(PAYOUT_PAGE_SIZE);
    expect(first.lines.map((l) => l.paymentId ?? l.soisyOrderReference)).toEqual(all.slice(0, 100).map((l) => l.paymentId ?? l.soisyOrderReference));
    expect(first).toMatchObject({ page: 1, pageCount: Math.ceil(planted.lines / 100), firstLine: 1 });
    expect(first.totals).toEqual(reconTotals(all));

    const second = await payoutPage(db, SHOP, {}, 2, NOW);
    expect(second.lines.map((l) => l.paymentId ?? l.soisyOrderReference)).toEqual(all.slice(100, 200).map((l) => l.paymentId ?? l.soisyOrderReference));
    expect(second.firstLine).toBe(101);

    // Past the end: the last page.
    const past = await payoutPage(db, SHOP, {}, 1_000_000, NOW);
    const lastPage = Math.ceil(planted.lines / 100);
    expect(past.page).toBe(lastPage);
    expect(past.lines.map((l) => l.paymentId ?? l.soisyOrderReference)).toEqual(all.slice((lastPage - 1) * 100).map((l) => l.paymentId ?? l.soisyOrderReference));
  });

  it("a year with only differences: the page and the totals follow the filter", async () => {
    const filters = { from: "2025-01-01", to: "2025-12-31", diff: "1" as const };
    const expected = all.filter((l) => l.differences.length > 0 && romeDay(l.date) >= filters.from && romeDay(l.date) <= filters.to);
    expect(expected.length).toBeGreaterThan(PAYOUT_PAGE_SIZE);
    const page = await timed("a year, only differences, page 2", () => payoutPage(db, SHOP, filters, 2, NOW));
    expect(page.totals).toEqual(reconTotals(expected));
    expect(page.lines.map((l) => l.paymentId ?? l.soisyOrderReference)).toEqual(expected.slice(100, 200).map((l) => l.paymentId ?? l.soisyOrderReference));
  });
});
