/**
 * The Shopify simulator's OAuth (consent page, code exchange, refresh grant), checked with
 * @shopify/shopify-api's own HMAC validation so the app's library accepts what the simulator signs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { PAYMENTS_APPS_DOCUMENTS, startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { oauthCallbackHmac } from "../simulators/shopify/oauth";

const CLIENT_ID = "unit-client-id";
const SECRET = "unit-client-secret";
const APP = "http://127.0.0.1:9/";
const SHOP = "fresh-install.myshopify.com";
let sim: ShopifySimulator;

beforeAll(async () => {
  sim = await startShopifySimulator({ appUrl: APP, oauth: { clientId: CLIENT_ID, clientSecret: SECRET } });
});
afterAll(() => sim?.close());

const authorizeQuery = (overrides: Record<string, string> = {}) =>
  new URLSearchParams({
    client_id: CLIENT_ID,
    scope: "write_payment_gateways,write_payment_sessions",
    redirect_uri: `${APP}auth/callback`,
    state: "state-123",
    "grant_options[]": "",
    ...overrides,
  });

async function consent(shop = SHOP): Promise<URL> {
  const res = await fetch(sim.authorizeUrl(shop), { method: "POST", body: authorizeQuery(), redirect: "manual" });
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location")!);
}

async function token(shop: string, body: Record<string, string>) {
  const res = await fetch(`${sim.url}/shops/${shop}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** HTTP status of a paymentsAppConfigure with this token; 200 only when the mutation ran. */
async function configure(shop: string, accessToken: string): Promise<number> {
  const res = await fetch(sim.graphqlUrl(shop), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": accessToken },
    body: JSON.stringify({ query: PAYMENTS_APPS_DOCUMENTS.paymentsAppConfigure, variables: { externalHandle: "x", ready: false } }),
  });
  if (res.status !== 200) return res.status;
  const body = (await res.json()) as { data?: { paymentsAppConfigure?: { userErrors: unknown[] } } };
  expect(body.data?.paymentsAppConfigure?.userErrors).toEqual([]);
  return 200;
}

describe("Shopify simulator OAuth", () => {
  it("renders the Italian/English consent page with the requested scopes", async () => {
    const res = await fetch(`${sim.authorizeUrl(SHOP)}?${authorizeQuery()}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Installa l'app");
    expect(html).toContain("Install app");
    expect(html).toContain("write_payment_sessions");
    expect(html).toContain(SHOP);
  });

  it("refuses an unknown client_id, a redirect_uri outside the app and a bad shop domain", async () => {
    expect((await fetch(`${sim.authorizeUrl(SHOP)}?${authorizeQuery({ client_id: "other" })}`)).status).toBe(400);
    expect((await fetch(`${sim.authorizeUrl(SHOP)}?${authorizeQuery({ redirect_uri: "https://evil.example/cb" })}`)).status).toBe(400);
    expect((await fetch(`${sim.authorizeUrl("not_a_shop.example.com")}?${authorizeQuery()}`)).status).toBe(400);
  });

  it("redirects to the app with a callback query the Shopify library validates", async () => {
    const callback = await consent();
    expect(`${callback.origin}${callback.pathname}`).toBe(`${APP}auth/callback`);
    const query = Object.fromEntries(callback.searchParams);
    expect(Object.keys(query).sort()).toEqual(["code", "hmac", "host", "shop", "state", "timestamp"]);
    expect(query.shop).toBe(SHOP);
    expect(query.state).toBe("state-123");
    expect(Buffer.from(query.host!, "base64").toString()).toBe("admin.shopify.com/store/fresh-install");

    const api = shopifyApi({
      apiKey: CLIENT_ID,
      apiSecretKey: SECRET,
      apiVersion: ApiVersion.April26,
      hostName: "127.0.0.1:9",
      hostScheme: "http",
      isEmbeddedApp: false,
      logger: { level: 0 },
    });
    expect(await api.utils.validateHmac(query)).toBe(true);
    expect(await api.utils.validateHmac({ ...query, state: "tampered" })).toBe(false);
    expect(oauthCallbackHmac("wrong-secret", query)).not.toBe(query.hmac);
  });

  it("exchanges a code once for an expiring token + refresh token the GraphQL endpoint accepts", async () => {
    const code = (await consent()).searchParams.get("code")!;
    expect((await token(SHOP, { client_id: CLIENT_ID, client_secret: "wrong", code, expiring: "1" })).status).toBe(401);
    const ok = await token(SHOP, { client_id: CLIENT_ID, client_secret: SECRET, code, expiring: "1" });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ scope: "write_payment_gateways,write_payment_sessions", expires_in: 3600, refresh_token_expires_in: 7776000 });
    expect(ok.body.access_token).toMatch(/^shpat_/);
    expect(ok.body.refresh_token).toMatch(/^shprt_/);
    const again = await token(SHOP, { client_id: CLIENT_ID, client_secret: SECRET, code, expiring: "1" });
    expect(again.status).toBe(400);
    expect(sim.shop(SHOP)?.accessToken).toBe(ok.body.access_token);
    expect(await configure(SHOP, ok.body.access_token as string)).toBe(200);
    expect(await configure(SHOP, "shpat_guess")).toBe(401);

    // Refresh: a new token replaces the old one; the refresh token is single use.
    const refresh = { client_id: CLIENT_ID, client_secret: SECRET, grant_type: "refresh_token", refresh_token: ok.body.refresh_token as string };
    const refreshed = await token(SHOP, refresh);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(ok.body.access_token);
    expect(refreshed.body.refresh_token).not.toBe(ok.body.refresh_token);
    expect(await configure(SHOP, refreshed.body.access_token as string)).toBe(200);
    expect(await configure(SHOP, ok.body.access_token as string)).toBe(401);
    expect((await token(SHOP, refresh)).status).toBe(400);
    expect(sim.oauthTokenRequests.map((r) => [r.grantType, r.status])).toEqual([
      ["authorization_code", 401],
      ["authorization_code", 200],
      ["authorization_code", 400],
      ["refresh_token", 200],
      ["refresh_token", 400],
    ]);
  });

  it("answers a non-expiring token without refresh fields when expiring=0", async () => {
    const code = (await consent("plain-install.myshopify.com")).searchParams.get("code")!;
    const ok = await token("plain-install.myshopify.com", { client_id: CLIENT_ID, client_secret: SECRET, code, expiring: "0" });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(["access_token", "scope"]);
    // A code is bound to its shop.
    const other = (await consent()).searchParams.get("code")!;
    expect((await token("plain-install.myshopify.com", { client_id: CLIENT_ID, client_secret: SECRET, code: other })).status).toBe(400);
  });
});
