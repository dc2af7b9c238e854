import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSessionCookieHeader } from "../helpers/admin-session";
import { startStack, type Stack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ shop: "admin-auth.myshopify.com" });
}, 90_000);
afterAll(async () => stack?.close());

const browserUA = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36" };

describe("merchant admin authentication (non-embedded)", () => {
  it("shows the dashboard to a merchant with a valid session cookie", async () => {
    const res = await fetch(`${stack.appUrl}/app`, {
      headers: { ...browserUA, cookie: adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, stack.shop) },
      redirect: "manual",
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Soisy");
  });

  it("sends everyone else to log in, and refuses a forged cookie", async () => {
    const none = await fetch(`${stack.appUrl}/app`, { headers: browserUA, redirect: "manual" });
    expect([302, 303]).toContain(none.status);
    const forged = await fetch(`${stack.appUrl}/app`, {
      headers: { ...browserUA, cookie: adminSessionCookieHeader("not-the-secret", stack.shop) },
      redirect: "manual",
    });
    expect([302, 303]).toContain(forged.status);
    expect(forged.headers.get("location") ?? "").toMatch(/login|auth/);
  });
});
