/**
 * The prepared-statement cache under Prisma's SQLite adapter (app/db/sqlite-statements.ts) on a real
 * better-sqlite3 database: the same SQL is prepared once and every call still binds its own
 * arguments (reads, writes, RETURNING, an unbound BEGIN); and through Prisma, results stay right.
 */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { cachePreparedStatements } from "~/db/sqlite-statements";

/** A connection whose native prepares are counted, with the cache installed over them. */
function countedConnection() {
  const db = new Database(":memory:");
  db.defaultSafeIntegers(true);
  let prepares = 0;
  const native = db.prepare.bind(db);
  (db as unknown as { prepare: (sql: string) => unknown }).prepare = (sql: string) => {
    prepares++;
    return native(sql);
  };
  expect(cachePreparedStatements(db as unknown as { prepare(sql: string): unknown })).toBe(true);
  type Bound = { reader: boolean; run(): { changes: number }; columns(): { name: string }[]; raw(): { all(): unknown[][] } };
  const prepare = (sql: string) => (db as unknown as { prepare(sql: string): Bound & { bind(args: unknown[]): Bound } }).prepare(sql);
  return { db, prepare, prepares: () => prepares };
}

describe("cached prepared statements", () => {
  it("prepare each SQL text once, and every call binds its own arguments", () => {
    const c = countedConnection();
    c.prepare("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)").run();
    const insert = "INSERT INTO t (id, name) VALUES (?, ?) RETURNING id, name";
    const select = "SELECT name FROM t WHERE id = ?";
    for (let i = 1; i <= 50; i++) {
      const returned = c.prepare(insert).bind([i, `n${i}`]);
      expect(returned.reader).toBe(true);
      expect(returned.raw().all()).toEqual([[BigInt(i), `n${i}`]]);
    }
    for (let i = 50; i >= 1; i--) expect(c.prepare(select).bind([i]).raw().all()).toEqual([[`n${i}`]]);
    const update = c.prepare("UPDATE t SET name = ? WHERE id > ?").bind(["big", 40]);
    expect(update.reader).toBe(false);
    expect(update.run().changes).toBe(10);
    expect(c.prepare(select).bind([45]).columns().map((col) => col.name)).toEqual(["name"]);
    expect(c.prepare(select).bind([45]).raw().all()).toEqual([["big"]]);
    // CREATE, INSERT, SELECT, UPDATE: four texts, four native prepares for 100+ calls.
    expect(c.prepares()).toBe(4);
  });

  it("runs unbound statements (the adapter's BEGIN) and keeps transactions working", () => {
    const c = countedConnection();
    c.prepare("CREATE TABLE t (id INTEGER PRIMARY KEY)").run();
    for (let round = 0; round < 3; round++) {
      c.prepare("BEGIN").run();
      c.prepare("INSERT INTO t (id) VALUES (?)").bind([round]).run();
      c.prepare(round === 1 ? "ROLLBACK" : "COMMIT").run();
    }
    expect(c.prepare("SELECT id FROM t ORDER BY id").raw().all()).toEqual([[0n], [2n]]);
  });
});
