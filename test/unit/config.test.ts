import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, paymentsApiEndpoint, productionSafetyIssues } from "~/config.server";
import { outgoingPoolSettingsFromEnv } from "~/http/outgoing-pool.server";

const base = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://app.example",
  APP_ENCRYPTION_KEY: "x",
};

describe("configuration", () => {
  it("defaults to non-embedded and Shopify's real payments API", () => {
    const config = loadConfig(base);
    expect(config.SHOPIFY_APP_EMBEDDED).toBe(false);
    expect(paymentsApiEndpoint("a.myshopify.com", config)).toBe(
      "https://a.myshopify.com/payments_apps/api/2026-04/graphql.json",
    );
  });

  it("switches to embedded with SHOPIFY_APP_EMBEDDED=true", () => {
    expect(loadConfig({ ...base, SHOPIFY_APP_EMBEDDED: "true" }).SHOPIFY_APP_EMBEDDED).toBe(true);
  });

  it("points the payments API at the simulator", () => {
    const config = loadConfig({ ...base, SHOPIFY_PAYMENTS_API_URL: "http://127.0.0.1:4200/shops/{shop}/" });
    expect(paymentsApiEndpoint("a.myshopify.com", config)).toBe(
      "http://127.0.0.1:4200/shops/a.myshopify.com/payments_apps/api/2026-04/graphql.json",
    );
  });

  it("limits storefront quote misses per Soisy account: 50 at once, 10/s by default; both configurable and validated", () => {
    expect(loadConfig(base)).toMatchObject({ QUOTE_MISS_BURST: 50, QUOTE_MISS_PER_SECOND: 10 });
    expect(loadConfig({ ...base, QUOTE_MISS_BURST: "5", QUOTE_MISS_PER_SECOND: "0.5" })).toMatchObject({ QUOTE_MISS_BURST: 5, QUOTE_MISS_PER_SECOND: 0.5 });
    for (const bad of [{ QUOTE_MISS_BURST: "0" }, { QUOTE_MISS_BURST: "2.5" }, { QUOTE_MISS_BURST: "many" }, { QUOTE_MISS_PER_SECOND: "0" }, { QUOTE_MISS_PER_SECOND: "-1" }]) {
      const name = Object.keys(bad)[0]!;
      expect(() => loadConfig({ ...base, ...bad }), JSON.stringify(bad)).toThrow(new RegExp(`${name}:`));
    }
  });

  it("outgoing pool: 32 connections per host and 50 s idle keep-alive by default, configurable and validated", () => {
    expect(loadConfig(base)).toMatchObject({ OUTGOING_MAX_CONNECTIONS_PER_HOST: 32, OUTGOING_KEEP_ALIVE_MS: 50_000 });
    expect(outgoingPoolSettingsFromEnv({})).toEqual({ maxConnectionsPerHost: 32, keepAliveMs: 50_000 });
    const set = { OUTGOING_MAX_CONNECTIONS_PER_HOST: "4", OUTGOING_KEEP_ALIVE_MS: "120000" };
    expect(loadConfig({ ...base, ...set })).toMatchObject({ OUTGOING_MAX_CONNECTIONS_PER_HOST: 4, OUTGOING_KEEP_ALIVE_MS: 120_000 });
    expect(outgoingPoolSettingsFromEnv(set)).toEqual({ maxConnectionsPerHost: 4, keepAliveMs: 120_000 });
    for (const bad of [{ OUTGOING_MAX_CONNECTIONS_PER_HOST: "0" }, { OUTGOING_MAX_CONNECTIONS_PER_HOST: "2.5" }, { OUTGOING_MAX_CONNECTIONS_PER_HOST: "" }, { OUTGOING_KEEP_ALIVE_MS: "10" }, { OUTGOING_KEEP_ALIVE_MS: "forever" }]) {
      const name = Object.keys(bad)[0]!;
      expect(() => loadConfig({ ...base, ...bad }), JSON.stringify(bad)).toThrow(new RegExp(`${name}:`));
      expect(() => outgoingPoolSettingsFromEnv(bad), JSON.stringify(bad)).toThrow(new RegExp(`${name}:`));
    }
  });

  it("refuses DEMO_MODE and SHOPIFY_ADMIN_URL in production, allows them elsewhere", () => {
    expect(() => loadConfig({ ...base, NODE_ENV: "production", DEMO_MODE: "true" })).toThrow(/NODE_ENV=production[\s\S]*DEMO_MODE/);
    expect(() => loadConfig({ ...base, NODE_ENV: "production", SHOPIFY_ADMIN_URL: "http://127.0.0.1:1/shops/{shop}" })).toThrow(/SHOPIFY_ADMIN_URL/);
    expect(productionSafetyIssues({ NODE_ENV: "production", DEMO_MODE: "1", SHOPIFY_ADMIN_URL: "x" })).toHaveLength(2);
    expect(loadConfig({ ...base, NODE_ENV: "production", DEMO_MODE: "false", SHOPIFY_ADMIN_URL: " " }).DEMO_MODE).toBe(false);
    expect(loadConfig({ ...base, NODE_ENV: "development", DEMO_MODE: "true", SHOPIFY_ADMIN_URL: "http://127.0.0.1:1/shops/{shop}" }).DEMO_MODE).toBe(true);
  });

  it("admin sessions: 8 h idle / 24 h absolute by default, configurable and validated", () => {
    expect(loadConfig(base)).toMatchObject({ ADMIN_SESSION_IDLE_SECONDS: 28_800, ADMIN_SESSION_MAX_SECONDS: 86_400 });
    expect(loadConfig({ ...base, ADMIN_SESSION_IDLE_SECONDS: "600", ADMIN_SESSION_MAX_SECONDS: "3600" })).toMatchObject({ ADMIN_SESSION_IDLE_SECONDS: 600, ADMIN_SESSION_MAX_SECONDS: 3_600 });
    expect(() => loadConfig({ ...base, ADMIN_SESSION_IDLE_SECONDS: "5" })).toThrow(/ADMIN_SESSION_IDLE_SECONDS:/);
    expect(() => loadConfig({ ...base, ADMIN_SESSION_MAX_SECONDS: "forever" })).toThrow(/ADMIN_SESSION_MAX_SECONDS:/);
  });

  it("names every missing or invalid variable", () => {
    try {
      loadConfig({ SHOPIFY_APP_URL: "not a url", SHOPIFY_PAYMENTS_API_URL: "https://x", SHOPIFY_APP_EMBEDDED: "yes" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const name of ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "APP_ENCRYPTION_KEY", "SHOPIFY_PAYMENTS_API_URL", "SHOPIFY_APP_EMBEDDED"]) {
        expect(message).toContain(name);
      }
    }
  });
});
