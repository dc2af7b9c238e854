/**
 * Shopify's OAuth authorization code grant for a public app, as the simulator plays it:
 * - `GET  /shops/{shop}/admin/oauth/authorize` — the merchant's consent page ("Installa l'app / Install app");
 * - `POST /shops/{shop}/admin/oauth/authorize` — the consent: redirects to the app's `redirect_uri` with
 *   `code`, `hmac`, `host`, `shop`, `state`, `timestamp` (HMAC-SHA256 hex of the sorted query, keyed with the
 *   app's API secret, as @shopify/shopify-api validates it);
 * - `POST /shops/{shop}/admin/oauth/access_token` — code exchange (one use; `expiring=1` asks for an expiring
 *   offline token + refresh token) and `grant_type=refresh_token`.
 * An issued access token becomes the shop's token for the Payments Apps GraphQL endpoint (replacing the old one).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendHtml, sendJson } from "./http";
import { consentPage, oauthErrorPage } from "./pages";
import type { OAuthTokenRequest, ShopifyOAuthOptions, ShopInput, SimShop } from "./types";

export const AUTHORIZE_PATH = /^\/shops\/([^/]+)\/admin\/oauth\/authorize$/;
export const ACCESS_TOKEN_PATH = /^\/shops\/([^/]+)\/admin\/oauth\/access_token$/;
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** The admin-style HMAC @shopify/shopify-api checks on the OAuth callback. */
export function oauthCallbackHmac(secret: string, params: Record<string, string>): string {
  const query = new URLSearchParams();
  for (const key of Object.keys(params).sort((a, b) => a.localeCompare(b))) {
    if (key === "hmac" || key === "signature") continue;
    query.append(key, params[key] ?? "");
  }
  return createHmac("sha256", secret).update(query.toString().replace(/\+/g, "%20")).digest("hex");
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface Code {
  shop: string;
  scope: string;
  expiresAt: number;
  used: boolean;
}
interface Refresh {
  shop: string;
  scope: string;
  expiresAt: number;
}

export interface OAuthDeps {
  options: ShopifyOAuthOptions | undefined;
  appUrl(): string;
  now(): Date;
  shop(domain: string): SimShop | undefined;
  addShop(input: ShopInput): SimShop;
  log(line: string): void;
}

export function createOAuth(deps: OAuthDeps) {
  const codes = new Map<string, Code>();
  const refreshTokens = new Map<string, Refresh>();
  const tokenRequests: OAuthTokenRequest[] = [];
  const accessTtl = () => deps.options?.accessTokenTtlSeconds ?? 3600;
  const refreshTtl = () => deps.options?.refreshTokenTtlSeconds ?? 90 * 24 * 3600;

  /** Checks an authorize request (query or consent form); an error message for the page when invalid. */
  function checkAuthorize(shop: string, params: URLSearchParams): string | null {
    const options = deps.options;
    if (!options) return "OAuth non configurato nel simulatore / OAuth is not configured in the simulator (oauth option)";
    if (!SHOP_DOMAIN.test(shop)) return `Negozio non valido / Invalid shop: ${shop}`;
    if (params.get("client_id") !== options.clientId) return "App sconosciuta (client_id) / Unknown app (client_id)";
    let redirect: URL;
    try {
      redirect = new URL(params.get("redirect_uri") ?? "");
    } catch {
      return "redirect_uri mancante o non valido / redirect_uri missing or invalid";
    }
    if (redirect.origin !== new URL(deps.appUrl()).origin) {
      return `redirect_uri non consentito / redirect_uri not allowed: ${redirect.href}`;
    }
    if (!params.get("state")) return "state mancante / state missing";
    return null;
  }

  async function handleAuthorize(req: IncomingMessage, res: ServerResponse, shop: string, url: URL): Promise<void> {
    if (req.method === "GET") {
      const error = checkAuthorize(shop, url.searchParams);
      if (error) return sendHtml(res, 400, oauthErrorPage(error));
      const scopes = (url.searchParams.get("scope") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      return sendHtml(res, 200, consentPage({ shop, scopes, action: url.pathname, params: url.searchParams }));
    }
    if (req.method !== "POST") return sendJson(res, 405, { errors: "Method Not Allowed" }, { Allow: "GET, POST" });
    const form = new URLSearchParams(await readBody(req));
    const error = checkAuthorize(shop, form);
    if (error) return sendHtml(res, 400, oauthErrorPage(error));
    const code = randomBytes(16).toString("hex");
    codes.set(code, { shop, scope: form.get("scope") ?? "", expiresAt: deps.now().getTime() + 10 * 60_000, used: false });
    const handle = shop.replace(/\.myshopify\.com$/, "");
    const params: Record<string, string> = {
      code,
      host: Buffer.from(`admin.shopify.com/store/${handle}`).toString("base64").replace(/=+$/, ""),
      shop,
      state: form.get("state") ?? "",
      timestamp: String(Math.floor(deps.now().getTime() / 1000)),
    };
    params.hmac = oauthCallbackHmac(deps.options!.clientSecret, params);
    const target = new URL(form.get("redirect_uri")!);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    deps.log(`oauth: ${shop} consented, redirecting to ${target.origin}${target.pathname}`);
    res.writeHead(302, { Location: target.href, "Cache-Control": "no-store" });
    res.end();
  }

  function issue(shopDomain: string, scope: string, expiring: boolean) {
    const accessToken = `shpat_sim_${randomBytes(16).toString("hex")}`;
    const existing = deps.shop(shopDomain);
    const shop = existing ?? deps.addShop({ domain: shopDomain, accessToken });
    shop.accessToken = accessToken;
    // What the merchant consented to is what the token may do (the Admin API checks it).
    shop.scopes = scope.split(",").map((s) => s.trim()).filter(Boolean);
    if (!expiring) return { access_token: accessToken, scope };
    const refreshToken = `shprt_sim_${randomBytes(16).toString("hex")}`;
    refreshTokens.set(refreshToken, { shop: shopDomain, scope, expiresAt: deps.now().getTime() + refreshTtl() * 1000 });
    return {
      access_token: accessToken,
      scope,
      expires_in: accessTtl(),
      refresh_token: refreshToken,
      refresh_token_expires_in: refreshTtl(),
    };
  }

  async function handleAccessToken(req: IncomingMessage, res: ServerResponse, shop: string): Promise<void> {
    if (req.method !== "POST") return sendJson(res, 405, { errors: "Method Not Allowed" }, { Allow: "POST" });
    const raw = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = String(req.headers["content-type"] ?? "").includes("application/json")
        ? (JSON.parse(raw) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      body = {};
    }
    const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
    const grantType = str("grant_type") || "authorization_code";
    const record: OAuthTokenRequest = {
      at: deps.now().toISOString(),
      shop,
      grantType,
      expiring: str("expiring") === "1",
      status: 0,
      error: null,
    };
    tokenRequests.push(record);
    const fail = (status: number, error: string, description: string) => {
      record.status = status;
      record.error = error;
      deps.log(`oauth: token request for ${shop} refused (${error})`);
      sendJson(res, status, { error, error_description: description });
    };
    const options = deps.options;
    if (!options) return fail(404, "not_found", "OAuth is not configured in the simulator");
    if (!same(str("client_id"), options.clientId) || !same(str("client_secret"), options.clientSecret)) {
      return fail(401, "invalid_client", "Client authentication failed");
    }
    const nowMs = deps.now().getTime();
    if (grantType === "refresh_token") {
      const token = str("refresh_token");
      const grant = refreshTokens.get(token);
      if (!grant || grant.shop !== shop || grant.expiresAt <= nowMs) {
        return fail(400, "invalid_grant", "The refresh token is invalid, expired or for another shop");
      }
      refreshTokens.delete(token);
      record.expiring = true;
      record.status = 200;
      deps.log(`oauth: ${shop} refreshed its access token`);
      return sendJson(res, 200, issue(shop, grant.scope, true));
    }
    if (grantType !== "authorization_code") return fail(400, "unsupported_grant_type", `Unsupported grant_type ${grantType}`);
    const code = codes.get(str("code"));
    if (!code || code.used || code.shop !== shop || code.expiresAt <= nowMs) {
      return fail(400, "invalid_request", "The authorization code was not found or was already used");
    }
    code.used = true;
    record.status = 200;
    deps.log(`oauth: ${shop} exchanged a code (expiring: ${record.expiring})`);
    return sendJson(res, 200, issue(shop, code.scope, record.expiring));
  }

  return {
    tokenRequests,
    /** Routes /shops/{shop}/admin/oauth/*; false when the path is not an OAuth path. */
    async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
      const authorize = AUTHORIZE_PATH.exec(url.pathname);
      if (authorize) {
        await handleAuthorize(req, res, decodeURIComponent(authorize[1] ?? ""), url);
        return true;
      }
      const token = ACCESS_TOKEN_PATH.exec(url.pathname);
      if (token) {
        await handleAccessToken(req, res, decodeURIComponent(token[1] ?? ""));
        return true;
      }
      return false;
    },
  };
}
