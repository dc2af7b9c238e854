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

/**
 * The paths of the URLs issue 15 adds (fund on fulfilment and oversell protection): declared in the
 * extension only once their routes exist (a URL Shopify calls must be served), then at these paths,
 * which the server already knows (server/routes.ts: Shopify's proof, body limits).
 */
const PLANNED_FOR_ISSUE_15: Record<string, string> = {
  capture_session_url: "/payments/captures",
  void_session_url: "/payments/voids",
  confirmation_callback_url: "/payments/confirmations",
};

/** The session URLs the extension declares (the CLI validates each as a URL). */
const SESSION_URL_KEYS = ["payment_session_url", "refund_session_url", ...Object.keys(PLANNED_FOR_ISSUE_15).filter((key) => key in ext)];

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

  it.each(SESSION_URL_KEYS)("%s is https on the app's host, under /payments/", (key) => {
    const url = new URL(String(ext[key]));
    expect(url.protocol).toBe("https:");
    expect(url.origin).toBe(new URL(app.application_url).origin);
    expect(url.pathname).toMatch(/^\/payments\/[a-z]+$/);
    expect(url.search + url.hash).toBe("");
  });

  it.each(SESSION_URL_KEYS)("%s is served by an app route (issue 15's at their planned paths)", (key) => {
    const { pathname } = new URL(String(ext[key]));
    expect(routeFileFor(pathname), `route for ${pathname}`).toBeTruthy();
    if (key in PLANNED_FOR_ISSUE_15) expect(pathname).toBe(PLANNED_FOR_ISSUE_15[key]);
  });

  it("the session URLs are distinct", () => {
    const paths = SESSION_URL_KEYS.map((key) => new URL(String(ext[key])).pathname);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it("oversell protection is on exactly when the app serves the confirmation callback, which the CLI then requires", () => {
    // With it on, Shopify expects paymentSessionConfirm before every resolve: only with the route (issue 15).
    expect(ext.supports_oversell_protection).toBe(routeFileFor(PLANNED_FOR_ISSUE_15.confirmation_callback_url!) !== undefined);
    // The CLI's offsite schema: `supports_oversell_protection: true` requires `confirmation_callback_url`.
    if (ext.supports_oversell_protection) expect(typeof ext.confirmation_callback_url).toBe("string");
  });

  it("declares capture and void URLs together, and no multiple capture", () => {
    expect("capture_session_url" in ext).toBe("void_session_url" in ext);
    // Soisy's match-trigger funds a suspended order once: one capture per authorization.
    expect(ext.multiple_capture ?? false).toBe(false);
  });

  it("uses only keys the CLI's offsite payments schema knows, with the types it expects", () => {
    const booleans = ["supports_installments", "supports_deferred_payments", "supports_3ds", "supports_oversell_protection", "test_mode_available", "multiple_capture"];
    const known = new Set([
      "name", "handle", "type", "description", "targeting", "metafields", "input", "api_version",
      "merchant_label", "buyer_label", "buyer_label_translations", "supported_countries", "supported_payment_methods",
      "supported_buyer_contexts", "payment_session_url", "refund_session_url", ...Object.keys(PLANNED_FOR_ISSUE_15), ...booleans,
    ]);
    expect(Object.keys(ext).filter((key) => !known.has(key))).toEqual([]);
    for (const key of booleans) if (key in ext) expect(typeof ext[key], key).toBe("boolean");
  });
});
