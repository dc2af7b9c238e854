/**
 * The app's database client. DATABASE_URL picks the flavour at runtime:
 *   file:...                     SQLite through better-sqlite3 (the embedded default)
 *   postgres(ql)://...           PostgreSQL through node-postgres (production, several instances)
 * Both clients are generated from the same models (prisma/schema.prisma), so they share one type.
 */
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "./generated/prisma-sqlite/client";
import { PrismaClient as PostgresClient } from "./generated/prisma-postgres/client";
import { databaseKind, databaseUrl, type DatabaseKind } from "./db/database-url";
import { trackSettingsChanges, type ChangeTracker } from "./db/sqlite-changes";

export type Db = SqliteClient;
export type { DatabaseKind };
export * as Models from "./generated/prisma-sqlite/models";

declare global {
  /** SQL statements sent so far, counted only when DB_COUNT_STATEMENTS=1 (the HTTP benchmark reads it). */
  var __soisySqlStatements: number | undefined;
  /** The last statements' texts (same condition), for `bench:http --show-sql`. */
  var __soisySqlRecent: string[] | undefined;
}

/**
 * `npm run bench:http` asks how many SQL statements a request costs. Prisma reports each statement it
 * sends (COMMIT included, BEGIN not) as a query event; listening costs CPU, so only that benchmark's
 * separate counting run turns it on.
 */
function countStatements(client: Db): Db {
  globalThis.__soisySqlStatements ??= 0;
  globalThis.__soisySqlRecent ??= [];
  (client as unknown as { $on(event: "query", cb: (e: { query: string }) => void): void }).$on("query", (e) => {
    globalThis.__soisySqlStatements = (globalThis.__soisySqlStatements ?? 0) + 1;
    const recent = (globalThis.__soisySqlRecent ??= []);
    recent.push(e.query);
    if (recent.length > 50) recent.shift();
  });
  return client;
}

const trackers = new WeakMap<Db, ChangeTracker>();

/**
 * A value that changes whenever ShopSettings may have changed (SQLite: app/db/sqlite-changes.ts);
 * null when the client cannot tell (PostgreSQL, not connected yet): then nothing may be cached.
 */
export function settingsChangeToken(client: Db): string | null {
  return trackers.get(client)?.changeToken() ?? null;
}

export function createDb(url: string = databaseUrl()): Db {
  const kind = databaseKind(url);
  const counting = process.env.DB_COUNT_STATEMENTS === "1";
  const log = counting ? [{ emit: "event" as const, level: "query" as const }] : [];
  if (kind === "sqlite") {
    // WAL lets readers run during a write; busy_timeout makes concurrent writers wait instead of failing.
    const adapter = new PrismaBetterSQLite3({ url, timeout: 5_000 });
    const tracker = trackSettingsChanges(adapter);
    const client = new SqliteClient({ adapter, log });
    trackers.set(client, tracker);
    return counting ? countStatements(client) : client;
  }
  const adapter = new PrismaPg({
    connectionString: url,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  });
  // Same models, same generated API: the PostgreSQL client is typed as the SQLite one.
  const client = new PostgresClient({ adapter, log }) as unknown as Db;
  return counting ? countStatements(client) : client;
}

/** Enables SQLite's WAL journal (a no-op on PostgreSQL). Call once at startup. */
export async function tuneDatabase(db: Db, url: string = databaseUrl()): Promise<void> {
  if (databaseKind(url) === "sqlite") {
    await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    await db.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
  }
}

declare global {
  var __soisyDb: Db | undefined;
}

/** The process-wide client (kept across Vite dev-server reloads). */
export function db(): Db {
  globalThis.__soisyDb ??= createDb();
  return globalThis.__soisyDb;
}

export default db;
