/**
 * Prepared statements kept per SQLite connection. `@prisma/adapter-better-sqlite3` (6.19) prepares
 * every statement afresh (`client.prepare(sql).bind(args)`): SQLite parses and plans the same few
 * hundred statements again and again — better-sqlite3's Statement constructor was ~5 % of a payment
 * session's CPU (npm run bench:http -- --cpu-prof). Prisma's SQL text for a query shape never
 * changes (values are parameters), so a statement is prepared once and run with new arguments.
 *
 * better-sqlite3's `bind()` binds a statement for good, so the cached statement is handed out behind
 * a small object with what the adapter uses of a statement (bind, reader, run, columns, raw().all),
 * each passing the arguments itself. (better-sqlite3's own pragma() and transaction() prepare
 * through the native handle, not this method.) Nothing is shared across calls: better-sqlite3 runs a statement
 * to completion synchronously. Statements beyond `max` are dropped least recently used first (SQLite
 * finalizes a statement when it is garbage-collected).
 */
import { LRUCache } from "lru-cache";

interface Statement {
  readonly reader: boolean;
  run(...args: unknown[]): unknown;
  columns(): unknown;
  raw(toggle?: boolean): { all(...args: unknown[]): unknown };
}
export interface PreparingClient {
  prepare(sql: string): unknown;
}

function bound(statement: Statement, args: unknown) {
  const params = args === undefined ? [] : [args];
  return {
    reader: statement.reader,
    run: () => statement.run(...params),
    columns: () => statement.columns(),
    raw: () => ({ all: () => statement.raw(true).all(...params) }),
  };
}

/** Makes `client.prepare` reuse statements by SQL text. Returns false (and changes nothing) if `client` is not as expected. */
export function cachePreparedStatements(client: PreparingClient, max = 500): boolean {
  if (typeof client.prepare !== "function") return false;
  const prepare = client.prepare.bind(client) as (sql: string) => Statement;
  const statements = new LRUCache<string, Statement>({ max });
  client.prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = prepare(sql);
      statements.set(sql, statement);
    }
    const cached = statement;
    // Unbound use too: the adapter runs "BEGIN" as prepare(sql).run().
    return { ...bound(cached, undefined), bind: (args: unknown) => bound(cached, args) };
  };
  return true;
}
