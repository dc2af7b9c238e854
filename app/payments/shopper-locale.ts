import { resolveLocale, type Locale } from "~/i18n/i18n";

/** The shopper's language: what Shopify told us about them, else their browser's. */
export function shopperLocale(session: { customerLocale: string | null; merchantLocale: string | null } | null, request: Request): Locale {
  const url = new URL(request.url);
  return resolveLocale({
    explicit: url.searchParams.get("lang") ?? session?.customerLocale ?? session?.merchantLocale ?? null,
    acceptLanguage: request.headers.get("accept-language"),
  });
}
