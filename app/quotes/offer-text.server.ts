/**
 * The offer's texts for the app's own pages (the in-store pre-approval page), written by the very
 * formatter and texts the storefront widget uses: the widget's script
 * (extensions/soisy-widget/assets/soisy-widget.js) runs here in a node:vm context without a document,
 * where it only defines its pure helpers, and its texts come from the extension's locales. One
 * formatter and one set of texts, so a shopper reads the same figures, in the same words, on the
 * product page, in the settings preview and in the shop (docs/compliance.md). A TypeScript copy of the
 * formatter would be simpler to call but could drift from the storefront's.
 */
import vm from "node:vm";
import widgetJs from "../../extensions/soisy-widget/assets/soisy-widget.js?raw";
import enLocale from "../../extensions/soisy-widget/locales/en.default.json";
import itLocale from "../../extensions/soisy-widget/locales/it.json";
import type { RepresentativeExample } from "./representative-example";
import type { LenderInfo } from "./widget-quote";

/** A piece of text; with a field name when it is one of the example's figures (`taeg`, `instalment`, …). */
export type OfferPart = [text: string] | [text: string, field: string];

export interface OfferParts {
  /** The headline: "Paga in 12 rate da € 88,50 con Soisy · TAEG 9,12%". */
  quote: OfferPart[];
  /** An instalment option's title on the in-store page: "12 rate da € 88,50 · TAEG 9,12%". */
  option: OfferPart[];
  /** Every figure of the representative example. */
  example: OfferPart[];
  /** The lender's note (who lends, subject to approval, SECCI). */
  legal: OfferPart[];
}

export type OfferLocale = "it" | "en";
export type OfferTexts = (typeof itLocale)["soisy_widget"];

interface WidgetFormatter {
  texts(q: { example: RepresentativeExample; lender: LenderInfo }, t: OfferTexts, locale: string): OfferParts;
}

let formatter: WidgetFormatter | null = null;

function widgetFormatter(): WidgetFormatter {
  if (formatter) return formatter;
  const window: { SoisyWidget?: WidgetFormatter } = {};
  vm.runInNewContext(widgetJs, { window }, { filename: "soisy-widget.js", timeout: 1_000 });
  if (!window.SoisyWidget?.texts) throw new Error("soisy-widget.js did not define SoisyWidget.texts");
  formatter = window.SoisyWidget;
  return formatter;
}

/** The widget's texts (the extension's locales) in a language. */
export function offerTexts(locale: OfferLocale): OfferTexts {
  return (locale === "it" ? itLocale : enLocale).soisy_widget;
}

/** The headline, details and lender note of one representative example, as the widget writes them. */
export function offerParts(example: RepresentativeExample, lender: LenderInfo, locale: OfferLocale): OfferParts {
  const parts = widgetFormatter().texts({ example, lender }, offerTexts(locale), locale);
  // Plain arrays of plain strings (the vm's arrays are another realm's: copy them for JSON and React).
  const copy = (list: OfferPart[]): OfferPart[] => list.map((p) => (p.length > 1 ? [String(p[0]), String(p[1])] : [String(p[0])]));
  return { quote: copy(parts.quote), option: copy(parts.option), example: copy(parts.example), legal: copy(parts.legal) };
}

/** What the in-store pre-approval page shows around its instalment options. */
export interface PageOffers {
  /** "Attenzione! Prendere denaro in prestito costa denaro." */
  warning: string;
  /** The lender's note (null when no option has an example). */
  legal: OfferPart[] | null;
  /** Headline and details per number of instalments (only those Soisy quoted). */
  byInstalments: Record<number, Pick<OfferParts, "option" | "example">>;
}

export function pageOffers(options: { instalments: number; example: RepresentativeExample | null }[], lender: LenderInfo, locale: OfferLocale): PageOffers {
  const byInstalments: PageOffers["byInstalments"] = {};
  let legal: OfferPart[] | null = null;
  for (const o of options) {
    if (!o.example) continue;
    const parts = offerParts(o.example, lender, locale);
    byInstalments[o.instalments] = { option: parts.option, example: parts.example };
    legal = parts.legal;
  }
  return { warning: offerTexts(locale).warning, legal, byInstalments };
}
