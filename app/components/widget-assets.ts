/**
 * The theme extension's own widget assets (extensions/soisy-widget/assets, bundled into the build
 * with Vite's `?raw`) and texts, for the settings page's preview: the merchant sees the very code the
 * storefront runs. Served by app/routes/widget-assets.$file.ts under versioned URLs; linked and fed
 * by the settings page's loader (a route importing another route module is what this file avoids).
 */
import widgetCss from "../../extensions/soisy-widget/assets/soisy-widget.css?raw";
import widgetJs from "../../extensions/soisy-widget/assets/soisy-widget.js?raw";
import enLocale from "../../extensions/soisy-widget/locales/en.default.json";
import itLocale from "../../extensions/soisy-widget/locales/it.json";
import type { WidgetTexts } from "./WidgetPreview";

/** FNV-1a 32-bit, hex (no node:crypto: this module may be bundled for the browser too). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

export const ASSETS = {
  "soisy-widget.js": { body: widgetJs, type: "text/javascript; charset=utf-8" },
  "soisy-widget.css": { body: widgetCss, type: "text/css; charset=utf-8" },
} as const;
export type AssetName = keyof typeof ASSETS;

export const VERSIONS = Object.fromEntries(Object.entries(ASSETS).map(([name, a]) => [name, fnv1a(a.body)])) as Record<AssetName, string>;

/** The versioned URL of an asset (what the preview links to). */
export function widgetAssetHref(name: AssetName): string {
  return `/widget-assets/${name}?v=${VERSIONS[name]}`;
}

/** The storefront texts of the widget (the extension's locales) for the preview, from the server. */
export function widgetTexts(locale: "it" | "en"): WidgetTexts {
  return (locale === "it" ? itLocale : enLocale).soisy_widget;
}
