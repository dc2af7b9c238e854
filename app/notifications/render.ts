/**
 * The alert mails' words: subject, plain text and a simple HTML part, in the shop's alert language.
 * What happened, what to do, the shop, amounts and a link to the payment's page: never the shopper's
 * personal data (the rows carry none: see events.ts `NotificationDetail`). Everything put into the
 * HTML is escaped. Pure.
 */
import { translate, type Locale, type MessageKey } from "~/i18n/i18n";
import { formatMoney } from "~/i18n/money";
import type { NotificationDetail, NotificationKind } from "./events";

export interface AlertItem {
  kind: NotificationKind;
  shop: string;
  paymentSessionId: string | null;
  detail: NotificationDetail;
}

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** The page the merchant acts on: the payment's, or the settings for credentials. */
export function alertLink(appUrl: string, item: Pick<AlertItem, "paymentSessionId">): string {
  const base = appUrl.replace(/\/$/, "");
  return item.paymentSessionId ? `${base}/app/transactions/${encodeURIComponent(item.paymentSessionId)}` : `${base}/app/settings`;
}

function when(at: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === "it" ? "it-IT" : "en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Rome" }).format(new Date(at));
}

interface Block {
  title: string;
  what: string;
  todo: string;
  link: string;
  when: string;
  payment: string | null;
}

function block(item: AlertItem, locale: Locale, appUrl: string, shopLabel: string): Block {
  const t = (key: MessageKey, params: Record<string, string> = {}) => translate(locale, key, params);
  const money = (cents: number | undefined) => (cents === undefined ? "—" : formatMoney(cents, item.detail.currency ?? "EUR", locale));
  const env = item.detail.environment === "production" ? t("alerts.env.production") : t("alerts.env.sandbox");
  return {
    title: t(`alerts.subject.${item.kind}`, { shop: shopLabel }).replace(/^\[[^\]]*\]\s*/, ""),
    what: t(`alerts.what.${item.kind}`, { amount: money(item.detail.amountCents), loan: money(item.detail.loanAmountCents), refund: money(item.detail.refundAmountCents), env }),
    todo: t(`alerts.todo.${item.kind}`),
    link: alertLink(appUrl, item),
    when: when(item.detail.at, locale),
    payment: item.paymentSessionId,
  };
}

function textOf(b: Block, locale: Locale): string {
  const t = (key: MessageKey) => translate(locale, key);
  return [
    `${b.title}`,
    `${t("alerts.label.what")}: ${b.what}`,
    `${t("alerts.label.todo")}: ${b.todo}`,
    ...(b.payment ? [`${t("alerts.label.payment")}: ${b.payment}`] : []),
    `${t("alerts.label.when")}: ${b.when}`,
    `${t("alerts.label.open")}: ${b.link}`,
  ].join("\n");
}

function htmlOf(b: Block, locale: Locale): string {
  const t = (key: MessageKey) => escapeHtml(translate(locale, key));
  const e = escapeHtml;
  return [
    `<h2 style="font-size:16px;margin:16px 0 8px">${e(b.title)}</h2>`,
    `<p><strong>${t("alerts.label.what")}:</strong> ${e(b.what)}</p>`,
    `<p><strong>${t("alerts.label.todo")}:</strong> ${e(b.todo)}</p>`,
    b.payment ? `<p><strong>${t("alerts.label.payment")}:</strong> ${e(b.payment)}</p>` : "",
    `<p><strong>${t("alerts.label.when")}:</strong> ${e(b.when)}</p>`,
    `<p><a href="${e(b.link)}">${t("alerts.label.open")}</a></p>`,
  ].join("\n");
}

function page(locale: Locale, body: string): string {
  const footer = escapeHtml(translate(locale, "alerts.footer"));
  return `<!doctype html><html lang="${locale}"><body style="font-family:sans-serif;color:#202223">\n${body}\n<hr><p style="color:#6d7175;font-size:12px">${footer}</p></body></html>`;
}

/** One event's mail. */
export function renderAlert(item: AlertItem, options: { locale: Locale; appUrl: string; shopLabel: string }): MailContent {
  const { locale, appUrl, shopLabel } = options;
  const b = block(item, locale, appUrl, shopLabel);
  const header = `${translate(locale, "alerts.label.shop")}: ${shopLabel}`;
  return {
    subject: translate(locale, `alerts.subject.${item.kind}`, { shop: shopLabel }),
    text: `${header}\n\n${textOf(b, locale)}\n\n${translate(locale, "alerts.footer")}\n`,
    html: page(locale, `<p>${escapeHtml(header)}</p>\n${htmlOf(b, locale)}`),
  };
}

/** One shop's daily digest: every item, oldest first. */
export function renderDigest(items: AlertItem[], options: { locale: Locale; appUrl: string; shopLabel: string; day: string }): MailContent {
  const { locale, appUrl, shopLabel, day } = options;
  const blocks = items.map((item) => block(item, locale, appUrl, shopLabel));
  const intro = translate(locale, "alerts.digest.intro", { shop: shopLabel });
  return {
    subject: translate(locale, "alerts.digest.subject", { shop: shopLabel, day, count: String(items.length) }),
    text: `${intro}\n\n${blocks.map((b) => textOf(b, locale)).join("\n\n")}\n\n${translate(locale, "alerts.footer")}\n`,
    html: page(locale, `<p>${escapeHtml(intro)}</p>\n${blocks.map((b) => htmlOf(b, locale)).join("\n<hr>\n")}`),
  };
}

/** The settings page's test mail. */
export function renderTest(options: { locale: Locale; shopLabel: string }): MailContent {
  const { locale, shopLabel } = options;
  const body = translate(locale, "alerts.test.body", { shop: shopLabel });
  return {
    subject: translate(locale, "alerts.test.subject", { shop: shopLabel }),
    text: `${body}\n\n${translate(locale, "alerts.footer")}\n`,
    html: page(locale, `<p>${escapeHtml(body)}</p>`),
  };
}
