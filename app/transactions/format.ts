/** Dates for the merchant: formatted on the server (no hydration drift), in Italy's time zone. */
import type { Locale } from "~/i18n/i18n";

const formatters: Record<Locale, Intl.DateTimeFormat> = {
  it: new Intl.DateTimeFormat("it-IT", { dateStyle: "short", timeStyle: "medium", timeZone: "Europe/Rome" }),
  en: new Intl.DateTimeFormat("en-GB", { dateStyle: "short", timeStyle: "medium", timeZone: "Europe/Rome" }),
};

export function formatDateTime(date: Date, locale: Locale): string {
  return formatters[locale].format(date);
}

/** Appends lang to an app URL (the admin keeps the language in the query string). */
export function withLang(url: string, locale: Locale): string {
  return `${url}${url.includes("?") ? "&" : "?"}lang=${locale}`;
}
