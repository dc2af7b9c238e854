/**
 * The sender pass: claims due notifications with a lease (a conditional update setting lockedBy to a
 * token unique to this claim, like the outbox's claims), mails them, and marks them sent — only while
 * the claim is still this pass's (compare-and-set on the token). A per-event shop gets one mail per
 * notification; a digest shop gets one mail with all its due notifications (they were all made due at
 * the digest hour by the producer). SMTP failures back off (doubling from ALERT_BACKOFF_BASE_MS) and
 * after ALERT_MAX_ATTEMPTS the notification is dead, with an error log line. A shop without an address
 * any more (or uninstalled) gets its notifications skipped.
 *
 * The lease outlasts a send (mailer.server.ts bounds every SMTP step), so two instances never send the
 * same notification while both are alive. A process killed after the SMTP server accepted a mail but
 * before it was marked sent sends it again after the lease: same Message-ID, so mail clients show one.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import { isLocale } from "~/i18n/i18n";
import type { Logger } from "~/logger.server";
import { isNotificationKind, type NotificationDetail } from "./events";
import { messageIdFor, SMTP_TIMEOUT_MS, smtpErrorText, type Mailer } from "./mailer.server";
import { renderAlert, renderDigest, type AlertItem, type MailContent } from "./render";
import { romeDay } from "./schedule";

export const NOTIFICATION_LEASE_MS = SMTP_TIMEOUT_MS * 8;

export interface SenderOptions {
  db: Db;
  logger: Logger;
  mailer: Mailer;
  now: () => Date;
  workerId: string;
  appUrl: string;
  from: string;
  backoffBaseMs: number;
  maxAttempts: number;
  /** Notifications looked at per pass. */
  batch?: number;
}

type Row = Awaited<ReturnType<Db["notification"]["findMany"]>>[number];

function dueWhere(at: Date) {
  return { status: "pending", nextAttemptAt: { lte: at }, OR: [{ lockedUntil: null }, { lockedUntil: { lte: at } }] };
}

function itemOf(row: Row): AlertItem | null {
  if (!isNotificationKind(row.kind)) return null;
  let detail: NotificationDetail;
  try {
    detail = JSON.parse(row.detailJson ?? "{}") as NotificationDetail;
  } catch {
    return null;
  }
  return { kind: row.kind, shop: row.shop, paymentSessionId: row.paymentSessionId, detail: { ...detail, at: detail.at ?? row.createdAt.toISOString() } };
}

/** Claims these rows for one send; returns the ones this claim got. */
async function claim(db: Db, ids: string[], token: string, at: Date): Promise<Row[]> {
  await db.notification.updateMany({ where: { id: { in: ids }, ...dueWhere(at) }, data: { lockedBy: token, lockedUntil: new Date(at.getTime() + NOTIFICATION_LEASE_MS) } });
  return db.notification.findMany({ where: { id: { in: ids }, lockedBy: token, status: "pending" }, orderBy: { createdAt: "asc" } });
}

export interface SendReport {
  sent: number;
  failed: number;
  dead: number;
  skipped: number;
}

export async function sendDueNotifications(options: SenderOptions): Promise<SendReport> {
  const { db, logger, mailer, now, workerId } = options;
  const report: SendReport = { sent: 0, failed: 0, dead: 0, skipped: 0 };
  const due = await db.notification.findMany({ where: dueWhere(now()), select: { id: true, shop: true }, orderBy: { nextAttemptAt: "asc" }, take: options.batch ?? 100 });
  if (due.length === 0) return report;
  const shops = [...new Set(due.map((d) => d.shop))];
  const settings = await db.shopSettings.findMany({
    where: { shop: { in: shops } },
    select: { shop: true, shopName: true, alertEmail: true, alertLocale: true, alertDigest: true, uninstalledAt: true },
  });
  const byShop = new Map(settings.map((s) => [s.shop, s]));

  for (const shop of shops) {
    const ids = due.filter((d) => d.shop === shop).map((d) => d.id);
    const s = byShop.get(shop);
    const token = `${workerId}#${randomUUID().slice(0, 8)}`;
    if (!s?.alertEmail || s.uninstalledAt) {
      const { count } = await db.notification.updateMany({ where: { id: { in: ids }, ...dueWhere(now()) }, data: { status: "skipped", lockedBy: null, lockedUntil: null } });
      report.skipped += count;
      continue;
    }
    const locale = isLocale(s.alertLocale) ? s.alertLocale : "it";
    const shopLabel = s.shopName?.trim() || shop;
    const render = { locale, appUrl: options.appUrl, shopLabel } as const;
    // A digest is one claim of all the shop's due rows; per event, one claim per row.
    const units = s.alertDigest ? [ids] : ids.map((id) => [id]);
    for (const unit of units) {
      const rows = await claim(db, unit, token, now());
      const items = rows.map((row) => ({ row, item: itemOf(row) }));
      const bad = items.filter((i) => !i.item).map((i) => i.row.id);
      if (bad.length) {
        await db.notification.updateMany({ where: { id: { in: bad }, lockedBy: token }, data: { status: "skipped", lockedBy: null, lockedUntil: null, lastError: "unreadable notification" } });
        report.skipped += bad.length;
      }
      const good = items.filter((i): i is { row: Row; item: AlertItem } => i.item !== null);
      if (good.length === 0) continue;
      let content: MailContent;
      let localPart: string;
      if (s.alertDigest) {
        const day = romeDay(now());
        content = renderDigest(good.map((g) => g.item), { ...render, day });
        const digestHash = createHash("sha256").update(good.map((g) => g.row.id).sort().join(",")).digest("hex").slice(0, 20);
        localPart = `digest-${day}-${digestHash}`;
      } else {
        content = renderAlert(good[0]!.item, render);
        localPart = `notification-${good[0]!.row.id}`;
      }
      const messageId = messageIdFor(localPart, options.from, options.appUrl);
      const claimed = good.map((g) => g.row.id);
      try {
        await mailer.send({ ...content, to: s.alertEmail, messageId });
      } catch (error) {
        await recordFailure(options, good.map((g) => g.row), token, error, report);
        continue;
      }
      const { count } = await db.notification.updateMany({
        where: { id: { in: claimed }, lockedBy: token },
        data: { status: "sent", sentAt: now(), messageId, lockedBy: null, lockedUntil: null, attempts: { increment: 1 }, lastError: null },
      });
      report.sent += count;
      logger.info({ shop, notifications: claimed.length, digest: s.alertDigest, messageId }, "alert e-mail sent");
    }
  }
  return report;
}

async function recordFailure(options: SenderOptions, rows: Row[], token: string, error: unknown, report: SendReport): Promise<void> {
  const { db, logger, now } = options;
  const message = smtpErrorText(error);
  for (const row of rows) {
    const attempts = row.attempts + 1;
    if (attempts >= options.maxAttempts) {
      await db.notification.updateMany({ where: { id: row.id, lockedBy: token }, data: { status: "dead", attempts, lastError: message, lockedBy: null, lockedUntil: null } });
      logger.error({ notificationId: row.id, shop: row.shop, kind: row.kind, attempts, error: message }, "alert e-mail given up after every retry");
      report.dead += 1;
    } else {
      const delay = Math.min(options.backoffBaseMs * 2 ** (attempts - 1), 6 * 3_600_000);
      await db.notification.updateMany({
        where: { id: row.id, lockedBy: token },
        data: { attempts, lastError: message, nextAttemptAt: new Date(now().getTime() + delay), lockedBy: null, lockedUntil: null },
      });
      logger.warn({ notificationId: row.id, shop: row.shop, attempts, retryInMs: delay, error: message }, "alert e-mail failed; will retry");
      report.failed += 1;
    }
  }
}
