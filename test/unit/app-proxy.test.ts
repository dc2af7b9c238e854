/**
 * App-proxy signature verification against Shopify's documented example ("Authenticate app
 * proxies": shared secret "hush", the forwarded query below) and tampered / missing / reordered /
 * multi-value / stale / foreign-shop cases.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  APP_PROXY_MAX_SKEW_SECONDS,
  appProxySignature,
  appProxySignedString,
  isShopDomain,
  signAppProxyQuery,
  verifyAppProxyQuery,
} from "~/shopify/app-proxy.server";

// Shopify's documented example.
const DOC_SECRET = "hush";
const DOC_QUERY =
  "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb";
const DOC_SIGNED_STRING = "extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555";
const DOC_NOW_MS = 1317327555 * 1000;

const SECRET = "e2e-client-secret";
const NOW_MS = Date.UTC(2026, 10, 23, 12, 0, 0);

function proxyQuery(extra: Record<string, string> = {}, nowMs = NOW_MS): URLSearchParams {
  return signAppProxyQuery(
    new URLSearchParams({
      amount: "12345",
      shop: "demo-shop.myshopify.com",
      logged_in_customer_id: "",
      path_prefix: "/apps/soisy",
      timestamp: String(Math.floor(nowMs / 1000)),
      ...extra,
    }),
    SECRET,
  );
}

describe("Shopify's documented example", () => {
  const params = new URLSearchParams(DOC_QUERY);

  it("builds the documented signed string (sorted, multi-values joined by commas, no separator)", () => {
    expect(appProxySignedString(params)).toBe(DOC_SIGNED_STRING);
  });

  it("computes the documented signature", () => {
    expect(appProxySignature(params, DOC_SECRET)).toBe(params.get("signature"));
    // Cross-check with a plain HMAC of the documented string.
    expect(createHmac("sha256", DOC_SECRET).update(DOC_SIGNED_STRING).digest("hex")).toBe(params.get("signature"));
  });

  it("verifies it (at the documented time) and returns the proxy's fields", () => {
    expect(verifyAppProxyQuery(params, DOC_SECRET, { nowMs: DOC_NOW_MS })).toEqual({
      ok: true,
      shop: "shop-name.myshopify.com",
      timestamp: 1317327555,
      pathPrefix: "/apps/awesome_reviews",
      loggedInCustomerId: "1",
    });
  });

  it("parameter order in the query does not matter", () => {
    const entries = [...params].reverse();
    const reordered = new URLSearchParams(entries.map(([k, v]) => [k, v] as [string, string]));
    expect(reordered.toString()).not.toBe(params.toString());
    // Repeated values keep their relative order: reversed "extra" values sign "2,1", so restore them.
    const fixed = new URLSearchParams(reordered);
    fixed.delete("extra");
    fixed.append("extra", "1");
    fixed.append("extra", "2");
    expect(verifyAppProxyQuery(fixed, DOC_SECRET, { nowMs: DOC_NOW_MS }).ok).toBe(true);
  });

  it("the order of repeated values is signed (extra=2&extra=1 is another request)", () => {
    const swapped = new URLSearchParams(DOC_QUERY.replace("extra=1&extra=2", "extra=2&extra=1"));
    expect(verifyAppProxyQuery(swapped, DOC_SECRET, { nowMs: DOC_NOW_MS })).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("repeated values sign like one comma-joined value (as documented)", () => {
    // Documented behaviour: extra=1&extra=2 and extra=1,2 produce the same string; we follow it.
    const joined = new URLSearchParams(DOC_QUERY.replace("extra=1&extra=2", "extra=1%2C2"));
    expect(appProxySignedString(joined)).toBe(DOC_SIGNED_STRING);
  });

  it("the wrong secret fails", () => {
    expect(verifyAppProxyQuery(params, "hush2", { nowMs: DOC_NOW_MS })).toEqual({ ok: false, reason: "bad_signature" });
  });
});

describe("verifyAppProxyQuery", () => {
  it("accepts a freshly signed query", () => {
    const result = verifyAppProxyQuery(proxyQuery(), SECRET, { nowMs: NOW_MS });
    expect(result).toMatchObject({ ok: true, shop: "demo-shop.myshopify.com", loggedInCustomerId: null, pathPrefix: "/apps/soisy" });
  });

  it("refuses a missing or empty signature", () => {
    const q = proxyQuery();
    q.delete("signature");
    expect(verifyAppProxyQuery(q, SECRET, { nowMs: NOW_MS })).toEqual({ ok: false, reason: "missing_signature" });
    q.set("signature", "");
    expect(verifyAppProxyQuery(q, SECRET, { nowMs: NOW_MS })).toEqual({ ok: false, reason: "missing_signature" });
  });

  it("refuses a malformed signature (not 64 hex digits)", () => {
    for (const bad of ["abc", "z".repeat(64), `${"a".repeat(64)}00`]) {
      const q = proxyQuery();
      q.set("signature", bad);
      expect(verifyAppProxyQuery(q, SECRET, { nowMs: NOW_MS })).toEqual({ ok: false, reason: "malformed_signature" });
    }
  });

  it("refuses any tampered parameter, an added one or a removed one", () => {
    const tamper = (fn: (q: URLSearchParams) => void) => {
      const q = proxyQuery();
      fn(q);
      return verifyAppProxyQuery(q, SECRET, { nowMs: NOW_MS });
    };
    expect(tamper((q) => q.set("amount", "12346"))).toEqual({ ok: false, reason: "bad_signature" });
    expect(tamper((q) => q.set("shop", "other-shop.myshopify.com"))).toEqual({ ok: false, reason: "bad_signature" });
    expect(tamper((q) => q.append("instalments", "6"))).toEqual({ ok: false, reason: "bad_signature" });
    expect(tamper((q) => q.append("amount", "1"))).toEqual({ ok: false, reason: "bad_signature" });
    expect(tamper((q) => q.delete("logged_in_customer_id"))).toEqual({ ok: false, reason: "bad_signature" });
    // The signature's last hex digit flipped.
    expect(
      tamper((q) => {
        const s = q.get("signature")!;
        q.set("signature", s.slice(0, -1) + (s.endsWith("0") ? "1" : "0"));
      }),
    ).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("accepts an upper-case hex signature (same bytes)", () => {
    const q = proxyQuery();
    q.set("signature", q.get("signature")!.toUpperCase());
    expect(verifyAppProxyQuery(q, SECRET, { nowMs: NOW_MS }).ok).toBe(true);
  });

  it("refuses a repeated signature, shop or timestamp", () => {
    for (const name of ["signature", "shop", "timestamp"]) {
      const q = proxyQuery();
      q.append(name, q.get(name)!);
      expect(verifyAppProxyQuery(q, SECRET, { nowMs: NOW_MS })).toEqual({ ok: false, reason: "duplicate_parameter" });
    }
  });

  it(`refuses a timestamp more than ${APP_PROXY_MAX_SKEW_SECONDS} s away, either way`, () => {
    const past = proxyQuery({}, NOW_MS - (APP_PROXY_MAX_SKEW_SECONDS + 1) * 1000);
    const future = proxyQuery({}, NOW_MS + (APP_PROXY_MAX_SKEW_SECONDS + 1) * 1000);
    const edge = proxyQuery({}, NOW_MS - APP_PROXY_MAX_SKEW_SECONDS * 1000);
    expect(verifyAppProxyQuery(past, SECRET, { nowMs: NOW_MS })).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(verifyAppProxyQuery(future, SECRET, { nowMs: NOW_MS })).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(verifyAppProxyQuery(edge, SECRET, { nowMs: NOW_MS }).ok).toBe(true);
  });

  it("refuses a signed but missing or non-numeric timestamp", () => {
    const q = proxyQuery();
    q.delete("timestamp");
    expect(verifyAppProxyQuery(signAppProxyQuery(q, SECRET), SECRET, { nowMs: NOW_MS })).toEqual({ ok: false, reason: "bad_timestamp" });
    q.set("timestamp", "12e9");
    expect(verifyAppProxyQuery(signAppProxyQuery(q, SECRET), SECRET, { nowMs: NOW_MS })).toEqual({ ok: false, reason: "bad_timestamp" });
  });

  it("refuses a correctly signed shop that is not a *.myshopify.com domain", () => {
    for (const shop of ["evil.com", "shop.myshopify.com.evil.com", "", "UPPER.myshopify.com", "-x.myshopify.com"]) {
      const q = proxyQuery({ shop });
      expect(verifyAppProxyQuery(q, SECRET, { nowMs: NOW_MS })).toEqual({ ok: false, reason: "bad_shop" });
    }
  });

  it("isShopDomain", () => {
    expect(isShopDomain("a.myshopify.com")).toBe(true);
    expect(isShopDomain("my-shop-1.myshopify.com")).toBe(true);
    expect(isShopDomain("my_shop.myshopify.com")).toBe(false);
    expect(isShopDomain("a.myshopify.com/")).toBe(false);
  });
});
