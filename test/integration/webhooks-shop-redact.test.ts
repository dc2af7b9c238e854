/**
 * shop/redact's rule and the webhook-id table on a real database (SQLite by default, PostgreSQL with
 * TEST_DATABASE_URL): a shop is erased only when uninstalled, not reinstalled since, and the request
 * is not older than the uninstall.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUniqueViolation } from "~/webhooks/route.server";
import { redactShop, shopRedactRefusal } from "~/webhooks/shop-data.server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let database: TestDatabase;
const db = () => database.db;
const HOUR = 3_600_000;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.cleanup();
});

async function shopWith(shop: string, state: { installedAt: Date; uninstalledAt: Date | null; session?: boolean }) {
  await db().shopSettings.create({ data: { shop, installedAt: state.installedAt, uninstalledAt: state.uninstalledAt } });
  if (state.session) await db().session.create({ data: { id: `offline_${shop}`, shop, state: "x", accessToken: "t" } });
}

describe("shopRedactRefusal", () => {
  const now = Date.now();
  it.each([
    ["installed, no header", { installedAt: new Date(now - HOUR), uninstalledAt: null }, null, "installed"],
    ["installed, header now", { installedAt: new Date(now - HOUR), uninstalledAt: null }, new Date(now), "installed"],
    ["uninstalled, no header", { installedAt: new Date(now - 2 * HOUR), uninstalledAt: new Date(now - HOUR) }, null, null],
    ["uninstalled, triggered 48 h later", { installedAt: new Date(now - 50 * HOUR), uninstalledAt: new Date(now - 49 * HOUR) }, new Date(now - HOUR), null],
    ["uninstalled, triggered before the uninstall", { installedAt: new Date(now - 3 * HOUR), uninstalledAt: new Date(now - HOUR) }, new Date(now - 2 * HOUR), "older_than_uninstall"],
    ["installedAt after uninstalledAt", { installedAt: new Date(now), uninstalledAt: new Date(now - HOUR) }, null, "reinstalled_since"],
  ] as const)("%s → %s", async (name, state, triggeredAt, expected) => {
    const shop = `${name.replace(/[^a-z0-9]+/g, "-")}.myshopify.com`;
    await shopWith(shop, state);
    expect(await shopRedactRefusal(db(), shop, triggeredAt)).toBe(expected);
  });

  it("a shop without settings: erased unless it holds a Shopify session (an install in progress)", async () => {
    expect(await shopRedactRefusal(db(), "never-seen.myshopify.com", null)).toBeNull();
    await db().session.create({ data: { id: "offline_installing.myshopify.com", shop: "installing.myshopify.com", state: "x", accessToken: "t" } });
    expect(await shopRedactRefusal(db(), "installing.myshopify.com", null)).toBe("installed");
  });

  it("redactShop refuses an installed shop and keeps every row", async () => {
    const shop = "keep-all.myshopify.com";
    await shopWith(shop, { installedAt: new Date(now - HOUR), uninstalledAt: null, session: true });
    const result = await db().$transaction((tx) => redactShop(tx, shop, { triggeredAt: null }));
    expect(result).toEqual({ topic: "shop/redact", applied: false, reason: "installed" });
    expect(await db().shopSettings.count({ where: { shop } })).toBe(1);
    expect(await db().session.count({ where: { shop } })).toBe(1);
  });
});

describe("ProcessedWebhook", () => {
  it("a second row with the same webhook id, or the same event id of the topic, is a unique violation", async () => {
    await db().processedWebhook.create({ data: { id: "w1", eventId: "e1", topic: "SHOP_REDACT", shop: "a.myshopify.com" } });
    const sameId = await db().processedWebhook.create({ data: { id: "w1", eventId: null, topic: "SHOP_REDACT", shop: "a.myshopify.com" } }).catch((e: unknown) => e);
    const sameEvent = await db().processedWebhook.create({ data: { id: "w2", eventId: "e1", topic: "SHOP_REDACT", shop: "a.myshopify.com" } }).catch((e: unknown) => e);
    expect(isUniqueViolation(sameId)).toBe(true);
    expect(isUniqueViolation(sameEvent)).toBe(true);
    // The same event id under another topic, and several rows without event id, are fine.
    await db().processedWebhook.create({ data: { id: "w3", eventId: "e1", topic: "CUSTOMERS_REDACT", shop: "a.myshopify.com" } });
    await db().processedWebhook.create({ data: { id: "w4", eventId: null, topic: "SHOP_REDACT", shop: "a.myshopify.com" } });
    await db().processedWebhook.create({ data: { id: "w5", eventId: null, topic: "SHOP_REDACT", shop: "a.myshopify.com" } });
    expect(await db().processedWebhook.count()).toBe(4);
  });
});
