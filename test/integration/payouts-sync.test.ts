/**
 * The payout sync and reconciliation against the Soisy simulator's order list (CSV with its quirks) and
 * a real database: the client reads the list; a sync over 1,000 simulated orders finds the planted
 * differences exactly (no more, no fewer); the second run reads only the new rows; two concurrent syncs
 * of one shop → one does it; a failing Soisy leaves the error in PayoutSync and the cursor where it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "~/logger.server";
import { createSoisyClient } from "~/soisy/client.server";
import { romeDay } from "~/soisy/orders-csv";
import { releaseProcessPayoutLeases, syncAllPayouts, syncShopPayouts, type PayoutSyncDeps } from "~/payouts/sync.server";
import { payoutLines } from "~/payouts/query.server";
import { redactShop } from "~/webhooks/shop-data.server";
import { startSoisySimulator, type SoisySimulator } from "../simulators/soisy";
import { seedHistory, type HistoryOrderInput } from "../simulators/soisy/orders-list";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { eventually } from "../helpers/stack";

const SHOP = "payouts-sync.myshopify.com";
const SOISY = { shopId: "payoutshop", apiKey: "payout-key" };
const DAY = 86_400_000;
const logLines: Array<{ level: number; msg: string; [k: string]: unknown }> = [];
const logger = createLogger({ level: "info", destination: { write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]) } });

let t: TestDatabase;
let sim: SoisySimulator;
let deps: PayoutSyncDeps;
const now = new Date();
const daysAgo = (n: number, from = now) => new Date(from.getTime() - n * DAY);

beforeAll(async () => {
  t = await createTestDatabase();
  sim = await startSoisySimulator({ shops: [SOISY] });
  deps = {
    db: t.db,
    soisyClient: async (_shop, environment) =>
      environment === "production" ? createSoisyClient({ environment, ...SOISY, baseUrl: sim.url, timeoutMs: 5_000, getRetries: 0, logger }) : null,
    now: () => new Date(),
    logger,
  };
  await t.db.shopSettings.create({ data: { shop: SHOP, payoutGraceDays: 7 } });
});

afterAll(async () => {
  await sim?.close();
  await t?.cleanup();
});

type Plan = "fine" | "loan_differs" | "refunded" | "net_fee_mismatch" | "missing_payout" | "payout_not_resolved" | "unknown_order" | "within_grace" | "refund_lowered";
const PLANS: Plan[] = ["fine", "loan_differs", "refunded", "net_fee_mismatch", "missing_payout", "payout_not_resolved", "unknown_order", "within_grace", "refund_lowered"];
const planOf = (i: number): Plan => PLANS[i % 50] ?? "fine";

/** What the test expects the reconciliation to find, per payment id (or Soisy token for unknown orders). */
const expected = new Map<string, Array<{ reason: string; cents: number }>>();

async function seed(count: number) {
  const payments: Array<Record<string, unknown>> = [];
  const refunds: Array<Record<string, unknown>> = [];
  const orders: HistoryOrderInput[] = [];
  for (let i = 0; i < count; i++) {
    const plan = planOf(i);
    const id = `pay${String(i).padStart(4, "0")}`;
    const token = `tok${String(i).padStart(4, "0")}`;
    const amount = 5_000 + ((i * 7_919) % 300_000);
    const created = plan === "within_grace" ? daysAgo(2) : daysAgo(15 + (i % 80), now);
    const disbursed = new Date(created.getTime() + (1 + (i % 3)) * DAY);
    const fee = Math.floor((amount * 3) / 100);
    const refund = plan === "refunded" || plan === "refund_lowered" ? 1_000 + i : 0;
    let loan = amount;
    let net = amount - fee;
    if (plan === "loan_differs") {
      loan = amount - 1_000 - i;
      net = loan - fee;
    }
    if (plan === "refund_lowered") {
      loan = amount - refund;
      net = loan - fee;
    }
    if (plan === "net_fee_mismatch") net = amount - fee + 1;
    const notDisbursed = plan === "missing_payout" || plan === "within_grace";
    if (plan !== "unknown_order") {
      payments.push({
        id,
        gid: `gid://shopify/PaymentSession/${id}`,
        shop: SHOP,
        group: `g-${id}`,
        amountCents: amount,
        currency: "EUR",
        test: false,
        kind: "sale",
        proposedAt: created,
        environment: "production",
        state: plan === "payout_not_resolved" ? "rejected" : "resolved",
        soisyToken: token,
        callbackSecret: "x",
        createdAt: created,
        resolvedAt: plan === "payout_not_resolved" ? null : created,
        rejectedAt: plan === "payout_not_resolved" ? created : null,
      });
    }
    if (refund) {
      refunds.push({ id: `ref-${id}`, gid: `gid://shopify/RefundSession/ref-${id}`, shop: SHOP, paymentSessionId: id, amountCents: refund, currency: "EUR", test: false, proposedAt: disbursed, state: "resolved" });
    }
    orders.push({
      shopId: SOISY.shopId,
      token,
      orderReference: plan === "unknown_order" ? null : id,
      amountCents: loan,
      netAmountCents: net,
      feeCents: fee,
      status: notDisbursed ? "waiting_for_disbursement" : "disbursed",
      createdAt: created,
      disbursedAt: notDisbursed ? null : disbursed,
      instalments: 3 + (i % 18),
    });
    const want: Array<{ reason: string; cents: number }> = [];
    if (plan === "loan_differs") want.push({ reason: "loan_differs", cents: loan - amount });
    if (plan === "refunded" || plan === "refund_lowered") want.push({ reason: "refunded", cents: -refund });
    if (plan === "net_fee_mismatch") want.push({ reason: "net_fee_mismatch", cents: 1 });
    if (plan === "missing_payout") want.push({ reason: "missing_payout", cents: -amount });
    if (plan === "payout_not_resolved") want.push({ reason: "payout_not_resolved", cents: net });
    if (plan === "unknown_order") expected.set(token, [{ reason: "unknown_order", cents: net }]);
    else if (want.length) expected.set(id, want);
  }
  await t.db.paymentSession.createMany({ data: payments as never });
  await t.db.refundSession.createMany({ data: refunds as never });
  seedHistory(sim, orders);
  return orders;
}

function listRequests() {
  return sim.requests.filter((r) => r.method === "GET" && r.path === `/api/shops/${SOISY.shopId}/orders`);
}

describe("Soisy's order list", () => {
  it("the client reads the simulator's CSV (BOM, quoting, unknown column, euros as text, Italian dates)", async () => {
    const [token] = seedHistory(sim, [
      { shopId: SOISY.shopId, orderReference: null, amountCents: 123_450, netAmountCents: 119_747, feeCents: 3_703, status: "disbursed", createdAt: new Date("2026-07-01T08:00:00Z"), disbursedAt: new Date("2026-07-03T09:15:00Z"), instalments: 12 },
    ]);
    const client = createSoisyClient({ environment: "production", ...SOISY, baseUrl: sim.url });
    const list = await client.listOrders({ fromCreatedAt: new Date("2026-07-01T00:00:00Z") });
    const raw = listRequests().at(-1)!;
    expect(raw.headers.accept).toBe("text/csv");
    expect(raw.query).toEqual({ fromCreatedAt: "2026-07-01" });
    expect(list.unknownColumns).toEqual(["note"]);
    expect(list.skipped).toBe(0);
    expect(list.orders).toEqual([
      {
        soisyOrderReference: token,
        orderReference: null,
        status: "disbursed",
        loanAmountCents: 123_450,
        loanNetAmountCents: 119_747,
        feeCents: 3_703,
        zeroInterestRate: false,
        instalments: 12,
        requestedAt: new Date("2026-07-01T08:00:00Z"),
        disbursedAt: new Date("2026-07-03T09:15:00Z"),
      },
    ]);
    const wrongKey = createSoisyClient({ environment: "production", shopId: SOISY.shopId, apiKey: "nope", baseUrl: sim.url });
    await expect(wrongKey.listOrders()).rejects.toMatchObject({ kind: "auth" });
    sim.reset();
  });
});

describe("sync and reconciliation over 1,000 orders", () => {
  it("finds the planted differences exactly; the second run reads only new rows; one of two concurrent syncs runs", async () => {
    const orders = await seed(1_000);
    const disbursedCount = orders.filter((o) => o.status === "disbursed").length;
    const withinGrace = orders.filter((o, i) => planOf(i) === "within_grace").length;

    const first = await syncShopPayouts(deps, SHOP, "production");
    // The orders never disbursed and older than the open window (the planted missing payouts) are not asked for.
    expect(first).toEqual({ outcome: "synced", rowsRead: disbursedCount + withinGrace, created: disbursedCount + withinGrace, updated: 0, skipped: 0, queries: 2 });
    expect(await t.db.soisyPayout.count({ where: { shop: SHOP } })).toBe(disbursedCount + withinGrace);

    const lines = await payoutLines(t.db, SHOP, {}, new Date());
    const found = new Map(lines.filter((l) => l.differences.length).map((l) => [l.paymentId ?? l.soisyOrderReference!, l.differences]));
    expect(found.size).toBe(expected.size);
    expect(Object.fromEntries(found)).toEqual(Object.fromEntries(expected));
    // Every payment with a payout or due one is a line (the 20 rejected-but-disbursed ones included).
    expect(lines.length).toBe(1_000); // 980 payments (the 20 rejected-but-disbursed included) + 20 unknown orders

    // Second run: 5 new orders disbursed today; only they (and the orders of the payments still waiting,
    // created 2 days ago) are read.
    const before = listRequests().length;
    const firstCursor = (await t.db.payoutSync.findUniqueOrThrow({ where: { shop_environment: { shop: SHOP, environment: "production" } } })).cursor!;
    const fresh: HistoryOrderInput[] = [];
    for (let k = 0; k < 5; k++) {
      const id = `new${k}`;
      await t.db.paymentSession.create({
        data: { id, gid: `gid://shopify/PaymentSession/${id}`, shop: SHOP, group: `g-${id}`, amountCents: 10_000, currency: "EUR", test: false, kind: "sale", proposedAt: new Date(), environment: "production", state: "resolved", soisyToken: `tok-${id}`, callbackSecret: "x", resolvedAt: new Date() },
      });
      fresh.push({ shopId: SOISY.shopId, token: `tok-${id}`, orderReference: id, amountCents: 10_000, status: "disbursed", createdAt: new Date(), disbursedAt: new Date() });
    }
    seedHistory(sim, fresh);
    const second = await syncShopPayouts(deps, SHOP, "production");
    expect(second).toEqual({ outcome: "synced", rowsRead: 5 + 5 + withinGrace, created: 5, updated: 0, skipped: 0, queries: 2 });
    const asked = listRequests().slice(before).map((r) => r.query);
    const sync = await t.db.payoutSync.findUniqueOrThrow({ where: { shop_environment: { shop: SHOP, environment: "production" } } });
    expect(asked).toEqual([{ fromDisbursedAt: romeDay(new Date(firstCursor.getTime() - 2 * DAY)) }, { fromCreatedAt: romeDay(daysAgo(2)) }]);
    expect(sync).toMatchObject({ lockedBy: null, lockedUntil: null, lastError: null, rowsSeen: disbursedCount + withinGrace + 5 + 5 + withinGrace });

    // Two instances at once: one syncs, the other finds the lease taken.
    sim.setFaults({ latencyMs: 300, match: "/orders" });
    const both = await Promise.all([
      syncShopPayouts(deps, SHOP, "production", { holder: "instance-a" }),
      syncShopPayouts(deps, SHOP, "production", { holder: "instance-b" }),
    ]);
    sim.clearFaults();
    expect(both.map((r) => r.outcome).sort()).toEqual(["busy", "synced"]);
    expect((await t.db.payoutSync.findUniqueOrThrow({ where: { shop_environment: { shop: SHOP, environment: "production" } } })).lockedBy).toBeNull();
  }, 120_000);

  it("Soisy failing: the error is stored and logged, the cursor does not move, nothing throws", async () => {
    const key = { shop_environment: { shop: SHOP, environment: "production" } };
    const cursor = (await t.db.payoutSync.findUniqueOrThrow({ where: key })).cursor;
    sim.setFaults({ failNext: { count: 1, status: 503 } });
    const result = await syncShopPayouts(deps, SHOP, "production");
    expect(result.outcome).toBe("failed");
    const row = await t.db.payoutSync.findUniqueOrThrow({ where: key });
    expect(row.cursor).toEqual(cursor);
    expect(row.lastError).toMatch(/503/);
    expect(row.lastError).not.toContain(SOISY.apiKey);
    expect(row.lockedBy).toBeNull();
    expect(logLines.some((l) => l.msg === "payout sync failed")).toBe(true);
    expect(JSON.stringify(logLines)).not.toContain(SOISY.apiKey);
    // No credentials for sandbox: nothing to do.
    expect(await syncShopPayouts(deps, SHOP, "sandbox")).toEqual({ outcome: "no_credentials" });
  });

  it("shop/redact deletes the shop's payout rows and sync state", async () => {
    expect(await t.db.soisyPayout.count({ where: { shop: SHOP } })).toBeGreaterThan(0);
    await t.db.shopSettings.update({ where: { shop: SHOP }, data: { uninstalledAt: new Date() } });
    const result = await t.db.$transaction((tx) => redactShop(tx, SHOP, { triggeredAt: null }));
    expect(result).toMatchObject({ applied: true, deleted: { payoutSyncs: 1 } });
    expect(await t.db.soisyPayout.count({ where: { shop: SHOP } })).toBe(0);
    expect(await t.db.payoutSync.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("syncAllPayouts (the schedule's pass): installed shops only, each environment with credentials", async () => {
    await t.db.shopSettings.create({ data: { shop: "all-a.myshopify.com", productionSoisyShopId: SOISY.shopId } });
    await t.db.shopSettings.create({ data: { shop: "all-b.myshopify.com", productionSoisyShopId: SOISY.shopId, uninstalledAt: new Date() } });
    await t.db.shopSettings.create({ data: { shop: "all-c.myshopify.com" } });
    expect(await syncAllPayouts(deps)).toEqual({ shops: 1, synced: 1, busy: 0, failed: 0 });
    expect(await t.db.payoutSync.findMany({ select: { shop: true, environment: true } })).toEqual([{ shop: "all-a.myshopify.com", environment: "production" }]);
  });

  it("two instances racing on a shop never synced before (no PayoutSync row yet): one syncs, the other is busy", async () => {
    sim.setFaults({ latencyMs: 200, match: "/orders" });
    const both = await Promise.all(
      ["race-a", "race-b", "race-c"].map((holder) => syncShopPayouts(deps, "race.myshopify.com", "production", { holder })),
    );
    sim.clearFaults();
    expect(both.map((r) => r.outcome).sort()).toEqual(["busy", "busy", "synced"]);
    expect(await t.db.payoutSync.count({ where: { shop: "race.myshopify.com" } })).toBe(1);
  });

  it("shutdown hands back this process's lease: another instance syncs at once; the old run, when it ends, changes nothing", async () => {
    const shop = "shutdown.myshopify.com";
    const key = { shop_environment: { shop, environment: "production" } };
    const slow: PayoutSyncDeps = {
      ...deps,
      soisyClient: async () => createSoisyClient({ environment: "production", ...SOISY, baseUrl: sim.url, timeoutMs: 1_500, getRetries: 0 }),
    };
    sim.setFaults({ hangNext: 1, match: "/orders" });
    const stuck = syncShopPayouts(slow, shop, "production");
    await eventually(async () => (await t.db.payoutSync.findUnique({ where: key }))?.lockedBy?.startsWith("payouts-"), 5_000, "lease taken");
    expect(await syncShopPayouts(deps, shop, "production", { holder: "other" })).toEqual({ outcome: "busy" });
    expect(await releaseProcessPayoutLeases(t.db)).toBe(1);
    const other = await syncShopPayouts(deps, shop, "production", { holder: "other" });
    expect(other.outcome).toBe("synced");
    const after = await t.db.payoutSync.findUniqueOrThrow({ where: key });
    expect(await stuck).toMatchObject({ outcome: "failed" });
    // The stuck run's failure did not overwrite the other instance's success.
    expect(await t.db.payoutSync.findUniqueOrThrow({ where: key })).toMatchObject({ lastError: null, cursor: after.cursor, lockedBy: null });
    sim.clearFaults();
  });

  it("an unreadable row in Soisy's list is skipped and counted (lastError skipped_rows:N), the others are stored", async () => {
    const shop = "skipped.myshopify.com";
    const [bad] = seedHistory(sim, [{ shopId: SOISY.shopId, token: "x".repeat(300), orderReference: null, amountCents: 1_000, status: "disbursed", createdAt: new Date(), disbursedAt: new Date() }]);
    const result = await syncShopPayouts(deps, shop, "production");
    sim.orders.delete(bad!);
    expect(result).toMatchObject({ outcome: "synced", skipped: 1 });
    const rows = await t.db.soisyPayout.count({ where: { shop } });
    expect(rows).toBe(result.outcome === "synced" ? result.rowsRead : -1);
    expect(rows).toBeGreaterThan(0);
    expect((await t.db.payoutSync.findUniqueOrThrow({ where: { shop_environment: { shop, environment: "production" } } })).lastError).toBe("skipped_rows:1");
    expect(logLines.some((l) => l.msg === "Soisy order list: unreadable rows skipped" && l.skipped === 1)).toBe(true);
    expect(logLines.some((l) => l.msg === "payout sync done" && l.shop === shop && l.skipped === 1)).toBe(true);
  });
});
