/**
 * Chaos: two app instances on one database (production runs several behind a load balancer).
 * Duplicate payment session requests for each session arrive at both instances at once while Soisy
 * is slow; one instance is killed -9 in the middle and restarted; Soisy's callbacks arrive twice
 * at one instance and once more at the other. Expected: one Soisy order per session (or a merchant
 * note), every resolve applied at Shopify exactly once, one outbox message per mutation, no exits
 * the test did not cause.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { shopifyProofHeaders } from "../../scripts/lib/local-stack";
import {
  duplicateOrderNotes,
  expectNoUnexpectedExit,
  mutationsOf,
  ordersFor,
  printSummary,
  sessionId,
  SOISY_ORDERS_PATH,
  startPaymentUntilOk,
  tail,
  useChaosStack,
  waitFor,
  type AppInstance,
} from "./chaos-stack";

const stack = useChaosStack({ shop: "chaos-multi.myshopify.com" });
let second: AppInstance;

beforeAll(async () => {
  second = await stack.startInstance("app-2");
}, 60_000);

const SESSIONS = 3;
const DUPLICATES_PER_INSTANCE = 3;

/** A copy of Shopify's session request, posted straight to one instance. */
async function postSession(app: AppInstance, body: unknown, n: number): Promise<number | string> {
  try {
    const res = await fetch(`${app.url}/payments/sessions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "shopify-shop-domain": stack.shop,
        "shopify-request-id": `dup-${n}-${Math.random().toString(36).slice(2)}`,
        "shopify-api-version": stack.shopify.apiVersion,
        ...shopifyProofHeaders(stack.env),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch (error) {
    return (error as Error).message;
  }
}

describe("two instances, one killed -9 mid-way", () => {
  it("duplicates across both → one Soisy order per session (or a note), each resolve applied once", async () => {
    const started = Date.now();
    const ids = Array.from({ length: SESSIONS }, (_, i) => sessionId(`multi${i}`));
    const rules = ids.map((id) =>
      stack.soisyProxy.addRule({ method: "POST", path: SOISY_ORDERS_PATH, bodyIncludes: id, mode: { kind: "slow", ms: 3_000 }, times: 1 }),
    );
    // Shopify sends each session to instance 1; copies of the same request hit both instances at once.
    const shopifyTries = ids.map((id, i) => stack.shopify.startPayment({ shop: stack.shop, amount: `${600 + i}.00`, test: true, id }));
    const duplicates: Array<Promise<number | string>> = [];
    for (const id of ids) {
      const body = await waitFor(() => stack.shopify.paymentSessions.get(id)?.request, 10_000, `the simulator's request for ${id}`);
      for (let k = 0; k < DUPLICATES_PER_INSTANCE; k++) {
        duplicates.push(postSession(second, body, k), postSession(stack.primary, body, k));
      }
    }
    // Every session's order creation is in flight at Soisy (slow answer): kill instance 2 now.
    await waitFor(() => rules.every((rule) => stack.soisyProxy.count({ ruleId: rule }) === 1), 20_000, "each POST /orders in flight");
    await stack.signal(second, "SIGKILL");
    const killedAt = Date.now();
    const duplicateAnswers = await Promise.all(duplicates);
    await Promise.all(shopifyTries);
    await stack.restart(second);

    // Shopify retries each session until it gets a redirect.
    for (const [i, id] of ids.entries()) {
      await startPaymentUntilOk(stack, { id, amount: `${600 + i}.00` }, 90_000).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${tail(stack.output(), 3000)}`);
      });
    }

    // Soisy verifies each loan; callbacks arrive twice at instance 1 and once more at instance 2.
    stack.soisy.setFaults({ duplicateCallbacks: true });
    try {
      for (const id of ids) {
        const token = (await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id } })).soisyToken!;
        const sentBefore = stack.soisy.callbacks.length;
        const fired = stack.soisy.fireEvent(token, "LoanWasVerified");
        const copy = await waitFor(() => stack.soisy.callbacks.slice(sentBefore).find((c) => c.orderToken === token), 15_000, "a callback to copy");
        const url = new URL(copy.url);
        const toSecond = fetch(`${second.url}${url.pathname}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: copy.rawBody,
        }).then((r) => r.status);
        await Promise.all([fired, toSecond]);
      }
    } finally {
      stack.soisy.clearFaults();
    }

    let duplicateOrders = 0;
    let lastDelivery = 0;
    for (const id of ids) {
      await waitFor(() => stack.shopify.paymentSessions.get(id)?.state.code === "RESOLVED", 40_000, `${id} resolved at Shopify`).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${tail(stack.output(), 3000)}`);
      });
      const resolves = mutationsOf(stack, id, "paymentSessionResolve");
      expect(resolves.applied, id).toHaveLength(1);
      expect(resolves.rejected, id).toHaveLength(0);
      lastDelivery = Math.max(lastDelivery, Date.parse(resolves.applied[0]!.at));
      await waitFor(
        async () => (await stack.database.db.outboxMessage.findMany({ where: { paymentSessionId: id } })).every((m) => m.status === "delivered"),
        40_000,
        `${id}'s outbox delivered`,
      );
      expect(await stack.database.db.outboxMessage.count({ where: { paymentSessionId: id, mutation: "paymentSessionResolve" } })).toBe(1);
      const orders = ordersFor(stack, id);
      if (orders.length > 1) {
        duplicateOrders += orders.length - 1;
        const timeline = await stack.database.db.timelineEvent.findMany({ where: { paymentSessionId: id }, select: { type: true } });
        expect(await duplicateOrderNotes(stack, id), `${orders.length} Soisy orders for ${id}, no merchant note: ${JSON.stringify(timeline)}`).not.toHaveLength(0);
      }
    }
    expect(stack.shopify.violations).toEqual([]);
    const answers = new Map<string, number>();
    for (const a of duplicateAnswers) answers.set(String(a), (answers.get(String(a)) ?? 0) + 1);
    printSummary({
      scenario: `two instances (${stack.database.kind}), kill -9 one mid-creation`,
      faults: rules.length + 1,
      unexpectedExits: stack.unexpectedExits(started).length,
      duplicates: duplicateOrders,
      recoveryToDeliveryMs: lastDelivery - killedAt,
      note: `duplicate answers=${JSON.stringify(Object.fromEntries(answers))}`,
    });
    // Every duplicate got an answer Shopify understands (redirect, or "retry") — or lost its connection to the killed instance.
    for (const a of duplicateAnswers) {
      if (typeof a === "number") expect([200, 201, 503], `duplicate answered ${a}`).toContain(a);
    }
    expectNoUnexpectedExit(stack, started);
  }, 170_000);
});
