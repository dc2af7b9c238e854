/**
 * Knows, without a query, whether ShopSettings may have changed since a moment: the basis of the
 * SQLite settings cache (app/settings/settings-cache.server.ts).
 *
 *   - this process's writes: every INSERT/UPDATE/DELETE naming ShopSettings, and every ROLLBACK,
 *     that goes through the Prisma adapter bumps a counter (whatever code wrote it, raw SQL too);
 *   - other processes' writes (the shop CLI, an operator's sqlite3 shell, tests): SQLite's
 *     `PRAGMA data_version` on the app's connection changes when another connection commits.
 *     It reads a counter SQLite keeps in memory, answered by better-sqlite3 directly (no Prisma
 *     round trip, microseconds).
 *
 * The adapter exposes no hook for this, so its factory's connect() is wrapped to reach the
 * better-sqlite3 handle and the two methods every statement goes through (executeIO, performIO:
 * `@prisma/adapter-better-sqlite3` 6.19, pinned with Prisma). If a later adapter renames them,
 * `changeToken()` answers null and the cache simply reads the database every time.
 */
import type { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { cachePreparedStatements, type PreparingClient } from "./sqlite-statements";

interface SqliteHandle {
  pragma(source: string, options: { simple: true }): unknown;
}
type IO = (this: Queryable, query: { sql: string }) => unknown;
/** The adapter's connection and its transactions share one class with these members. */
interface Queryable {
  client?: SqliteHandle;
  executeIO?: IO;
  performIO?: IO;
}

const SETTINGS_WRITE = /^\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b[\s\S]*?\bShopSettings\b|^\s*ROLLBACK\b/i;

/** Writes to ShopSettings (and rollbacks) seen on each connection. */
const localWrites = new WeakMap<SqliteHandle, number>();
const patched = new WeakSet<object>();

/** Counts settings writes in the methods every statement (transactions' too) goes through. */
function patchQueryable(proto: Queryable): boolean {
  if (patched.has(proto)) return true;
  const { executeIO, performIO } = proto;
  if (typeof executeIO !== "function" || typeof performIO !== "function") return false;
  const counted = (io: IO): IO =>
    function (this: Queryable, query) {
      if (this.client && SETTINGS_WRITE.test(query.sql)) localWrites.set(this.client, (localWrites.get(this.client) ?? 0) + 1);
      return io.call(this, query);
    };
  proto.executeIO = counted(executeIO);
  proto.performIO = counted(performIO);
  patched.add(proto);
  return true;
}

export interface ChangeTracker {
  /** A value that differs from an earlier one when ShopSettings may have changed in between; null when unknown. */
  changeToken(): string | null;
}

/**
 * Wraps `factory` so that the returned tracker follows writes through its connection, and the
 * connection keeps its prepared statements (sqlite-statements.ts).
 */
export function trackSettingsChanges(factory: PrismaBetterSQLite3): ChangeTracker {
  let handle: SqliteHandle | null = null;
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const queryable = adapter as unknown as Queryable;
    // The methods live on the class shared by the adapter and its transactions.
    let proto = Object.getPrototypeOf(adapter) as Queryable | null;
    while (proto && !Object.prototype.hasOwnProperty.call(proto, "executeIO")) proto = Object.getPrototypeOf(proto) as Queryable | null;
    const client = queryable.client;
    if (proto && client && typeof client.pragma === "function" && patchQueryable(proto)) handle = client;
    if (client) cachePreparedStatements(client as unknown as PreparingClient);
    return adapter;
  };
  return {
    changeToken() {
      if (!handle) return null;
      try {
        return `${localWrites.get(handle) ?? 0}:${String(handle.pragma("data_version", { simple: true }))}`;
      } catch {
        return null; // a closed connection: no cache
      }
    },
  };
}
