/** A payment held for the merchant (loan amount ≠ order amount): the merchant decides on its page. */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminContext } from "../helpers/admin-page";
import { seriousAxeViolations } from "../helpers/axe";
import { screenshotPath } from "../helpers/browser";
import { eventually, type Stack } from "../helpers/stack";
import { closeAll, STACK_SETUP_TIMEOUT_MS, startStackAndBrowser } from "../helpers/browser-stack";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [stack, browser] = await startStackAndBrowser({ shop: "flagged-shop.myshopify.com", adminOAuth: true });
  context = await adminContext(browser, stack, { locale: "it-IT" });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(() => closeAll(browser, stack));

async function flaggedPayment(amount: string): Promise<string> {
  const payment = await stack.shopify.startPayment({ shop: stack.shop, amount, test: true });
  const token = (await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id: payment.id } })).soisyToken!;
  await stack.soisy.completeOrder(token);
  stack.soisy.orders.get(token)!.amount = 12_345; // Soisy reports a loan of another amount
  await stack.soisy.fireEvent(token, "LoanWasVerified");
  await stack.soisy.idle();
  await eventually(async () => (await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id: payment.id } })).flagReason, 10_000, "flag");
  return payment.id;
}

describe("payments held for the merchant's review", () => {
  it("the merchant confirms one after checking with Soisy: Shopify resolves it", async () => {
    const id = await flaggedPayment("640.00");
    expect(stack.shopify.paymentSessions.get(id)?.state.code).not.toBe("RESOLVED");
    const page = await context.newPage();
    await page.goto(`${stack.appUrl}/app/transactions/${id}?lang=it`);
    await page.getByText("Questo pagamento aspetta una tua decisione").waitFor();
    await page.screenshot({ path: screenshotPath("admin-payment-review-it"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Conferma il pagamento" }).click();
    await page.getByText("Pagamento confermato").waitFor();
    await eventually(async () => stack.shopify.paymentSessions.get(id)?.state.code === "RESOLVED", 10_000, "resolve");
    expect((await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("resolved");
    expect(await page.getByText("Questo pagamento aspetta una tua decisione").count()).toBe(0);
    await page.close();
  });

  it("…or rejects another (English)", async () => {
    const id = await flaggedPayment("650.00");
    const page = await context.newPage();
    await page.goto(`${stack.appUrl}/app/transactions/${id}?lang=en`);
    await page.getByRole("button", { name: "Reject the payment" }).click();
    await page.getByText("Payment rejected").waitFor();
    await eventually(async () => stack.shopify.paymentSessions.get(id)?.state.code === "REJECTED", 10_000, "reject");
    expect((await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("rejected");
    await page.close();
  });

  it("a payment that is not held offers no decision", async () => {
    const payment = await stack.shopify.startPayment({ shop: stack.shop, amount: "660.00", test: true });
    const page = await context.newPage();
    await page.goto(`${stack.appUrl}/app/transactions/${payment.id}?lang=en`);
    await page.getByRole("heading").first().waitFor();
    expect(await page.getByRole("button", { name: "Confirm the payment" }).count()).toBe(0);
    await page.close();
    expect(stack.shopify.paymentSessions.get(payment.id)?.mutations).toEqual([]);
  });
});
