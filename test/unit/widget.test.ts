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
type Part = [string] | [string, string];
interface Texts {
  quote: string;
  quote_zero: string;
  example: string;
  legal: string;
}
interface WidgetApi {
  money(cents: number, locale: string): string;
  percent(value: number, locale: string): string;
  parts(template: string, values: Record<string, unknown>): Part[];
  texts(q: Quote, t: Texts, locale: string): { quote: Part[]; example: Part[]; legal: Part[] };
  usable(q: unknown): boolean;
  quoteUrl(endpoint: string, amount: number, n: number | string | null, locale: string): string;
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

/** 12 × €\u00a0107,40 + €\u00a016,00 stamp duty = €\u00a01.304,80; interest €\u00a054,24 on €\u00a01.234,56. */
const quote: Quote = {
  available: true,
  amount: 123_456,
  instalments: 12,
  zeroInterest: false,
  example: {
    profile: "median",
    cashPrice: 123_456,
    advance: 0,
    credit: 123_456,
    instalments: 12,
    months: 12,
    instalment: 10_740,
    tan: 7.9,
    taeg: 9.12,
    interest: 5_424,
    fees: 1_600,
    total: 130_480,
    zeroInterest: false,
  },
  lender: { name: "Prestatore S.p.A.", registration: "iscritto al registro X n. 1", transparencyUrl: "https://lender.example/t", privacyUrl: "https://lender.example/p", contactUrl: "https://lender.example/c" },
  minAmount: 10_000,
  maxAmount: 1_500_000,
};
const text = (parts: Part[]) => parts.map((p) => p[0]).join("");
const fields = (parts: Part[]) => Object.fromEntries(parts.filter((p) => p.length > 1).map((p) => [p[1], p[0]]));

describe("soisy-widget.js", () => {
  const w = loadWidget();

  it("is at most 4 KB gzipped", () => {
    const size = gzipSync(JS, { level: 9 }).length;
    console.log(`soisy-widget.js: ${Buffer.byteLength(JS)} bytes, ${size} bytes gzip`);
    expect(size).toBeLessThanOrEqual(4096);
    // Theme Check's AssetSizeAppBlockJavaScript (theme-app-extension config) errors above 10,000 raw bytes.
    expect(Buffer.byteLength(JS)).toBeLessThan(10_000);
  });

  it("formats money in Italian as €\u00a01.234,56 (grouping also 4-digit amounts)", () => {
    expect(w.money(123_456, "it")).toBe("€\u00a01.234,56");
    expect(w.money(123_456, "it-IT")).toBe("€\u00a01.234,56");
    expect(w.money(8_540, "it")).toBe("€\u00a085,40");
    expect(w.money(5, "it")).toBe("€\u00a00,05");
    expect(w.money(100_000_000, "it")).toBe("€\u00a01.000.000,00");
    expect(w.money(-1_500, "it")).toBe("-€\u00a015,00");
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

  it("writes one representative example in Italian (locales/it.json): headline with the TAEG, every field, the lender", () => {
    const s = w.texts(quote, locale("it.json"), "it");
    expect(text(s.quote)).toBe("Paga in 12 rate da €\u00a0107,40 con Soisy · TAEG 9,12%");
    expect(text(s.example)).toBe(
      "Esempio rappresentativo: prezzo in contanti €\u00a01.234,56, anticipo €\u00a00,00; importo totale del credito €\u00a01.234,56; durata 12 mesi, 12 rate mensili da €\u00a0107,40; TAN fisso 7,90%; TAEG 9,12%; importo totale dovuto €\u00a01.304,80, che comprende interessi €\u00a054,24 e imposta di bollo e spese €\u00a016,00.",
    );
    expect(text(s.legal)).toContain("tramite Prestatore S.p.A., iscritto al registro X n. 1, soggetta alla sua approvazione");
  });

  it("tags every figure with its field (the pages measure the TAEG's prominence by it)", () => {
    const s = w.texts(quote, locale("en.default.json"), "en");
    expect(fields(s.quote)).toEqual({ n: "12", instalment: "€107.40", taeg: "9.12%" });
    expect(fields(s.example)).toEqual({
      price: "€1,234.56",
      advance: "€0.00",
      credit: "€1,234.56",
      months: "12",
      n: "12",
      instalment: "€107.40",
      tan: "7.90%",
      taeg: "9.12%",
      total: "€1,304.80",
      interest: "€54.24",
      fees: "€16.00",
    });
    expect(text(s.quote)).toBe("Pay in 12 instalments of €107.40 with Soisy · APR (TAEG) 9.12%");
  });

  it("zero interest: the headline says so and states TAN 0 % and TAEG 0 %; the details are the same fields", () => {
    const zero: Quote = { ...quote, zeroInterest: true, example: { ...quote.example, zeroInterest: true, instalment: 10_288, tan: 0, taeg: 0, interest: 0, fees: 0, total: 123_456 } };
    const it = w.texts(zero, locale("it.json"), "it");
    expect(text(it.quote)).toBe("Paga in 12 rate da €\u00a0102,88 a tasso zero con Soisy · TAN 0,00% · TAEG 0,00%");
    expect(fields(it.example)).toMatchObject({ tan: "0,00%", taeg: "0,00%", total: "€\u00a01.234,56", interest: "€\u00a00,00" });
    expect(text(w.texts(zero, locale("en.default.json"), "en").quote)).toBe("Pay in 12 interest-free instalments of €102.88 with Soisy · fixed rate (TAN) 0.00% · APR (TAEG) 0.00%");
  });

  it("names no lender registration when none is configured", () => {
    const s = w.texts({ ...quote, lender: { ...quote.lender!, registration: "" } }, locale("it.json"), "it");
    expect(text(s.legal)).toContain("tramite Prestatore S.p.A., soggetta");
  });

  it("only shows complete available answers", () => {
    expect(w.usable(quote)).toBe(true);
    expect(w.usable({ available: false, reason: "out_of_range" })).toBe(false);
    expect(w.usable({ available: false, reason: "soisy_unavailable" })).toBe(false);
    expect(w.usable(null)).toBe(false);
    expect(w.usable({ ...quote, example: undefined })).toBe(false);
    expect(w.usable({ ...quote, example: { ...quote.example, taeg: null } })).toBe(false);
    expect(w.usable({ ...quote, example: { ...quote.example, instalment: "107.40" } })).toBe(false);
    expect(w.usable({ ...quote, example: { ...quote.example, total: Number.NaN } })).toBe(false);
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
    expect(w.parts("{a} {b}", { a: 1 })).toEqual([["1", "a"], [" "], ["{b}"]]);
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
