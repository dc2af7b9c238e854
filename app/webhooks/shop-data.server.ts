/**
 * app/uninstalled and shop/redact on the database. Each function works inside the caller's
 * transaction (app/webhooks/route.server.ts writes the ProcessedWebhook row in the same one, so a
 * redelivery of the same webhook id changes nothing).
 *
 * Install state: the install flow (app/shopify.server.ts afterAuth) sets installedAt = now and
 * uninstalledAt = null; app/uninstalled sets uninstalledAt. So "uninstalled and not reinstalled
 * since" is `uninstalledAt !== null` (and installedAt not after it).
 *
 * A webhook fired BEFORE the shop (re)installed the app (its X-Shopify-Triggered-At earlier than
 * ShopSettings.installedAt) is stale and ignored, so a late redelivery cannot uninstall a shop that
 * came back.
 */
import type { Db } from "~/db.server";

export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export type StaleCheck = { stale: true; installedAt: Date } | { stale: false };

export async function staleForShop(db: Tx, shop: string, triggeredAt: Date | null): Promise<StaleCheck> {
  if (!triggeredAt) return { stale: false };
  const settings = await db.shopSettings.findUnique({ where: { shop }, select: { installedAt: true } });
  if (settings && settings.installedAt.getTime() > triggeredAt.getTime()) return { stale: true, installedAt: settings.installedAt };
  return { stale: false };
}

/**
 * app/uninstalled: the shop's Shopify sessions and admin logins are deleted (Shopify revoked the tokens), the shop is
 * marked not ready and uninstalled (the payment route then refuses new sessions for it). Payments,
 * refunds, timeline and outbox are kept (financial records). A redelivery keeps the first
 * uninstalledAt.
 */
export async function uninstallShop(tx: Tx, shop: string, options: { triggeredAt: Date | null; now?: Date }) {
  const stale = await staleForShop(tx, shop, options.triggeredAt);
  if (stale.stale) return { topic: "app/uninstalled" as const, applied: false, reason: "reinstalled_since" as const };
  const now = options.now ?? new Date();
  const sessions = await tx.session.deleteMany({ where: { shop } });
  // The merchant's admin logins end with the install: a copied cookie must not outlive it.
  await tx.adminSession.deleteMany({ where: { shop } });
  const marked = await tx.shopSettings.updateMany({ where: { shop, uninstalledAt: null }, data: { ready: false, readyChangedAt: now, uninstalledAt: now } });
  return { topic: "app/uninstalled" as const, applied: sessions.count > 0 || marked.count > 0, sessionsDeleted: sessions.count, markedUninstalled: marked.count > 0 };
}

export type RedactRefusal = "installed" | "reinstalled_since" | "older_than_uninstall";

/**
 * Shopify's rule for shop/redact: sent 48 hours after a shop uninstalled the app, and only when it
 * did not reinstall. So it is applied only when the shop is uninstalled now (uninstalledAt set, not
 * reinstalled since) and the request is not older than that uninstall (X-Shopify-Triggered-At when
 * present; when absent the uninstall state alone decides). A shop the app has no settings for is
 * treated as uninstalled unless it still holds a Shopify session (an install in progress).
 */
export async function shopRedactRefusal(tx: Tx, shop: string, triggeredAt: Date | null): Promise<RedactRefusal | null> {
  const settings = await tx.shopSettings.findUnique({ where: { shop }, select: { installedAt: true, uninstalledAt: true } });
  if (!settings) return (await tx.session.count({ where: { shop } })) > 0 ? "installed" : null;
  if (!settings.uninstalledAt) return "installed";
  if (settings.installedAt.getTime() > settings.uninstalledAt.getTime()) return "reinstalled_since";
  if (triggeredAt && triggeredAt.getTime() < settings.uninstalledAt.getTime()) return "older_than_uninstall";
  return null;
}

/**
 * shop/redact: every row of the shop is deleted — settings with the encrypted Soisy keys, Shopify
 * sessions, payments, refunds, timeline, outbox messages and their attempts, group resolutions, e-mail
 * notifications, Soisy payouts and the payout sync —
 * inside the caller's transaction; refused (nothing erased) when shopRedactRefusal says so.
 */
export async function redactShop(tx: Tx, shop: string, options: { triggeredAt: Date | null }) {
  const refusal = await shopRedactRefusal(tx, shop, options.triggeredAt);
  if (refusal) return { topic: "shop/redact" as const, applied: false, reason: refusal };
  const attempts = await tx.outboxAttempt.deleteMany({ where: { message: { shop } } });
  const outbox = await tx.outboxMessage.deleteMany({ where: { shop } });
  const events = await tx.timelineEvent.deleteMany({ where: { shop } });
  const refunds = await tx.refundSession.deleteMany({ where: { shop } });
  const groups = await tx.groupResolution.deleteMany({ where: { shop } });
  // Issue 16: Soisy's payout rows and the payout sync's cursor (app/payouts/).
  const payouts = await tx.soisyPayout.deleteMany({ where: { shop } });
  const payoutSyncs = await tx.payoutSync.deleteMany({ where: { shop } });
  const payments = await tx.paymentSession.deleteMany({ where: { shop } });
  const sessions = await tx.session.deleteMany({ where: { shop } });
  await tx.adminSession.deleteMany({ where: { shop } });
  const notifications = await tx.notification.deleteMany({ where: { shop } });
  const settings = await tx.shopSettings.deleteMany({ where: { shop } });
  const deleted = {
    notifications: notifications.count,
    outboxAttempts: attempts.count,
    outboxMessages: outbox.count,
    events: events.count,
    refunds: refunds.count,
    groupResolutions: groups.count,
    payouts: payouts.count,
    payoutSyncs: payoutSyncs.count,
    payments: payments.count,
    sessions: sessions.count,
    settings: settings.count,
  };
  return { topic: "shop/redact" as const, applied: Object.values(deleted).some((n) => n > 0), deleted };
}
