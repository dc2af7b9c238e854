/**
 * Local-only override of where a shop's admin is: `SHOPIFY_ADMIN_URL`, a template with `{shop}`, e.g.
 * `http://127.0.0.1:4200/shops/{shop}` (the Shopify simulator). Unset (production) nothing changes.
 * When set:
 * 1. the server-side requests @shopify/shopify-api makes to `https://{shop}/admin/...` (OAuth code exchange,
 *    refresh grant) go to `{template with shop}/admin/...`;
 * 2. the browser redirects the library throws to `https://{shop}/admin/...` (OAuth authorize) are rewritten
 *    the same way, so the merchant lands on the simulator's consent page.
 */
import { abstractFetch, setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

const SHOP_HOST = /^[a-zA-Z0-9][a-zA-Z0-9-_]*\.(myshopify\.com|myshopify\.io|shop\.dev|shopify\.com)$/;

/** The template, or null when the override is off (blank or unset). Throws on a template without `{shop}`. */
export function adminUrlTemplate(env: Record<string, string | undefined> = process.env): string | null {
  const raw = env.SHOPIFY_ADMIN_URL?.trim();
  if (!raw) return null;
  if (!raw.includes("{shop}") || !/^https?:\/\//.test(raw)) {
    throw new Error(`SHOPIFY_ADMIN_URL must be an http(s) URL containing {shop}, got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}

/** `https://{shop}/admin/...` → `{template}/admin/...`; any other URL is returned unchanged. */
export function rewriteAdminUrl(url: string, template: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.protocol !== "https:" || !SHOP_HOST.test(parsed.hostname) || parsed.port !== "") return url;
  if (parsed.pathname !== "/admin" && !parsed.pathname.startsWith("/admin/")) return url;
  return `${template.replace("{shop}", encodeURIComponent(parsed.hostname))}${parsed.pathname}${parsed.search}`;
}

/** A copy of a redirect Response whose Location points at the overridden admin; other values unchanged. */
export function rewriteAdminRedirect<T>(value: T, template: string): T {
  if (!(value instanceof Response)) return value;
  const location = value.headers.get("location");
  if (!location) return value;
  const rewritten = rewriteAdminUrl(location, template);
  if (rewritten === location) return value;
  const headers = new Headers(value.headers);
  headers.set("location", rewritten);
  return new Response(value.body, { status: value.status, statusText: value.statusText, headers }) as T;
}

let installedFor: string | null = null;

/** Wraps the Shopify runtime's fetch once (the node adapter must be imported first). */
export function installAdminFetchOverride(template: string): void {
  if (installedFor !== null) {
    if (installedFor !== template) throw new Error("SHOPIFY_ADMIN_URL changed after the fetch override was installed");
    return;
  }
  const original = abstractFetch;
  setAbstractFetchFunc((input, init) => {
    if (typeof input === "string") return original(rewriteAdminUrl(input, template), init);
    if (input instanceof URL) return original(rewriteAdminUrl(input.href, template), init);
    return original(input, init);
  });
  installedFor = template;
}

/** Runs `fn`; a thrown or returned redirect to the shop's admin is rewritten to the override. */
export async function withAdminRedirects<T>(template: string | null, fn: () => Promise<T>): Promise<T> {
  if (!template) return fn();
  try {
    return rewriteAdminRedirect(await fn(), template);
  } catch (error) {
    throw rewriteAdminRedirect(error, template);
  }
}
