/**
 * "Verify" against the Soisy simulator and readiness at Shopify (paymentsAppConfigure) with a
 * scripted Shopify, on a real database.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { startSoisySimulator, type SoisySimulator } from "../simulators/soisy";
import { freePort } from "../../scripts/lib/local-stack";
import { generateKeyMaterial, parseKeyring } from "~/security/encryption.server";
import {
  credentialStatus,
  ensureShopSettings,
  getShopSettings,
  markCredentialsVerified,
  removeSoisyCredentials,
  saveSoisyCredentials,
  setReady,
} from "~/settings/settings.server";
import { verifySoisyCredentials } from "~/settings/verify.server";
import { readinessOf, syncReadiness } from "~/shopify/configure.server";
import { createLogger } from "~/logger.server";

const keyring = parseKeyring(generateKeyMaterial());
const SHOP = "readiness.myshopify.com";
const logger = createLogger({ level: "silent" });

let t: TestDatabase;
let soisy: SoisySimulator;
beforeAll(async () => {
  [t, soisy] = await Promise.all([createTestDatabase(), startSoisySimulator()]);
  await ensureShopSettings(t.db, SHOP);
});
afterAll(async () => {
  await soisy?.close();
  await t?.cleanup();
});

const view = async () => (await getShopSettings(t.db, SHOP))!;
const verify = (env: "sandbox" | "production", baseUrl = soisy.url) => verifySoisyCredentials(t.db, SHOP, env, { keyring, baseUrl, logger, timeoutMs: 2_000 });

describe("verifySoisyCredentials", () => {
  it("is 'missing' without credentials", async () => {
    await removeSoisyCredentials(t.db, SHOP, "sandbox");
    expect(await verify("sandbox")).toBe("missing");
  });

  it("accepts the right key (Soisy's 404 for an unknown order), refuses a wrong one (403)", async () => {
    await saveSoisyCredentials(t.db, SHOP, "sandbox", { soisyShopId: "partnershop", apiKey: "partnerkey" }, keyring);
    expect(await verify("sandbox")).toBe("ok");
    expect((await view()).credentials.sandbox.verifiedAt).toBeInstanceOf(Date);
    const last = soisy.requests.at(-1)!;
    expect(last.method).toBe("GET");
    expect(last.headers["x-auth-token"]).toBe("partnerkey");
    expect(soisy.orders.size).toBe(0); // nothing created at Soisy

    await saveSoisyCredentials(t.db, SHOP, "sandbox", { soisyShopId: "partnershop", apiKey: "wrong" }, keyring);
    expect(await verify("sandbox")).toBe("auth");
    expect((await view()).credentials.sandbox.verifiedAt).toBeNull();
    expect((await view()).credentials.sandbox.rejectedAt).toBeInstanceOf(Date);
    expect(credentialStatus((await view()).credentials.sandbox)).toBe("rejected");
  });

  it("a wrong shop id is rejected too; the right credentials verified again clear the rejection", async () => {
    await saveSoisyCredentials(t.db, SHOP, "sandbox", { soisyShopId: "no-such-shop", apiKey: "partnerkey" }, keyring);
    expect(credentialStatus((await view()).credentials.sandbox)).toBe("unverified");
    expect(await verify("sandbox")).toBe("auth");
    expect(credentialStatus((await view()).credentials.sandbox)).toBe("rejected");
    // Re-checking the same wrong credentials keeps them rejected.
    expect(await verify("sandbox")).toBe("auth");
    expect(credentialStatus((await view()).credentials.sandbox)).toBe("rejected");
    // New credentials are unchecked (no longer "rejected") until the check; Soisy's 404 = good.
    await saveSoisyCredentials(t.db, SHOP, "sandbox", { soisyShopId: "partnershop", apiKey: "partnerkey" }, keyring);
    expect(credentialStatus((await view()).credentials.sandbox)).toBe("unverified");
    expect(await verify("sandbox")).toBe("ok");
    const sandbox = (await view()).credentials.sandbox;
    expect(credentialStatus(sandbox)).toBe("verified");
    expect(sandbox.rejectedAt).toBeUndefined();
    const row = await t.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(row.sandboxRejectedAt).toBeNull();
  });

  it("temporary failures neither reject nor clear a rejection", async () => {
    await saveSoisyCredentials(t.db, SHOP, "sandbox", { soisyShopId: "partnershop", apiKey: "wrong" }, keyring);
    expect(await verify("sandbox")).toBe("auth");
    soisy.setFaults({ failNext: { count: 5, status: 500 } });
    try {
      expect(await verify("sandbox")).toBe("server");
    } finally {
      soisy.clearFaults();
    }
    expect(credentialStatus((await view()).credentials.sandbox)).toBe("rejected");
  });

  it("says 'server' on 5xx and 'unreachable' when nobody answers, keeping an earlier verification", async () => {
    await saveSoisyCredentials(t.db, SHOP, "sandbox", { soisyShopId: "partnershop", apiKey: "partnerkey" }, keyring);
    expect(await verify("sandbox")).toBe("ok");
    const verifiedAt = (await view()).credentials.sandbox.verifiedAt;
    soisy.setFaults({ failNext: { count: 5, status: 500 } });
    expect(await verify("sandbox")).toBe("server");
    soisy.clearFaults();
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect(await verify("sandbox", closed)).toBe("unreachable");
    expect((await view()).credentials.sandbox.verifiedAt).toEqual(verifiedAt);
  });
});

describe("syncReadiness", () => {
  type Call = { url: string; token: string | null; variables: unknown };
  let calls: Call[];
  let answer: () => Response | Promise<Response>;
  const fakeFetch: typeof fetch = async (input, init) => {
    const body = JSON.parse(String(init?.body)) as { variables: unknown };
    calls.push({ url: String(input), token: new Headers(init?.headers).get("x-shopify-access-token"), variables: body.variables });
    return answer();
  };
  const configured = (ready: boolean, externalHandle: string | null) =>
    Response.json({ data: { paymentsAppConfigure: { paymentsAppConfiguration: { externalHandle, ready }, userErrors: [] } } });
  const sync = () =>
    syncReadiness(t.db, SHOP, {
      fetch: fakeFetch,
      tokenProvider: async () => "shpat_readiness",
      endpointFor: (shop) => `https://shopify.test/${shop}/graphql.json`,
      logger,
    });

  beforeEach(async () => {
    calls = [];
    await setReady(t.db, SHOP, false);
  });

  it("verified production credentials → ready: true with the Soisy shop id; persisted once Shopify accepted", async () => {
    await saveSoisyCredentials(t.db, SHOP, "production", { soisyShopId: "partnershop", apiKey: "partnerkey" }, keyring);
    expect(await verify("production")).toBe("ok");
    answer = () => configured(true, "partnershop");
    expect(await sync()).toEqual({ kind: "updated", ready: true });
    expect(calls).toEqual([{ url: `https://shopify.test/${SHOP}/graphql.json`, token: "shpat_readiness", variables: { externalHandle: "partnershop", ready: true } }]);
    expect((await view()).ready).toBe(true);
  });

  it("rejected production credentials → not ready (ready: false to Shopify); the right key verified → ready again", async () => {
    await saveSoisyCredentials(t.db, SHOP, "production", { soisyShopId: "partnershop", apiKey: "partnerkey" }, keyring);
    expect(await verify("production")).toBe("ok");
    answer = () => configured(true, "partnershop");
    expect(await sync()).toEqual({ kind: "updated", ready: true });
    expect(readinessOf(await view())).toMatchObject({ wanted: true, ready: true, missing: [] });

    await saveSoisyCredentials(t.db, SHOP, "production", { soisyShopId: "partnershop", apiKey: "wrong-key" }, keyring);
    expect(await verify("production")).toBe("auth");
    const rejected = await view();
    expect(credentialStatus(rejected.credentials.production)).toBe("rejected");
    expect(readinessOf(rejected)).toMatchObject({ wanted: false, ready: true, inSync: false, missing: ["production_unverified"] });
    answer = () => configured(false, "partnershop");
    expect(await sync()).toEqual({ kind: "updated", ready: false });
    expect(calls.at(-1)?.variables).toEqual({ externalHandle: "partnershop", ready: false });
    expect((await view()).ready).toBe(false);

    await saveSoisyCredentials(t.db, SHOP, "production", { soisyShopId: "partnershop", apiKey: "partnerkey" }, keyring);
    expect(await verify("production")).toBe("ok");
    answer = () => configured(true, "partnershop");
    expect(await sync()).toEqual({ kind: "updated", ready: true });
    expect(readinessOf(await view())).toMatchObject({ wanted: true, ready: true, inSync: true, missing: [] });
  });

  it("the rejected state wins over an older verification: rejected credentials are never verified, never ready", async () => {
    await saveSoisyCredentials(t.db, SHOP, "production", { soisyShopId: "partnershop", apiKey: "partnerkey" }, keyring);
    await markCredentialsVerified(t.db, SHOP, "production");
    expect(readinessOf(await view()).wanted).toBe(true);
    // A row carrying both (e.g. written by an older version): the rejection decides.
    await t.db.shopSettings.update({ where: { shop: SHOP }, data: { productionRejectedAt: new Date() } });
    const v = await view();
    expect(v.credentials.production.verifiedAt).toBeNull();
    expect(credentialStatus(v.credentials.production)).toBe("rejected");
    expect(readinessOf(v)).toMatchObject({ wanted: false, missing: ["production_unverified"] });
    // A passed check clears it.
    await markCredentialsVerified(t.db, SHOP, "production");
    expect(credentialStatus((await view()).credentials.production)).toBe("verified");
    expect(readinessOf(await view()).wanted).toBe(true);
  });

  it("Shopify unreachable or refusing → nothing persisted", async () => {
    await setReady(t.db, SHOP, true);
    await removeSoisyCredentials(t.db, SHOP, "production");
    answer = () => new Response("down", { status: 503 });
    expect(await sync()).toEqual({ kind: "unreachable", ready: true });
    answer = () => Promise.reject(new TypeError("fetch failed"));
    expect(await sync()).toEqual({ kind: "unreachable", ready: true });
    answer = () => Response.json({ data: { paymentsAppConfigure: { paymentsAppConfiguration: null, userErrors: [{ field: ["ready"], message: "nope" }] } } });
    expect(await sync()).toEqual({ kind: "refused", ready: true });
    // An "ok" that does not show the wanted state is not taken as done either.
    answer = () => configured(true, null);
    expect(await sync()).toEqual({ kind: "refused", ready: true });
    expect((await view()).ready).toBe(true);
    expect(calls.every((c) => JSON.stringify(c.variables) === JSON.stringify({ externalHandle: null, ready: false }))).toBe(true);

    answer = () => configured(false, null);
    expect(await sync()).toEqual({ kind: "updated", ready: false });
    expect((await view()).ready).toBe(false);
  });

  it("no access token → refused without calling Shopify", async () => {
    const outcome = await syncReadiness(t.db, SHOP, { fetch: fakeFetch, tokenProvider: () => Promise.reject(new Error("no token")), logger });
    expect(outcome).toEqual({ kind: "refused", ready: false });
    expect(calls).toEqual([]);
  });
});
