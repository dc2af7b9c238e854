/** The production server's route knowledge (server/routes.ts) and its settings (server/config.ts). */
import { describe, expect, it } from "vitest";
import { bodyLimitFor, needsShopifyProof, redactUrl, secretOf } from "../../server/routes";
import { loadServerConfig } from "../../server/config";

describe("redactUrl", () => {
  it("replaces the secret segment of every per-session URL", () => {
    expect(redactUrl("/payments/return/abc123/S3CR3T/success")).toBe("/payments/return/abc123/[redacted]/success");
    expect(redactUrl("/payments/status/abc/S3CR3T")).toBe("/payments/status/abc/[redacted]");
    expect(redactUrl("/payments/preapproval/abc/S3CR3T?_data=routes%2Fx")).toBe("/payments/preapproval/abc/[redacted]?_data=routes%2Fx");
    expect(redactUrl("/payments/not-eligible/abc/S3CR3T")).toBe("/payments/not-eligible/abc/[redacted]");
    expect(redactUrl("/soisy/callback/abc/S3CR3T")).toBe("/soisy/callback/abc/[redacted]");
    // Spelled as the router would still match it.
    expect(redactUrl("//Payments//Return/abc/S3CR3T/error")).not.toContain("S3CR3T");
    expect(redactUrl("/%70ayments/status/abc/S3CR3T")).not.toContain("S3CR3T");
  });

  it("redacts sensitive query values and keeps the rest", () => {
    const out = redactUrl("/auth/callback?code=C0DE&hmac=HM4C&shop=a.myshopify.com&state=ST4TE&host=H0ST&timestamp=1&id_token=T0K&session=S3SS&signature=S1G&access_token=AT");
    for (const secret of ["C0DE", "HM4C", "ST4TE", "H0ST", "T0K", "S3SS", "S1G", "AT"]) expect(out).not.toContain(secret);
    expect(out).toContain("shop=a.myshopify.com");
    expect(out).toContain("timestamp=1");
    expect(redactUrl("/healthz")).toBe("/healthz");
  });
});

describe("route table", () => {
  it("body limits per route; GET and HEAD bodies are not read", () => {
    expect(bodyLimitFor("POST", "/payments/sessions").bytes).toBe(64 * 1024);
    expect(bodyLimitFor("POST", "/payments/refunds/").bytes).toBe(64 * 1024);
    expect(bodyLimitFor("POST", "/payments/confirmations").bytes).toBe(64 * 1024);
    expect(bodyLimitFor("POST", "/payments/preapproval/a/b").bytes).toBe(16 * 1024);
    expect(bodyLimitFor("POST", "/soisy/callback/a/b").bytes).toBe(16 * 1024);
    expect(bodyLimitFor("POST", "/webhooks/app/uninstalled").bytes).toBe(256 * 1024);
    expect(bodyLimitFor("POST", "/somewhere").bytes).toBe(1024 * 1024);
    expect(bodyLimitFor("GET", "/payments/sessions").bytes).toBe(0);
    expect(bodyLimitFor("HEAD", "/").bytes).toBe(0);
  });

  it("the Shopify-only routes, however spelled", () => {
    for (const p of ["/payments/sessions", "/payments/refunds", "/payments/captures", "/payments/voids", "/payments/confirmations", "/PAYMENTS/Sessions/", "/payments/%73essions", "//payments//sessions"]) {
      expect(needsShopifyProof(p), p).toBe(true);
    }
    for (const p of ["/payments/status/a/b", "/payments/sessionsx", "/app/payments/sessions"]) expect(needsShopifyProof(p), p).toBe(false);
  });

  it("finds the id and secret of the secret-URL routes", () => {
    expect(secretOf("/payments/status/id1/sec1")).toEqual({ sessionId: "id1", secret: "sec1" });
    expect(secretOf("/soisy/callback/id1/sec1")).toEqual({ sessionId: "id1", secret: "sec1" });
    expect(secretOf("/payments/sessions")).toBeNull();
  });
});

describe("loadServerConfig", () => {
  const proof = { SHOPIFY_MTLS_HEADER: "x-proof", SHOPIFY_MTLS_HEADER_VALUE: "v".repeat(32) };
  it("production needs a Shopify proof unless SHOPIFY_MTLS=off", () => {
    expect(() => loadServerConfig({ NODE_ENV: "production" })).toThrow(/SHOPIFY_MTLS_HEADER.*SHOPIFY_MTLS=off/s);
    expect(loadServerConfig({ NODE_ENV: "production", SHOPIFY_MTLS: "off" }).shopifyProof.off).toBe(true);
    expect(loadServerConfig({ NODE_ENV: "production", ...proof }).shopifyProof.header).toEqual({ name: "x-proof", value: "v".repeat(32) });
    expect(() => loadServerConfig({ NODE_ENV: "production", ...proof, SHOPIFY_MTLS_HEADER_VALUE: "short" })).toThrow(/at least 32/);
    expect(() => loadServerConfig({ NODE_ENV: "production", SHOPIFY_MTLS_CA_FILE: "/nonexistent.pem" })).toThrow(/TLS_CERT_FILE/);
    expect(loadServerConfig({ NODE_ENV: "development" }).shopifyProof).toEqual({ clientCa: null, header: null, off: false });
  });

  it("reads the port, proxy hops, grace and limits; refuses nonsense", () => {
    const c = loadServerConfig({ PORT: "8080", TRUST_PROXY: "1", SHUTDOWN_GRACE_MS: "2000", RATE_LIMIT_LOGIN_MAX: "7" });
    expect(c).toMatchObject({ port: 8080, trustProxy: 1, shutdownGraceMs: 2000 });
    expect(c.rateLimits.login.limit).toBe(7);
    expect(loadServerConfig({}).trustProxy).toBe(false);
    expect(() => loadServerConfig({ TRUST_PROXY: "yes" })).toThrow(/TRUST_PROXY/);
    expect(() => loadServerConfig({ PORT: "http" })).toThrow(/PORT/);
  });
});
