/**
 * The alerts' block of startBackgroundJobs (app/runtime.server.ts): starts the job when SMTP is
 * configured and says so in the log. Kept here so runtime.server.ts changes by two lines.
 */
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";
import { createAlertJob, type AlertJob, type AlertJobConfig } from "./jobs.server";

export function startAlertJob(options: { db: Db; logger: Logger; config: AlertJobConfig; workerId: string }): AlertJob | null {
  const log = options.logger.child({ component: "alerts" });
  const job = createAlertJob({ ...options, logger: log });
  if (job) log.info({ pollMs: options.config.ALERT_POLL_MS }, "alert e-mails on");
  else log.info("alert e-mails off: SMTP_URL is not set");
  return job;
}
