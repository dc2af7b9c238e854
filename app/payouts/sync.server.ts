/**
 * Reads Soisy's order list into SoisyPayout rows (issue 16 part 2), per shop and Soisy environment with
 * credentials; runs on a schedule in every app instance (app/runtime.server.ts) and on the payouts
 * page's "sync now". docs/payouts.md has the whole story.
 *
 * - Incremental: `PayoutSync.cursor` is when the last successful run started; the next run asks for
 *   `fromDisbursedAt` = the cursor's day less `overlapDays` (late rows dated in the past are not lost).
 *   The first run reaches back `initialLookbackDays`.
 * - Orders not yet disbursed are read too when useful: when the app has paid payments created in the
 *   last `openWindowDays` without a disbursed payout, a second query asks `fromCreatedAt` = the oldest
 *   one's day (so a cancellation or a lowered loan shows up before any disbursement).
 * - Upserts by (shop, environment, soisyOrderReference): a row read twice is written once.
 * - A lease (`lockedBy` / `lockedUntil`) lets one instance sync a shop and environment at a time; the
 *   other gets "busy". A run that dies leaves the lease to expire.
 * - Never throws for Soisy's or the database's failures: the error is stored in `lastError` (no secret:
 *   Soisy errors are scrubbed) and logged; the cursor does not move.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";
import type { PaymentDeps } from "~/payments/payment-deps.server";
import { SOISY_ENVIRONMENTS, type SoisyEnvironment } from "~/soisy/types";
import type { SoisyListedOrder } from "~/soisy/orders-csv";

export interface PayoutSyncDeps {
  db: Db;
  soisyClient: PaymentDeps["soisyClient"];
  now(): Date;
  logger: Logger;
}

export interface PayoutSyncOptions {
  overlapDays?: number;
  initialLookbackDays?: number;
  openWindowDays?: number;
  leaseMs?: number;
  /** Lease holder id; default one per process. */
  holder?: string;
}

export type PayoutSyncResult =
  | { outcome: "synced"; rowsRead: number; created: number; updated: number; skipped: number; queries: number }
  | { outcome: "busy" }
  | { outcome: "no_credentials" }
  | { outcome: "failed"; error: string };

const DAY_MS = 86_400_000;
const PROCESS_HOLDER = `payouts-${process.pid}-${randomUUID().slice(0, 8)}`;
const CHUNK = 400;
/** `lastError` of a run that succeeded but skipped unreadable rows: "skipped_rows:3" (the page words it). */
export const SKIPPED_ROWS_PREFIX = "skipped_rows:";

function isUnique(error: unknown): boolean {
  return (error as { code?: string }).code === "P2002";
}

async function claimLease(db: Db, shop: string, environment: string, holder: string, now: Date, leaseMs: number) {
  const existing = await db.payoutSync.findUnique({ where: { shop_environment: { shop, environment } } });
  if (!existing) {
    try {
      await db.payoutSync.create({ data: { shop, environment } });
    } catch (error) {
      if (!isUnique(error)) throw error;
    }
  }
  const claimed = await db.payoutSync.updateMany({
    where: { shop, environment, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }, { lockedBy: holder }] },
    data: { lockedBy: holder, lockedUntil: new Date(now.getTime() + leaseMs), lastRunAt: now },
  });
  if (claimed.count !== 1) return null;
  return db.payoutSync.findUniqueOrThrow({ where: { shop_environment: { shop, environment } } });
}

async function releaseLease(db: Db, shop: string, environment: string, holder: string, data: Parameters<Db["payoutSync"]["updateMany"]>[0]["data"]) {
  await db.payoutSync.updateMany({ where: { shop, environment, lockedBy: holder }, data: { ...data, lockedBy: null, lockedUntil: null } });
}

function rowData(o: SoisyListedOrder) {
  return {
    orderReference: o.orderReference,
    status: o.status,
    loanAmountCents: o.loanAmountCents,
    loanNetAmountCents: o.loanNetAmountCents,
    feeCents: o.feeCents,
    zeroInterest: o.zeroInterestRate,
    instalments: o.instalments,
    requestedAt: o.requestedAt,
    disbursedAt: o.disbursedAt,
  };
}

type StoredPayout = Awaited<ReturnType<Db["soisyPayout"]["findMany"]>>[number];

function changed(stored: StoredPayout, next: ReturnType<typeof rowData>): boolean {
  return (Object.keys(next) as Array<keyof typeof next>).some((k) => {
    const a = stored[k];
    const b = next[k];
    return a instanceof Date || b instanceof Date ? (a as Date | null)?.getTime() !== (b as Date | null)?.getTime() : a !== b;
  });
}

/** Writes the rows (last copy of a reference wins); returns how many were created and updated. */
async function storeRows(db: Db, shop: string, environment: string, orders: SoisyListedOrder[]) {
  const latest = new Map(orders.map((o) => [o.soisyOrderReference, o]));
  const refs = [...latest.keys()];
  let created = 0;
  let updated = 0;
  for (let i = 0; i < refs.length; i += CHUNK) {
    const chunk = refs.slice(i, i + CHUNK);
    const stored = new Map(
      (await db.soisyPayout.findMany({ where: { shop, environment, soisyOrderReference: { in: chunk } } })).map((r) => [r.soisyOrderReference, r]),
    );
    const fresh = chunk.filter((ref) => !stored.has(ref)).map((ref) => ({ shop, environment, soisyOrderReference: ref, ...rowData(latest.get(ref)!) }));
    if (fresh.length) created += (await db.soisyPayout.createMany({ data: fresh })).count;
    const updates = chunk.flatMap((ref) => {
      const row = stored.get(ref);
      const next = rowData(latest.get(ref)!);
      return row && changed(row, next) ? [db.soisyPayout.update({ where: { id: row.id }, data: next })] : [];
    });
    if (updates.length) updated += (await db.$transaction(updates)).length;
  }
  return { created, updated };
}

/** The oldest creation among the paid payments of the last `openWindowDays` with no disbursed payout. */
async function oldestWaiting(db: Db, shop: string, environment: string, now: Date, openWindowDays: number): Promise<Date | null> {
  const since = new Date(now.getTime() - openWindowDays * DAY_MS);
  const payments = await db.paymentSession.findMany({
    where: { shop, environment, state: { in: ["resolved", "pending"] }, createdAt: { gte: since }, soisyToken: { not: null } },
    select: { soisyToken: true, createdAt: true },
  });
  if (!payments.length) return null;
  const disbursed = new Set(
    (
      await db.soisyPayout.findMany({
        where: { shop, environment, disbursedAt: { not: null }, soisyOrderReference: { in: payments.map((p) => p.soisyToken!) } },
        select: { soisyOrderReference: true },
      })
    ).map((r) => r.soisyOrderReference),
  );
  const waiting = payments.filter((p) => !disbursed.has(p.soisyToken!));
  if (!waiting.length) return null;
  return new Date(Math.min(...waiting.map((p) => p.createdAt.getTime())));
}

export async function syncShopPayouts(deps: PayoutSyncDeps, shop: string, environment: SoisyEnvironment, options: PayoutSyncOptions = {}): Promise<PayoutSyncResult> {
  const { db } = deps;
  const holder = options.holder ?? PROCESS_HOLDER;
  const log = deps.logger.child({ component: "payout-sync", shop, environment });
  const startedAt = deps.now();
  let lease;
  try {
    const client = await deps.soisyClient(shop, environment);
    if (!client) return { outcome: "no_credentials" };
    lease = await claimLease(db, shop, environment, holder, startedAt, options.leaseMs ?? 5 * 60_000);
    if (!lease) return { outcome: "busy" };
    const overlapMs = (options.overlapDays ?? 2) * DAY_MS;
    const fromDisbursedAt = lease.cursor
      ? new Date(lease.cursor.getTime() - overlapMs)
      : new Date(startedAt.getTime() - (options.initialLookbackDays ?? 400) * DAY_MS);
    const disbursed = await client.listOrders({ fromDisbursedAt });
    let orders = disbursed.orders;
    let skipped = disbursed.skipped;
    let queries = 1;
    const waitingSince = await oldestWaiting(db, shop, environment, startedAt, options.openWindowDays ?? 14);
    if (waitingSince) {
      const open = await client.listOrders({ fromCreatedAt: waitingSince });
      orders = [...open.orders, ...orders];
      skipped += open.skipped;
      queries++;
    }
    const { created, updated } = await storeRows(db, shop, environment, orders);
    await releaseLease(db, shop, environment, holder, {
      cursor: startedAt,
      lastSuccessAt: deps.now(),
      lastError: skipped ? `${SKIPPED_ROWS_PREFIX}${skipped}` : null,
      rowsSeen: { increment: orders.length },
    });
    log.info({ rowsRead: orders.length, created, updated, skipped, queries }, "payout sync done");
    return { outcome: "synced", rowsRead: orders.length, created, updated, skipped, queries };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    log.error({ err: error }, "payout sync failed");
    if (lease) {
      await releaseLease(db, shop, environment, holder, { lastError: message }).catch((e: unknown) => log.error({ err: e }, "payout sync: releasing the lease failed"));
    }
    return { outcome: "failed", error: message };
  }
}

/**
 * Hands back the sync leases this process holds (shutdown), so another instance may sync those shops at
 * once instead of waiting for the lease to expire. A run still in flight then finds its lease gone and
 * does not touch the row's cursor (its release matches on the holder).
 */
export async function releaseProcessPayoutLeases(db: Db): Promise<number> {
  const { count } = await db.payoutSync.updateMany({ where: { lockedBy: PROCESS_HOLDER }, data: { lockedBy: null, lockedUntil: null } });
  return count;
}

/** Every installed shop, every environment with credentials (one at a time: the job is not urgent). */
export async function syncAllPayouts(deps: PayoutSyncDeps, options: PayoutSyncOptions = {}) {
  const report = { shops: 0, synced: 0, busy: 0, failed: 0 };
  let shops: Array<{ shop: string; sandboxSoisyShopId: string | null; productionSoisyShopId: string | null }>;
  try {
    shops = await deps.db.shopSettings.findMany({
      where: { uninstalledAt: null, OR: [{ sandboxSoisyShopId: { not: null } }, { productionSoisyShopId: { not: null } }] },
      select: { shop: true, sandboxSoisyShopId: true, productionSoisyShopId: true },
    });
  } catch (error) {
    deps.logger.error({ err: error }, "payout sync: listing the shops failed");
    return report;
  }
  for (const s of shops) {
    report.shops++;
    for (const environment of SOISY_ENVIRONMENTS) {
      if (!(environment === "sandbox" ? s.sandboxSoisyShopId : s.productionSoisyShopId)) continue;
      const result = await syncShopPayouts(deps, s.shop, environment, options);
      if (result.outcome === "synced") report.synced++;
      else if (result.outcome === "busy") report.busy++;
      else if (result.outcome === "failed") report.failed++;
    }
  }
  return report;
}
