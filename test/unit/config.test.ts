import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, paymentsApiEndpoint } from "~/config.server";

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
