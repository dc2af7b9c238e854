/**
 * The producer pass: finds the events of the last `lookbackMs` that need the merchant (events.ts)
 * for every shop with an alert address, and inserts one Notification per event. Idempotent and safe
 * across instances: the unique `eventKey` lets exactly one insert win; the losers' unique-violation is
 * expected and ignored. Events older than the lookback (ALERT_LOOKBACK_HOURS, 24 by default) are never
 * mailed: a shop that sets its address gets at most that day's events, not its history (docs/alerts.md).
 *
 * A per-event notification is due at once; a digest shop's is due at the next digest hour
 * (schedule.ts), so each event lands in exactly one digest.
 */
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";
import { eventKeys, TIMELINE_KINDS, type NotificationDetail, type NotificationKind } from "./events";
import { nextDigestAt } from "./schedule";

export interface ProducerOptions {
  db: Db;
  logger: Logger;
  now: Date;
  lookbackMs: number;
  digestHour: number;
}

interface Candidate {
  shop: string;
  eventKey: string;
  kind: NotificationKind;
  paymentSessionId: string | null;
  detail: NotificationDetail;
}

interface ShopAlerts {
  shop: string;
  alertDigest: boolean;
}

/** Rows read per query; a window with more events is read page by page (keyset on id). */
const PAGE = 500;

/** Reads every page of a query ordered by id, `after` the last id of the previous page. */
async function allPages<T extends { id: string }>(read: (after: string | undefined) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await read(after);
    out.push(...page);
    if (page.length < PAGE) return out;
    after = page[page.length - 1]!.id;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

async function timelineCandidates(db: Db, shops: string[], since: Date): Promise<Candidate[]> {
  const rows = await allPages((after) =>
    db.timelineEvent.findMany({
      where: { shop: { in: shops }, createdAt: { gte: since }, type: { in: Object.keys(TIMELINE_KINDS) }, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true, shop: true, type: true, paymentSessionId: true, createdAt: true, payment: { select: { amountCents: true, currency: true, soisyLoanAmountCents: true } } },
      orderBy: { id: "asc" },
      take: PAGE,
    }),
  );
  return rows.map((row) => ({
    shop: row.shop,
    eventKey: eventKeys.timeline(row.id),
    kind: TIMELINE_KINDS[row.type as keyof typeof TIMELINE_KINDS],
    paymentSessionId: row.paymentSessionId,
    detail: {
      amountCents: row.payment.amountCents,
      currency: row.payment.currency,
      ...(row.payment.soisyLoanAmountCents !== null ? { loanAmountCents: row.payment.soisyLoanAmountCents } : {}),
      at: row.createdAt.toISOString(),
    },
  }));
}

async function refundCandidates(db: Db, shops: string[], since: Date): Promise<Candidate[]> {
  const rows = await allPages((after) =>
    db.refundSession.findMany({
      where: { shop: { in: shops }, state: "awaiting_merchant", createdAt: { gte: since }, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true, shop: true, paymentSessionId: true, amountCents: true, currency: true, createdAt: true, payment: { select: { amountCents: true } } },
      orderBy: { id: "asc" },
      take: PAGE,
    }),
  );
  return rows.map((row) => ({
    shop: row.shop,
    eventKey: eventKeys.refund(row.id),
    kind: "refund_requested" as const,
    paymentSessionId: row.paymentSessionId,
    detail: { amountCents: row.payment.amountCents, refundAmountCents: row.amountCents, currency: row.currency, at: row.createdAt.toISOString() },
  }));
}

async function credentialCandidates(db: Db, shops: string[], since: Date): Promise<Candidate[]> {
  const rows = await db.shopSettings.findMany({
    where: { shop: { in: shops }, OR: [{ sandboxRejectedAt: { gte: since } }, { productionRejectedAt: { gte: since } }] },
    select: { shop: true, sandboxRejectedAt: true, productionRejectedAt: true },
  });
  const out: Candidate[] = [];
  for (const row of rows) {
    for (const [environment, at] of [["sandbox", row.sandboxRejectedAt], ["production", row.productionRejectedAt]] as const) {
      if (!at || at < since) continue;
      out.push({ shop: row.shop, eventKey: eventKeys.credentials(row.shop, environment, at), kind: "credentials_rejected", paymentSessionId: null, detail: { environment, at: at.toISOString() } });
    }
  }
  return out;
}

/** One pass; returns how many notifications this pass created. */
export async function produceNotifications(options: ProducerOptions): Promise<{ created: number }> {
  const { db, logger, now, lookbackMs, digestHour } = options;
  const shops: ShopAlerts[] = await db.shopSettings.findMany({
    where: { alertEmail: { not: null }, uninstalledAt: null },
    select: { shop: true, alertDigest: true },
  });
  if (shops.length === 0) return { created: 0 };
  const since = new Date(now.getTime() - lookbackMs);
  const names = shops.map((s) => s.shop);
  const candidates = [
    ...(await timelineCandidates(db, names, since)),
    ...(await refundCandidates(db, names, since)),
    ...(await credentialCandidates(db, names, since)),
  ];
  if (candidates.length === 0) return { created: 0 };
  const known = new Set<string>();
  for (let i = 0; i < candidates.length; i += PAGE) {
    const keys = candidates.slice(i, i + PAGE).map((c) => c.eventKey);
    for (const n of await db.notification.findMany({ where: { eventKey: { in: keys } }, select: { eventKey: true } })) known.add(n.eventKey);
  }
  candidates.sort((a, b) => a.detail.at.localeCompare(b.detail.at));
  const digestOf = new Map(shops.map((s) => [s.shop, s.alertDigest]));
  const rowOf = (c: Candidate) => ({
    shop: c.shop,
    eventKey: c.eventKey,
    kind: c.kind,
    paymentSessionId: c.paymentSessionId,
    detailJson: JSON.stringify(c.detail),
    nextAttemptAt: digestOf.get(c.shop) ? nextDigestAt(now, digestHour) : now,
  });
  const fresh = candidates.filter((c) => !known.has(c.eventKey));
  let created = 0;
  for (let i = 0; i < fresh.length; i += PAGE) {
    const batch = fresh.slice(i, i + PAGE);
    try {
      created += (await db.notification.createMany({ data: batch.map(rowOf) })).count;
      continue;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    // Another instance inserted some of these meanwhile: insert the rest one by one (its rows win).
    const taken = new Set((await db.notification.findMany({ where: { eventKey: { in: batch.map((c) => c.eventKey) } }, select: { eventKey: true } })).map((n) => n.eventKey));
    for (const c of batch) {
      if (taken.has(c.eventKey)) continue;
      try {
        await db.notification.create({ data: rowOf(c) });
        created += 1;
      } catch (error) {
        // Another instance inserted this event's notification first: exactly one row either way.
        if (!isUniqueViolation(error)) throw error;
      }
    }
  }
  if (created) logger.info({ created }, "alert notifications created");
  return { created };
}
