/**
 * The settings page's intents (app/settings/settings-actions.server.ts) on a real database, with the
 * Soisy simulator behind "verify" and scripted Shopify ports: which notices each intent returns, in
 * which order, and that the "after production changed" step (readiness, quote cache, checkout rules)
 * runs exactly for the production changes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { startSoisySimulator, type SoisySimulator } from "../simulators/soisy";
import { generateKeyMaterial } from "~/security/encryption.server";
import { runSettingsIntent, type ReadinessSyncOutcome, type SettingsIntent, type SettingsPorts } from "~/settings/settings-actions.server";
import { optionsOf, optionsToForm } from "~/settings/settings-form";
import { ensureShopSettings, getShopSettings, removeSoisyCredentials } from "~/settings/settings.server";

const SHOP = "actions.myshopify.com";

let t: TestDatabase;
let soisy: SoisySimulator;
const saved = { SOISY_API_URL: process.env.SOISY_API_URL, APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY };
beforeAll(async () => {
  [t, soisy] = await Promise.all([createTestDatabase(), startSoisySimulator()]);
  process.env.SOISY_API_URL = soisy.url;
  process.env.APP_ENCRYPTION_KEY = generateKeyMaterial();
  await ensureShopSettings(t.db, SHOP);
});
afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await soisy?.close();
  await t?.cleanup();
});

/** What the ports were asked, in order. */
let calls: string[];
let readinessAnswer: ReadinessSyncOutcome;
let checkoutAnswer: { kind: "synced" | "unreachable" | "refused" } | null;
beforeEach(async () => {
  calls = [];
  readinessAnswer = { kind: "updated", ready: true };
  checkoutAnswer = { kind: "synced" };
  await removeSoisyCredentials(t.db, SHOP, "sandbox");
  await removeSoisyCredentials(t.db, SHOP, "production");
});

const ports = (): SettingsPorts => ({
  db: t.db,
  shop: SHOP,
  syncReadiness: async () => (calls.push("readiness"), readinessAnswer),
  syncCheckoutRules: async () => (calls.push("checkoutRules"), checkoutAnswer),
  invalidateQuotes: () => void calls.push("invalidateQuotes"),
  refreshShopName: async ({ onlyIfMissing }) => calls.push(onlyIfMissing ? "shopName:ifMissing" : "shopName"),
});
const run = (input: SettingsIntent, form: Record<string, unknown> = {}) => runSettingsIntent(ports(), input, form);
const notices = async (input: SettingsIntent, form: Record<string, unknown> = {}) => {
  const outcome = await run(input, form);
  expect(outcome.kind).toBe("done");
  return outcome.notices.map((n) => `${n.tone} ${n.key}${n.env ? ` ${n.env}` : ""}`);
};
const GOOD = { soisyShopId: "partnershop", apiKey: "partnerkey" };

describe("saveOptions", () => {
  it("saves, forgets the shop's quotes, syncs the checkout rules; its warning follows the success", async () => {
    const form = { ...optionsToForm(optionsOf((await getShopSettings(t.db, SHOP))!)), widgetInstalments: "12" };
    checkoutAnswer = { kind: "unreachable" };
    expect(await notices({ intent: "saveOptions" }, form)).toEqual(["success settings.saved", "warning checkoutRules.syncUnreachable"]);
    expect(calls).toEqual(["shopName", "invalidateQuotes", "checkoutRules"]);
    expect((await getShopSettings(t.db, SHOP))!.widgetInstalments).toBe(12);
  });

  it("an invalid form saves nothing and echoes what was typed", async () => {
    const before = await getShopSettings(t.db, SHOP);
    const form = { ...optionsToForm(optionsOf(before!)), minAmount: "abc" };
    const outcome = await run({ intent: "saveOptions" }, form);
    expect(outcome.kind).toBe("invalidOptions");
    if (outcome.kind !== "invalidOptions") return;
    expect(outcome.notices).toEqual([{ tone: "critical", key: "settings.notSaved" }]);
    expect(outcome.errors.minAmount).toBeDefined();
    expect(outcome.values.minAmount).toBe("abc");
    expect(calls).toEqual(["shopName"]);
    expect(await getShopSettings(t.db, SHOP)).toEqual(before);
  });
});

describe("credentials", () => {
  it("sandbox: saved and verified, nothing told to Shopify", async () => {
    expect(await notices({ intent: "saveCredentials", environment: "sandbox" }, GOOD)).toEqual([
      "success settings.credentials.saved sandbox",
      "success settings.verify.ok sandbox",
    ]);
    expect(calls).toEqual(["shopName:ifMissing", "invalidateQuotes"]);
  });

  it("production: verified, then readiness, quote cache and checkout rules, in that order", async () => {
    expect(await notices({ intent: "saveCredentials", environment: "production" }, GOOD)).toEqual([
      "success settings.credentials.saved production",
      "success settings.verify.ok production",
      "success settings.readiness.updatedReady",
    ]);
    expect(calls).toEqual(["shopName:ifMissing", "invalidateQuotes", "readiness", "invalidateQuotes", "checkoutRules"]);
  });

  it("production refused by Soisy: no 'saved' good news, only what to check; Shopify told it is not ready", async () => {
    readinessAnswer = { kind: "updated", ready: false };
    checkoutAnswer = { kind: "refused" };
    expect(await notices({ intent: "saveCredentials", environment: "production" }, { ...GOOD, apiKey: "wrong" })).toEqual([
      "critical settings.verify.auth production",
      "warning settings.readiness.updatedNotReady",
      "warning checkoutRules.syncRefused",
    ]);
  });

  it("an invalid form saves nothing and echoes only the shop id (at most 200 characters)", async () => {
    const outcome = await run({ intent: "saveCredentials", environment: "production" }, { soisyShopId: "x".repeat(300), apiKey: "" });
    expect(outcome.kind).toBe("invalidCredentials");
    if (outcome.kind !== "invalidCredentials") return;
    expect(outcome.notices).toEqual([{ tone: "critical", key: "settings.notSaved" }]);
    expect(outcome.shopId).toBe("x".repeat(200));
    expect(Object.keys(outcome.errors).length).toBeGreaterThan(0);
    expect(calls).toEqual(["shopName:ifMissing"]);
    expect((await getShopSettings(t.db, SHOP))!.credentials.production.apiKeySet).toBe(false);
  });

  it("verify: without credentials only 'missing', and Shopify is not asked", async () => {
    expect(await notices({ intent: "verify", environment: "production" })).toEqual(["critical settings.verify.missing production"]);
    expect(calls).toEqual(["shopName:ifMissing", "invalidateQuotes"]);
  });

  it("verify production: the same step after the check", async () => {
    await run({ intent: "saveCredentials", environment: "production" }, GOOD);
    calls = [];
    readinessAnswer = { kind: "unreachable", ready: false };
    expect(await notices({ intent: "verify", environment: "production" })).toEqual([
      "success settings.verify.ok production",
      "critical settings.readiness.unreachable",
    ]);
    expect(calls).toEqual(["shopName:ifMissing", "invalidateQuotes", "readiness", "invalidateQuotes", "checkoutRules"]);
  });

  it("remove: sandbox alone, production followed by the step", async () => {
    expect(await notices({ intent: "removeCredentials", environment: "sandbox" })).toEqual(["success settings.credentials.removed sandbox"]);
    expect(calls).toEqual(["shopName:ifMissing", "invalidateQuotes"]);
    calls = [];
    readinessAnswer = { kind: "refused", ready: true };
    expect(await notices({ intent: "removeCredentials", environment: "production" })).toEqual([
      "success settings.credentials.removed production",
      "critical settings.readiness.refused",
    ]);
    expect(calls).toEqual(["shopName:ifMissing", "invalidateQuotes", "readiness", "invalidateQuotes", "checkoutRules"]);
  });
});

describe("fund at fulfilment", () => {
  const formWith = async (more: Record<string, string>) => ({ ...optionsToForm(optionsOf((await getShopSettings(t.db, SHOP))!)), ...more });

  it("saving it stores the choice and the days, and says the first capture will tell; back to approval, no such note", async () => {
    expect(await notices({ intent: "saveOptions" }, await formWith({ fundOn: "fulfilment", authorizationDays: "10" }))).toEqual([
      "success settings.saved",
      "info settings.verify.fundOnFulfilment",
    ]);
    expect(await getShopSettings(t.db, SHOP)).toMatchObject({ fundOn: "fulfilment", authorizationDays: 10 });

    await run({ intent: "saveCredentials", environment: "sandbox" }, GOOD);
    calls = [];
    expect(await notices({ intent: "verify", environment: "sandbox" })).toEqual(["success settings.verify.ok sandbox", "info settings.verify.fundOnFulfilment"]);
    // Refused credentials: nothing about the contract (the check said nothing about it).
    await run({ intent: "saveCredentials", environment: "sandbox" }, { ...GOOD, apiKey: "wrong" });
    expect(await notices({ intent: "verify", environment: "sandbox" })).toEqual(["critical settings.verify.auth sandbox"]);

    expect(await notices({ intent: "saveOptions" }, await formWith({ fundOn: "approval", authorizationDays: "30" }))).toEqual(["success settings.saved"]);
    await run({ intent: "saveCredentials", environment: "sandbox" }, GOOD);
    expect(await notices({ intent: "verify", environment: "sandbox" })).toEqual(["success settings.verify.ok sandbox"]);
    expect(await getShopSettings(t.db, SHOP)).toMatchObject({ fundOn: "approval", authorizationDays: 30 });
  });

  it("days out of range: nothing saved, the error on the field", async () => {
    const outcome = await run({ intent: "saveOptions" }, await formWith({ fundOn: "fulfilment", authorizationDays: "45" }));
    expect(outcome).toMatchObject({ kind: "invalidOptions", errors: { authorizationDays: { key: "settings.error.authorizationDays" } }, values: { authorizationDays: "45" } });
    expect(await getShopSettings(t.db, SHOP)).toMatchObject({ fundOn: "approval", authorizationDays: 30 });
  });
});

describe("syncReadiness (the readiness card's retry)", () => {
  it("is the step alone; a shop without settings has no checkout rules warning", async () => {
    checkoutAnswer = null;
    expect(await notices({ intent: "syncReadiness" })).toEqual(["success settings.readiness.updatedReady"]);
    expect(calls).toEqual(["shopName:ifMissing", "readiness", "invalidateQuotes", "checkoutRules"]);
  });
});
