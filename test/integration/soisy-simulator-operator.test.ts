/**
 * The Soisy simulator's back-office actions of the merchant, over raw HTTP: cancelling a loan in any
 * status (also once disbursed) and reducing it by N cents (loanAmount and loanNetAmount lower, seen by
 * the app's own client on GET /orders/{token}); the refusals' statuses; no callback is sent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSoisyClient } from "~/soisy/client.server";
import { startCallbackReceiver, type CallbackReceiver } from "../simulators/soisy/callback-receiver";
import { startSoisySimulator, type SoisySimulator } from "../simulators/soisy";

const SHOP = { shopId: "opshop", apiKey: "op-key" };

let sim: SoisySimulator;
let receiver: CallbackReceiver;
const client = () => createSoisyClient({ environment: "sandbox", ...SHOP, baseUrl: sim.url });

beforeAll(async () => {
  [sim, receiver] = await Promise.all([startSoisySimulator({ shops: [{ ...SHOP, zeroInterestRate: true }] }), startCallbackReceiver()]);
});

afterAll(async () => {
  await Promise.all([sim?.close(), receiver?.close()]);
});

beforeEach(() => {
  receiver.received.length = 0;
});

async function order(amount: number, zeroInterestRate = false, events: Array<"LoanWasVerified" | "LoanWasDisbursed"> = ["LoanWasVerified", "LoanWasDisbursed"]) {
  const { token } = await client().createOrder({ amount, orderReference: "ref-op", zeroInterestRate, callbackUrl: `${receiver.url}/cb/secret` });
  await sim.completeOrder(token);
  for (const event of events) await sim.fireEvent(token, event);
  await sim.idle();
  receiver.received.length = 0;
  return token;
}

async function operator(token: string, action: string, body: unknown = {}) {
  const res = await fetch(`${sim.url}/_sim/orders/${encodeURIComponent(token)}/${action}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("merchant's back-office actions", () => {
  it("cancels a disbursed loan (the app's client reads `cancelled`), idempotently, without a callback", async () => {
    const token = await order(150_000);
    expect(await operator(token, "cancel")).toMatchObject({ status: 200, body: { status: "cancelled", loanAmount: 150_000 } });
    expect(await operator(token, "cancel")).toMatchObject({ status: 200, body: { status: "cancelled" } });
    expect((await client().getOrder(token)).status).toBe("cancelled");
    await sim.idle();
    expect(receiver.received).toEqual([]);
  });

  it.each(["LoanWasVerified", null] as const)("cancels a loan before disbursal too (%s)", async (event) => {
    const token = await order(50_000, false, event ? [event] : []);
    expect((await operator(token, "cancel")).body.status).toBe("cancelled");
  });

  it("reduces the loan by exactly N cents; the net amount follows Soisy's commission", async () => {
    const token = await order(100_000);
    expect(await operator(token, "reduce", { cents: 25_050 })).toMatchObject({ status: 200, body: { status: "disbursed", loanAmount: 74_950, loanNetAmount: 74_950 - Math.floor((74_950 * 3) / 100) } });
    const seen = await client().getOrder(token);
    expect([seen.loanAmount, seen.loanNetAmount]).toEqual([74_950, 72_702]);
    const zero = await order(100_000, true);
    expect((await operator(zero, "reduce", { cents: 10_000 })).body).toMatchObject({ loanAmount: 90_000, loanNetAmount: 90_000 - 5_400 });
    expect(receiver.received).toEqual([]);
  });

  it("refuses a reduction of nothing, of everything, not in cents, of a cancelled loan, of an unknown order", async () => {
    const token = await order(10_000);
    for (const cents of [0, -1, 10_000, 20_000, 1.5, "abc"]) expect((await operator(token, "reduce", { cents })).status, String(cents)).toBe(400);
    expect((await operator(token, "reduce", {})).status).toBe(400);
    await operator(token, "cancel");
    expect((await operator(token, "reduce", { cents: 100 })).status).toBe(409);
    expect((await operator("no-such-order", "cancel")).status).toBe(404);
    const get = await fetch(`${sim.url}/_sim/orders/${token}/cancel`);
    expect(get.status).toBe(405);
  });
});
