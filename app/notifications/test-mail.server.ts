/** The settings page's "send a test e-mail": one mail to the shop's saved address, now. */
import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import { isLocale } from "~/i18n/i18n";
import type { Logger } from "~/logger.server";
import { createMailer, messageIdFor, smtpErrorText } from "./mailer.server";
import { renderTest } from "./render";

export type TestMailOutcome = "sent" | "no_email" | "not_configured" | "failed";

export async function sendTestMail(options: { db: Db; logger: Logger; shop: string; smtpUrl: string | undefined; from: string; appUrl: string }): Promise<{ outcome: TestMailOutcome; email?: string }> {
  const { db, logger, shop } = options;
  if (!options.smtpUrl) return { outcome: "not_configured" };
  const s = await db.shopSettings.findUnique({ where: { shop }, select: { alertEmail: true, alertLocale: true, shopName: true } });
  if (!s?.alertEmail) return { outcome: "no_email" };
  const mailer = createMailer({ smtpUrl: options.smtpUrl, from: options.from });
  try {
    const content = renderTest({ locale: isLocale(s.alertLocale) ? s.alertLocale : "it", shopLabel: s.shopName?.trim() || shop });
    await mailer.send({ ...content, to: s.alertEmail, messageId: messageIdFor(`test-${randomUUID()}`, options.from, options.appUrl) });
    logger.info({ shop }, "test alert e-mail sent");
    return { outcome: "sent", email: s.alertEmail };
  } catch (error) {
    logger.warn({ shop, error: smtpErrorText(error) }, "test alert e-mail failed");
    return { outcome: "failed" };
  } finally {
    mailer.close();
  }
}
