/**
 * The alerts' background job, run by every app instance (runtime.server.ts): one interval, each tick
 * a producer pass (new events → notifications) then a sender pass (due notifications → mails), a tick
 * skipped while the previous one still runs. Without SMTP_URL there is no job: no notification is
 * produced and the settings page says mails are not configured.
 */
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";
import { createMailer, type Mailer } from "./mailer.server";
import { produceNotifications } from "./producer.server";
import { sendDueNotifications } from "./sender.server";

export interface AlertJobConfig {
  SMTP_URL?: string | undefined;
  ALERT_FROM: string;
  ALERT_POLL_MS: number;
  ALERT_LOOKBACK_HOURS: number;
  ALERT_DIGEST_HOUR: number;
  ALERT_BACKOFF_BASE_MS: number;
  ALERT_MAX_ATTEMPTS: number;
  SHOPIFY_APP_URL: string;
}

export interface AlertJob {
  /** One producer + sender pass now (the interval calls it; tests too). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function createAlertJob(options: { db: Db; logger: Logger; config: AlertJobConfig; workerId: string; mailer?: Mailer; now?: () => Date }): AlertJob | null {
  const { db, logger, config, workerId } = options;
  if (!config.SMTP_URL && !options.mailer) return null;
  const mailer = options.mailer ?? createMailer({ smtpUrl: config.SMTP_URL!, from: config.ALERT_FROM });
  const now = options.now ?? (() => new Date());
  let running: Promise<void> | null = null;

  async function pass(): Promise<void> {
    await produceNotifications({ db, logger, now: now(), lookbackMs: config.ALERT_LOOKBACK_HOURS * 3_600_000, digestHour: config.ALERT_DIGEST_HOUR });
    const report = await sendDueNotifications({
      db,
      logger,
      mailer,
      now,
      workerId,
      appUrl: config.SHOPIFY_APP_URL,
      from: config.ALERT_FROM,
      backoffBaseMs: config.ALERT_BACKOFF_BASE_MS,
      maxAttempts: config.ALERT_MAX_ATTEMPTS,
    });
    if (report.sent || report.failed || report.dead || report.skipped) logger.info(report, "alert e-mail pass");
  }

  function tick(): Promise<void> {
    running ??= pass()
      .catch((error: unknown) => logger.error({ err: error }, "alert e-mail pass failed"))
      .finally(() => {
        running = null;
      });
    return running;
  }

  const timer = setInterval(() => void tick(), config.ALERT_POLL_MS);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
      mailer.close();
    },
  };
}
