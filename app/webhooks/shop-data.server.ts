/**
 * app/uninstalled and shop/redact on the database.
 *
 * Idempotency: both are idempotent by construction (a redelivery finds nothing left to change), so
 * they need no table of processed webhook ids — which would not help anyway: X-Shopify-Webhook-Id is
 * not covered by the HMAC (only the body is), so a replayed body could carry any id. A webhook fired
 * BEFORE the shop (re)installed the app (its X-Shopify-Triggered-At earlier than
 * ShopSettings.installedAt) is stale and ignored, so a late redelivery cannot uninstall or erase a
 * shop that came back. (The install flow must set installedAt = now and uninstalledAt = null.)
 */
import type { Db } from "~/db.server";

export type StaleCheck = { stale: true; installedAt: Date } | { stale: false };

export async function staleForShop(db: Db, shop: string, triggeredAt: Date | null): Promise<StaleCheck> {
  if (!triggeredAt) return { stale: false };
  const settings = await db.shopSettings.findUnique({ where: { shop }, select: { installedAt: true } });
  if (settings && settings.installedAt.getTime() > triggeredAt.getTime()) return { stale: true, installedAt: settings.installedAt };
  return { stale: false };
}

/**
 * app/uninstalled: the shop's Shopify sessions are deleted (Shopify revoked the tokens), the shop is
 * marked not ready and uninstalled (the payment route then refuses new sessions for it). Payments,
 * refunds, timeline and outbox are kept (financial records). A redelivery keeps the first
 * uninstalledAt.
 */
export async function uninstallShop(db: Db, shop: string, options: { triggeredAt: Date | null; now?: Date }) {
  const stale = await staleForShop(db, shop, options.triggeredAt);
  if (stale.stale) return { topic: "app/uninstalled" as const, applied: false, reason: "reinstalled_since" as const };
  const now = options.now ?? new Date();
  const [sessions, marked] = await db.$transaction([
    db.session.deleteMany({ where: { shop } }),
    db.shopSettings.updateMany({ where: { shop, uninstalledAt: null }, data: { ready: false, readyChangedAt: now, uninstalledAt: now } }),
  ]);
  return { topic: "app/uninstalled" as const, applied: sessions.count > 0 || marked.count > 0, sessionsDeleted: sessions.count, markedUninstalled: marked.count > 0 };
}

/**
 * shop/redact (sent 48 h after uninstall, only when the shop did not reinstall): every row of the
 * shop is deleted — settings with the encrypted Soisy keys, Shopify sessions, payments, refunds,
 * timeline, outbox messages and their attempts, group resolutions — in one transaction.
 */
export async function redactShop(db: Db, shop: string, options: { triggeredAt: Date | null }) {
  const stale = await staleForShop(db, shop, options.triggeredAt);
  if (stale.stale) return { topic: "shop/redact" as const, applied: false, reason: "reinstalled_since" as const };
  const [attempts, outbox, events, refunds, groups, payments, sessions, settings] = await db.$transaction([
    db.outboxAttempt.deleteMany({ where: { message: { shop } } }),
    db.outboxMessage.deleteMany({ where: { shop } }),
    db.soisyEvent.deleteMany({ where: { shop } }),
    db.refundSession.deleteMany({ where: { shop } }),
    db.groupResolution.deleteMany({ where: { shop } }),
    db.paymentSession.deleteMany({ where: { shop } }),
    db.session.deleteMany({ where: { shop } }),
    db.shopSettings.deleteMany({ where: { shop } }),
  ]);
  const deleted = {
    outboxAttempts: attempts.count,
    outboxMessages: outbox.count,
    events: events.count,
    refunds: refunds.count,
    groupResolutions: groups.count,
    payments: payments.count,
    sessions: sessions.count,
    settings: settings.count,
  };
  return { topic: "shop/redact" as const, applied: Object.values(deleted).some((n) => n > 0), deleted };
}
