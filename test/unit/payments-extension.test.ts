import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const raw = parse(readFileSync(path.join(root, "extensions/soisy-payments/shopify.extension.toml"), "utf8")) as {
  api_version: string;
  extensions: Array<Record<string, unknown>>;
};
const ext = raw.extensions[0] as Record<string, unknown> & {
  targeting: Array<{ target: string }>;
  buyer_label_translations: Array<{ locale: string; label: string }>;
  supported_buyer_contexts: Array<{ currency: string; countries: string[] }>;
};
const app = parse(readFileSync(path.join(root, "shopify.app.toml"), "utf8")) as { application_url: string };

/** The Remix route file serving a URL path (flat routes: "/payments/sessions" → payments.sessions.ts[x]). */
function routeFileFor(urlPath: string): string | undefined {
  const base = urlPath.replace(/^\//, "").replaceAll("/", ".");
  return [".ts", ".tsx"].map((ext) => path.join(root, "app/routes", base + ext)).find((f) => existsSync(f));
}

describe("extensions/soisy-payments/shopify.extension.toml (Shopify's rules for payments extensions)", () => {
  it("is one offsite payments extension with a current API version", () => {
    expect(raw.extensions).toHaveLength(1);
    expect(ext.type).toBe("payments_extension");
    expect(ext.targeting).toEqual([{ target: "payments.offsite.render" }]);
    expect(raw.api_version).toMatch(/^20\d\d-(01|04|07|10)$/);
    expect(raw.api_version >= "2026-01").toBe(true);
    expect(typeof ext.handle).toBe("string");
  });

  it("has the required keys", () => {
    for (const key of ["name", "handle", "payment_session_url", "merchant_label"]) expect(ext[key], key).toBeTruthy();
  });

  it("labels fit Shopify's 50 characters, buyer label in Italian with an English translation", () => {
    expect(String(ext.merchant_label).length).toBeLessThanOrEqual(50);
    expect(ext.buyer_label).toBe("Paga a rate con Soisy");
    expect(String(ext.buyer_label).length).toBeLessThanOrEqual(50);
    const en = ext.buyer_label_translations.find((t) => t.locale === "en");
    expect(en?.label).toBeTruthy();
    for (const t of ext.buyer_label_translations) expect(t.label.length).toBeLessThanOrEqual(50);
  });

  it("is for Italy and EUR, supports instalments and deferred payments equally, has a test mode", () => {
    expect(ext.supported_countries).toEqual(["IT"]);
    expect(ext.supports_installments).toBe(true);
    expect(ext.supports_deferred_payments).toBe(ext.supports_installments);
    expect(ext.test_mode_available).toBe(true);
    expect(ext.supported_buyer_contexts).toEqual([{ currency: "EUR", countries: ["IT"] }]);
  });

  it.each(["payment_session_url", "refund_session_url"])("%s is https on the app's host and served by an app route", (key) => {
    const url = new URL(String(ext[key]));
    expect(url.protocol).toBe("https:");
    expect(url.origin).toBe(new URL(app.application_url).origin);
    expect(routeFileFor(url.pathname), `route for ${url.pathname}`).toBeTruthy();
  });

  it("declares no capture or void URL (Soisy has no authorisation/capture)", () => {
    expect(ext.capture_session_url).toBeUndefined();
    expect(ext.void_session_url).toBeUndefined();
  });
});
