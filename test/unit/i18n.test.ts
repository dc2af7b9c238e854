import { describe, expect, it } from "vitest";
import { MESSAGES, LOCALES } from "~/i18n/messages";
import { resolveLocale, translate } from "~/i18n/i18n";

describe("messages in Italian and English", () => {
  const keys = new Set(LOCALES.flatMap((l) => Object.keys(MESSAGES[l])));

  it.each(LOCALES)("%s has every key, none empty", (locale) => {
    for (const key of keys) {
      const text = (MESSAGES[locale] as Record<string, string | undefined>)[key];
      expect(text, `${locale}: ${key}`).toBeTruthy();
      expect(text!.trim(), `${locale}: ${key}`).not.toBe("");
    }
  });

  it("uses the same placeholders in both languages", () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of keys) {
      const it = (MESSAGES.it as Record<string, string>)[key]!;
      const en = (MESSAGES.en as Record<string, string>)[key]!;
      expect(placeholders(en), key).toEqual(placeholders(it));
    }
  });

  it("interpolates parameters", () => {
    expect(translate("en", "dashboard.payments", { count: 3 })).toBe("Recorded payments: 3");
    expect(translate("it", "dashboard.payments", { count: 3 })).toBe("Pagamenti registrati: 3");
  });
});

describe("resolveLocale", () => {
  it.each([
    [{ explicit: "en" }, "en"],
    [{ explicit: "it-IT" }, "it"],
    [{ explicit: "fr", acceptLanguage: "en-GB,en;q=0.9" }, "en"],
    [{ acceptLanguage: "de-DE,de;q=0.9,en;q=0.8,it;q=0.7" }, "en"],
    [{ acceptLanguage: "fr;q=0.9, it;q=0.95" }, "it"],
    [{ acceptLanguage: "en;q=0, it;q=0.1" }, "it"],
    [{ acceptLanguage: "" }, "it"],
    [{}, "it"],
    [{ acceptLanguage: ";;;,q=,," }, "it"],
  ] as const)("%j → %s", (input, expected) => {
    expect(resolveLocale(input)).toBe(expected);
  });
});
