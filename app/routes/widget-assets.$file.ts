/**
 * `GET /widget-assets/soisy-widget.js|css?v=<version>` — the theme extension's own widget assets
 * (app/components/widget-assets.ts), for the settings page's preview. Versioned URLs → cached for a
 * year (`immutable`); the ETag answers revalidations without a body.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { ASSETS, VERSIONS, type AssetName } from "~/components/widget-assets";

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
