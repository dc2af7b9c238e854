/**
 * Real databases for tests. Each test file gets its own fresh, migrated database:
 *  - SQLite (default): a copy of a template file migrated once by the global setup;
 *  - PostgreSQL (TEST_DATABASE_URL=postgres://…): CREATE DATABASE … TEMPLATE <migrated template>.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDb, type Db } from "~/db.server";
import { pgUrlWithDatabase } from "./pg-url";

export interface TestDatabase {
  kind: "sqlite" | "postgres";
  url: string;
  db: Db;
  /** SQLite: the database file (for reading raw bytes). */
  file?: string;
  cleanup(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject("databaseTemplate");
  if (template.kind === "sqlite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "soisy-test-db-"));
    const file = path.join(dir, "test.sqlite");
    copyFileSync(template.location, file);
    const url = `file:${file}`;
    const db = createDb(url);
    return {
      kind: "sqlite",
      url,
      db,
      file,
      async cleanup() {
        await db.$disconnect();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `${template.prefix}${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: template.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template.location}"`);
  await admin.end();
  const url = pgUrlWithDatabase(template.adminUrl!, name);
  const db = createDb(url);
  return {
    kind: "postgres",
    url,
    db,
    async cleanup() {
      await db.$disconnect();
      const c = new pg.Client({ connectionString: template.adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseTemplate: { kind: "sqlite" | "postgres"; location: string; adminUrl?: string; prefix?: string };
  }
}
