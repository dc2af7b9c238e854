/**
 * The dashboard on many payments of one shop over a year (and a fifth as many of another; 25,000 in the
 * suite, `DASHBOARD_VOLUME_ROWS=100000` for the measurement in docs/dashboard.md), on SQLite and
 * PostgreSQL: the figures of a month and of the whole year equal Prisma's own counts, and the plans
 * of the queries read PaymentSession through its (shop, createdAt) index rather than the whole table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { Prisma } from "~/generated/prisma-sqlite/client";
import { dashboardMetrics, dashboardQueries } from "~/dashboard/metrics.server";
import { parsePeriod } from "~/dashboard/period";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const SHOP = "volume-shop.myshopify.com";
const OTHER = "volume-other.myshopify.com";
const STATES = ["resolved", "resolved", "rejected", "abandoned", "pending", "redirected", "not_eligible", "received"];
const YEAR_START = Date.parse("2025-12-01T00:00:00+01:00");
const YEAR_MS = 365 * 86_400_000;
/** Payments of the measured shop (the suite keeps it small enough for CI; the plans are the same). */
const ROWS = Number(process.env.DASHBOARD_VOLUME_ROWS ?? 25_000);
let database: TestDatabase;
let db: Db;

async function insert(shop: string, count: number, prefix: string) {
  const batch = 1_000;
  for (let offset = 0; offset < count; offset += batch) {
    const data = Array.from({ length: Math.min(batch, count - offset) }, (_, j) => {
      const i = offset + j;
      const at = new Date(YEAR_START + Math.floor((i * YEAR_MS) / count));
      return {
        id: `${prefix}${i}`,
        gid: `gid://shopify/PaymentSession/${prefix}${i}`,
        shop,
        group: `g${i}`,
        amountCents: 10_000 + (i % 997),
        currency: "EUR",
        test: i % 10 === 0,
        kind: "sale",
        proposedAt: at,
        environment: i % 10 === 0 ? "sandbox" : "production",
        state: STATES[i % STATES.length]!,
        callbackSecret: "x",
        soisyLoanAmountCents: i % 7 === 0 ? null : 9_000 + (i % 991),
        createdAt: at,
      };
    });
    await db.paymentSession.createMany({ data });
    // Soisy's order list reports half of the approved ones; a third of the started ones have a verification on the timeline.
    const resolved = data.filter((p, j) => p.state === "resolved" && (offset + j) % 2 === 0);
    await db.soisyPayout.createMany({
      data: resolved.map((p) => ({ shop, environment: p.environment, soisyOrderReference: `s-${p.id}`, orderReference: p.id, status: "disbursed", instalments: 3 + (p.amountCents % 22) })),
    });
    const verified = data.filter((p, j) => (offset + j) % 3 === 0 && p.state !== "received" && p.state !== "not_eligible");
    await db.timelineEvent.createMany({
      data: verified.map((p) => ({
        shop,
        paymentSessionId: p.id,
        source: "soisy_callback",
        type: "LoanWasVerified",
        detailJson: '{"soisyStatus":"waiting_for_disbursement"}',
        createdAt: new Date(p.createdAt.getTime() + 3_600_000),
      })),
    });
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await insert(SHOP, ROWS, "v");
  await insert(OTHER, Math.round(ROWS / 5), "o");
  await db.$executeRawUnsafe("ANALYZE");
}, 300_000);

afterAll(async () => database?.cleanup());

/** The same figures from Prisma's count and aggregate, with the bounds written out by hand. */
async function prismaFigures(start: string, endExclusive: string) {
  const where = { shop: SHOP, test: false, createdAt: { gte: new Date(start), lt: new Date(endExclusive) }, state: { notIn: ["received", "not_eligible"] } };
  const [started, approved, withLoan, withoutLoan] = await Promise.all([
    db.paymentSession.count({ where }),
    db.paymentSession.count({ where: { ...where, state: "resolved" } }),
    db.paymentSession.aggregate({ where: { ...where, state: "resolved", soisyLoanAmountCents: { not: null } }, _sum: { soisyLoanAmountCents: true } }),
    db.paymentSession.aggregate({ where: { ...where, state: "resolved", soisyLoanAmountCents: null }, _sum: { amountCents: true } }),
  ]);
  const verified = await db.timelineEvent.count({ where: { type: "LoanWasVerified", payment: where } });
  return { started, approved, financedCents: (withLoan._sum.soisyLoanAmountCents ?? 0) + (withoutLoan._sum.amountCents ?? 0), verificationBasis: verified };
}

describe(`${ROWS.toLocaleString("en")} payments`, () => {
  it.each([
    ["2026-06-01", "2026-06-30", "2026-06-01T00:00:00+02:00", "2026-07-01T00:00:00+02:00"],
    ["2025-12-01", "2026-11-30", "2025-12-01T00:00:00+01:00", "2026-12-01T00:00:00+01:00"],
  ])("%s → %s: the figures equal Prisma's counts", async (from, to, start, endExclusive) => {
    const period = parsePeriod(new URLSearchParams({ from, to, mode: "live" }), new Date("2026-12-05T12:00:00Z"), "live");
    const began = performance.now();
    const m = await dashboardMetrics(db, database.kind, SHOP, period);
    const ms = Math.round(performance.now() - began);
    console.log(`[dashboard] ${database.kind} ${from}..${to}: ${m.started} started, ${ms} ms`);
    const expected = await prismaFigures(start, endExclusive);
    expect(expected.started).toBeGreaterThan(ROWS / 20);
    expect({ started: m.started, approved: m.approved, financedCents: m.financedCents, verificationBasis: m.verificationBasis }).toEqual(expected);
    // Every seeded verification came one hour after its checkout.
    expect(m.averageVerificationSeconds).toBe(3_600);
    expect(m.daily.reduce((s, d) => s + d.started, 0)).toBe(m.started);
  });

  it("reads PaymentSession through its (shop, createdAt) index", async () => {
    const period = parsePeriod(new URLSearchParams({ from: "2026-06-01", to: "2026-06-30", mode: "live" }), new Date(), "live");
    const q = dashboardQueries(database.kind, SHOP, period);
    const explain = database.kind === "postgres" ? Prisma.sql`EXPLAIN ` : Prisma.sql`EXPLAIN QUERY PLAN `;
    for (const query of [q.hours, q.instalments, q.verification]) {
      const rows = await db.$queryRaw<Array<Record<string, unknown>>>(Prisma.sql`${explain}${query}`);
      const plan = rows.map((r) => String(r.detail ?? r["QUERY PLAN"] ?? JSON.stringify(r))).join("\n");
      expect(plan, plan).toMatch(/PaymentSession_shop_createdAt_idx/);
      expect(plan, plan).not.toMatch(/SCAN (TABLE )?"?PaymentSession"?( AS p)?\s*$|Seq Scan on "PaymentSession"/m);
    }
  });
});
