import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { describe, expect, it } from "vitest";
import { adminCookie, assertSameOriginWrite, isSameOriginWrite, tokenFromRequest } from "~/security/admin-session.server";
import { generateKeyMaterial, parseKeyring } from "~/security/encryption.server";
import { decryptSessionToken, EncryptedSessionStorage, encryptSessionToken, sessionTokenNeedsRewrite } from "~/shopify/session-storage.server";

const APP = "https://soisy.example";

describe("admin session cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/, and Secure exactly when the app URL is https", async () => {
    const https = await adminCookie(APP).serialize("t".repeat(43), { maxAge: 60 });
    expect(https).toMatch(/^soisy_admin=/);
    for (const attr of ["HttpOnly", "SameSite=Lax", "Path=/", "Secure", "Max-Age=60"]) expect(https).toContain(attr);
    const http = await adminCookie("http://127.0.0.1:3000").serialize("t".repeat(43));
    expect(http).toContain("HttpOnly");
    expect(http).not.toContain("Secure");
  });

  it("reads back only a well-formed token", async () => {
    const token = "A".repeat(43);
    const header = (await adminCookie(APP).serialize(token)).split(";")[0]!;
    expect(await tokenFromRequest(new Request(APP, { headers: { cookie: header } }), APP)).toBe(token);
    const short = (await adminCookie(APP).serialize("abc")).split(";")[0]!;
    expect(await tokenFromRequest(new Request(APP, { headers: { cookie: short } }), APP)).toBeUndefined();
    expect(await tokenFromRequest(new Request(APP, { headers: { cookie: "soisy_admin=%%%garbage" } }), APP)).toBeUndefined();
    expect(await tokenFromRequest(new Request(APP), APP)).toBeUndefined();
  });
});

describe("Origin check on admin writes", () => {
  const req = (method: string, headers: Record<string, string> = {}) => new Request(`${APP}/app/settings`, { method, headers });
  it("lets reads through and same-origin writes (Origin, or Referer without Origin)", () => {
    expect(isSameOriginWrite(req("GET"), APP)).toBe(true);
    expect(isSameOriginWrite(req("HEAD"), APP)).toBe(true);
    expect(isSameOriginWrite(req("POST", { origin: APP }), APP)).toBe(true);
    expect(isSameOriginWrite(req("DELETE", { referer: `${APP}/app/x?y=1` }), APP)).toBe(true);
  });
  it("refuses other origins, null, a missing Origin and Referer, a bad Referer, an Origin that disagrees with Referer", () => {
    const cases: Array<Record<string, string>> = [{ origin: "https://evil.example" }, { origin: "null" }, {}, { referer: "not a url" }, { referer: "https://soisy.example.evil.example/" }, { origin: "http://soisy.example" }, { origin: "https://evil.example", referer: `${APP}/app` }];
    for (const headers of cases) {
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) expect(isSameOriginWrite(req(method, headers), APP), `${method} ${JSON.stringify(headers)}`).toBe(false);
    }
    let thrown: unknown;
    try {
      assertSameOriginWrite(req("POST", { origin: "https://evil.example" }), APP);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(403);
  });
});

describe("Shopify tokens encrypted at rest", () => {
  const ring = parseKeyring(`k1:${generateKeyMaterial()}`);
  it("round-trips, bound to the session id and the field; plain-text legacy values pass through", () => {
    const stored = encryptSessionToken("shpat_abc", "offline_a.myshopify.com", "accessToken", ring);
    expect(stored).toMatch(/^v1\.k1\./);
    expect(stored).not.toContain("shpat_abc");
    expect(decryptSessionToken(stored, "offline_a.myshopify.com", "accessToken", ring)).toBe("shpat_abc");
    expect(() => decryptSessionToken(stored, "offline_b.myshopify.com", "accessToken", ring)).toThrow();
    expect(() => decryptSessionToken(stored, "offline_a.myshopify.com", "refreshToken", ring)).toThrow();
    expect(decryptSessionToken("shpat_legacy", "offline_a.myshopify.com", "accessToken", ring)).toBe("shpat_legacy");
    expect(sessionTokenNeedsRewrite("shpat_legacy", ring)).toBe(true);
    expect(sessionTokenNeedsRewrite(stored, ring)).toBe(false);
    expect(sessionTokenNeedsRewrite(stored, parseKeyring(`k2:${generateKeyMaterial()}`))).toBe(true);
    expect(encryptSessionToken("", "x", "accessToken", ring)).toBe("");
  });

  it("the storage wrapper stores ciphertext and loads clear tokens", async () => {
    const rows = new Map<string, Session>();
    const inner: SessionStorage = {
      storeSession: async (s) => (rows.set(s.id, s), true),
      loadSession: async (id) => rows.get(id),
      deleteSession: async (id) => rows.delete(id),
      deleteSessions: async (ids) => (ids.forEach((id) => rows.delete(id)), true),
      findSessionsByShop: async (shop) => [...rows.values()].filter((s) => s.shop === shop),
    };
    const storage = new EncryptedSessionStorage(inner, () => ring);
    const session = new Session({ id: "offline_s.myshopify.com", shop: "s.myshopify.com", state: "x", isOnline: false, accessToken: "shpat_1", refreshToken: "shprt_1", expires: new Date(Date.now() + 60_000) });
    await storage.storeSession(session);
    expect(rows.get(session.id)!.accessToken).toMatch(/^v1\./);
    expect(rows.get(session.id)!.refreshToken).toMatch(/^v1\./);
    expect(session.accessToken).toBe("shpat_1");
    const loaded = await storage.loadSession(session.id);
    expect(loaded).toMatchObject({ accessToken: "shpat_1", refreshToken: "shprt_1", shop: "s.myshopify.com" });
    expect(loaded!.expires?.getTime()).toBe(session.expires!.getTime());
    expect((await storage.findSessionsByShop("s.myshopify.com")).map((s) => s.accessToken)).toEqual(["shpat_1"]);
  });
});
