/**
 * The Soisy simulator's suspended orders, over raw HTTP: verified → waiting_for_trigger → match-trigger
 * → disbursed with its LoanWasDisbursed callback; the refusals' statuses and bodies; the recorded
 * triggers; faults on the endpoint.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSoisyClient } from "~/soisy/client.server";
import { startCallbackReceiver, type CallbackReceiver } from "../simulators/soisy/callback-receiver";
import { startSoisySimulator, type SoisySimulator } from "../simulators/soisy";

const SHOP = "suspendedshop";
const KEY = "suspended-key";
const PLAIN_SHOP = "plainshop";
const PLAIN_KEY = "plain-key";

let sim: SoisySimulator;
let receiver: CallbackReceiver;

beforeAll(async () => {
  [sim, receiver] = await Promise.all([
    startSoisySimulator({
      shops: [
        { shopId: SHOP, apiKey: KEY, suspendedOrders: true },
        { shopId: PLAIN_SHOP, apiKey: PLAIN_KEY },
      ],
    }),
    startCallbackReceiver(),
  ]);
});

afterAll(async () => {
  await Promise.all([sim?.close(), receiver?.close()]);
});

beforeEach(() => {
  sim.clearFaults();
  receiver.received.length = 0;
});

async function newOrder(shopId = SHOP, apiKey = KEY, amount = 300_000) {
  const client = createSoisyClient({ environment: "sandbox", shopId, apiKey, baseUrl: sim.url });
  const { token } = await client.createOrder({ amount, orderReference: "ref-s", callbackUrl: `${receiver.url}/cb/secret` });
  return token;
}

async function verified(shopId = SHOP, apiKey = KEY, amount = 300_000) {
  const token = await newOrder(shopId, apiKey, amount);
  await sim.completeOrder(token);
  await sim.fireEvent(token, "LoanWasVerified");
  receiver.received.length = 0;
  return token;
}

async function trigger(token: string, body: unknown, opts: { shopId?: string; key?: string; method?: string } = {}) {
  const res = await fetch(`${sim.url}/api/shops/${opts.shopId ?? SHOP}/orders/${token}/match-trigger`, {
    method: opts.method ?? "POST",
    headers: { "X-Auth-Token": opts.key ?? KEY, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

describe("suspended orders: state machine", () => {
  it("verified → waiting_for_trigger (LoanWasVerified sent, no disbursement); trigger → 204, disbursed, LoanWasDisbursed with the cents", async () => {
    const token = await newOrder();
    await sim.completeOrder(token);
    await sim.fireEvent(token, "LoanWasVerified");
    const order = sim.orders.get(token)!;
    expect(order).toMatchObject({ status: "waiting_for_trigger", suspended: true, trigger: null });
    expect(order.loanVerifiedAt).not.toBeNull();
    expect(order.loanDisbursedAt).toBeNull();
    expect(receiver.received.map((r) => r.form.eventId)).toEqual(["LoanWasApproved", "RequestCompleted", "LoanWasVerified"]);
    receiver.received.length = 0;

    const answer = await trigger(token, { amount: 250_000 });
    expect(answer).toEqual({ status: 204, text: "", body: null });
    expect(order).toMatchObject({
      status: "disbursed",
      amount: 250_000,
      trigger: { amount: 250_000, approvedAmount: 300_000 },
    });
    expect(order.loanDisbursedAt).not.toBeNull();
    expect(sim.triggers.filter((t) => t.token === token)).toEqual([
      { shopId: SHOP, token, amount: 250_000, at: expect.any(String) },
    ]);
    await sim.idle();
    expect(receiver.received.map((r) => r.form)).toEqual([
      expect.objectContaining({ eventId: "LoanWasDisbursed", eventMessage: "payment received", orderToken: token, amount: "250000" }),
    ]);
  });

  it("orders of a shop without the contract are not suspended: verified → waiting_for_disbursement", async () => {
    const token = await verified(PLAIN_SHOP, PLAIN_KEY);
    expect(sim.orders.get(token)).toMatchObject({ status: "waiting_for_disbursement", suspended: false });
  });

  it("an operator's LoanWasDisbursed still funds a waiting order; a trigger afterwards is refused", async () => {
    const token = await verified();
    await sim.fireEvent(token, "LoanWasDisbursed");
    expect(sim.orders.get(token)?.status).toBe("disbursed");
    expect(await trigger(token, { amount: 1000 })).toMatchObject({
      status: 400,
      body: { error: "The order has already been disbursed." },
    });
  });

  it("reset() forgets the triggers", async () => {
    const token = await verified();
    expect((await trigger(token, { amount: 1000 })).status).toBe(204);
    expect(sim.triggers.length).toBeGreaterThan(0);
    sim.reset();
    expect(sim.triggers).toHaveLength(0);
  });
});

describe("suspended orders: refusals", () => {
  it("unknown token → 404 {error}", async () => {
    expect(await trigger("nope", { amount: 1000 })).toMatchObject({ status: 404, body: { error: "Order not found" } });
  });

  it("wrong key → 403 before anything else; another shop's order → 403", async () => {
    const token = await verified();
    expect((await trigger("nope", { amount: 1000 }, { key: "wrong" })).status).toBe(403);
    expect(await trigger(token, { amount: 1000 }, { shopId: PLAIN_SHOP, key: PLAIN_KEY })).toMatchObject({
      status: 403,
      body: { error: "This order belongs to another shop" },
    });
  });

  it("missing or malformed amount → 400 {errors: {amount}}", async () => {
    const token = await verified();
    for (const body of [undefined, {}, { amount: 0 }, { amount: 12.5 }, { amount: "abc" }]) {
      expect(await trigger(token, body)).toMatchObject({ status: 400, body: { errors: { amount: [expect.any(String)] } } });
    }
    expect(sim.orders.get(token)?.status).toBe("waiting_for_trigger");
  });

  it("not suspended, not verified, above the loan, second trigger, cancelled → 400 with the reason", async () => {
    const plain = await verified(PLAIN_SHOP, PLAIN_KEY);
    expect(await trigger(plain, { amount: 1000 }, { shopId: PLAIN_SHOP, key: PLAIN_KEY })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/not suspended/) },
    });

    const pending = await newOrder();
    await sim.completeOrder(pending);
    expect(await trigger(pending, { amount: 1000 })).toMatchObject({
      status: 400,
      body: { error: "The order has not been verified yet (status waiting_for_verification)." },
    });

    const token = await verified(SHOP, KEY, 100_000);
    expect(await trigger(token, { amount: 100_001 })).toMatchObject({
      status: 400,
      body: { errors: { amount: ["The amount exceeds the loan amount (100000 cents)."] } },
    });
    expect((await trigger(token, { amount: 100_000 })).status).toBe(204);
    expect(await trigger(token, { amount: 100_000 })).toMatchObject({
      status: 400,
      body: { error: "The funding of this order has already been triggered." },
    });
    expect(sim.triggers.filter((t) => t.token === token)).toHaveLength(1);

    const cancelled = await newOrder();
    await sim.rejectOrder(cancelled);
    expect(await trigger(cancelled, { amount: 1000 })).toMatchObject({ status: 400, body: { error: "The order is cancelled." } });
  });

  it("GET on match-trigger → 405; an unknown action under an order → 404", async () => {
    const token = await verified();
    expect((await trigger(token, undefined, { method: "GET" })).status).toBe(405);
    const res = await fetch(`${sim.url}/api/shops/${SHOP}/orders/${token}/other`, { headers: { "X-Auth-Token": KEY } });
    expect(res.status).toBe(404);
    await res.arrayBuffer();
  });
});

describe("suspended orders: faults", () => {
  it("failNext with match: 'match-trigger' hits the trigger, not the order reads; the order keeps waiting", async () => {
    const token = await verified();
    sim.setFaults({ failNext: { count: 1, status: 502 }, match: "match-trigger" });
    const order = await fetch(`${sim.url}/api/shops/${SHOP}/orders/${token}`, { headers: { "X-Auth-Token": KEY } });
    expect(order.status).toBe(200);
    await order.arrayBuffer();
    expect(await trigger(token, { amount: 1000 })).toMatchObject({ status: 502, body: { error: "Simulated failure" } });
    expect(sim.orders.get(token)?.status).toBe("waiting_for_trigger");
    expect(sim.requests.at(-1)).toMatchObject({ fault: "fail", status: 502 });
    expect((await trigger(token, { amount: 1000 })).status).toBe(204);
  });
});
