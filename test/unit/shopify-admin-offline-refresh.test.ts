import { describe, expect, it, vi } from "vitest";
import { Session } from "@shopify/shopify-api";
import { ensureFreshCookieSession, signedSessionId, singleFlight } from "~/shopify/offline-refresh.server";
import { legacyShopifySessionCookieHeader as adminSessionCookieHeader } from "../helpers/admin-session";

const SECRET = "unit-secret";
const SHOP = "refresh-me.myshopify.com";
const request = (path = "/app", secret = SECRET) =>
  new Request(`http://app.test${path}`, { headers: { cookie: adminSessionCookieHeader(secret, SHOP) } });

function session(overrides: Partial<ConstructorParameters<typeof Session>[0]> = {}) {
  return new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: "shpat_old", ...overrides });
}
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

describe("the non-embedded admin's expired offline token", () => {
  it("reads the session id only from a correctly signed cookie", async () => {
    expect(await signedSessionId(request(), SECRET)).toBe(`offline_${SHOP}`);
    expect(await signedSessionId(request("/app", "forged"), SECRET)).toBeUndefined();
    expect(await signedSessionId(new Request("http://app.test/app"), SECRET)).toBeUndefined();
  });

  it("refreshes an expired (or nearly expired) session with a usable refresh token", async () => {
    for (const expires of [minutes(-10), minutes(2)]) {
      const refresh = vi.fn(async () => session({ accessToken: "shpat_new", expires: minutes(60) }));
      const loadSession = vi.fn(async () => session({ expires, refreshToken: "shprt", refreshTokenExpires: minutes(1000) }));
      await ensureFreshCookieSession(request(), { apiSecret: SECRET, loadSession, refresh });
      expect(loadSession).toHaveBeenCalledWith(`offline_${SHOP}`);
      expect(refresh).toHaveBeenCalledWith(SHOP);
    }
  });

  it("leaves valid, non-expiring, forged and /auth requests to the library", async () => {
    const refresh = vi.fn(async () => session());
    const deps = (s: Session) => ({ apiSecret: SECRET, loadSession: async () => s, refresh });
    await ensureFreshCookieSession(request(), deps(session({ expires: minutes(60), refreshToken: "shprt" })));
    await ensureFreshCookieSession(request(), deps(session()));
    const expired = session({ expires: minutes(-10), refreshToken: "shprt" });
    await ensureFreshCookieSession(request("/app", "forged"), deps(expired));
    await ensureFreshCookieSession(request("/auth/callback?shop=x"), deps(expired));
    await ensureFreshCookieSession(request("/auth"), deps(expired));
    expect(refresh).not.toHaveBeenCalled();
  });

  it("sends the merchant through OAuth again when there is no usable refresh token or the refresh fails", async () => {
    const cases: Array<{ s: Session; refresh: () => Promise<Session> }> = [
      { s: session({ expires: minutes(-10) }), refresh: async () => session() },
      { s: session({ expires: minutes(-10), refreshToken: "shprt", refreshTokenExpires: minutes(-1) }), refresh: async () => session() },
      { s: session({ expires: minutes(-10), refreshToken: "shprt" }), refresh: () => Promise.reject(new Response(null, { status: 500 })) },
    ];
    for (const c of cases) {
      const onError = vi.fn();
      const thrown = await ensureFreshCookieSession(request(), { apiSecret: SECRET, loadSession: async () => c.s, refresh: c.refresh, onError }).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(Response);
      expect((thrown as Response).headers.get("location")).toBe(`/auth?shop=${SHOP}`);
    }
  });
});

describe("concurrent refreshes", () => {
  it("share one refresh per shop in a process", async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const refresh = singleFlight(async (shop: string) => {
      calls++;
      await gate;
      return `${shop}:${calls}`;
    });
    const both = Promise.all([refresh("a"), refresh("a"), refresh("b")]);
    release();
    expect(await both).toEqual(["a:2", "a:2", "b:2"]);
    expect(calls).toBe(2);
    expect(await refresh("a")).toBe("a:3");
  });

  it("accept a session another process refreshed when their own refresh loses the race", async () => {
    const loads = [session({ expires: minutes(-10), refreshToken: "shprt" }), session({ expires: minutes(60), refreshToken: "shprt2" })];
    const loadSession = vi.fn(async () => loads.shift());
    const onError = vi.fn();
    await ensureFreshCookieSession(request(), { apiSecret: SECRET, loadSession, refresh: () => Promise.reject(new Error("invalid_grant")), onError });
    expect(loadSession).toHaveBeenCalledTimes(2);
    expect(onError).not.toHaveBeenCalled();
  });
});
