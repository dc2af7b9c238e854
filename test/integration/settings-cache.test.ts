/**
 * The payment session's settings cache (app/settings/settings-cache.server.ts) against a real
 * database: a change made any way — this client, a transaction, raw SQL, another connection (as the
 * shop CLI's process would) — is read by the very next lookup; a rolled-back change is not. On SQLite
 * a lookup while nothing changed costs no statement; on PostgreSQL every lookup reads.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "~/db.server";
import { shopSettingsFor } from "~/settings/settings-cache.server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const SHOP = "settings-cache.myshopify.com";
let t: TestDatabase;
/** A client that counts its statements (as `bench:http` does). */
let db: Db;
/** Another connection to the same database: another process for SQLite's change counter. */
let other: Db;

beforeAll(async () => {
  t = await createTestDatabase();
  process.env.DB_COUNT_STATEMENTS = "1";
  try {
    db = createDb(t.url);
  } finally {
    delete process.env.DB_COUNT_STATEMENTS;
  }
  other = createDb(t.url);
  await t.db.shopSettings.create({ data: { shop: SHOP, minAmountCents: 10_000 } });
});

afterAll(async () => {
  await db?.$disconnect();
  await other?.$disconnect();
  await t?.cleanup();
});

const statements = () => globalThis.__soisySqlStatements ?? 0;
const minAmount = async () => (await shopSettingsFor(db, SHOP))?.minAmountCents;

describe("shop settings for payment sessions", () => {
  it("are read once while nothing changes on SQLite, every time on PostgreSQL", async () => {
    await minAmount(); // connects (the change token exists once the connection does)
    await minAmount();
    const before = statements();
    for (let i = 0; i < 5; i++) expect(await minAmount()).toBe(10_000);
    expect(statements() - before).toBe(t.kind === "sqlite" ? 0 : 5);
  });

  it("follow a change through this client, a transaction and raw SQL at once", async () => {
    await db.shopSettings.update({ where: { shop: SHOP }, data: { minAmountCents: 11_000 } });
    expect(await minAmount()).toBe(11_000);
    await db.$transaction(async (tx) => {
      await tx.shopSettings.updateMany({ where: { shop: SHOP }, data: { minAmountCents: 12_000 } });
    });
    expect(await minAmount()).toBe(12_000);
    await db.$executeRaw`UPDATE "ShopSettings" SET "minAmountCents" = 13000 WHERE "shop" = ${SHOP}`;
    expect(await minAmount()).toBe(13_000);
  });

  it("follow a change committed by another connection at once", async () => {
    expect(await minAmount()).toBe(13_000);
    await other.shopSettings.update({ where: { shop: SHOP }, data: { minAmountCents: 14_000 } });
    expect(await minAmount()).toBe(14_000);
    await other.shopSettings.delete({ where: { shop: SHOP } });
    expect(await shopSettingsFor(db, SHOP)).toBeNull();
    await other.shopSettings.create({ data: { shop: SHOP, minAmountCents: 15_000 } });
    expect(await minAmount()).toBe(15_000);
  });

  it("never keep a change that was rolled back", async () => {
    expect(await minAmount()).toBe(15_000);
    await expect(
      db.$transaction(async (tx) => {
        await tx.shopSettings.updateMany({ where: { shop: SHOP }, data: { minAmountCents: 99_900 } });
        // Read meanwhile (on SQLite the same connection sees the uncommitted row).
        await minAmount();
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await minAmount()).toBe(15_000);
  });
});
