/**
 * The dashboard's figures against a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL):
 * a varied, seeded set of payments (every state, test and live, loans missing, days on both sides of
 * month ends and of both DST changes, boundaries to the millisecond, another shop with the same ids
 * in Soisy's data) and every figure compared with what this test computes itself from the rows it
 * reads back — with its own Rome-day rule (Intl's sv-SE date of the instant), not the app's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { PAYMENT_STATES } from "~/payments/lifecycle";
import { dashboardMetrics } from "~/dashboard/metrics.server";
import { parsePeriod, type DashboardMode } from "~/dashboard/period";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const SHOP = "dash-shop.myshopify.com";
const OTHER = "dash-other.myshopify.com";
let database: TestDatabase;
let db: Db;

/** A tiny deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const romeDayOf = (d: Date) => d.toLocaleString("sv-SE", { timeZone: "Europe/Rome" }).slice(0, 10);
const VERIFIED = new Set(["waiting_for_disbursement", "waiting_for_trigger", "disbursed"]);

let n = 0;
async function payment(shop: string, at: Date, state: string, test: boolean, extra: { loan?: number | null; amount?: number } = {}) {
  const id = `${shop.slice(0, 4)}-${++n}`;
  const amountCents = extra.amount ?? 10_000 + n * 137;
  await db.paymentSession.create({
    data: {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      shop,
      group: `g-${id}`,
      amountCents,
      currency: "EUR",
      test,
      kind: "sale",
      proposedAt: at,
      environment: test ? "sandbox" : "production",
      state,
      callbackSecret: "x",
      soisyToken: state === "received" || state === "not_eligible" ? null : `tok-${id}`,
      soisyLoanAmountCents: extra.loan === undefined ? amountCents : extra.loan,
      createdAt: at,
    },
  });
  return { id, at, test };
}

async function timeline(paymentSessionId: string, shop: string, at: Date, source: string, type: string, detail: Record<string, unknown> | null) {
  await db.timelineEvent.create({ data: { shop, paymentSessionId, source, type, detailJson: detail ? JSON.stringify(detail) : null, createdAt: at } });
}

async function payout(shop: string, environment: string, orderReference: string, instalments: number | null) {
  await db.soisyPayout.create({
    data: { shop, environment, soisyOrderReference: `sor-${++n}`, orderReference, status: "disbursed", loanAmountCents: 1, instalments },
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const rnd = random(16);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  // Instants around both DST changes of 2026 and the month ends, plus random ones from February to December.
  const fixed = [
    "2026-02-28T22:59:59.999Z", // 28 Feb, 23:59:59.999 in Rome
    "2026-02-28T23:00:00.000Z", // 1 Mar, 00:00 in Rome
    "2026-03-28T23:00:00.000Z", // 29 Mar 00:00 (the 23-hour day)
    "2026-03-29T01:59:59.000Z", // 29 Mar 03:59:59 CEST
    "2026-03-29T21:59:59.999Z", // 29 Mar 23:59:59.999 CEST
    "2026-03-29T22:00:00.000Z", // 30 Mar 00:00
    "2026-03-31T21:59:59.999Z", // 31 Mar, last ms
    "2026-03-31T22:00:00.000Z", // 1 Apr 00:00
    "2026-10-24T22:00:00.000Z", // 25 Oct 00:00 (the 25-hour day)
    "2026-10-25T00:30:00.000Z", // 25 Oct 02:30 CEST
    "2026-10-25T01:30:00.000Z", // 25 Oct 02:30 CET (the repeated hour)
    "2026-10-25T22:59:59.999Z", // 25 Oct 23:59:59.999 CET
    "2026-10-25T23:00:00.000Z", // 26 Oct 00:00
    "2026-10-31T22:59:59.999Z", // 31 Oct, last ms
    "2026-10-31T23:00:00.000Z", // 1 Nov 00:00
  ].map((s) => new Date(s));
  const start = Date.parse("2026-02-20T00:00:00Z");
  const span = Date.parse("2026-12-10T00:00:00Z") - start;
  const instants = [...fixed, ...Array.from({ length: 260 }, () => new Date(start + Math.floor(rnd() * span)))];
  // Every boundary instant also holds a started payment of each mode.
  for (const at of fixed) {
    await payment(SHOP, at, "resolved", false);
    await payment(SHOP, at, "abandoned", true);
  }
  for (const at of instants) {
    const state = pick(PAYMENT_STATES);
    const test = rnd() < 0.5;
    const loan = rnd() < 0.15 ? null : rnd() < 0.1 ? 9_999 : undefined;
    const p = await payment(SHOP, at, state, test, { loan });
    // What Soisy said, on the timeline: some verified by a callback, some first seen by a poll or a return.
    const later = (ms: number) => new Date(at.getTime() + ms);
    const delay = 1_000 + Math.floor(rnd() * 5 * 86_400_000);
    const kind = rnd();
    if (kind < 0.3) {
      await timeline(p.id, SHOP, later(500), "shopper_return", "returned_success", { soisyStatus: "waiting_for_verification" });
      await timeline(p.id, SHOP, later(delay), "soisy_callback", "LoanWasVerified", { eventDate: null, soisyStatus: "waiting_for_disbursement" });
      await timeline(p.id, SHOP, later(delay + 86_400_000), "soisy_callback", "LoanWasDisbursed", { soisyStatus: "disbursed" });
    } else if (kind < 0.45) {
      await timeline(p.id, SHOP, later(delay + 123), "soisy_poll", "soisy_status", { status: "disbursed" });
    } else if (kind < 0.55) {
      await timeline(p.id, SHOP, later(delay), "shopper_return", "returned_success", { soisyStatus: "waiting_for_trigger" });
      await timeline(p.id, SHOP, later(delay - 999), "soisy_poll", "soisy_status", { status: "waiting_for_disbursement" });
    } else if (kind < 0.65) {
      // Not a verification: Soisy still deciding, the app's own rows, the merchant.
      await timeline(p.id, SHOP, later(delay), "soisy_callback", "LoanWasApproved", { soisyStatus: "waiting_for_verification" });
      await timeline(p.id, SHOP, later(delay), "app", "resolved", null);
      await timeline(p.id, SHOP, later(delay), "merchant", "merchant_resolve", { by: "x" });
    }
    // Soisy's order list: instalments for most payments, sometimes without the number, sometimes under the other environment.
    const r = rnd();
    if (r < 0.6) await payout(SHOP, test ? "sandbox" : "production", p.id, pick([3, 6, 10, 12, 18, 24]));
    else if (r < 0.7) await payout(SHOP, test ? "sandbox" : "production", p.id, null);
    else if (r < 0.75) await payout(SHOP, test ? "production" : "sandbox", p.id, 36);
  }
  // Another shop: the same kinds of rows at the same instants, never counted; its payouts name SHOP's payment ids too.
  for (const at of instants.slice(0, 40)) {
    const p = await payment(OTHER, at, pick(["resolved", "rejected", "abandoned"]), rnd() < 0.5);
    await timeline(p.id, OTHER, new Date(at.getTime() + 60_000), "soisy_callback", "LoanWasVerified", { soisyStatus: "waiting_for_disbursement" });
    await payout(OTHER, "sandbox", `dash-${1 + Math.floor(rnd() * 100)}`, 48);
  }
}, 120_000);

afterAll(async () => database?.cleanup());

/** The figures computed here from the rows, independently of the app's code. */
async function expected(from: string, to: string, mode: DashboardMode) {
  const all = await db.paymentSession.findMany({ where: { shop: SHOP } });
  const rows = all.filter((p) => p.test === (mode === "test") && romeDayOf(p.createdAt) >= from && romeDayOf(p.createdAt) <= to);
  const started = rows.filter((p) => p.state !== "received" && p.state !== "not_eligible");
  const approved = started.filter((p) => p.state === "resolved");
  const count = (state: string) => started.filter((p) => p.state === state).length;
  const payouts = await db.soisyPayout.findMany({ where: { shop: SHOP } });
  const instalments = approved.flatMap((p) => payouts.filter((o) => o.orderReference === p.id && o.environment === p.environment && o.instalments !== null).map((o) => o.instalments!));
  const events = await db.timelineEvent.findMany({ where: { shop: SHOP } });
  const verificationSeconds: number[] = [];
  for (const p of started) {
    const times = events
      .filter((e) => e.paymentSessionId === p.id && ["soisy_callback", "soisy_poll", "shopper_return"].includes(e.source))
      .filter((e) => {
        const detail = e.detailJson ? (JSON.parse(e.detailJson) as { soisyStatus?: string; status?: string }) : {};
        return e.type === "LoanWasVerified" || VERIFIED.has(detail.soisyStatus ?? "") || VERIFIED.has(detail.status ?? "");
      })
      .map((e) => e.createdAt.getTime());
    if (times.length) verificationSeconds.push(Math.floor(Math.min(...times) / 1000) - Math.floor(p.createdAt.getTime() / 1000));
  }
  const round = (num: number, den: number) => Math.round(num / den); // floats are fine here: small exact values
  const perDay = new Map<string, { started: number; approved: number; financedCents: number }>();
  for (const p of started) {
    const d = perDay.get(romeDayOf(p.createdAt)) ?? { started: 0, approved: 0, financedCents: 0 };
    d.started++;
    if (p.state === "resolved") {
      d.approved++;
      d.financedCents += p.soisyLoanAmountCents ?? p.amountCents;
    }
    perDay.set(romeDayOf(p.createdAt), d);
  }
  return {
    rows: rows.length,
    started: started.length,
    approved: approved.length,
    refused: count("rejected"),
    abandoned: count("abandoned"),
    inProgress: started.length - approved.length - count("rejected") - count("abandoned"),
    financedCents: approved.reduce((s, p) => s + (p.soisyLoanAmountCents ?? p.amountCents), 0),
    conversionTenths: started.length ? round(approved.length * 1000, started.length) : null,
    averageInstalmentsTenths: instalments.length ? round(instalments.reduce((a, b) => a + b, 0) * 10, instalments.length) : null,
    instalmentsBasis: instalments.length,
    averageVerificationSeconds: verificationSeconds.length ? round(verificationSeconds.reduce((a, b) => a + b, 0), verificationSeconds.length) : null,
    verificationBasis: verificationSeconds.length,
    perDay,
  };
}

const PERIODS: [string, string][] = [
  ["2026-03-01", "2026-03-31"], // DST starts on the 29th
  ["2026-10-25", "2026-10-31"], // DST ends on the 25th
  ["2026-03-29", "2026-03-29"], // the 23-hour day alone
  ["2026-02-20", "2026-12-10"], // nearly the whole seeded range
];

describe("dashboardMetrics", () => {
  it.each(PERIODS.flatMap(([from, to]) => (["live", "test"] as const).map((mode) => [from, to, mode] as const)))(
    "%s → %s (%s): every figure equals the rows' own count",
    async (from, to, mode) => {
      const period = parsePeriod(new URLSearchParams({ from, to, mode }), new Date("2026-12-05T12:00:00Z"), "live");
      expect(period.problem).toBeNull();
      const m = await dashboardMetrics(db, database.kind, SHOP, period);
      const e = await expected(from, to, mode);
      expect(e.started).toBeGreaterThan(0);
      const { perDay, rows: _rows, ...figures } = e;
      expect({
        started: m.started,
        approved: m.approved,
        refused: m.refused,
        abandoned: m.abandoned,
        inProgress: m.inProgress,
        financedCents: m.financedCents,
        conversionTenths: m.conversionTenths,
        averageInstalmentsTenths: m.averageInstalmentsTenths,
        instalmentsBasis: m.instalmentsBasis,
        averageVerificationSeconds: m.averageVerificationSeconds,
        verificationBasis: m.verificationBasis,
      }).toEqual(figures);
      expect(m.daily.map((d) => d.day)).toEqual(period.days);
      for (const d of m.daily) {
        expect({ day: d.day, started: d.started, approved: d.approved, financedCents: d.financedCents }).toEqual({
          day: d.day,
          ...(perDay.get(d.day) ?? { started: 0, approved: 0, financedCents: 0 }),
        });
      }
    },
  );

  it("the boundary milliseconds fall on the right Rome day", async () => {
    const march = await dashboardMetrics(db, database.kind, SHOP, parsePeriod(new URLSearchParams({ from: "2026-03-01", to: "2026-03-31", mode: "live" }), new Date(), "live"));
    const marchTest = await dashboardMetrics(db, database.kind, SHOP, parsePeriod(new URLSearchParams({ from: "2026-03-01", to: "2026-03-31", mode: "test" }), new Date(), "live"));
    const all = await db.paymentSession.findMany({ where: { shop: SHOP, state: { notIn: ["received", "not_eligible"] } } });
    const at = (iso: string) => all.filter((p) => p.createdAt.toISOString() === iso).length;
    // 1 Mar 00:00 Rome and 31 Mar 23:59:59.999 Rome are in March; 28 Feb 23:59:59.999 and 1 Apr 00:00 are not.
    const inMarch = at("2026-02-28T23:00:00.000Z") + at("2026-03-31T21:59:59.999Z");
    const first = march.daily[0]!.started + marchTest.daily[0]!.started;
    const last = march.daily.at(-1)!.started + marchTest.daily.at(-1)!.started;
    const expectedEdges = all.filter((p) => ["2026-03-01", "2026-03-31"].includes(romeDayOf(p.createdAt))).length;
    expect(first + last).toBe(expectedEdges);
    expect(expectedEdges).toBeGreaterThanOrEqual(inMarch);
  });

  it("a period without payments: zeros, no conversion, nothing to average", async () => {
    const period = parsePeriod(new URLSearchParams({ from: "2025-01-01", to: "2025-01-31", mode: "live" }), new Date(), "live");
    const m = await dashboardMetrics(db, database.kind, SHOP, period);
    expect([m.started, m.financedCents, m.conversionTenths, m.averageInstalmentsTenths, m.averageVerificationSeconds]).toEqual([0, 0, null, null, null]);
    expect(m.daily).toHaveLength(31);
  });

  it("another shop's payments are never counted", async () => {
    const period = parsePeriod(new URLSearchParams({ from: "2026-02-20", to: "2026-12-10", mode: "test" }), new Date(), "live");
    const other = await dashboardMetrics(db, database.kind, OTHER, period);
    const rows = await db.paymentSession.findMany({ where: { shop: OTHER, test: true } });
    expect(other.started).toBe(rows.length);
    // Its payouts reference SHOP's payment ids, never its own: no instalments for OTHER.
    expect(other.averageInstalmentsTenths).toBeNull();
    expect(other.verificationBasis).toBe(rows.length);
  });
});
