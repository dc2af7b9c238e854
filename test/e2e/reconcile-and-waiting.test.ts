/**
 * Paths where the app must act without the shopper or without Shopify at the right moment:
 * reconciliation (`npm run reconcile`) settling payments whose shopper never came back or whose
 * callbacks were lost, and the "we are confirming your payment" page while Shopify is unreachable.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { eventually, repoRoot, startStack, type Stack, STACK_SETUP_TIMEOUT_MS } from "../helpers/stack";

const run = promisify(execFile);
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startStack({
      shop: "reconcile-shop.myshopify.com",
      // Polls never bring a delivery forward: after Shopify recovers, the page moves on within this backoff.
      appEnv: { OUTBOX_BACKOFF_BASE_MS: "200", OUTBOX_BACKOFF_MAX_MS: "2000" },
    }),
    launchBrowser(),
  ]);
}, STACK_SETUP_TIMEOUT_MS);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const db = () => stack.database.db;
const simState = (id: string) => stack.shopify.paymentSessions.get(id)?.state.code;

async function reconcile(): Promise<{ reconcile: { checked: number; changed: number; failed: number } }> {
  const { stdout } = await run(process.execPath, [path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"), "scripts/reconcile.ts", "--older-than-ms", "0"], {
    cwd: repoRoot,
    env: { ...stack.env, LOG_LEVEL: "silent" },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

describe("reconciliation (npm run reconcile)", () => {
  it("settles a payment whose shopper never came back and whose callbacks were lost", async () => {
    const payment = await stack.shopify.startPayment({ shop: stack.shop, amount: "420.00", test: true });
    const token = (await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } })).soisyToken!;
    // The shopper completes at Soisy but closes the tab; Soisy's callbacks never reach the app.
    const order = stack.soisy.orders.get(token)!;
    order.callbackUrl = "http://127.0.0.1:9/unreachable";
    await stack.soisy.completeOrder(token);
    await stack.soisy.idle();
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } })).state).toBe("redirected");

    const first = await reconcile();
    expect(first.reconcile.checked).toBeGreaterThanOrEqual(1);
    // The pass asked Shopify to confirm the stock first (oversell protection): the payment is pending once
    // Shopify's confirmation callback has reached the app, which may come after the command has returned.
    const stateOf = async () => (await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } })).state;
    expect(["confirming", "pending"]).toContain(await stateOf());
    await eventually(async () => (await stateOf()) === "pending", 10_000, "pending in the app");
    await eventually(async () => simState(payment.id) === "PENDING", 10_000, "pending at Shopify");

    await stack.soisy.fireEvent(token, "LoanWasVerified");
    await stack.soisy.idle();
    await reconcile();
    await eventually(async () => simState(payment.id) === "RESOLVED", 10_000, "resolved at Shopify");
    const row = await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } });
    expect(row.state).toBe("resolved");
    expect(row.soisyStatus).toBe("waiting_for_disbursement");
    const polls = await db().timelineEvent.count({ where: { paymentSessionId: payment.id, source: "soisy_poll" } });
    expect(polls).toBe(2);
  });

  it("a pass with nothing to do changes nothing", async () => {
    const before = await db().outboxMessage.count();
    const report = await reconcile();
    expect(report.reconcile.changed).toBe(0);
    expect(await db().outboxMessage.count()).toBe(before);
  });
});

describe("Shopify unreachable when the shopper returns", () => {
  it("shows a friendly page (it) that moves on by itself once Shopify answers", async () => {
    const page = await browser.newPage({ locale: "it-IT" });
    await page.goto(`${stack.shopify.url}/checkout`);
    await page.getByLabel(/^Importo/).fill("510.00");
    await Promise.all([page.waitForURL(/#\/loan-request\?token=/), page.getByRole("button", { name: /Paga a rate con Soisy/ }).click()]);
    const id = [...stack.shopify.paymentSessions.values()].at(-1)!.id;
    stack.shopify.setFaults({ failNext: { count: 1_000, status: 503 } });
    await Promise.all([page.waitForURL(/\/payments\/return\//), page.getByRole("button", { name: "Completa la richiesta" }).click()]);
    await page.getByRole("heading", { name: "Stiamo confermando il tuo pagamento" }).waitFor({ state: "visible" });
    await page.getByRole("status").waitFor({ state: "visible" });
    await page.screenshot({ path: screenshotPath("shopper-confirming-it"), fullPage: true });
    expect(await page.locator("body").innerText()).not.toMatch(/error|errore/i);

    stack.shopify.clearFaults();
    await page.waitForURL(new RegExp(`/shops/${stack.shop}/orders/${id}`), { timeout: 20_000 });
    expect(simState(id)).toBe("PENDING");
    await page.close();
  });

  it("speaks English to an English shopper", async () => {
    const page = await browser.newPage({ locale: "en-GB", extraHTTPHeaders: { "accept-language": "en-GB,en;q=0.9" } });
    const payment = await stack.shopify.startPayment({ shop: stack.shop, amount: "520.00", test: true, customer: { locale: "en" } });
    const token = (await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } })).soisyToken!;
    await stack.soisy.completeOrder(token);
    stack.shopify.setFaults({ failNext: { count: 1_000, status: 503 } });
    const row = await db().paymentSession.findUniqueOrThrow({ where: { id: payment.id } });
    await page.goto(`${stack.appUrl}/payments/return/${payment.id}/${row.callbackSecret}/success`);
    await page.getByRole("heading", { name: "We are confirming your payment" }).waitFor({ state: "visible" });
    await page.screenshot({ path: screenshotPath("shopper-confirming-en"), fullPage: true });
    stack.shopify.clearFaults();
    await page.waitForURL(new RegExp(`/orders/${payment.id}`), { timeout: 20_000 });
    await page.close();
  });
});
