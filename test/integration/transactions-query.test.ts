/**
 * The transactions query layer against a real database (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL): filters, search, keyset pagination boundaries, shop scoping, the attention
 * summary, the merged timeline and the CSV export of real rows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { parseTransactionQuery, type TransactionQuery } from "~/transactions/filters";
import { allTransactions, attentionSummary, listTransactions, type TransactionRow } from "~/transactions/query.server";
import { getTransaction } from "~/transactions/detail.server";
import { buildTimeline } from "~/transactions/timeline";
import { toCsv } from "~/transactions/csv";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const SHOP = "query-shop.myshopify.com";
const OTHER = "other-shop.myshopify.com";
let database: TestDatabase;
let db: Db;

const base = Date.parse("2026-03-10T12:00:00.000Z");
const DAY = 86_400_000;

async function payment(id: string, data: { shop?: string; at: number; amountCents?: number; test?: boolean; state?: string; email?: string | null; token?: string | null; flagReason?: string | null; amountMismatch?: boolean }) {
  await db.paymentSession.create({
    data: {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      shop: data.shop ?? SHOP,
      group: `g-${id}`,
      amountCents: data.amountCents ?? 10_000,
      currency: "EUR",
      test: data.test ?? true,
      kind: "sale",
      proposedAt: new Date(data.at),
      environment: data.test === false ? "production" : "sandbox",
      state: data.state ?? "redirected",
      callbackSecret: `secret-${id}`,
      customerEmail: data.email === undefined ? `${id}@example.com` : data.email,
      soisyToken: data.token === undefined ? `tok-${id}` : data.token,
      flagReason: data.flagReason ?? null,
      amountMismatch: data.amountMismatch ?? false,
      createdAt: new Date(data.at),
    },
  });
}

const q = (search: string, limit?: number): TransactionQuery => parseTransactionQuery(new URLSearchParams(search), limit);
const ids = (rows: TransactionRow[]) => rows.map((r) => r.id);

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  // 7 payments of SHOP over 4 days; p3a/p3b/p3c share one createdAt (ties broken by id).
  await payment("p1", { at: base, test: true, state: "resolved", email: "Mario.Rossi@Example.com" });
  await payment("p2", { at: base + DAY, test: false, state: "pending", amountCents: 123_456 });
  await payment("p3a", { at: base + 2 * DAY, state: "rejected" });
  await payment("p3b", { at: base + 2 * DAY, state: "pending", flagReason: "amount_mismatch", amountMismatch: true });
  await payment("p3c", { at: base + 2 * DAY, state: "redirected", token: null });
  await payment("p4", { at: base + 3 * DAY - 1, test: false, state: "resolved", email: "=cmd|' /C calc'!A0" });
  await payment("p5", { at: base + 3 * DAY, state: "abandoned", email: null, flagReason: "pending_past_expiry" });
  // Another shop: same states, a colliding email and a dead-lettered message: never visible.
  await payment("x1", { shop: OTHER, at: base + DAY, state: "pending", email: "p2@example.com", flagReason: "amount_mismatch" });
  await db.outboxMessage.create({ data: { shop: OTHER, paymentSessionId: "x1", mutation: "paymentSessionPending", dedupeKey: "x1:pending", variablesJson: "{}", status: "dead" } });
  // SHOP: p2 has a dead payment message; p1's refund has a dead refund message.
  await db.outboxMessage.create({ data: { shop: SHOP, paymentSessionId: "p2", mutation: "paymentSessionPending", dedupeKey: "p2:pending", variablesJson: "{}", status: "dead", attempts: 9, lastError: "HTTP 503" } });
  await db.refundSession.create({
    data: { id: "r1", gid: "gid://shopify/RefundSession/r1", shop: SHOP, paymentSessionId: "p1", amountCents: 500, currency: "EUR", test: true, proposedAt: new Date(base), state: "resolving" },
  });
  await db.outboxMessage.create({ data: { shop: SHOP, refundSessionId: "r1", mutation: "refundSessionResolve", dedupeKey: "r1:refundSessionResolve", variablesJson: "{}", status: "dead" } });
  await db.outboxMessage.create({ data: { shop: SHOP, paymentSessionId: "p4", mutation: "paymentSessionResolve", dedupeKey: "p4:resolve", variablesJson: "{}", status: "delivered" } });
}, 60_000);

afterAll(async () => database?.cleanup());

describe("listTransactions", () => {
  it("lists only the shop's payments, newest first, ties by id descending", async () => {
    const page = await listTransactions(db, SHOP, q(""));
    expect(ids(page.rows)).toEqual(["p5", "p4", "p3c", "p3b", "p3a", "p2", "p1"]);
    expect(page.nextCursor).toBeNull();
    expect(page.prevCursor).toBeNull();
    expect(ids((await listTransactions(db, OTHER, q(""))).rows)).toEqual(["x1"]);
  });

  it("filters by state, mode, flagged and dead-lettered", async () => {
    expect(ids((await listTransactions(db, SHOP, q("state=pending"))).rows)).toEqual(["p3b", "p2"]);
    expect(ids((await listTransactions(db, SHOP, q("mode=live"))).rows)).toEqual(["p4", "p2"]);
    expect(ids((await listTransactions(db, SHOP, q("mode=test&state=resolved"))).rows)).toEqual(["p1"]);
    expect(ids((await listTransactions(db, SHOP, q("flagged=1"))).rows)).toEqual(["p5", "p3b"]);
    expect(ids((await listTransactions(db, SHOP, q("dead=1"))).rows)).toEqual(["p2", "p1"]);
    expect(ids((await listTransactions(db, OTHER, q("dead=1"))).rows)).toEqual(["x1"]);
  });

  it("filters by date range, both ends inclusive days (UTC)", async () => {
    expect(ids((await listTransactions(db, SHOP, q("from=2026-03-12&to=2026-03-12"))).rows)).toEqual(["p3c", "p3b", "p3a"]);
    expect(ids((await listTransactions(db, SHOP, q("from=2026-03-13"))).rows)).toEqual(["p5", "p4"]);
    expect(ids((await listTransactions(db, SHOP, q("to=2026-03-11"))).rows)).toEqual(["p2", "p1"]);
    expect(ids((await listTransactions(db, SHOP, q("from=2027-01-01"))).rows)).toEqual([]);
  });

  it("searches by Shopify id, Soisy token or email (case-insensitive), never across shops", async () => {
    expect(ids((await listTransactions(db, SHOP, q("q=p3b"))).rows)).toEqual(["p3b"]);
    expect(ids((await listTransactions(db, SHOP, q("q=tok-p2"))).rows)).toEqual(["p2"]);
    expect(ids((await listTransactions(db, SHOP, q("q=p2%40example.com"))).rows)).toEqual(["p2"]);
    expect(ids((await listTransactions(db, SHOP, q("q=%20P4%40EXAMPLE.COM%20"))).rows)).toEqual([]); // p4's email is the formula string
    expect(ids((await listTransactions(db, SHOP, q("q=P3A%40EXAMPLE.COM"))).rows)).toEqual(["p3a"]);
    expect(ids((await listTransactions(db, SHOP, q("q=x1"))).rows)).toEqual([]);
    expect(ids((await listTransactions(db, SHOP, q("q=nothing-like-this"))).rows)).toEqual([]);
    expect(ids((await listTransactions(db, SHOP, q("q=tok-p&state=rejected"))).rows)).toEqual([]); // tokens match exactly
  });

  it("paginates forward and back across ties without overlaps or gaps", async () => {
    const seen: string[] = [];
    let page = await listTransactions(db, SHOP, q("", 2));
    const pages = [ids(page.rows)];
    seen.push(...ids(page.rows));
    while (page.nextCursor) {
      page = await listTransactions(db, SHOP, q(`after=${page.nextCursor}`, 2));
      pages.push(ids(page.rows));
      seen.push(...ids(page.rows));
      expect(page.prevCursor).not.toBeNull();
    }
    expect(pages).toEqual([["p5", "p4"], ["p3c", "p3b"], ["p3a", "p2"], ["p1"]]);
    expect(seen).toEqual(["p5", "p4", "p3c", "p3b", "p3a", "p2", "p1"]);
    // Exactly one page's worth: no next cursor.
    expect((await listTransactions(db, SHOP, q("", 7))).nextCursor).toBeNull();
    expect((await listTransactions(db, SHOP, q("", 6))).nextCursor).not.toBeNull();
    // Back from the last page.
    const back = await listTransactions(db, SHOP, q(`before=${page.prevCursor}`, 2));
    expect(ids(back.rows)).toEqual(["p3a", "p2"]);
    const first = await listTransactions(db, SHOP, q(`before=${(await listTransactions(db, SHOP, q(`before=${back.prevCursor}`, 2))).prevCursor}`, 2));
    expect(ids(first.rows)).toEqual(["p5", "p4"]);
    expect(first.prevCursor).toBeNull();
    // Filters apply to every page.
    const live = await listTransactions(db, SHOP, q("mode=live", 1));
    expect(ids((await listTransactions(db, SHOP, q(`mode=live&after=${live.nextCursor}`, 1))).rows)).toEqual(["p2"]);
  });

  it("ignores invalid parameters instead of failing", async () => {
    const query = q("state=bogus&mode=sometimes&from=2026-13-45&to=yesterday&after=%%%&limit=100000&flagged=maybe&q=" + "x".repeat(400));
    expect(query.ignored.sort()).toEqual(["after", "flagged", "from", "limit", "mode", "q", "state", "to"]);
    expect(ids((await listTransactions(db, SHOP, query)).rows)).toHaveLength(7);
    // A cursor that decodes to garbage is ignored as well.
    const forged = q(`after=${Buffer.from("not a date|p3b").toString("base64url")}`);
    expect(forged.ignored).toEqual(["after"]);
    // from after to: both ignored.
    expect(q("from=2026-03-13&to=2026-03-10").ignored).toEqual(["from", "to"]);
  });
});

describe("attentionSummary", () => {
  it("counts the shop's dead-lettered messages and flagged payments only", async () => {
    expect(await attentionSummary(db, SHOP)).toEqual({ deadMessages: 2, flaggedPayments: 2, voidsAwaiting: 0 });
    expect(await attentionSummary(db, OTHER)).toEqual({ deadMessages: 1, flaggedPayments: 1, voidsAwaiting: 0 });
    expect(await attentionSummary(db, "nobody.myshopify.com")).toEqual({ deadMessages: 0, flaggedPayments: 0, voidsAwaiting: 0 });
  });
});

describe("getTransaction", () => {
  it("is scoped to the shop and merges events, mutations (also the refunds') and attempts by time", async () => {
    expect(await getTransaction(db, OTHER, "p1")).toBeNull();
    const t0 = base + 10 * DAY;
    await db.timelineEvent.create({ data: { shop: SHOP, paymentSessionId: "p1", source: "shopify", type: "payment_session_received", createdAt: new Date(t0) } });
    await db.timelineEvent.create({ data: { shop: SHOP, paymentSessionId: "p1", source: "app", type: "alert:amount_mismatch", detailJson: JSON.stringify({ message: "x" }), createdAt: new Date(t0 + 3000) } });
    const message = await db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: "r1:refundSessionResolve" } });
    await db.outboxMessage.update({ where: { id: message.id }, data: { createdAt: new Date(t0 + 1000) } });
    await db.outboxAttempt.create({ data: { outboxMessageId: message.id, startedAt: new Date(t0 + 2000), durationMs: 12, httpStatus: 503, outcome: "retry", error: "Service Unavailable" } });
    await db.outboxAttempt.create({ data: { outboxMessageId: message.id, startedAt: new Date(t0 + 4000), durationMs: 8, httpStatus: null, outcome: "dead", error: "gave up" } });
    const found = await getTransaction(db, SHOP, "p1");
    expect(found).not.toBeNull();
    const timeline = buildTimeline(found!.payment.events, found!.messages, "en", (d) => d.toISOString());
    expect(timeline.map((e) => [e.kind, e.event])).toEqual([
      ["event", "Shopify asked for an instalment payment"],
      ["mutation", "Message to Shopify not delivered: refund confirmation"],
      ["attempt", "Delivery to Shopify failed (refund confirmation): the app will retry"],
      ["alert", "Loan amount differs from the Shopify amount"],
      ["attempt", "Delivery to Shopify failed (refund confirmation): no more retries"],
    ]);
    expect(timeline.map((e) => e.code)).toEqual(["shopify · payment_session_received", "refundSessionResolve", "refundSessionResolve", "app · alert:amount_mismatch", "refundSessionResolve"]);
    expect(timeline[2]).toMatchObject({ httpStatus: 503, outcome: "retry", details: "HTTP 503, outcome: retry, 12 ms, error: Service Unavailable" });
    expect(timeline[4]).toMatchObject({ httpStatus: null, outcome: "dead", tone: "critical" });
    expect(timeline[4]!.details).toContain("no HTTP answer");
    expect(found!.payment.refunds.map((r) => r.id)).toEqual(["r1"]);
  });
});

describe("CSV export of real rows", () => {
  it("exports every filtered row, quoted and formula-safe", async () => {
    const rows: TransactionRow[] = [];
    for await (const row of allTransactions(db, SHOP, q("mode=live").filters, 100, 1)) rows.push(row);
    expect(ids(rows)).toEqual(["p4", "p2"]);
    const csv = toCsv(rows);
    expect(csv.startsWith("\uFEFFshopify_session_id,created_at,")).toBe(true);
    const lines = csv.slice(1).split("\r\n");
    expect(lines).toHaveLength(4); // header, 2 rows, trailing empty
    expect(lines[1]).toBe(`p4,${new Date(base + 3 * DAY - 1).toISOString()},resolved,live,100.00,EUR,tok-p4,,,'=cmd|' /C calc'!A0,,false,sale,,,,`);
    expect(lines[2]).toBe(`p2,${new Date(base + DAY).toISOString()},pending,live,1234.56,EUR,tok-p2,,,p2@example.com,,false,sale,,,,`);
    const all: TransactionRow[] = [];
    for await (const row of allTransactions(db, SHOP, {}, 3, 2)) all.push(row);
    expect(ids(all)).toEqual(["p5", "p4", "p3c"]); // max respected across batches
  });
});

describe("fund on fulfilment", () => {
  const FOF = "fof-query.myshopify.com";
  const settlement = (id: string, paymentSessionId: string, kind: string, state: string, amountCents: number | null, at: number) =>
    db.settlementSession.create({
      data: { id, gid: `gid://shopify/${kind}/${id}`, shop: FOF, paymentSessionId, kind, amountCents, currency: "EUR", test: true, proposedAt: new Date(at), state, createdAt: new Date(at) },
    });

  beforeAll(async () => {
    await payment("fof-sale", { shop: FOF, at: base, state: "resolved" });
    await payment("fof-auth", { shop: FOF, at: base + DAY, state: "resolved" });
    await payment("fof-auth2", { shop: FOF, at: base + 2 * DAY, state: "resolved" });
    await db.paymentSession.updateMany({ where: { id: { in: ["fof-auth", "fof-auth2"] } }, data: { kind: "authorization", authorizationExpiresAt: new Date(base + 30 * DAY) } });
    await settlement("cap-1", "fof-auth", "capture", "resolved", 5_000, base + 2 * DAY);
    await settlement("void-1", "fof-auth", "void", "awaiting_merchant", null, base + 3 * DAY);
    await settlement("cap-2", "fof-auth2", "capture", "triggering", 7_000, base + 3 * DAY);
  });

  it("filters by payment type and by captures and voids in progress or waiting for the merchant, within the shop", async () => {
    const list = async (search: string) => ids((await listTransactions(db, FOF, q(search))).rows);
    expect(await list("")).toEqual(["fof-auth2", "fof-auth", "fof-sale"]);
    expect(await list("kind=authorization")).toEqual(["fof-auth2", "fof-auth"]);
    expect(await list("kind=sale")).toEqual(["fof-sale"]);
    expect(await list("settle=open")).toEqual(["fof-auth2", "fof-auth"]);
    expect(await list("settle=merchant")).toEqual(["fof-auth"]);
    expect(ids((await listTransactions(db, SHOP, q("settle=open"))).rows)).toEqual([]);
    expect(await attentionSummary(db, FOF)).toEqual({ deadMessages: 0, flaggedPayments: 0, voidsAwaiting: 1 });
  });

  it("the payment's page reads its captures and voids and their messages to Shopify; the CSV their totals", async () => {
    await db.outboxMessage.create({
      data: { shop: FOF, settlementSessionId: "cap-1", mutation: "captureSessionResolve", dedupeKey: "cap-1:captureSessionResolve", variablesJson: "{}", status: "delivered", createdAt: new Date(base + 2 * DAY + 1000) },
    });
    const found = await getTransaction(db, FOF, "fof-auth");
    expect(found!.payment.settlements.map((s) => [s.id, s.state])).toEqual([
      ["cap-1", "resolved"],
      ["void-1", "awaiting_merchant"],
    ]);
    const timeline = buildTimeline(found!.payment.events, found!.messages, "en", (d) => d.toISOString());
    expect(timeline.map((e) => e.event)).toEqual(["The app told Shopify: capture confirmation (delivered)"]);
    expect((await getTransaction(db, SHOP, "fof-auth"))).toBeNull();

    const rows: TransactionRow[] = [];
    for await (const row of allTransactions(db, FOF, {})) rows.push(row);
    const lines = toCsv(rows).slice(1).split("\r\n");
    expect(lines[1]).toMatch(new RegExp(`^fof-auth2,.*,authorization,${new Date(base + 30 * DAY).toISOString().replace(/\./g, "\\.")},0\\.00,triggering,$`));
    expect(lines[2]).toMatch(/^fof-auth,.*,authorization,.*,50\.00,resolved,awaiting_merchant$/);
    expect(lines[3]).toMatch(/^fof-sale,.*,sale,,,,$/);
  });
});
