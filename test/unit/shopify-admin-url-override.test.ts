import { afterEach, describe, expect, it } from "vitest";
import { abstractFetch, setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import {
  adminUrlTemplate,
  installAdminFetchOverride,
  rewriteAdminRedirect,
  rewriteAdminUrl,
  withAdminRedirects,
} from "~/shopify/admin-url-override.server";

const T = "http://127.0.0.1:4200/shops/{shop}";

describe("SHOPIFY_ADMIN_URL", () => {
  it("is off unless set, and refuses a template without {shop} or a scheme", () => {
    expect(adminUrlTemplate({})).toBeNull();
    expect(adminUrlTemplate({ SHOPIFY_ADMIN_URL: "  " })).toBeNull();
    expect(adminUrlTemplate({ SHOPIFY_ADMIN_URL: `${T}/` })).toBe(T);
    expect(() => adminUrlTemplate({ SHOPIFY_ADMIN_URL: "http://127.0.0.1:4200/shops" })).toThrow(/\{shop\}/);
    expect(() => adminUrlTemplate({ SHOPIFY_ADMIN_URL: "127.0.0.1/{shop}" })).toThrow(/http/);
  });

  it("rewrites only https://{shop}/admin/... of a Shopify shop domain", () => {
    expect(rewriteAdminUrl("https://a-shop.myshopify.com/admin/oauth/authorize?client_id=x&scope=a%2Cb", T)).toBe(
      "http://127.0.0.1:4200/shops/a-shop.myshopify.com/admin/oauth/authorize?client_id=x&scope=a%2Cb",
    );
    expect(rewriteAdminUrl("https://a-shop.myshopify.com/admin/oauth/access_token", T)).toBe(
      "http://127.0.0.1:4200/shops/a-shop.myshopify.com/admin/oauth/access_token",
    );
    for (const url of [
      "https://a-shop.myshopify.com/payments_apps/api/2026-04/graphql.json",
      "https://a-shop.myshopify.com/administrator",
      "http://a-shop.myshopify.com/admin/oauth/authorize",
      "https://evil.example.com/admin/oauth/authorize",
      "https://a-shop.myshopify.com:8443/admin/oauth/authorize",
      "/auth/login",
      "not a url",
    ]) {
      expect(rewriteAdminUrl(url, T)).toBe(url);
    }
  });

  it("rewrites the Location of a redirect, keeping status and cookies; leaves other values alone", () => {
    const redirect = new Response(null, {
      status: 302,
      headers: { Location: "https://a-shop.myshopify.com/admin/oauth/authorize?state=s" },
    });
    redirect.headers.append("Set-Cookie", "shopify_app_state=s; Path=/auth/callback");
    redirect.headers.append("Set-Cookie", "shopify_app_state.sig=x; Path=/auth/callback");
    const out = rewriteAdminRedirect(redirect, T);
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("http://127.0.0.1:4200/shops/a-shop.myshopify.com/admin/oauth/authorize?state=s");
    expect(out.headers.getSetCookie()).toHaveLength(2);

    const appRedirect = new Response(null, { status: 302, headers: { Location: "/app" } });
    expect(rewriteAdminRedirect(appRedirect, T)).toBe(appRedirect);
    const error = new Error("x");
    expect(rewriteAdminRedirect(error, T)).toBe(error);
  });

  it("rewrites thrown and returned redirects only when the override is on", async () => {
    const make = () => new Response(null, { status: 302, headers: { Location: "https://a.myshopify.com/admin/oauth/authorize" } });
    const thrown = await withAdminRedirects(T, () => Promise.reject(make())).catch((e: Response) => e);
    expect(thrown.headers.get("location")).toBe("http://127.0.0.1:4200/shops/a.myshopify.com/admin/oauth/authorize");
    const returned = await withAdminRedirects(T, () => Promise.resolve(make()));
    expect(returned.headers.get("location")).toMatch(/^http:\/\/127\.0\.0\.1:4200\//);
    const off = await withAdminRedirects(null, () => Promise.reject(make())).catch((e: Response) => e);
    expect(off.headers.get("location")).toBe("https://a.myshopify.com/admin/oauth/authorize");
  });
});

describe("the runtime fetch override", () => {
  const original = abstractFetch;
  afterEach(() => setAbstractFetchFunc(original));

  it("sends the library's admin requests to the template and everything else unchanged", async () => {
    const seen: string[] = [];
    setAbstractFetchFunc(async (input) => {
      seen.push(String(input));
      return new Response("{}");
    });
    installAdminFetchOverride(T);
    await abstractFetch("https://a.myshopify.com/admin/oauth/access_token", { method: "POST" });
    await abstractFetch("https://a.myshopify.com/payments_apps/api/2026-04/graphql.json");
    expect(seen).toEqual([
      "http://127.0.0.1:4200/shops/a.myshopify.com/admin/oauth/access_token",
      "https://a.myshopify.com/payments_apps/api/2026-04/graphql.json",
    ]);
    expect(() => installAdminFetchOverride("http://other/{shop}")).toThrow(/changed/);
  });
});
