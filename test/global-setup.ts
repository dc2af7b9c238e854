/**
 * Global setup of the test levels that use a database (vitest.config.ts: integration, e2e), once per
 * project in a `vitest run`: migrates a template database (SQLite by default, PostgreSQL when
 * TEST_DATABASE_URL is a postgres:// URL) that each test file clones, and removes it afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { databaseKind } from "../app/db/database-url";
import { migrateDeploy } from "./helpers/prisma-cli";
import { pgUrlWithDatabase } from "./helpers/pg-url";

export default async function setup(project: TestProject) {
  process.env.NODE_ENV = "test";
  const target = process.env.TEST_DATABASE_URL?.trim() || "file:";
  const kind = databaseKind(target);
  console.log(`[tests] ${project.name} database: ${kind === "sqlite" ? "SQLite" : `PostgreSQL (${new URL(target).host})`}`);
  if (kind === "sqlite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "soisy-test-template-"));
    const file = path.join(dir, "template.sqlite");
    migrateDeploy(`file:${file}`);
    // WAL (kept in the file): the app process and the test process use each copy at once.
    const Database = (await import("better-sqlite3")).default;
    const sqlite = new Database(file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.close();
    project.provide("databaseTemplate", { kind, location: file });
    return () => rmSync(dir, { recursive: true, force: true });
  }
  const run = randomBytes(4).toString("hex");
  const name = `soisy_template_${run}`;
  const admin = new pg.Client({ connectionString: target });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  migrateDeploy(pgUrlWithDatabase(target, name));
  project.provide("databaseTemplate", { kind, location: name, adminUrl: target, prefix: `soisy_test_${run}_` });
  return async () => {
    const c = new pg.Client({ connectionString: target });
    await c.connect();
    // Test files drop their own databases; sweep any a crashed run left behind.
    const leftovers = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2",
      [`soisy_test_${run}_%`, name],
    );
    for (const { datname } of leftovers.rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await c.end();
  };
}
