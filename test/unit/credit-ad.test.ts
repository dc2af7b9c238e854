/**
 * Credit advertising, the pure parts (docs/compliance.md): the representative example is one loan
 * whose figures add up, for every amount and instalment count the simulator prices; the app's pages
 * get their texts from the widget's own formatter; no lender identity is written into the widget or
 * the app's texts; LENDER_* links must be https.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configSchema } from "~/config.server";
import { lenderInfo } from "~/quotes/lender.server";
import { offerParts, pageOffers } from "~/quotes/offer-text.server";
import { isConsistent, representativeExample } from "~/quotes/representative-example";
import { LoanQuotesSchema } from "~/soisy/types";
import { computeQuotes } from "../simulators/soisy";

const ROOT = path.resolve(import.meta.dirname, "../..");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe("the representative example", () => {
  it("is one consistent loan for any amount and instalment count (simulator pricing), paid or zero-interest", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 3_000_000 }), fc.integer({ min: 3, max: 60 }), fc.boolean(), (amount, n, zero) => {
        const example = representativeExample(LoanQuotesSchema.parse(computeQuotes(amount, n, zero)), { amountCents: amount, instalments: n, zeroInterest: zero });
        expect(example).not.toBeNull();
        expect(isConsistent(example!)).toBe(true);
        expect(example).toMatchObject({ profile: "median", cashPrice: amount, credit: amount, advance: 0, months: n, instalments: n });
        if (zero) expect([example!.tan, example!.taeg, example!.total]).toEqual([0, 0, amount]);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses what does not add up: a total off by more than the rounding, negative or fractional cents, a zero-interest offer with a rate", () => {
    const q = LoanQuotesSchema.parse(computeQuotes(100_000, 12, false));
    const ask = { amountCents: 100_000, instalments: 12, zeroInterest: false };
    const base = representativeExample(q, ask)!;
    expect(isConsistent({ ...base, total: base.total + 12 })).toBe(false);
    // Within the rounding (less than a cent per instalment) is the same loan; beyond it is not.
    expect(isConsistent({ ...base, total: base.total + 11, interest: base.interest + 11, instalment: base.instalment + 1 })).toBe(true);
    expect(isConsistent({ ...base, instalment: base.instalment + 2 })).toBe(false);
    expect(isConsistent({ ...base, fees: -1, total: base.total - base.fees - 1 })).toBe(false);
    expect(isConsistent({ ...base, instalment: base.instalment + 0.5 })).toBe(false);
    expect(isConsistent({ ...base, zeroInterest: true })).toBe(false);
    expect(representativeExample({ ...q, median: { ...q.median, interest: q.median.interest + 500 } }, ask)).toBeNull();
  });
});

describe("the app's pages write offers with the widget's formatter and texts", () => {
  const lender = lenderInfo(configSchema.parse({ SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://app.example", APP_ENCRYPTION_KEY: "x" }));
  const example = representativeExample(LoanQuotesSchema.parse(computeQuotes(123_456, 12, false)), { amountCents: 123_456, instalments: 12, zeroInterest: false })!;

  it("headline, option, details and lender note, figures tagged, in both languages", () => {
    const it = offerParts(example, lender, "it");
    const text = (parts: Array<[string] | [string, string]>) => parts.map((p) => p[0]).join("");
    expect(text(it.option)).toBe(`12 rate da €\u00a0${(example.instalment / 100).toFixed(2).replace(".", ",")} · TAEG ${example.taeg.toFixed(2).replace(".", ",")}%`);
    expect(it.example.filter((p) => p.length > 1).map((p) => p[1])).toEqual(["price", "advance", "credit", "months", "n", "instalment", "tan", "taeg", "total", "interest", "fees"]);
    expect(text(it.legal)).toContain("tramite Soisy S.p.A., soggetta alla sua approvazione");
    expect(text(offerParts(example, lender, "en").quote)).toMatch(/^Pay in 12 instalments of €\d+\.\d\d with Soisy · APR \(TAEG\) \d+\.\d\d%$/);
  });

  it("the pre-approval page: the warning, one entry per quoted option, no legal note without an example", () => {
    const offers = pageOffers([{ instalments: 12, example }, { instalments: 24, example: null }], lender, "en");
    expect(offers.warning).toBe("Caution! Borrowing money costs money.");
    expect(Object.keys(offers.byInstalments)).toEqual(["12"]);
    expect(pageOffers([{ instalments: 24, example: null }], lender, "it").legal).toBeNull();
  });
});

describe("the lender's identity comes from configuration only", () => {
  const CLAIMS = [/S\.\s?p\.\s?A/i, /\b10[67]\b/, /114-?septies/i, /intermediari/i, /istituto di pagamento/i, /payment institution/i, /financial intermediary/i, /\balbo\b/i, /compass/i, /banca d'italia/i];

  it("no claim in the widget's assets, blocks, snippets and locales, nor in the app's shopper texts", () => {
    const files = [
      ...filesUnder(path.join(ROOT, "extensions/soisy-widget")),
      path.join(ROOT, "app/i18n/messages/preapproval.ts"),
      path.join(ROOT, "app/i18n/messages/widget.ts"),
      path.join(ROOT, "app/preapproval/PreapprovalPage.tsx"),
      path.join(ROOT, "app/preapproval/PageShell.tsx"),
      path.join(ROOT, "app/preapproval/InstalmentOptions.tsx"),
      path.join(ROOT, "app/components/WidgetPreview.tsx"),
    ];
    const found = files.flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return CLAIMS.filter((re) => re.test(text)).map((re) => `${path.relative(ROOT, file)}: ${re}`);
    });
    expect(found).toEqual([]);
  });

  it("LENDER_* links are https, the registration text is optional, and nothing is asserted by default", () => {
    const base = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://app.example", APP_ENCRYPTION_KEY: "x" };
    expect(configSchema.parse(base).LENDER_REGISTRATION).toBe("");
    for (const key of ["LENDER_TRANSPARENCY_URL", "LENDER_PRIVACY_URL", "LENDER_CONTACT_URL"]) {
      expect(configSchema.safeParse({ ...base, [key]: "http://lender.example/x" }).success, key).toBe(false);
      expect(configSchema.safeParse({ ...base, [key]: "javascript:alert(1)" }).success, key).toBe(false);
      expect(configSchema.safeParse({ ...base, [key]: "https://lender.example/x" }).success, key).toBe(true);
    }
    expect(configSchema.safeParse({ ...base, LENDER_NAME: "" }).success).toBe(false);
  });
});
