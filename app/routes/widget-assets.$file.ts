/**
 * `GET /widget-assets/soisy-widget.js|css?v=<version>` — the theme extension's own widget assets
 * (extensions/soisy-widget/assets, bundled into the build with Vite's `?raw`), for the settings
 * page's preview: the merchant sees the very code the storefront runs. Versioned URLs → cached for a
 * year (`immutable`); the ETag answers revalidations without a body.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import widgetCss from "../../extensions/soisy-widget/assets/soisy-widget.css?raw";
import widgetJs from "../../extensions/soisy-widget/assets/soisy-widget.js?raw";
import enLocale from "../../extensions/soisy-widget/locales/en.default.json";
import itLocale from "../../extensions/soisy-widget/locales/it.json";
import type { WidgetTexts } from "~/components/WidgetPreview";

/** FNV-1a 32-bit, hex (no node:crypto: this module may be bundled for the browser too). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

const ASSETS = {
  "soisy-widget.js": { body: widgetJs, type: "text/javascript; charset=utf-8" },
  "soisy-widget.css": { body: widgetCss, type: "text/css; charset=utf-8" },
} as const;
type AssetName = keyof typeof ASSETS;

const VERSIONS = Object.fromEntries(Object.entries(ASSETS).map(([name, a]) => [name, fnv1a(a.body)])) as Record<AssetName, string>;

/** The versioned URL of an asset (what the preview links to). */
export function widgetAssetHref(name: AssetName): string {
  return `/widget-assets/${name}?v=${VERSIONS[name]}`;
}

/** The storefront texts of the widget (the extension's locales) for the preview, from the server. */
export function widgetTexts(locale: "it" | "en"): WidgetTexts {
  return (locale === "it" ? itLocale : enLocale).soisy_widget;
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const name = params.file ?? "";
  if (!Object.prototype.hasOwnProperty.call(ASSETS, name)) {
    return new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  }
  const asset = ASSETS[name as AssetName];
  const etag = `"${VERSIONS[name as AssetName]}"`;
  const version = new URL(request.url).searchParams.get("v");
  // Only the current version may be cached for a year; an old or missing ?v= revalidates.
  const cacheControl = version === VERSIONS[name as AssetName] ? "public, max-age=31536000, immutable" : "public, max-age=0, must-revalidate";
  const headers = { "Content-Type": asset.type, "Cache-Control": cacheControl, ETag: etag, "X-Content-Type-Options": "nosniff" };
  if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  return new Response(asset.body, { headers });
}
