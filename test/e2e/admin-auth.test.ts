/**
 * The non-embedded admin's login sessions, end to end: the built app (NODE_ENV=development, so it
 * accepts SHOPIFY_ADMIN_URL) logs merchants in through the Shopify simulator's OAuth in Chromium; the
 * checks use the real cookies, HTTP and database.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import type { Browser, BrowserContext, Cookie } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { headedUserAgent, launchBrowser } from "../helpers/browser";
import {
  ADMIN_COOKIE,
  adminCookieValue,
  adminSessionCookieHeader,
  hashAdminToken,
  LEGACY_SESSION_COOKIE,
  legacyShopifySessionCookieHeader,
  tokenFromCookieValue,
} from "../helpers/admin-session";
import { repoRoot, startStack, type Stack, STACK_SETUP_TIMEOUT_MS, printAppOutputIfFailed } from "../helpers/stack";
import { freePort, spawnApp } from "../../scripts/lib/local-stack";
import { productionNodeFlags } from "../../scripts/lib/start-flags";
import { getShopSettings } from "~/settings/settings.server";
import { parseKeyring } from "~/security/encryption.server";
import { decryptSessionToken } from "~/shopify/session-storage.server";

const SHOP = "admin-auth.myshopify.com";
let stack: Stack;
let browser: Browser;
let userAgent: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ shop: SHOP, adminOAuth: true }), launchBrowser()]);
  userAgent = await headedUserAgent(browser);
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

afterEach((ctx) => printAppOutputIfFailed(ctx, stack));

/** A fresh browser logged in through login → the simulator's consent → the dashboard; its admin cookie. */
async function logIn(): Promise<{ context: BrowserContext; cookie: Cookie }> {
  const context = await browser.newContext({ locale: "it-IT", userAgent });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${stack.appUrl}/auth/login?lang=it`);
  await page.getByLabel("Dominio del negozio").fill(SHOP);
  await Promise.all([page.waitForURL(`${stack.shopify.authorizeUrl(SHOP)}?**`), page.getByRole("button", { name: "Accedi" }).click()]);
  await Promise.all([page.waitForURL((url) => url.href.startsWith(`${stack.appUrl}/app`)), page.getByRole("button", { name: /Installa l'app/ }).click()]);
  await page.getByRole("navigation", { name: "Menu dell'app" }).waitFor({ timeout: 15_000 });
  const cookies = await context.cookies(stack.appUrl);
  const cookie = cookies.find((c) => c.name === ADMIN_COOKIE);
  if (!cookie) throw new Error(`no ${ADMIN_COOKIE} cookie after login: ${cookies.map((c) => c.name).join(", ")}`);
  await page.close();
  return { context, cookie };
}

const browserUA = () => ({ "user-agent": userAgent });

/** GET /app with a Cookie header: "admin" (the dashboard) or where it redirects to. */
async function openAdmin(cookie: string): Promise<string> {
  const res = await fetch(`${stack.appUrl}/app?lang=en`, { headers: { ...browserUA(), cookie }, redirect: "manual" });
  if (res.status === 200) {
    const html = await res.text();
    return html.includes('aria-label="App menu"') ? "admin" : `200 without the admin menu`;
  }
  return `${res.status} ${new URL(res.headers.get("location") ?? "", stack.appUrl).pathname}`;
}

const cookieHeader = (cookie: Cookie) => `${cookie.name}=${cookie.value}`;
const rowFor = (cookie: Cookie) => stack.database.db.adminSession.findUnique({ where: { id: hashAdminToken(tokenFromCookieValue(cookie.value)) } });

describe("admin login sessions (non-embedded)", () => {
  it("logs in through OAuth with an HttpOnly, SameSite=Lax cookie, new at every login, stored only hashed", async () => {
    const first = await logIn();
    const second = await logIn();
    for (const { cookie } of [first, second]) {
      expect(cookie).toMatchObject({ name: ADMIN_COOKIE, httpOnly: true, sameSite: "Lax", path: "/" });
      // http://127.0.0.1 in tests: Secure only when SHOPIFY_APP_URL is https (unit-tested).
      expect(cookie.secure).toBe(false);
      // Max-Age = the absolute limit (24 h by default).
      expect(cookie.expires * 1000).toBeGreaterThan(Date.now() + 23 * 3_600_000);
      expect(cookie.expires * 1000).toBeLessThan(Date.now() + 25 * 3_600_000);
    }
    expect(first.cookie.value).not.toBe(second.cookie.value);
    // The library's session cookie (the shop's offline session id, the same at every login) is not left behind.
    expect((await first.context.cookies(stack.appUrl)).map((c) => c.name)).not.toContain(LEGACY_SESSION_COOKIE);

    const token = tokenFromCookieValue(first.cookie.value);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await stack.database.db.adminSession.findUnique({ where: { id: token } })).toBeNull();
    expect(await rowFor(first.cookie)).toMatchObject({ shop: SHOP, revokedAt: null });
    expect(await rowFor(second.cookie)).toMatchObject({ shop: SHOP, revokedAt: null });
    expect(await openAdmin(cookieHeader(first.cookie))).toBe("admin");
    expect(await openAdmin(cookieHeader(second.cookie))).toBe("admin");
  });

  it("logout revokes the session server-side: a copy of the cookie leads to the login page", async () => {
    const { context, cookie } = await logIn();
    const copied = cookieHeader(cookie);
    expect(await openAdmin(copied)).toBe("admin");
    const page = await context.newPage();
    await page.goto(`${stack.appUrl}/app?lang=it`);
    await Promise.all([page.waitForURL((url) => url.pathname === "/auth/login"), page.getByRole("button", { name: "Esci" }).click()]);
    expect((await context.cookies(stack.appUrl)).find((c) => c.name === ADMIN_COOKIE)).toBeUndefined();
    expect((await rowFor(cookie))?.revokedAt).toBeInstanceOf(Date);
    expect(await openAdmin(copied)).toBe("302 /auth/login");
    // The browser itself is logged out too.
    await page.goto(`${stack.appUrl}/app`);
    expect(new URL(page.url()).pathname).toBe("/auth/login");
  });

  it("an expired session (absolute limit or idle too long) leads to the login page", async () => {
    const absolute = (await logIn()).cookie;
    const idle = (await logIn()).cookie;
    expect(await openAdmin(cookieHeader(absolute))).toBe("admin");
    expect(await openAdmin(cookieHeader(idle))).toBe("admin");
    await stack.database.db.adminSession.update({ where: { id: (await rowFor(absolute))!.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    await stack.database.db.adminSession.update({ where: { id: (await rowFor(idle))!.id }, data: { lastSeenAt: new Date(Date.now() - 8 * 3_600_000 - 60_000) } });
    expect(await openAdmin(cookieHeader(absolute))).toBe("302 /auth/login");
    expect(await openAdmin(cookieHeader(idle))).toBe("302 /auth/login");
  });

  it("refuses the old offline_<shop> cookie, a forged one and an unknown token", async () => {
    // The seeded test session works (so the refusals below can fail).
    expect(await openAdmin(adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, SHOP))).toBe("admin");
    expect(await openAdmin(legacyShopifySessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, SHOP))).toBe("302 /auth/login");
    expect(await openAdmin(legacyShopifySessionCookieHeader("not-the-secret", SHOP))).toBe("302 /auth/login");
    expect(await openAdmin(`${ADMIN_COOKIE}=${adminCookieValue("A".repeat(43))}`)).toBe("302 /auth/login");
    expect(await openAdmin("")).toBe("302 /auth/login");
  });

  it("refuses cross-origin writes with 403 before anything changes (settings, refunds, logout)", async () => {
    const cookie = adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, SHOP);
    const before = await getShopSettings(stack.database.db, SHOP);
    expect(before?.credentials.sandbox.apiKeySet).toBe(true);
    const form = new URLSearchParams({ intent: "removeCredentials", environment: "sandbox" }).toString();
    const post = (url: string, headers: Record<string, string>, body = form) =>
      fetch(`${stack.appUrl}${url}`, {
        method: "POST",
        headers: { ...browserUA(), cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
        body,
        redirect: "manual",
      });
    const settingsUrl = "/app/settings?lang=en&_data=routes%2Fapp.settings";
    const refundUrl = "/app/refunds/no-such-refund";
    for (const url of [settingsUrl, refundUrl, "/auth/logout"]) {
      expect((await post(url, { origin: "https://evil.example" })).status, url).toBe(403);
      expect((await post(url, { referer: "https://evil.example/page" })).status, url).toBe(403);
      expect((await post(url, {})).status, url).toBe(403);
      expect((await post(url, { origin: "null" })).status, url).toBe(403);
    }
    // A refund decision from another origin never reaches the route (same origin, by Origin or by
    // Referer when there is no Origin: the route's own 404 for an unknown refund).
    expect((await post(refundUrl, { origin: stack.appUrl }, "decision=resolve")).status).toBe(404);
    expect((await post(refundUrl, { referer: `${stack.appUrl}/app/transactions` }, "decision=resolve")).status).toBe(404);
    expect(await getShopSettings(stack.database.db, SHOP)).toEqual(before);
    expect(await openAdmin(cookie)).toBe("admin");
    // From the app's own origin the same request goes through.
    expect((await post(settingsUrl, { origin: stack.appUrl })).status).toBe(200);
    expect((await getShopSettings(stack.database.db, SHOP))?.credentials.sandbox.apiKeySet).toBe(false);
  });

  it("stores Shopify's tokens encrypted: the database holds no token in clear", async () => {
    const row = await stack.database.db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    const issued = stack.shopify.shop(SHOP)!.accessToken;
    expect(issued).toMatch(/^shpat_/);
    expect(row.accessToken).toMatch(/^v1\./);
    expect(row.accessToken).not.toContain(issued);
    expect(row.refreshToken ?? "").toMatch(/^v1\./);
    const keyring = parseKeyring(stack.encryptionKey);
    expect(decryptSessionToken(row.accessToken, row.id, "accessToken", keyring)).toBe(issued);
    expect(decryptSessionToken(row.refreshToken!, row.id, "refreshToken", keyring)).toMatch(/^shprt_/);
    // Bound to its row: the same ciphertext under another session id does not decrypt.
    expect(() => decryptSessionToken(row.accessToken, "offline_other.myshopify.com", "accessToken", keyring)).toThrow();
  });
});

describe("POST /auth/login never answers 5xx", () => {
  const login = (body: BodyInit, contentType?: string) =>
    fetch(`${stack.appUrl}/auth/login?lang=en`, {
      method: "POST",
      headers: { ...browserUA(), origin: stack.appUrl, ...(contentType ? { "content-type": contentType } : {}) },
      body,
      redirect: "manual",
    });

  it("a non-form body → 415, a broken form → 400, a hostile shop → 400; a good shop → OAuth", async () => {
    expect((await login(JSON.stringify({ shop: SHOP }), "application/json")).status).toBe(415);
    expect((await login("shop=x", "text/plain")).status).toBe(415);
    expect((await login("shop=x")).status).toBe(415);
    expect((await login("--nope\r\ngarbage", "multipart/form-data; boundary=zzz")).status).toBe(400);
    for (const shop of ["evil.example.com", "https://evil.example/x.myshopify.com", "<script>alert(1)</script>", "a".repeat(5_000), `${SHOP}\r\nSet-Cookie: x=y`, "../../etc/passwd", ""]) {
      const res = await login(new URLSearchParams({ shop }).toString(), "application/x-www-form-urlencoded");
      expect(res.status, shop.slice(0, 40)).toBe(400);
    }
    const ok = await login(new URLSearchParams({ shop: SHOP }).toString(), "application/x-www-form-urlencoded");
    expect([302, 303]).toContain(ok.status);
    expect(ok.headers.get("location")).toContain(`/auth?shop=${SHOP}`);
  });
});

describe("production safety", () => {
  for (const [name, extra] of [
    ["DEMO_MODE=true", { DEMO_MODE: "true" }],
    ["SHOPIFY_ADMIN_URL", { SHOPIFY_ADMIN_URL: "http://127.0.0.1:9/shops/{shop}" }],
  ] as const) {
    it(`the built app refuses to start with NODE_ENV=production and ${name}`, async () => {
      const env: NodeJS.ProcessEnv = { ...stack.env, NODE_ENV: "production", PORT: "0", HOST: "127.0.0.1", ...extra };
      if (!("SHOPIFY_ADMIN_URL" in extra)) delete env.SHOPIFY_ADMIN_URL;
      // `npm start`: the project's own server bundled into the build.
      const child = spawn(process.execPath, [...productionNodeFlags(), path.join(repoRoot, process.env.APP_BUILD_DIR || "build", "server.mjs")], {
        cwd: repoRoot,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      expect(code, output).toBe(1);
      expect(output).toContain("Refusing to start with NODE_ENV=production");
      expect(output).toContain(name.split("=")[0]);
      // The same through the stack's own way of serving the app (whichever server it runs).
      let served = "";
      const started = spawnApp({ port: await freePort(), env: { ...env, PORT: undefined }, onOutput: (text) => (served += text) });
      await expect(started).rejects.toThrow(/exited before/);
      expect(served).toContain("Refusing to start with NODE_ENV=production");
    }, 90_000);
  }
});

afterAll(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
});
