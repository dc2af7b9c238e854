/**
 * The transactions list's queries, ALWAYS scoped to one shop. Ordering: createdAt desc, id desc
 * (unique, so pages never overlap or skip rows). Keyset pagination both ways.
 */
import type { Db } from "~/db.server";
import type { Prisma } from "~/generated/prisma-sqlite/client";
import type { Cursor, TransactionFilters, TransactionQuery } from "./filters";
import { encodeCursor } from "./filters";
import { OPEN_SETTLEMENT_STATES } from "./settlements-view";

export type PaymentWhere = Prisma.PaymentSessionWhereInput;

/** Payment ids (of this shop) having a dead-lettered outbox message, directly or through a refund, capture or void. */
async function paymentIdsWithDeadMessages(db: Db, shop: string): Promise<string[]> {
  const dead = await db.outboxMessage.findMany({
    where: { shop, status: "dead" },
    select: { paymentSessionId: true, refundSessionId: true, settlementSessionId: true },
    take: 5_000,
  });
  const ids = new Set(dead.map((m) => m.paymentSessionId).filter((id): id is string => !!id));
  const refundIds = dead.map((m) => m.refundSessionId).filter((id): id is string => !!id);
  if (refundIds.length > 0) {
    const refunds = await db.refundSession.findMany({ where: { shop, id: { in: refundIds } }, select: { paymentSessionId: true } });
    for (const r of refunds) ids.add(r.paymentSessionId);
  }
  const settlementIds = dead.map((m) => m.settlementSessionId).filter((id): id is string => !!id);
  if (settlementIds.length > 0) {
    const settlements = await db.settlementSession.findMany({ where: { shop, id: { in: settlementIds } }, select: { paymentSessionId: true } });
    for (const s of settlements) ids.add(s.paymentSessionId);
  }
  return [...ids];
}

export async function buildWhere(db: Db, shop: string, filters: TransactionFilters): Promise<PaymentWhere> {
  const and: PaymentWhere[] = [{ shop }];
  if (filters.state) and.push({ state: filters.state });
  if (filters.mode) and.push({ test: filters.mode === "test" });
  if (filters.from) and.push({ createdAt: { gte: filters.from } });
  if (filters.toExclusive) and.push({ createdAt: { lt: filters.toExclusive } });
  if (filters.flagged) and.push({ OR: [{ flagReason: { not: null } }, { amountMismatch: true }] });
  if (filters.dead) and.push({ id: { in: await paymentIdsWithDeadMessages(db, shop) } });
  if (filters.kind) and.push({ kind: filters.kind });
  if (filters.settle === "open") and.push({ settlements: { some: { state: { in: [...OPEN_SETTLEMENT_STATES] } } } });
  if (filters.settle === "merchant") and.push({ settlements: { some: { kind: "void", state: "awaiting_merchant" } } });
  if (filters.q) {
    const q = filters.q;
    const lower = q.toLowerCase();
    // Exact ids / tokens; emails: substring, case-insensitive for the usual lower-case addresses on
    // both databases (SQLite's LIKE ignores ASCII case, PostgreSQL's does not).
    const or: PaymentWhere[] = [{ id: q }, { soisyToken: q }, { customerEmail: { contains: q } }];
    if (lower !== q) or.push({ customerEmail: { contains: lower } });
    and.push({ OR: or });
  }
  return { AND: and };
}

function keyset(cursor: Cursor, direction: "older" | "newer"): PaymentWhere {
  const cmp = direction === "older" ? "lt" : "gt";
  return { OR: [{ createdAt: { [cmp]: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { [cmp]: cursor.id } }] };
}

export const LIST_SELECT = {
  id: true,
  createdAt: true,
  amountCents: true,
  currency: true,
  test: true,
  state: true,
  soisyToken: true,
  soisyStatus: true,
  soisyLoanAmountCents: true,
  customerEmail: true,
  flagReason: true,
  amountMismatch: true,
  kind: true,
  authorizationExpiresAt: true,
  settlements: { select: { kind: true, state: true, amountCents: true, createdAt: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
} as const satisfies Prisma.PaymentSessionSelect;

export type TransactionRow = Prisma.PaymentSessionGetPayload<{ select: typeof LIST_SELECT }>;

export interface TransactionPage {
  rows: TransactionRow[];
  /** Cursor for the next (older) page, if any. */
  nextCursor: string | null;
  /** Cursor for the previous (newer) page, if any. */
  prevCursor: string | null;
}

export async function listTransactions(db: Db, shop: string, query: Pick<TransactionQuery, "filters" | "after" | "before" | "limit">): Promise<TransactionPage> {
  const where = await buildWhere(db, shop, query.filters);
  const take = query.limit + 1;
  if (query.before) {
    // Newer rows than the cursor, read ascending, then shown in the usual (descending) order.
    const found = await db.paymentSession.findMany({
      where: { AND: [where, keyset(query.before, "newer")] },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take,
      select: LIST_SELECT,
    });
    const hasMore = found.length > query.limit;
    const rows = found.slice(0, query.limit).reverse();
    return {
      rows,
      prevCursor: hasMore && rows[0] ? encodeCursor(rows[0]) : null,
      nextCursor: rows.at(-1) ? encodeCursor(rows.at(-1)!) : null,
    };
  }
  const found = await db.paymentSession.findMany({
    where: query.after ? { AND: [where, keyset(query.after, "older")] } : where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: LIST_SELECT,
  });
  const hasMore = found.length > query.limit;
  const rows = found.slice(0, query.limit);
  return {
    rows,
    nextCursor: hasMore && rows.at(-1) ? encodeCursor(rows.at(-1)!) : null,
    prevCursor: query.after && rows[0] ? encodeCursor(rows[0]) : null,
  };
}

/** Every row matching the filters (the CSV export), in batches, up to `max` rows. */
export async function* allTransactions(db: Db, shop: string, filters: TransactionFilters, max = 50_000, batch = 500): AsyncGenerator<TransactionRow> {
  let after: Cursor | undefined;
  let count = 0;
  const where = await buildWhere(db, shop, filters);
  while (count < max) {
    const rows = await db.paymentSession.findMany({
      where: after ? { AND: [where, keyset(after, "older")] } : where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: Math.min(batch, max - count),
      select: LIST_SELECT,
    });
    for (const row of rows) yield row;
    count += rows.length;
    if (rows.length < batch) return;
    after = rows.at(-1)!;
  }
}

export interface AttentionSummary {
  deadMessages: number;
  flaggedPayments: number;
  /** Voids waiting for the merchant to cancel the loan at Soisy and confirm (fund on fulfilment). */
  voidsAwaiting: number;
}

/** What the banner on the dashboard and the transactions list reports. */
export async function attentionSummary(db: Db, shop: string): Promise<AttentionSummary> {
  const [deadMessages, flaggedPayments, voidsAwaiting] = await Promise.all([
    db.outboxMessage.count({ where: { shop, status: "dead" } }),
    db.paymentSession.count({ where: { shop, OR: [{ flagReason: { not: null } }, { amountMismatch: true }] } }),
    db.settlementSession.count({ where: { shop, kind: "void", state: "awaiting_merchant" } }),
  ]);
  return { deadMessages, flaggedPayments, voidsAwaiting };
}
