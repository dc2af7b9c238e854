/**
 * Shop settings for the payment session request, read from memory while they cannot have changed.
 * A payment session reads its shop's settings first; on SQLite this skips that statement on the
 * hot path (npm run bench:http counts statements per request).
 *
 * An entry is used only while the database's change token (db.server.ts `settingsChangeToken`) is
 * the one it was read under: any write to ShopSettings in this process (the admin, webhooks, key
 * rotation), or any commit by another process (the shop CLI), makes every entry stale at once. So a
 * saved setting applies to the very next payment session, as without a cache.
 *
 * PostgreSQL answers no such token without a round trip: other instances' writes could only be
 * learnt by LISTEN/NOTIFY, which arrives asynchronously, after the writer's commit returned. The
 * cache is not used there (docs/performance.md).
 */
import { LRUCache } from "lru-cache";
import { settingsChangeToken, type Db } from "~/db.server";

type SettingsRow = NonNullable<Awaited<ReturnType<Db["shopSettings"]["findUnique"]>>>;

interface Entry {
  token: string;
  row: SettingsRow | null;
}

/** Per database client: tests and tools may hold several. */
const caches = new WeakMap<Db, LRUCache<string, Entry>>();

function cacheOf(db: Db): LRUCache<string, Entry> {
  let cache = caches.get(db);
  if (!cache) {
    // A minute at most even if nothing says it changed (a safety net, not the invalidation).
    cache = new LRUCache<string, Entry>({ max: 10_000, ttl: 60_000 });
    caches.set(db, cache);
  }
  return cache;
}

/** The shop's settings row (null: not installed), from memory when it cannot have changed. */
export async function shopSettingsFor(db: Db, shop: string): Promise<SettingsRow | null> {
  // The token is taken before the read: a write in between makes this entry stale on its next use.
  const token = settingsChangeToken(db);
  if (token === null) return db.shopSettings.findUnique({ where: { shop } });
  const cache = cacheOf(db);
  const hit = cache.get(shop);
  if (hit && hit.token === token) return hit.row;
  const row = await db.shopSettings.findUnique({ where: { shop } });
  cache.set(shop, { token, row });
  return row;
}
