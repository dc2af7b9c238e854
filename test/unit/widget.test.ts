/**
 * The widget's asset (extensions/soisy-widget/assets/soisy-widget.js) loaded as the browser would,
 * in a node:vm context without a document: its pure helpers are on window.SoisyWidget.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { AvailableQuote } from "../../app/quotes/widget-quote";

const EXT = path.resolve(import.meta.dirname, "../../extensions/soisy-widget");
const JS = readFileSync(path.join(EXT, "assets/soisy-widget.js"), "utf8");

type Quote = AvailableQuote;
interface Texts {
  quote: string;
  rates: string;
  zero: string;
  example: string;
}
interface WidgetApi {
  money(cents: number, locale: string): string;
  percent(value: number, locale: string): string;
  texts(q: Quote, t: Texts, locale: string): { quote: string; rates: string; example: string };
  usable(q: unknown): boolean;
  quoteUrl(endpoint: string, amount: number, n: number | string | null, locale: string): string;
  fill(template: string, values: Record<string, unknown>): string;
}

function loadWidget(): WidgetApi {
  const window: { SoisyWidget?: WidgetApi } = {};
  vm.runInNewContext(JS, { window }, { filename: "soisy-widget.js" });
  if (!window.SoisyWidget) throw new Error("soisy-widget.js did not define window.SoisyWidget");
  return window.SoisyWidget;
}

function locale(name: string): Texts {
  const json = JSON.parse(readFileSync(path.join(EXT, "locales", name), "utf8")) as { soisy_widget: Texts };
  return json.soisy_widget;
}

const quote: Quote = {
  available: true,
  amount: 123_456,
  instalments: 12,
  zeroInterest: false,
  instalmentAmount: 10_740,
  totalRepaid: 130_480,
  tan: { min: 4.9, max: 9.9 },
  taeg: { min: 8.12, max: 13.55 },
  totalRepaidRange: { min: 128_304, max: 131_900 },
  minAmount: 10_000,
  maxAmount: 1_500_000,
};

describe("soisy-widget.js", () => {
  const w = loadWidget();

  it("is at most 4 KB gzipped", () => {
    const size = gzipSync(JS, { level: 9 }).length;
    console.log(`soisy-widget.js: ${Buffer.byteLength(JS)} bytes, ${size} bytes gzip`);
    expect(size).toBeLessThanOrEqual(4096);
    // Theme Check's AssetSizeAppBlockJavaScript (theme-app-extension config) errors above 10,000 raw bytes.
    expect(Buffer.byteLength(JS)).toBeLessThan(10_000);
  });

  it("formats money in Italian as € 1.234,56 (grouping also 4-digit amounts)", () => {
    expect(w.money(123_456, "it")).toBe("€ 1.234,56");
    expect(w.money(123_456, "it-IT")).toBe("€ 1.234,56");
    expect(w.money(8_540, "it")).toBe("€ 85,40");
    expect(w.money(5, "it")).toBe("€ 0,05");
    expect(w.money(100_000_000, "it")).toBe("€ 1.000.000,00");
    expect(w.money(-1_500, "it")).toBe("-€ 15,00");
  });

  it("formats money in English as €1,234.56", () => {
    expect(w.money(123_456, "en")).toBe("€1,234.56");
    expect(w.money(8_540, "en-GB")).toBe("€85.40");
    expect(w.money(100_000_000, "en")).toBe("€1,000,000.00");
    expect(w.money(99, "en")).toBe("€0.99");
  });

  it("formats rates with two decimals in each language", () => {
    expect(w.percent(7.9, "it")).toBe("7,90%");
    expect(w.percent(12.345, "it")).toBe("12,35%");
    expect(w.percent(7.9, "en")).toBe("7.90%");
    expect(w.percent(0, "en")).toBe("0.00%");
  });

  it("writes the Italian quote, TAN/TAEG range and total due from locales/it.json", () => {
    const s = w.texts(quote, locale("it.json"), "it");
    expect(s.quote).toBe("Paga in 12 rate da € 107,40 con Soisy");
    expect(s.rates).toBe("TAN 4,90%\u00a0– 9,90%, TAEG 8,12%\u00a0– 13,55%. Importo totale dovuto € 1.283,04\u00a0– € 1.319,00.");
    expect(s.example).toContain("importo finanziato € 1.234,56 in 12 rate mensili da € 107,40");
    expect(s.example).toContain("importo totale dovuto € 1.304,80");
  });

  it("writes the English texts from locales/en.default.json", () => {
    const s = w.texts(quote, locale("en.default.json"), "en");
    expect(s.quote).toBe("Pay in 12 instalments of €107.40 with Soisy");
    expect(s.rates).toBe("TAN 4.90%\u00a0– 9.90%, TAEG (APR) 8.12%\u00a0– 13.55%. Total amount due €1,283.04\u00a0– €1,319.00.");
    expect(s.example).toContain("amount financed €1,234.56 in 12 monthly instalments of €107.40");
  });

  it("keeps a range's first value with its dash (no-break space before –)", () => {
    expect(w.texts(quote, locale("it.json"), "it").rates).toContain("4,90%\u00a0– 9,90%");
  });

  it("shows single values when min = max, and the zero-interest line", () => {
    const zero: Quote = {
      ...quote,
      zeroInterest: true,
      instalmentAmount: 10_288,
      totalRepaid: 123_456,
      tan: { min: 0, max: 0 },
      taeg: { min: 0, max: 0 },
      totalRepaidRange: { min: 123_456, max: 123_456 },
    };
    expect(w.texts(zero, locale("it.json"), "it").rates).toBe("Tasso zero: TAN 0%, TAEG 0%. Importo totale dovuto € 1.234,56.");
    expect(w.texts(zero, locale("en.default.json"), "en").rates).toBe("Zero interest: TAN 0%, TAEG (APR) 0%. Total amount due €1,234.56.");
  });

  it("only shows complete available answers", () => {
    expect(w.usable(quote)).toBe(true);
    expect(w.usable({ available: false, reason: "out_of_range" })).toBe(false);
    expect(w.usable({ available: false, reason: "soisy_unavailable" })).toBe(false);
    expect(w.usable(null)).toBe(false);
    expect(w.usable({ ...quote, tan: null })).toBe(false);
    expect(w.usable({ ...quote, instalmentAmount: "107.40" })).toBe(false);
    expect(w.usable({ ...quote, totalRepaidRange: { min: 1, max: Number.NaN } })).toBe(false);
  });

  it("builds the endpoint URL (app proxy path or a URL with a query already)", () => {
    expect(w.quoteUrl("/apps/soisy/quote", 12_345, 12, "it")).toBe("/apps/soisy/quote?amount=12345&instalments=12&locale=it");
    expect(w.quoteUrl("/app/widget-preview?lang=en", 100_000, "6", "en")).toBe("/app/widget-preview?lang=en&amount=100000&instalments=6&locale=en");
    // Only the two languages the widget writes (the endpoint validates the locale).
    expect(w.quoteUrl("/apps/soisy/quote", 100, 12, "zh-Hant-TW")).toBe("/apps/soisy/quote?amount=100&instalments=12&locale=en");
    expect(w.quoteUrl("/apps/soisy/quote", 100, 12, "it-IT")).toBe("/apps/soisy/quote?amount=100&instalments=12&locale=it");
    // No block setting: no instalments asked for (the shop's settings decide).
    expect(w.quoteUrl("/apps/soisy/quote", 100, "", "it")).toBe("/apps/soisy/quote?amount=100&locale=it");
    expect(w.quoteUrl("/apps/soisy/quote", 100, null, "it")).toBe("/apps/soisy/quote?amount=100&locale=it");
  });

  it("leaves unknown placeholders as they are", () => {
    expect(w.fill("{a} {b}", { a: 1 })).toBe("1 {b}");
  });
});

describe("locales", () => {
  const keys = (o: object, prefix = ""): string[] =>
    Object.entries(o).flatMap(([k, v]) => (v && typeof v === "object" ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
  const read = (name: string) => JSON.parse(readFileSync(path.join(EXT, "locales", name), "utf8")) as object;

  it("Italian and English have the same keys (storefront and schema)", () => {
    expect(keys(read("it.json")).sort()).toEqual(keys(read("en.default.json")).sort());
    expect(keys(read("it.schema.json")).sort()).toEqual(keys(read("en.default.schema.json")).sort());
  });

  it("the legal note is there in both languages", () => {
    expect(JSON.stringify(read("it.json"))).toContain("Messaggio pubblicitario con finalità promozionale");
    expect(JSON.stringify(read("en.default.json"))).toContain("Advertising message for promotional purposes");
  });
});

describe("extension files (Shopify's theme app extension rules)", () => {
  const read = (p: string) => readFileSync(path.join(EXT, p), "utf8");
  const schemaOf = (block: string) => {
    const match = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(read(`blocks/${block}`));
    if (!match) throw new Error(`no schema in ${block}`);
    return JSON.parse(match[1]!) as {
      name: string;
      target: string;
      enabled_on?: { templates?: string[] };
      javascript?: string;
      stylesheet?: string;
      settings: Array<{ id: string; type: string; label: string; default?: unknown; min?: number; max?: number; step?: number; info?: string; options?: Array<{ label: string }> }>;
    };
  };
  const lookup = (tree: unknown, key: string) =>
    key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), tree);

  it("shopify.extension.toml is a theme extension", async () => {
    const { parse } = await import("smol-toml");
    const toml = parse(read("shopify.extension.toml")) as { type?: string; name?: string };
    expect(toml.type).toBe("theme");
    expect(toml.name).toBeTruthy();
  });

  it.each([
    ["product-instalments.liquid", "product"],
    ["cart-instalments.liquid", "cart"],
  ])("%s: app block for the %s template with the optional instalments setting and translated labels", (file, template) => {
    const schema = schemaOf(file);
    expect(schema.target).toBe("section");
    expect(schema.enabled_on).toEqual({ templates: [template] });
    expect(schema.javascript).toBe("soisy-widget.js");
    expect(schema.stylesheet).toBe("soisy-widget.css");
    const instalments = schema.settings.find((s) => s.id === "instalments")!;
    // A number with no default: left empty, the widget uses the instalments of the app's settings.
    expect(instalments).toMatchObject({ type: "number" });
    expect(instalments).not.toHaveProperty("default");
    const labels = [schema.name, ...schema.settings.flatMap((s) => [s.label, s.info, ...(s.options ?? []).map((o) => o.label)])].filter(
      (l): l is string => typeof l === "string",
    );
    for (const locale of ["en.default.schema.json", "it.schema.json"]) {
      const tree = JSON.parse(read(`locales/${locale}`)) as unknown;
      for (const label of labels) {
        expect(label.startsWith("t:"), label).toBe(true);
        expect(typeof lookup(tree, label.slice(2)), `${label} in ${locale}`).toBe("string");
      }
    }
  });
});
