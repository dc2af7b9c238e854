/**
 * Bounded waits and leases, end to end (built app served as real processes, real database, the
 * Soisy and Shopify simulators):
 * - a process killed (SIGKILL) while creating the Soisy order: another instance takes the creation
 *   lease over within seconds, writes one note for the merchant, and answers Shopify's retry;
 * - the shopper's return page answers within 8 s even when Soisy's GET /orders/{token} hangs;
 * - repeated GETs of a return URL reuse the recent Soisy answer: one timeline row, few Soisy calls.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, shopifyProofHeaders, spawnApp, stopProcess } from "../../scripts/lib/local-stack";
import { preapprovalForm } from "../helpers/payments";
import { eventually, startStack, type Stack, STACK_SETUP_TIMEOUT_MS } from "../helpers/stack";
import { withCheckChar } from "~/preapproval/fiscal-code";

let stack: Stack;
const extra: ChildProcess[] = [];
let output = "";

beforeAll(async () => {
  stack = await startStack({ shop: "resilience.myshopify.com" });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  for (const child of extra) await stopProcess(child, "SIGKILL");
  await stack?.close();
});

afterEach((context) => {
  if (context.task.result?.state === "fail") {
    console.error(`--- app output ---\n${stack.appOutput().slice(-4_000)}\n--- extra instances ---\n${output.slice(-4_000)}`);
  }
});

const db = () => stack.database.db;

async function instance(env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = await spawnApp({ port, env: { ...stack.env, ...env }, onOutput: (text) => (output += text) });
  extra.push(child);
  return { child, url: `http://127.0.0.1:${port}` };
}

function postSession(baseUrl: string, body: unknown, requestId: string): Promise<{ status: number; body: { redirect_url?: string } }> {
  return fetch(`${baseUrl}/payments/sessions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "shopify-shop-domain": stack.shop,
      "shopify-request-id": requestId,
      ...shopifyProofHeaders(stack.env),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => ({}))) as { redirect_url?: string } }));
}

async function returnUrl(id: string, outcome: "success" | "error" = "success"): Promise<string> {
  const row = await db().paymentSession.findUniqueOrThrow({ where: { id } });
  return `${stack.appUrl}/payments/return/${id}/${row.callbackSecret}/${outcome}`;
}

const soisyGets = (token: string) => stack.soisy.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/orders/${token}`));

describe("Soisy-order creation lease", () => {
  it("holder killed mid-creation: the other instance takes over within seconds, one merchant note, one answer", async () => {
    const template = await stack.shopify.startPayment({ shop: stack.shop, amount: "333.00", test: true });
    expect(template.ok).toBe(true);
    const body = structuredClone(template.request) as Record<string, unknown>;
    const id = `lease${Date.now()}`;
    body.id = id;
    body.gid = `gid://shopify/PaymentSession/${id}`;

    const [a, b] = await Promise.all([instance(), instance()]);
    // Soisy takes the order creation and never answers: instance A is stuck inside it, holding the lease.
    stack.soisy.setFaults({ hangNext: 1, match: "/orders" });
    const first = postSession(a.url, body, "first").catch((error: unknown) => ({ status: 0, body: {}, error }));
    await eventually(async () => stack.soisy.requests.some((r) => r.method === "POST" && r.fault === "hang"), 20_000, "the hung Soisy POST");
    const held = await db().paymentSession.findUniqueOrThrow({ where: { id } });
    expect(held.creationLockedBy).toBeTruthy();
    expect(held.soisyToken).toBeNull();

    await stopProcess(a.child, "SIGKILL");
    expect((await first).status).toBe(0); // the connection died with the process
    const t0 = Date.now();
    const retry = await postSession(b.url, body, "retry");
    const tookMs = Date.now() - t0;
    console.info(`[resilience] takeover after kill -9: Shopify's retry answered in ${tookMs} ms`);
    expect(retry.status).toBeGreaterThanOrEqual(200);
    expect(retry.status).toBeLessThan(300);
    expect(retry.body.redirect_url).toBeTruthy();
    // The lease is 6 s; a generous bound for a loaded machine, far below the old 30 s lock.
    expect(tookMs).toBeLessThan(15_000);

    const notes = await db().timelineEvent.findMany({ where: { paymentSessionId: id, type: "soisy_order_interrupted" } });
    expect(notes).toHaveLength(1);
    const row = await db().paymentSession.findUniqueOrThrow({ where: { id } });
    expect(row.soisyToken).toBeTruthy();
    expect(row.creationLockedBy).toBeNull();
    expect(row.state).toBe("redirected");

    // Shopify retries once more: the same answer, no new order, no second note.
    const again = await postSession(b.url, body, "again");
    expect(again).toMatchObject({ status: retry.status, body: { redirect_url: retry.body.redirect_url } });
    expect(await db().timelineEvent.count({ where: { paymentSessionId: id, type: "soisy_order_interrupted" } })).toBe(1);
    const created = [...stack.soisy.orders.values()].filter((o) => o.orderReference === id);
    expect(created).toHaveLength(1);
    await stopProcess(b.child, "SIGKILL");
  });
});

describe("SIGTERM during a Soisy-order creation", () => {
  it("the stopping instance hands its lease back: the other one takes over at once (not after the lease) and notes it", async () => {
    const template = await stack.shopify.startPayment({ shop: stack.shop, amount: "334.00", test: true });
    const body = structuredClone(template.request) as Record<string, unknown>;
    const id = `term${Date.now()}`;
    body.id = id;
    body.gid = `gid://shopify/PaymentSession/${id}`;
    const [a, b] = await Promise.all([instance({ SHUTDOWN_GRACE_MS: "300" }), instance()]);
    stack.soisy.setFaults({ hangNext: 1, match: "/orders" });
    const hungBefore = stack.soisy.requests.filter((r) => r.method === "POST" && r.fault === "hang").length;
    const first = postSession(a.url, body, "first").catch(() => ({ status: 0, body: {} }));
    await eventually(
      async () => stack.soisy.requests.filter((r) => r.method === "POST" && r.fault === "hang").length > hungBefore,
      20_000,
      "the hung Soisy POST",
    );
    const exited = new Promise<number>((resolve) => a.child.once("exit", () => resolve(Date.now())));
    a.child.kill("SIGTERM");
    const exitedAt = await exited;
    await first;
    const retry = await postSession(b.url, body, "retry");
    const afterExitMs = Date.now() - exitedAt;
    console.info(`[resilience] takeover after SIGTERM: answered ${afterExitMs} ms after the old instance exited`);
    expect(retry.status).toBeGreaterThanOrEqual(200);
    expect(retry.status).toBeLessThan(300);
    // A lease left to expire would still have ≥ 4 s to run (6 s lease, renewed every 2 s until shutdown).
    expect(afterExitMs).toBeLessThan(3_000);
    expect(await db().timelineEvent.count({ where: { paymentSessionId: id, type: "soisy_order_interrupted" } })).toBe(1);
    expect(output).not.toMatch(/releasing this process's locks failed/);
    await stopProcess(b.child, "SIGKILL");
  });
});

describe("pre-approval lease", () => {
  it("holder killed during the Soisy request: the shopper's next submit (other instance) goes through within seconds", async () => {
    await db().shopSettings.update({ where: { shop: stack.shop }, data: { integrationLevel: "preapproval" } });
    try {
      const payment = await stack.shopify.startPayment({ shop: stack.shop, amount: "480.00", test: true });
      expect(payment.ok).toBe(true);
      const page = new URL(payment.redirectUrl!);
      expect(page.pathname).toMatch(/^\/payments\/preapproval\//);
      const fiscalCode = withCheckChar("LSEMRA80A01H501");
      const form = preapprovalForm(fiscalCode);
      const submit = (base: string) =>
        fetch(`${base}${page.pathname}`, {
          method: "POST",
          body: form,
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          signal: AbortSignal.timeout(60_000),
        });
      const [a, b] = await Promise.all([instance(), instance()]);
      stack.soisy.setFaults({ hangNext: 1, match: "/requests" });
      const first = submit(a.url).catch(() => null);
      await eventually(
        async () => stack.soisy.requests.some((r) => r.method === "POST" && r.path.endsWith("/requests") && r.fault === "hang"),
        20_000,
        "the hung Soisy step-2 request",
      );
      const locked = await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } });
      expect(locked.preapprovalLockedUntil!.getTime()).toBeGreaterThan(Date.now());
      await stopProcess(a.child, "SIGKILL");
      expect(await first).toBeNull();

      const t0 = Date.now();
      const again = await submit(b.url);
      const tookMs = Date.now() - t0;
      console.info(`[resilience] pre-approval submit after kill -9 of the lease holder answered in ${tookMs} ms (${again.status})`);
      // 303 to Soisy's webapp (approved), not the "busy, try again" form after a 45 s lock / 25 s wait.
      expect(again.status).toBe(303);
      expect(tookMs).toBeLessThan(20_000);
      const row = await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } });
      expect(row.state).toBe("redirected");
      expect(again.headers.get("location")).toBe(row.preapprovalRedirectUrl);
      expect(row.preapprovalLockedUntil).toBeNull();
      await stopProcess(b.child, "SIGKILL");
    } finally {
      stack.soisy.clearFaults();
      await db().shopSettings.update({ where: { shop: stack.shop }, data: { integrationLevel: "redirect" } });
    }
  });
});

describe("the shopper's return page", () => {
  it("answers within 8 s with the waiting page while Soisy's GET hangs, and moves on once Soisy answers", async () => {
    const payment = await stack.shopify.startPayment({ shop: stack.shop, amount: "444.00", test: true });
    const token = (await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } })).soisyToken!;
    // The app has never read this order: the return must ask Soisy, which hangs.
    stack.soisy.setFaults({ hangNext: 1_000, match: `/orders/${token}` });
    const t0 = Date.now();
    const res = await fetch(await returnUrl(payment.id), { redirect: "manual", signal: AbortSignal.timeout(30_000) });
    const tookMs = Date.now() - t0;
    console.info(`[resilience] return page with Soisy hanging answered in ${tookMs} ms`);
    expect(tookMs).toBeLessThan(8_000);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Stiamo confermando il tuo pagamento/);
    expect(soisyGets(token).length).toBeGreaterThan(0);

    stack.soisy.clearFaults();
    await stack.soisy.completeOrder(token);
    const row = await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } });
    const statusUrl = `${stack.appUrl}/payments/status/${payment.id}/${row.callbackSecret}`;
    const next = await eventually(
      async () => {
        const r = await fetch(statusUrl, { headers: { accept: "application/json" } });
        const json = (await r.json()) as { redirectUrl: string | null };
        return json.redirectUrl;
      },
      20_000,
      "the waiting page's poll to find Shopify's next step",
    );
    expect(next).toContain(payment.id);
  });

  it("repeated GETs of a return URL: one timeline row, Soisy asked at most a few times", async () => {
    const payment = await stack.shopify.startPayment({ shop: stack.shop, amount: "455.00", test: true });
    const token = (await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } })).soisyToken!;
    await stack.soisy.completeOrder(token);
    await stack.soisy.idle();
    // The callbacks' reads are fresh: wait until they are not, so the first return GET asks Soisy.
    await eventually(
      async () => {
        const row = await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } });
        return row.lastCheckedAt !== null && Date.now() - row.lastCheckedAt.getTime() > 5_500;
      },
      20_000,
      "the last Soisy observation to age",
    );
    const url = await returnUrl(payment.id);
    const getsBefore = soisyGets(token).length;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await fetch(url, { redirect: "manual" });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.every((s) => s === 302 || s === 200)).toBe(true);
    const rows = await db().timelineEvent.findMany({ where: { paymentSessionId: payment.id, source: "shopper_return" } });
    expect(rows.map((r) => r.type)).toEqual(["returned_success"]);
    // A fresh observation is reused for 5 s: 20 quick GETs need one Soisy read, a slow machine a few.
    const gets = soisyGets(token).length - getsBefore;
    console.info(`[resilience] 20 return GETs: ${rows.length} timeline row(s), ${gets} Soisy GET(s)`);
    expect(gets).toBeGreaterThanOrEqual(1);
    expect(gets).toBeLessThanOrEqual(5);
  });
});
