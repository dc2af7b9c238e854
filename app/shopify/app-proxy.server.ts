/**
 * Verifies requests that reach the app through Shopify's app proxy (storefront
 * `https://{shop}/apps/soisy/...` → `GET /proxy/...?shop=&path_prefix=&timestamp=&logged_in_customer_id=&signature=`).
 *
 * Shopify's documented algorithm ("Authenticate app proxies"): take every query parameter except
 * `signature`; a parameter given several times becomes `key=v1,v2` (values in the order received);
 * sort these `key=value` strings and concatenate them WITHOUT a separator; the signature is the
 * hex HMAC-SHA256 of that string keyed with the app's API secret (client secret). The sort is the
 * plain code-unit sort of the `key=value` strings, like the reference code in Shopify's docs
 * (`.sort.join` in Ruby) — the same as sorting by key unless one key is a prefix of another.
 *
 * Hand-written rather than the library's because, on the quote endpoint's hit path:
 * - `authenticate.public.appProxy` (shopify-app-remix) also loads the shop's offline session from
 *   the database on every request, which the quote endpoint does not need;
 * - `shopify.api.utils.validateHmac(..., { signator: "appProxy" })` hard-codes a 90 s timestamp
 *   tolerance, sorts with `localeCompare` (locale-dependent, not Shopify's byte order), compares
 *   with a JavaScript loop and goes through async Web Crypto. Here: synchronous node:crypto,
 *   `crypto.timingSafeEqual` on two 32-byte buffers, a stated 5-minute skew.
 *
 * Besides the signature: `timestamp` must be within ±5 minutes of our clock (a signed URL leaked
 * from a page cannot be replayed for long; 5 min tolerates ordinary clock drift), and `shop` must be
 * a `*.myshopify.com` domain. `signature`, `shop` and `timestamp` must appear once.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const APP_PROXY_MAX_SKEW_SECONDS = 300;

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,99}\.myshopify\.com$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const SINGLE_VALUE_PARAMS = ["signature", "shop", "timestamp"] as const;

export type AppProxyFailure =
  | "missing_signature"
  | "malformed_signature"
  | "bad_signature"
  | "duplicate_parameter"
  | "bad_timestamp"
  | "stale_timestamp"
  | "bad_shop";

export type AppProxyVerification =
  | { ok: true; shop: string; timestamp: number; pathPrefix: string | null; loggedInCustomerId: string | null }
  | { ok: false; reason: AppProxyFailure };

export function isShopDomain(value: string): boolean {
  return SHOP_DOMAIN.test(value);
}

/** The string Shopify signs: `key=value` per parameter (repeated values joined by ","), sorted, concatenated. */
export function appProxySignedString(params: URLSearchParams): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    const values = grouped.get(key);
    if (values) values.push(value);
    else grouped.set(key, [value]);
  }
  const pieces = [...grouped].map(([key, values]) => `${key}=${values.join(",")}`);
  pieces.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return pieces.join("");
}

/** Hex HMAC-SHA256 of the signed string with the app's API secret (what Shopify puts in `signature`). */
export function appProxySignature(params: URLSearchParams, secret: string): string {
  return createHmac("sha256", secret).update(appProxySignedString(params), "utf8").digest("hex");
}

/** Verifies an app-proxy query string. Never throws. */
export function verifyAppProxyQuery(
  params: URLSearchParams,
  secret: string,
  options: { nowMs?: number; maxSkewSeconds?: number } = {},
): AppProxyVerification {
  if (!secret) throw new Error("verifyAppProxyQuery: the app's API secret is required");
  const signatures = params.getAll("signature");
  if (signatures.length === 0 || signatures[0] === "") return { ok: false, reason: "missing_signature" };
  for (const name of SINGLE_VALUE_PARAMS) {
    if (params.getAll(name).length > 1) return { ok: false, reason: "duplicate_parameter" };
  }
  const given = signatures[0]!;
  if (!HEX_SHA256.test(given)) return { ok: false, reason: "malformed_signature" };
  const expected = Buffer.from(appProxySignature(params, secret), "hex");
  const received = Buffer.from(given, "hex");
  // Both are 32 bytes here (the regex above), as timingSafeEqual requires.
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: "bad_signature" };
  }

  const timestampText = params.get("timestamp") ?? "";
  if (!/^[0-9]{1,12}$/.test(timestampText)) return { ok: false, reason: "bad_timestamp" };
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > (options.maxSkewSeconds ?? APP_PROXY_MAX_SKEW_SECONDS)) {
    return { ok: false, reason: "stale_timestamp" };
  }
  const shop = params.get("shop") ?? "";
  if (!isShopDomain(shop)) return { ok: false, reason: "bad_shop" };
  return {
    ok: true,
    shop,
    timestamp,
    pathPrefix: params.get("path_prefix"),
    loggedInCustomerId: params.get("logged_in_customer_id") || null,
  };
}

/** Signs a query the way Shopify's proxy does (tests, the load script, local tools). */
export function signAppProxyQuery(params: URLSearchParams, secret: string): URLSearchParams {
  const signed = new URLSearchParams(params);
  signed.delete("signature");
  signed.append("signature", appProxySignature(signed, secret));
  return signed;
}
