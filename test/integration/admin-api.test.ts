/**
 * The Admin API documents the app sends (app/shopify/payment-customization.server.ts) validate against the
 * simulator's Admin API subset, and the sync against the real simulator over HTTP: create once, update
 * after, the merchant's "disabled" kept, faults, a missing scope, and the simulator's own rules.
 */
import { parse, validate } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkoutRulesWarnings } from "~/settings/checkout-rules-notice";
import { adminSchema, validateAdminDocument } from "../simulators/shopify/admin-api";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import {
  CHECKOUT_RULES_DOCUMENTS,
  CONFIG_METAFIELD,
  FUNCTION_HANDLE,
  WIDGET_METAFIELD,
  checkoutRulesConfig,
  syncCheckoutRules,
  type AdminGraphql,
} from "~/shopify/payment-customization.server";
import {
  SHOP_NAME_MAX_LENGTH,
  SHOP_PROFILE_DOCUMENTS,
  cleanShopName,
  fetchShopName,
  refreshShopName,
  shopDisplayName,
} from "~/shopify/shop-profile.server";
import { cartPaymentMethodsTransformRun } from "../../extensions/soisy-payment-customization/src/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const CLIENT_ID = "unit-client-id";
const SETTINGS = {
  ready: true,
  minAmountCents: 10_000,
  maxAmountCents: 1_500_000,
  allowedCountries: ["IT"],
  excludedProductTags: ["no-rate", "usato"],
  excludeGiftCards: true,
  widgetInstalments: 12,
};

let sim: ShopifySimulator;
let seq = 0;
let shop: string;
const TOKEN = "shpat_admin_unit";

function client(domain: string, token = TOKEN): AdminGraphql {
  return (query, options) =>
    fetch(`${sim.url}${sim.adminApi.graphqlPath(domain)}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": token },
      body: JSON.stringify({ query, variables: options?.variables }),
    });
}

beforeAll(async () => {
  sim = await startShopifySimulator({ appUrl: "http://127.0.0.1:9", oauth: { clientId: CLIENT_ID, clientSecret: "s" } });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  shop = `admin-unit-${++seq}.myshopify.com`;
  sim.addShop({ domain: shop, accessToken: TOKEN });
  sim.adminApi.clearFaults();
});

describe("Admin API documents", () => {
  it.each(Object.entries({ ...CHECKOUT_RULES_DOCUMENTS, ...SHOP_PROFILE_DOCUMENTS }))("%s validates against the Admin API subset", (_name, document) => {
    expect(validate(adminSchema(), parse(document))).toEqual([]);
  });

  it("the subset catches a wrong field or argument (so the check can fail)", () => {
    expect(validateAdminDocument("{ paymentCustomizations(first: 1) { nodes { functionHandle } } }").map((e) => e.message)).toEqual([
      expect.stringContaining('Cannot query field "functionHandle"'),
    ]);
    expect(validateAdminDocument("mutation { metafieldsSet(input: []) { userErrors { message } } }").length).toBeGreaterThan(0);
  });

  it("the simulator refuses an invalid document with GraphQL errors and applies nothing", async () => {
    const res = await client(shop)("mutation { paymentCustomizationCreate(paymentCustomization: { functionHandle: 1 }) { userErrors { message } } }");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { errors?: unknown[]; data?: unknown };
    expect(body.errors?.length).toBeGreaterThan(0);
    expect(body.data).toBeUndefined();
    expect(sim.adminApi.paymentCustomizations(shop)).toEqual([]);
  });
});

describe("syncCheckoutRules against the simulator", () => {
  it("creates one enabled customization of the app's function with the config metafield, and the widget metafield", async () => {
    const outcome = await syncCheckoutRules(client(shop), shop, SETTINGS, CLIENT_ID);
    expect(outcome).toMatchObject({ kind: "synced", created: true, enabled: true });
    const [customization, ...others] = sim.adminApi.paymentCustomizations(shop);
    expect(others).toEqual([]);
    expect(customization).toMatchObject({ enabled: true, functionId: sim.adminApi.functions.find((f) => f.handle === FUNCTION_HANDLE)!.id });
    const config = sim.adminApi.metafield(customization!.id, CONFIG_METAFIELD.namespace, CONFIG_METAFIELD.key)!;
    expect(config).toMatchObject({ type: "json", namespace: `app--${sim.adminApi.appId}--soisy` });
    expect(JSON.parse(config.value)).toEqual({
      minCents: 10_000,
      maxCents: 1_500_000,
      currency: "EUR",
      allowedCountries: ["IT"],
      excludedTags: ["no-rate", "usato"],
      excludeGiftCards: true,
    });
    const widget = sim.metafields(sim.adminApi.appInstallationId(shop));
    expect(widget.map((m) => [m.namespace, m.key, m.type, JSON.parse(m.value)])).toEqual([
      [WIDGET_METAFIELD.namespace, WIDGET_METAFIELD.key, "json", { ready: true, minCents: 10_000, maxCents: 1_500_000, instalments: 12 }],
    ]);
    // The JSON as stored is a configuration the function accepts.
    const input = {
      cart: {
        cost: { totalAmount: { amount: "80.00", currencyCode: "EUR" } },
        deliveryGroups: [{ deliveryAddress: { countryCode: "IT" } }],
        lines: [{ merchandise: { __typename: "ProductVariant", product: { isGiftCard: false, hasExcludedTag: false } } }],
      },
      paymentMethods: [{ id: "gid://shopify/PaymentCustomizationPaymentMethod/1", name: "Paga a rate con Soisy" }],
      paymentCustomization: { metafield: { jsonValue: JSON.parse(config.value) as unknown } },
    };
    expect(cartPaymentMethodsTransformRun(input).operations).toHaveLength(1);
  });

  it("a second sync updates the metafields and creates no second customization", async () => {
    await syncCheckoutRules(client(shop), shop, SETTINGS, CLIENT_ID);
    const again = await syncCheckoutRules(client(shop), shop, { ...SETTINGS, maxAmountCents: 500_000, excludedProductTags: [] }, CLIENT_ID);
    expect(again).toMatchObject({ kind: "synced", created: false });
    const list = sim.adminApi.paymentCustomizations(shop);
    expect(list).toHaveLength(1);
    const config = JSON.parse(sim.adminApi.metafield(list[0]!.id, CONFIG_METAFIELD.namespace, CONFIG_METAFIELD.key)!.value) as { maxCents: number; excludedTags: string[] };
    expect(config).toMatchObject({ maxCents: 500_000, excludedTags: [] });
    expect(sim.adminApi.calls.filter((c) => c.shop === shop).map((c) => c.operationName)).toEqual([
      "SoisyCheckoutRulesState",
      "SoisyPaymentCustomizationCreate",
      "SoisyMetafieldsSet",
      "SoisyCheckoutRulesState",
      "SoisyMetafieldsSet",
    ]);
  });

  it("keeps a customization the merchant disabled disabled", async () => {
    const first = await syncCheckoutRules(client(shop), shop, SETTINGS, CLIENT_ID);
    const id = first.kind === "synced" ? first.customizationId : "";
    const res = await client(shop)(
      `mutation { paymentCustomizationUpdate(id: "${id}", paymentCustomization: { enabled: false }) { userErrors { message } } }`,
    );
    expect(((await res.json()) as { data: { paymentCustomizationUpdate: { userErrors: unknown[] } } }).data.paymentCustomizationUpdate.userErrors).toEqual([]);
    expect(await syncCheckoutRules(client(shop), shop, SETTINGS, CLIENT_ID)).toMatchObject({ kind: "synced", created: false, enabled: false });
    expect(sim.adminApi.paymentCustomizations(shop).map((c) => c.enabled)).toEqual([false]);
  });

  it("ignores another app's customization of a function with the same handle", async () => {
    const other = await syncCheckoutRules(client(shop), shop, SETTINGS, "another-app");
    expect(other).toMatchObject({ kind: "synced", created: true });
    // The simulator's functions belong to CLIENT_ID: seen from "another-app" ours is not theirs, so they create one.
    const mine = await syncCheckoutRules(client(shop), shop, SETTINGS, CLIENT_ID);
    expect(mine).toMatchObject({ kind: "synced", created: false });
  });

  it("Shopify down (5xx) → unreachable, nothing written; a wrong token → refused", async () => {
    sim.adminApi.setFaults({ failNext: { count: 1, status: 503 } });
    expect(await syncCheckoutRules(client(shop), shop, SETTINGS, CLIENT_ID)).toEqual({ kind: "unreachable" });
    expect(sim.adminApi.paymentCustomizations(shop)).toEqual([]);
    expect(await syncCheckoutRules(client(shop, "shpat_wrong"), shop, SETTINGS, CLIENT_ID)).toMatchObject({ kind: "refused" });
    expect(checkoutRulesWarnings({ kind: "unreachable" })).toEqual([{ tone: "warning", key: "checkoutRules.syncUnreachable" }]);
    expect(checkoutRulesWarnings({ kind: "refused", detail: "x" })).toEqual([{ tone: "warning", key: "checkoutRules.syncRefused" }]);
    expect(checkoutRulesWarnings({ kind: "synced", customizationId: "x", created: false, enabled: true })).toEqual([]);
  });

  it("Shopify hanging → unreachable after the timeout (the page never hangs)", async () => {
    const hanging: AdminGraphql = () => new Promise<Response>(() => {});
    const started = Date.now();
    expect(await syncCheckoutRules(hanging, shop, SETTINGS, CLIENT_ID, 200)).toEqual({ kind: "unreachable" });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("a token granted without write_payment_customizations → ACCESS_DENIED → refused", async () => {
    sim.shop(shop)!.scopes = ["write_payment_gateways", "write_payment_sessions"];
    const outcome = await syncCheckoutRules(client(shop), shop, SETTINGS, CLIENT_ID);
    expect(outcome).toMatchObject({ kind: "refused", detail: expect.stringContaining("write_payment_customizations") });
  });

  it("the simulator's mutations: unknown function handle, invalid JSON metafield (atomic), unknown owner", async () => {
    const gql = async (query: string, variables?: Record<string, unknown>) =>
      (await (await client(shop)(query, variables ? { variables } : undefined)).json()) as { data: Record<string, { userErrors: Array<{ code: string }> }> };
    const unknown = await gql(CHECKOUT_RULES_DOCUMENTS.PAYMENT_CUSTOMIZATION_CREATE, {
      paymentCustomization: { functionHandle: "nope", title: "x", enabled: true },
    });
    expect(unknown.data.paymentCustomizationCreate!.userErrors.map((e) => e.code)).toEqual(["FUNCTION_NOT_FOUND"]);
    const installation = sim.adminApi.appInstallationId(shop);
    const bad = await gql(CHECKOUT_RULES_DOCUMENTS.METAFIELDS_SET, {
      metafields: [
        { ownerId: installation, namespace: "soisy", key: "widget", type: "json", value: "{}" },
        { ownerId: installation, namespace: "soisy", key: "other", type: "json", value: "{not json" },
        { ownerId: "gid://shopify/PaymentCustomization/999999", namespace: "soisy", key: "x", type: "json", value: "{}" },
      ],
    });
    expect(bad.data.metafieldsSet!.userErrors.map((e) => e.code)).toEqual(["INVALID_VALUE", "INVALID_VALUE"]);
    expect(sim.metafields(installation)).toEqual([]);
  });

  it("maps the settings to the function's configuration", () => {
    expect(checkoutRulesConfig(SETTINGS)).toEqual({
      minCents: 10_000,
      maxCents: 1_500_000,
      currency: "EUR",
      allowedCountries: ["IT"],
      excludedTags: ["no-rate", "usato"],
      excludeGiftCards: true,
    });
  });
});

describe("the shop's name (Admin API shop { name })", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it("the simulator answers a name derived from the domain, or the configured one, or a renamed one", async () => {
    expect(await fetchShopName(client(shop), shop)).toBe(`Admin Unit ${seq}`);
    const named = `named-${seq}.myshopify.com`;
    sim.addShop({ domain: named, accessToken: TOKEN, name: "Negozio Demo Soisy" });
    expect(await fetchShopName(client(named), named)).toBe("Negozio Demo Soisy");
    sim.shop(named)!.name = "Bottega Rossi";
    expect(await fetchShopName(client(named), named)).toBe("Bottega Rossi");
    expect(sim.adminApi.calls.filter((c) => c.operationName === "SoisyShopProfile").every((c) => c.validationErrors.length === 0 && c.status === 200)).toBe(true);
  });

  it("failures give null, never throw: 5xx, a wrong token, a hanging Shopify (timeout), an unexpected answer", async () => {
    sim.adminApi.setFaults({ failNext: { count: 1, status: 503 } });
    expect(await fetchShopName(client(shop), shop)).toBeNull();
    expect(await fetchShopName(client(shop, "shpat_wrong"), shop)).toBeNull();
    const started = Date.now();
    expect(await fetchShopName(() => new Promise<Response>(() => {}), shop, 200)).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await fetchShopName(async () => Response.json({ data: { shop: { name: 42 } } }), shop)).toBeNull();
    expect(await fetchShopName(async () => Response.json({ data: { shop: { name: " \u0000 " } } }), shop)).toBeNull();
    expect(await fetchShopName(async () => { throw new Error("GraphQL Client: Unauthorized"); }, shop)).toBeNull();
  });

  it("cleans the name: trimmed, control and bidi characters out, spaces collapsed, at most 255 characters", () => {
    expect(cleanShopName("  Bottega\n\tRossi\u202e  ")).toBe("Bottega Rossi");
    expect(cleanShopName("\u0000\u0007 ")).toBeNull();
    expect(cleanShopName('<b>"Rossi" & Figli</b>')).toBe('<b>"Rossi" & Figli</b>');
    const long = cleanShopName("é".repeat(300) + "😀")!;
    expect(Array.from(long)).toHaveLength(SHOP_NAME_MAX_LENGTH);
  });

  it("refreshShopName stores the name on the settings row; a failure keeps the stored one; display falls back to the handle", async () => {
    const db = database.db;
    // No settings row: nothing is written, nothing thrown.
    expect(await refreshShopName(db, client(shop), shop)).toBeNull();
    expect(await db.shopSettings.count({ where: { shop } })).toBe(0);
    expect(await shopDisplayName(db, shop)).toBe(`admin-unit-${seq}`);

    await db.shopSettings.create({ data: { shop } });
    expect(await shopDisplayName(db, shop)).toBe(`admin-unit-${seq}`);
    sim.shop(shop)!.name = "Bottega Rossi";
    expect(await refreshShopName(db, client(shop), shop)).toBe("Bottega Rossi");
    expect((await db.shopSettings.findUniqueOrThrow({ where: { shop } })).shopName).toBe("Bottega Rossi");
    expect(await shopDisplayName(db, shop)).toBe("Bottega Rossi");

    // onlyIfMissing: Shopify is not asked when a name is stored.
    sim.shop(shop)!.name = "Bottega Rossi & Figli";
    const before = sim.adminApi.calls.length;
    expect(await refreshShopName(db, client(shop), shop, { onlyIfMissing: true })).toBe("Bottega Rossi");
    expect(sim.adminApi.calls.length).toBe(before);
    // Shopify down: the stored name stays.
    sim.adminApi.setFaults({ failNext: { count: 1, status: 503 } });
    expect(await refreshShopName(db, client(shop), shop)).toBe("Bottega Rossi");
    expect((await db.shopSettings.findUniqueOrThrow({ where: { shop } })).shopName).toBe("Bottega Rossi");
    // A plain refresh picks up the rename.
    expect(await refreshShopName(db, client(shop), shop)).toBe("Bottega Rossi & Figli");
    expect(await shopDisplayName(db, shop)).toBe("Bottega Rossi & Figli");
  });
});
