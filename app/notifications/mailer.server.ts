/**
 * Sends one mail through SMTP with nodemailer. Timeouts are bounded so a send always ends well
 * within a notification's lease (sender.server.ts). The Message-ID is the caller's (deterministic per
 * notification or digest), so a mail resent after a crash is recognisably the same message.
 */
import nodemailer from "nodemailer";
import type { MailContent } from "./render";

export interface Mailer {
  send(mail: MailContent & { to: string; messageId: string }): Promise<void>;
  close(): void;
}

/** Every SMTP step gives up after this long; the lease lasts longer (sender.server.ts). */
export const SMTP_TIMEOUT_MS = 15_000;

export function createMailer(options: { smtpUrl: string; from: string }): Mailer {
  const url = new URL(options.smtpUrl);
  const secure = url.protocol === "smtps:";
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    async send(mail) {
      await transport.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId });
    },
    close() {
      transport.close();
    },
  };
}

/** "<notification-abc@host>": the domain of the sender's address, else the app's host. */
export function messageIdFor(localPart: string, from: string, appUrl: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? new URL(appUrl).hostname;
  return `<${localPart}@${domain}>`;
}

/** An SMTP error for the log and the row: its text with any e-mail address blanked out. */
export function smtpErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/[^\s<>@"'(),;:]+@[^\s<>@"'(),;:]+/g, "<address>").slice(0, 500);
}
