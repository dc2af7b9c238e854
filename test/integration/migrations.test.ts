import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { Session } from "@shopify/shopify-api";
import { migrateDeploy, repoRoot } from "../helpers/prisma-cli";
import { pgUrlWithDatabase } from "../helpers/pg-url";
import { createDb, type Db } from "~/db.server";

// Both flavours are checked in every run (CI has PostgreSQL); the rest of the suite uses the
// flavour TEST_DATABASE_URL selects.
const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const MODELS = ["Session", "ShopSettings", "PaymentSession", "RefundSession", "TimelineEvent", "OutboxMessage", "OutboxAttempt", "GroupResolution"];

function migrationNames(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir)).filter((d) => /^\d{14}_/.test(d)).sort();
}

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function exerciseSessionStorage(db: Db) {
  // The Shopify session shape, including the expiring offline tokens' refresh fields.
  const storage = new PrismaSessionStorage(db as never);
  const session = new Session({ id: "offline_m.myshopify.com", shop: "m.myshopify.com", state: "s", isOnline: false });
  session.accessToken = "shpat_test";
  session.scope = "write_payment_gateways,write_payment_sessions";
  session.expires = new Date(Date.now() + 3_600_000);
  session.refreshToken = "shprt_test";
  session.refreshTokenExpires = new Date(Date.now() + 86_400_000);
  expect(await storage.storeSession(session)).toBe(true);
  const loaded = await storage.loadSession(session.id);
  expect(loaded?.refreshToken).toBe("shprt_test");
  expect(loaded?.refreshTokenExpires?.getTime()).toBe(session.refreshTokenExpires.getTime());
  expect(loaded?.accessToken).toBe("shpat_test");
  expect((await storage.findSessionsByShop("m.myshopify.com")).length).toBe(1);
  expect(await storage.deleteSession(session.id)).toBe(true);
}

/** An empty PostgreSQL database named `<prefix><random>`, dropped after the file's tests; its URL. */
async function scratchPostgres(prefix: string): Promise<string> {
  const name = `${prefix}${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  cleanups.push(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });
  return pgUrlWithDatabase(PG_ADMIN_URL, name);
}

describe("migrations", () => {
  it("apply on a fresh SQLite database and match the models", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "soisy-migrate-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const url = `file:${path.join(dir, "fresh.sqlite")}`;
    const out = migrateDeploy(url);
    expect(out).toMatch(/successfully applied/);
    const db = createDb(url);
    cleanups.push(() => db.$disconnect());
    const tables = await db.$queryRawUnsafe<Array<{ name: string }>>("SELECT name FROM sqlite_master WHERE type = 'table'");
    for (const model of MODELS) expect(tables.map((t) => t.name)).toContain(model);
    const applied = await db.$queryRawUnsafe<Array<{ migration_name: string }>>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name",
    );
    expect(applied.map((r) => r.migration_name)).toEqual(migrationNames("prisma/migrations"));
    await exerciseSessionStorage(db);
    // Running again is a no-op.
    expect(migrateDeploy(url)).toMatch(/No pending migrations/);
  });

  it("apply on a fresh PostgreSQL database and match the models", async () => {
    const url = await scratchPostgres("soisy_migrate_");
    expect(migrateDeploy(url)).toMatch(/successfully applied/);
    const db = createDb(url);
    cleanups.push(() => db.$disconnect());
    const tables = await db.$queryRawUnsafe<Array<{ tablename: string }>>(
      "SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    for (const model of MODELS) expect(tables.map((t) => t.tablename)).toContain(model);
    const applied = await db.$queryRawUnsafe<Array<{ migration_name: string }>>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name",
    );
    expect(applied.map((r) => r.migration_name)).toEqual(migrationNames("prisma/postgres/migrations"));
    await exerciseSessionStorage(db);
  });

  // The timeline table was renamed (SoisyEvent → TimelineEvent) by a hand-written migration: a
  // schema diff would have dropped and recreated it, losing every payment's history. Shops upgrading
  // from the earlier migrations keep their rows, the unique dedupe key and the cascade on delete.
  describe("the timeline rename keeps a shop's history", () => {
    const RENAME = "20261205050000_timeline_event";
    const before = (dir: string) => migrationNames(dir).filter((m) => m < RENAME);
    // The rename and every migration after it, as an upgrade applies them (the client expects the latest schema).
    const fromRename = (dir: string) => migrationNames(dir).filter((m) => m >= RENAME);
    const sqlOf = (dir: string, name: string) => readFileSync(path.join(repoRoot, dir, name, "migration.sql"), "utf8");
    const paymentRow = `INSERT INTO "PaymentSession" ("id", "gid", "shop", "group", "amountCents", "currency", "test", "kind",
      "proposedAt", "environment", "state", "callbackSecret", "updatedAt")
      VALUES ('ps1', 'gid://shopify/PaymentSession/ps1', 'm.myshopify.com', 'g1', 50000, 'EUR', true, 'sale',
      CURRENT_TIMESTAMP, 'sandbox', 'pending', 'secret', CURRENT_TIMESTAMP)`;
    const eventRows = `INSERT INTO "SoisyEvent" ("id", "shop", "paymentSessionId", "source", "type", "dedupeKey", "detailJson")
      VALUES ('e1', 'm.myshopify.com', 'ps1', 'shopify', 'session_created', 'k1', '{"a":1}'),
             ('e2', 'm.myshopify.com', 'ps1', 'soisy_callback', 'LoanApproved', 'k2', NULL)`;

    async function expectHistoryKept(db: Db) {
      const rows = await db.timelineEvent.findMany({ orderBy: { id: "asc" } });
      expect(rows.map((r) => [r.id, r.source, r.type, r.dedupeKey, r.detailJson])).toEqual([
        ["e1", "shopify", "session_created", "k1", '{"a":1}'],
        ["e2", "soisy_callback", "LoanApproved", "k2", null],
      ]);
      await expect(
        db.timelineEvent.create({ data: { shop: "m.myshopify.com", paymentSessionId: "ps1", source: "app", type: "x", dedupeKey: "k1" } }),
      ).rejects.toThrow();
      await db.paymentSession.delete({ where: { id: "ps1" } });
      expect(await db.timelineEvent.count()).toBe(0);
    }

    it("on SQLite", async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "soisy-rename-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, "upgrade.sqlite");
      const Database = (await import("better-sqlite3")).default;
      const sqlite = new Database(file);
      for (const m of before("prisma/migrations")) sqlite.exec(sqlOf("prisma/migrations", m));
      sqlite.exec(paymentRow);
      sqlite.exec(eventRows);
      for (const m of fromRename("prisma/migrations")) sqlite.exec(sqlOf("prisma/migrations", m));
      sqlite.close();
      const db = createDb(`file:${file}`);
      cleanups.push(() => db.$disconnect());
      await expectHistoryKept(db);
    });

    it("on PostgreSQL", async () => {
      const url = await scratchPostgres("soisy_rename_");
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      for (const m of before("prisma/postgres/migrations")) await client.query(sqlOf("prisma/postgres/migrations", m));
      await client.query(paymentRow);
      await client.query(eventRows);
      for (const m of fromRename("prisma/postgres/migrations")) await client.query(sqlOf("prisma/postgres/migrations", m));
      await client.end();
      const db = createDb(url);
      cleanups.push(() => db.$disconnect());
      await expectHistoryKept(db);
    });
  });

  it("both flavours have the same migrations", () => {
    expect(migrationNames("prisma/postgres/migrations")).toEqual(migrationNames("prisma/migrations"));
  });
});
