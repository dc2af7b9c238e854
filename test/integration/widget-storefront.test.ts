/**
 * The Shopify simulator's storefront (test/simulators/shopify/storefront.ts) over HTTP, without the app:
 * the app proxy's signature (Shopify's documented example, and what the app verifies), the blocks
 * rendered from the real liquid (texts, data attributes, the optional app-data metafield), the cart API.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAppProxyQuery } from "~/shopify/app-proxy.server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { appProxySignature } from "../simulators/shopify/storefront";

const SHOP = "store-unit.myshopify.com";
const SECRET = "storefront-unit-secret";
let sim: ShopifySimulator;
let app: http.Server;
const received: string[] = [];

beforeAll(async () => {
  app = http.createServer((req, res) => {
    received.push(req.url ?? "");
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
    res.end(JSON.stringify({ available: false, reason: "out_of_range" }));
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const port = (app.address() as AddressInfo).port;
  sim = await startShopifySimulator({
    appUrl: `http://127.0.0.1:${port}`,
    shops: [{ domain: SHOP, accessToken: "shpat_x" }],
    oauth: { clientId: "id", clientSecret: SECRET },
  });
});

afterAll(async () => {
  await sim?.close();
  await new Promise((resolve) => app?.close(resolve));
});

const get = (path: string) => fetch(`${sim.url}/shops/${SHOP}${path}`);

describe("app proxy signature", () => {
  it("matches Shopify's documented example (secret 'hush', repeated keys joined with ',')", () => {
    const query = new URLSearchParams(
      "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555",
    );
    expect(appProxySignature("hush", query)).toBe("4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb");
  });

  it("forwards /apps/soisy/* to {appUrl}/proxy/* with shop, path_prefix, timestamp, logged_in_customer_id and a signature the app accepts", async () => {
    const res = await get("/apps/soisy/quote?amount=12345&instalments=12&locale=it");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ available: false, reason: "out_of_range" });
    const url = new URL(received.at(-1)!, "http://app.invalid");
    expect(url.pathname).toBe("/proxy/quote");
    expect(url.searchParams.get("shop")).toBe(SHOP);
    expect(url.searchParams.get("path_prefix")).toBe("/apps/soisy");
    expect(url.searchParams.get("logged_in_customer_id")).toBe("");
    expect(url.searchParams.get("amount")).toBe("12345");
    expect(verifyAppProxyQuery(url.searchParams, SECRET)).toMatchObject({ ok: true, shop: SHOP });
    expect(verifyAppProxyQuery(url.searchParams, "another-secret")).toMatchObject({ ok: false });
    expect(sim.storefront.proxyRequests.at(-1)).toMatchObject({ shop: SHOP, status: 200 });
  });

  it("does not let the shopper's query spoof the shop or the signature", async () => {
    await get("/apps/soisy/quote?amount=1&shop=evil.myshopify.com&signature=00");
    const url = new URL(received.at(-1)!, "http://app.invalid");
    expect(url.searchParams.getAll("shop")).toEqual([SHOP]);
    expect(verifyAppProxyQuery(url.searchParams, SECRET)).toMatchObject({ ok: true, shop: SHOP });
  });
});

describe("product and cart pages render the real blocks", () => {
  it("product page: data attributes, the variants' prices, Italian texts and the assets", async () => {
    const html = await (await get("/products/divano-letto?variant=41002")).text();
    expect(html).toContain('data-soisy-widget="product"');
    expect(html).toContain('data-amount="249900"');
    // No instalments set on the block: the endpoint uses the shop's own setting.
    expect(html).toContain('data-instalments=""');
    expect(html).toContain(`data-endpoint="/shops/${SHOP}/apps/soisy/quote"`);
    expect(html).toContain(`data-cart="/shops/${SHOP}/cart.js"`);
    expect(html).toContain('"variants": {"41001":123456,"41002":249900,"41003":4990}');
    expect(html).toContain('"quote": "Paga in {n} rate da {instalment} con Soisy · TAEG {taeg}"');
    // The warning is in the page from the first paint, outside the dialog.
    expect(html).toMatch(/<p class="soisy-w__warn" data-soisy-warning>Attenzione! Prendere denaro in prestito costa denaro\.<\/p>/);
    expect(html).toContain("Messaggio pubblicitario con finalità promozionale");
    expect(html).toMatch(/<script src="[^"]+\/cdn\/soisy-widget\/soisy-widget\.js" defer><\/script>/);
    const js = await get("/cdn/soisy-widget/soisy-widget.js");
    expect(js.headers.get("content-type")).toContain("javascript");
    expect(await js.text()).toContain("SoisyWidget");
  });

  it("the block's instalments setting: a number from 3 to 60 is asked for (rounded); empty or out of bounds → the app's setting", async () => {
    const instalmentsOf = async (path: string) => /data-instalments="([^"]*)"/.exec(await (await get(path)).text())?.[1];
    try {
      sim.storefront.setBlockSettings(SHOP, "product-instalments", { instalments: 6 });
      expect(await instalmentsOf("/products/divano-letto")).toBe("6");
      sim.storefront.setBlockSettings(SHOP, "product-instalments", { instalments: 17.6 });
      expect(await instalmentsOf("/products/divano-letto")).toBe("18");
      for (const outside of [2, 61, 0, -12]) {
        sim.storefront.setBlockSettings(SHOP, "product-instalments", { instalments: outside });
        expect(await instalmentsOf("/products/divano-letto"), String(outside)).toBe("");
      }
      sim.storefront.setBlockSettings(SHOP, "cart-instalments", { instalments: 24 });
      sim.storefront.addToCart(SHOP, 41001, 1);
      expect(await instalmentsOf("/cart")).toBe("24");
    } finally {
      sim.storefront.setBlockSettings(SHOP, "product-instalments", null);
      sim.storefront.setBlockSettings(SHOP, "cart-instalments", null);
      sim.storefront.clearCart(SHOP);
    }
  });

  it("English with ?locale=en", async () => {
    const html = await (await get("/products/divano-letto?locale=en")).text();
    expect(html).toContain('data-locale="en"');
    expect(html).toContain('"quote": "Pay in {n} instalments of {instalment} with Soisy · APR (TAEG) {taeg}"');
    expect(html).toContain("Caution! Borrowing money costs money.");
  });

  it("the app-data metafield: not ready → no widget at all; out of range → hidden from the first paint", async () => {
    sim.storefront.setWidgetMetafield(SHOP, { ready: false, minCents: 10_000, maxCents: 1_500_000 });
    expect(await (await get("/products/divano-letto")).text()).not.toContain("data-soisy-widget");
    sim.storefront.setWidgetMetafield(SHOP, { ready: true, minCents: 10_000, maxCents: 1_500_000 });
    const below = await (await get("/products/divano-letto?variant=41003")).text();
    expect(below).toMatch(/data-soisy-widget="product"[^>]*\bhidden\b/);
    const inside = await (await get("/products/divano-letto?variant=41001")).text();
    expect(inside).toContain('data-soisy-widget="product"');
    expect(inside).not.toMatch(/data-soisy-widget="product"[^>]*\bhidden\b/);
    sim.storefront.setWidgetMetafield(SHOP, null);
    expect(await (await get("/products/divano-letto?variant=41003")).text()).not.toMatch(/data-soisy-widget="product"[^>]*\bhidden\b/);
  });

  it("renders nothing when the shopper does not pay in euros (Soisy lends in EUR only)", async () => {
    sim.storefront.setPresentmentCurrency(SHOP, "USD");
    expect(await (await get("/products/divano-letto")).text()).not.toContain("data-soisy-widget");
    sim.storefront.addToCart(SHOP, 41001, 1);
    expect(await (await get("/cart")).text()).not.toContain("data-soisy-widget");
    sim.storefront.setPresentmentCurrency(SHOP, null);
    expect(await (await get("/products/divano-letto")).text()).toContain("data-soisy-widget");
    expect(await (await get("/cart")).text()).toContain("data-soisy-widget");
    sim.storefront.clearCart(SHOP);
  });

  it("reads the metafield the app wrote on its installation with metafieldsSet (Admin API)", async () => {
    const ownerId = sim.adminApi.appInstallationId(SHOP);
    const res = await fetch(`${sim.url}${sim.adminApi.graphqlPath(SHOP)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": "shpat_x" },
      body: JSON.stringify({
        query: "mutation Set($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { field message } } }",
        variables: { m: [{ ownerId, namespace: "soisy", key: "widget", type: "json", value: JSON.stringify({ ready: false, minCents: 10_000, maxCents: 1_500_000 }) }] },
      }),
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('"userErrors":[]');
    expect(await (await get("/products/divano-letto")).text()).not.toContain("data-soisy-widget");
    sim.storefront.setWidgetMetafield(SHOP, { ready: true }); // an override wins
    expect(await (await get("/products/divano-letto")).text()).toContain("data-soisy-widget");
    sim.storefront.setWidgetMetafield(SHOP, null);
    await fetch(`${sim.url}${sim.adminApi.graphqlPath(SHOP)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": "shpat_x" },
      body: JSON.stringify({
        query: "mutation Set($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { field message } } }",
        variables: { m: [{ ownerId, namespace: "soisy", key: "widget", type: "json", value: JSON.stringify({ ready: true, minCents: 10_000, maxCents: 1_500_000 }) }] },
      }),
    });
    expect(await (await get("/products/divano-letto?variant=41003")).text()).toMatch(/data-soisy-widget="product"[^>]*\bhidden\b/);
  });

  it("cart API: add, change (by key and line), update, clear; the cart page's block gets the total", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${sim.url}/shops/${SHOP}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    await post("/cart/clear.js", {});
    expect((await post("/cart/add.js", { id: 41001, quantity: 1 })).status).toBe(200);
    expect((await post("/cart/add.js", { id: 99999, quantity: 1 })).status).toBe(422);
    await post("/cart/add.js", { items: [{ id: 43001, quantity: 2 }] });
    let cart = (await (await get("/cart.js")).json()) as { item_count: number; total_price: number };
    expect(cart).toMatchObject({ item_count: 3, total_price: 123_456 + 2 * 5_990 });
    cart = (await (await post("/cart/change.js", { id: "43001:sim", quantity: 1 })).json()) as typeof cart;
    expect(cart).toMatchObject({ item_count: 2, total_price: 123_456 + 5_990 });
    cart = (await (await post("/cart/change.js", { line: 1, quantity: 0 })).json()) as typeof cart;
    expect(cart).toMatchObject({ item_count: 1, total_price: 5_990 });
    cart = (await (await post("/cart/update.js", { updates: { "43001": 4 } })).json()) as typeof cart;
    expect(cart.total_price).toBe(4 * 5_990);
    expect((await post("/cart/change.js", { id: 41002, quantity: 1 })).status).toBe(400);
    const html = await (await get("/cart")).text();
    expect(html).toContain('data-soisy-widget="cart"');
    expect(html).toContain(`data-amount="${4 * 5_990}"`);
    await post("/cart/clear.js", {});
    expect(await (await get("/cart")).text()).toMatch(/data-soisy-widget="cart"[^>]*\bhidden\b/);
  });
});
