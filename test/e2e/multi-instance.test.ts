/**
 * Several app instances on one database (the production shape): concurrent duplicates of a
 * payment session spread over two instances still create one Soisy order and get one answer, and
 * both instances' outbox workers deliver each Shopify mutation once.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, shopifyProofHeaders, spawnApp, stopProcess } from "../../scripts/lib/local-stack";
import { eventually, startStack, type Stack, STACK_SETUP_TIMEOUT_MS } from "../helpers/stack";

let stack: Stack;
let second: ChildProcess;
let secondUrl: string;

beforeAll(async () => {
  stack = await startStack({ shop: "multi-instance.myshopify.com" });
  const port = await freePort();
  secondUrl = `http://127.0.0.1:${port}`;
  second = await spawnApp({ port, env: stack.env });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await stopProcess(second, "SIGKILL");
  await stack?.close();
});

describe("two app instances, one database", () => {
  it("60 concurrent duplicates over both instances → one Soisy order, one answer", async () => {
    const template = await stack.shopify.startPayment({ shop: stack.shop, amount: "321.00", test: true });
    const body = structuredClone(template.request) as Record<string, unknown>;
    const id = `multi${Date.now()}`;
    body.id = id;
    body.gid = `gid://shopify/PaymentSession/${id}`;
    const ordersBefore = stack.soisy.orders.size;
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        fetch(`${i % 2 ? secondUrl : stack.appUrl}/payments/sessions`, {
          method: "POST",
          headers: { "content-type": "application/json", "shopify-shop-domain": stack.shop, "shopify-request-id": `r${i}`, ...shopifyProofHeaders(stack.env) },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { redirect_url?: string } })),
      ),
    );
    const ok = answers.filter((a) => a.status >= 200 && a.status < 300);
    // Every answer is either the one redirect URL or a 503 "being created, retry" (Shopify retries).
    expect(answers.every((a) => (a.status >= 200 && a.status < 300) || a.status === 503)).toBe(true);
    expect(new Set(ok.map((a) => a.body.redirect_url)).size).toBe(1);
    expect(ok.length).toBeGreaterThan(0);
    expect(stack.soisy.orders.size).toBe(ordersBefore + 1);
  });

  it("both outbox workers run; each mutation reaches Shopify once", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const payment = await stack.shopify.startPayment({ shop: stack.shop, amount: `${400 + i}.00`, test: true });
      const token = (await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id: payment.id } })).soisyToken!;
      await stack.soisy.completeOrder(token);
      await stack.soisy.fireEvent(token, "LoanWasVerified");
      ids.push(payment.id);
    }
    await stack.soisy.idle();
    for (const id of ids) {
      await eventually(async () => stack.shopify.paymentSessions.get(id)?.state.code === "RESOLVED", 15_000, `resolve ${id}`);
      // Oversell protection: one confirm, then one resolve.
      for (const name of ["paymentSessionConfirm", "paymentSessionResolve"]) {
        const applied = stack.shopify.paymentSessions.get(id)!.mutations.filter((m) => m.name === name && m.outcome === "applied");
        expect(applied, name).toHaveLength(1);
      }
    }
    const messages = await stack.database.db.outboxMessage.findMany({ where: { paymentSessionId: { in: ids } } });
    expect(messages).toHaveLength(ids.length * 2);
  });
});
