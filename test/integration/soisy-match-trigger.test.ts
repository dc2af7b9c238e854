/**
 * SoisyClient.matchTrigger (suspended orders, fund on fulfilment) against the Soisy simulator over real
 * HTTP: every outcome the lifecycle will have to tell apart — triggered, each refusal reason, and
 * "unknown" (timeout, 5xx) where Soisy may or may not have released the funding.
 */
import { describe, expect, it } from "vitest";
import type { SoisyClientOptions } from "~/soisy/client.server";
import { SoisyValidationError } from "~/soisy/errors";
import type { MatchTriggerResult } from "~/soisy/match-trigger";
import { simulatorClient, useSoisySimulator } from "../helpers/soisy-sim";

const SUSPENDED_SHOP = "suspendedshop";
const SUSPENDED_KEY = "suspended-key";
const PLAIN_SHOP = "plainshop";
const PLAIN_KEY = "plain-key";

const sim = useSoisySimulator([
  { shopId: SUSPENDED_SHOP, apiKey: SUSPENDED_KEY, suspendedOrders: true },
  { shopId: PLAIN_SHOP, apiKey: PLAIN_KEY },
]);

const client = (overrides: Partial<SoisyClientOptions> = {}) => simulatorClient(sim, { shopId: SUSPENDED_SHOP, apiKey: SUSPENDED_KEY }, overrides);

const plainClient = () => client({ shopId: PLAIN_SHOP, apiKey: PLAIN_KEY });

/** An order of the client's shop, completed by the shopper and verified by Soisy's operator. */
async function verifiedOrder(c = client(), amount = 150_000): Promise<string> {
  const { token } = await c.createOrder({ amount, orderReference: `ref-${Math.random().toString(36).slice(2)}` });
  await sim.completeOrder(token);
  await sim.fireEvent(token, "LoanWasVerified");
  return token;
}

function triggerRequests(token: string) {
  return sim.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/orders/${token}/match-trigger`));
}

function triggersOf(token: string) {
  return sim.triggers.filter((t) => t.token === token);
}

function expectRefused(result: MatchTriggerResult, reason: string, status: number) {
  expect(result).toMatchObject({ outcome: "refused", reason, status });
}

/** Polls until `check` holds (the simulator may still be working on a request the client gave up on). */
async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("matchTrigger: triggered", () => {
  it("sends an authenticated form-encoded POST with the cents; 204 → triggered; the order is funded once", async () => {
    const token = await verifiedOrder();
    expect((await client().getOrder(token)).status).toBe("waiting_for_trigger");

    const result = await client().matchTrigger(token, 150_000);

    expect(result).toEqual({ outcome: "triggered", token, amountCents: 150_000 });
    const [request] = triggerRequests(token);
    expect(triggerRequests(token)).toHaveLength(1);
    expect(request?.headers["x-auth-token"]).toBe(SUSPENDED_KEY);
    expect(request?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.rawBody).toBe("amount=150000");
    expect(request?.status).toBe(204);
    expect(triggersOf(token)).toEqual([expect.objectContaining({ shopId: SUSPENDED_SHOP, token, amount: 150_000 })]);
    const order = await client().getOrder(token);
    expect(order).toMatchObject({ status: "disbursed", loanAmount: 150_000 });
    expect(order.loanDisbursedAt).not.toBeNull();
  });

  it("a lower amount is a partial funding: the loan becomes the triggered cents", async () => {
    const token = await verifiedOrder(client(), 200_000);
    expect(await client().matchTrigger(token, 120_050)).toMatchObject({ outcome: "triggered", amountCents: 120_050 });
    const order = await client().getOrder(token);
    expect(order).toMatchObject({ status: "disbursed", loanAmount: 120_050, loanNetAmount: 120_050 - Math.floor(120_050 * 0.03) });
  });

  it("JSON bodies carry the amount as a number", async () => {
    const c = client({ bodyEncoding: "json" });
    const token = await verifiedOrder(c);
    expect((await c.matchTrigger(token, 99_999)).outcome).toBe("triggered");
    expect(JSON.parse(triggerRequests(token)[0]?.rawBody ?? "")).toEqual({ amount: 99_999 });
  });
});

describe("matchTrigger: Soisy's refusals (known not to have happened)", () => {
  it("unknown token → unknown_order (404)", async () => {
    const result = await client().matchTrigger("no-such-token", 1000);
    expectRefused(result, "unknown_order", 404);
  });

  it("an order of a shop without the suspended-orders contract → not_suspended, with Soisy's message", async () => {
    const token = await verifiedOrder(plainClient());
    const result = await plainClient().matchTrigger(token, 1000);
    expectRefused(result, "not_suspended", 400);
    expect(result.outcome === "refused" && result.messages.join(" ")).toMatch(/not suspended/);
    expect(sim.orders.get(token)?.status).toBe("waiting_for_disbursement");
  });

  it("an order not verified yet → not_verified", async () => {
    const { token } = await client().createOrder({ amount: 50_000 });
    await sim.completeOrder(token);
    expectRefused(await client().matchTrigger(token, 50_000), "not_verified", 400);
    expect(triggersOf(token)).toHaveLength(0);
  });

  it("an amount above the loan → amount_exceeds_loan; the order keeps waiting and can still be triggered", async () => {
    const token = await verifiedOrder(client(), 80_000);
    const result = await client().matchTrigger(token, 80_001);
    expectRefused(result, "amount_exceeds_loan", 400);
    expect(result.outcome === "refused" && result.messages).toEqual([expect.stringMatching(/^amount: .*exceeds/)]);
    expect(sim.orders.get(token)?.status).toBe("waiting_for_trigger");
    expect((await client().matchTrigger(token, 80_000)).outcome).toBe("triggered");
  });

  it("a second trigger → already_triggered, and Soisy recorded exactly one", async () => {
    const token = await verifiedOrder();
    expect((await client().matchTrigger(token, 10_000)).outcome).toBe("triggered");
    expectRefused(await client().matchTrigger(token, 10_000), "already_triggered", 400);
    expect(triggersOf(token)).toHaveLength(1);
  });

  it("a cancelled application → order_cancelled", async () => {
    const { token } = await client().createOrder({ amount: 50_000 });
    await sim.rejectOrder(token);
    expectRefused(await client().matchTrigger(token, 50_000), "order_cancelled", 400);
  });

  it("wrong key → auth (403), another shop's order → auth", async () => {
    const token = await verifiedOrder();
    expectRefused(await client({ apiKey: "wrong" }).matchTrigger(token, 1000), "auth", 403);
    expectRefused(await plainClient().matchTrigger(token, 1000), "auth", 403);
    expect(triggersOf(token)).toHaveLength(0);
  });

  it("any other 4xx (here a 409) is a refusal too, `rejected` with Soisy's message", async () => {
    sim.setFaults({ failNext: { count: 1, status: 409 }, match: "match-trigger" });
    const result = await client().matchTrigger("whatever", 1000);
    expect(result).toMatchObject({ outcome: "refused", reason: "rejected", status: 409, messages: ["Simulated failure"] });
  });
});

describe("matchTrigger: unknown outcome (Soisy may have triggered)", () => {
  it("a hanging Soisy → unknown (timeout), after exactly one request: POSTs are never retried", async () => {
    const token = await verifiedOrder();
    sim.setFaults({ hangNext: 1, match: "match-trigger" });
    const result = await client({ timeoutMs: 150 }).matchTrigger(token, 10_000);
    expect(result.outcome).toBe("unknown");
    expect(result.outcome === "unknown" && result.error.kind).toBe("timeout");
    expect(triggerRequests(token)).toHaveLength(1);
  });

  it("a slow Soisy that triggers after the client gave up: unknown, then a retry is refused as already_triggered", async () => {
    const token = await verifiedOrder();
    sim.setFaults({ latencyMs: 400, match: "match-trigger" });
    const result = await client({ timeoutMs: 100 }).matchTrigger(token, 10_000);
    expect(result).toMatchObject({ outcome: "unknown", error: { kind: "timeout" } });
    await eventually(() => triggersOf(token).length === 1);
    sim.clearFaults();
    expectRefused(await client().matchTrigger(token, 10_000), "already_triggered", 400);
    expect(await client().getOrder(token)).toMatchObject({ status: "disbursed", loanAmount: 10_000 });
  });

  it("a 5xx → unknown (server), not retried", async () => {
    const token = await verifiedOrder();
    sim.setFaults({ failNext: { count: 1, status: 503 }, match: "match-trigger" });
    const result = await client().matchTrigger(token, 10_000);
    expect(result).toMatchObject({ outcome: "unknown", error: { kind: "server", status: 503 } });
    expect(triggerRequests(token)).toHaveLength(1);
  });

  it("Soisy unreachable → unknown (network)", async () => {
    // Port 9 (discard) refuses connections at once.
    const result = await client({ baseUrl: "http://127.0.0.1:9" }).matchTrigger("t", 1000);
    expect(result).toMatchObject({ outcome: "unknown", error: { kind: "network" } });
  });
});

describe("matchTrigger: input checked before any call", () => {
  it.each([0, -100, 12.5, Number.NaN, Number.POSITIVE_INFINITY, "1000" as unknown as number])(
    "amount %s → SoisyValidationError (client)",
    async (amount) => {
      const before = sim.requests.length;
      const error = await client().matchTrigger("token", amount).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SoisyValidationError);
      expect(error).toMatchObject({ origin: "client", fields: { amount: [expect.any(String)] } });
      expect(sim.requests.length).toBe(before);
    },
  );

  it("an empty token → SoisyValidationError (client)", async () => {
    await expect(client().matchTrigger("", 1000)).rejects.toMatchObject({ kind: "validation", origin: "client" });
  });
});
