import { DEFAULT_LOCALE, LOCALES, MESSAGES, type Locale, type MessageKey } from "./messages";

export { LOCALES, DEFAULT_LOCALE, type Locale, type MessageKey };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** Picks it/en from an explicit choice (e.g. Shopify's locale or ?lang=), then Accept-Language. */
export function resolveLocale(options: { explicit?: string | null; acceptLanguage?: string | null }): Locale {
  const explicit = options.explicit?.slice(0, 2).toLowerCase();
  if (isLocale(explicit)) return explicit;
  const ranked = (options.acceptLanguage ?? "")
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { lang: tag.slice(0, 2).toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((entry) => entry.lang && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { lang } of ranked) if (isLocale(lang)) return lang;
  return DEFAULT_LOCALE;
}

export function localeFromRequest(request: Request): Locale {
  const url = new URL(request.url);
  return resolveLocale({
    explicit: url.searchParams.get("lang") ?? url.searchParams.get("locale"),
    acceptLanguage: request.headers.get("accept-language"),
  });
}

export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = MESSAGES[locale][key] ?? MESSAGES[DEFAULT_LOCALE][key];
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

export function translator(locale: Locale) {
  return (key: MessageKey, params?: Record<string, string | number>) => translate(locale, key, params);
}
