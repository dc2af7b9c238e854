/**
 * Chaos: Soisy's API misbehaving while payment sessions arrive. A fault proxy sits between the built
 * app (child process) and the Soisy simulator; each scenario breaks only its own session's traffic
 * (matched by orderReference / token), so the scenarios run concurrently.
 *
 * Expected of the app: it never exits; Shopify's retries of the session succeed once the fault clears;
 * one Soisy order per session, or — when an answer was lost after Soisy created the order — a timeline
 * note for the merchant; the payment then completes, and Shopify gets the resolve once.
 */
import { describe, expect, it } from "vitest";
import type { FaultMode } from "../helpers/fault-proxy";
import {
  duplicateOrderNotes,
  expectNoUnexpectedExit,
  mutationsOf,
  ordersFor,
  printSummary,
  sessionId,
  SOISY_ORDERS_PATH,
  startPaymentUntilOk,
  statusUrlOf,
  tail,
  useChaosStack,
  waitFor,
} from "./chaos-stack";

const stack = useChaosStack({ shop: "chaos-soisy.myshopify.com" });

const MODES: Array<[string, FaultMode]> = [
  ["hang", { kind: "hang" }],
  ["slow 9 s", { kind: "slow", ms: 9_000 }],
  ["reset mid-request", { kind: "reset", at: "request" }],
  ["reset mid-response", { kind: "reset", at: "response" }],
  ["garbage", { kind: "garbage" }],
  ["502", { kind: "status", status: 502 }],
];

/** Completes the loan at Soisy and waits until Shopify has the resolve; returns when it arrived. */
async function completeAndResolve(id: string, token: string): Promise<number> {
  await stack.soisy.fireEvent(token, "LoanWasVerified");
  await waitFor(() => stack.shopify.paymentSessions.get(id)?.state.code === "RESOLVED", 30_000, `${id} resolved at Shopify`);
  const applied = mutationsOf(stack, id, "paymentSessionResolve").applied;
  return Date.parse(applied[0]!.at);
}

/** POST only: Soisy creates the order but answers after the app's 10 s timeout (the answer is lost). */
const POST_MODES: Array<[string, FaultMode]> = [...MODES, ["slow 12 s (past the app's timeout)", { kind: "slow", ms: 12_000 }]];

describe("Soisy POST /orders faults while payment sessions arrive", () => {
  for (const [label, mode] of POST_MODES) {
    it.concurrent(`POST /orders ${label}: retries succeed after the fault clears, one order per session (or a note)`, async () => {
      const started = Date.now();
      const ids = [sessionId(`post-${label.replace(/\W+/g, "")}-a`), sessionId(`post-${label.replace(/\W+/g, "")}-b`)];
      // Each session's first POST /orders is broken; Shopify's retries then pass.
      const rules = ids.map((id) => stack.soisyProxy.addRule({ method: "POST", path: SOISY_ORDERS_PATH, bodyIncludes: id, mode, times: 1 }));
      const results = await Promise.all(ids.map((id, i) => startPaymentUntilOk(stack, { id, amount: `${300 + i}.00` }, 60_000)));
      for (const r of rules) stack.soisyProxy.removeRule(r);

      const faulted = rules.flatMap((ruleId) => stack.soisyProxy.find({ ruleId }));
      expect(faulted).toHaveLength(ids.length);
      if (mode.kind === "hang" || (mode.kind === "slow" && mode.ms > 10_000)) {
        // The app's own timeout ends each hanging request (the moment a crash would happen).
        await waitFor(() => faulted.every((r) => r.endedAt !== null), 30_000, "the app to give up on the hanging POSTs");
      }

      let duplicates = 0;
      let recoveryToDelivery = 0;
      for (const [i, id] of ids.entries()) {
        const result = results[i]!;
        const row = await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id } });
        expect(row.soisyToken, `session ${id} has a Soisy order`).toBeTruthy();
        // The redirect Shopify got is the stored order's.
        expect(result.last.redirectUrl).toBe(row.soisyRedirectUrl);
        const orders = ordersFor(stack, id);
        if (orders.length > 1) {
          duplicates += orders.length - 1;
          const notes = await duplicateOrderNotes(stack, id);
          const timeline = await stack.database.db.timelineEvent.findMany({ where: { paymentSessionId: id }, select: { type: true, source: true, detailJson: true } });
          expect(notes, `${orders.length} Soisy orders for ${id} and no merchant note; timeline: ${JSON.stringify(timeline)}`).not.toHaveLength(0);
        }
        const record = faulted.find((r) => r.body.includes(id))!;
        const okAttempt = result.last.attempts.find((a) => a.status !== null && a.status >= 200 && a.status < 300)!;
        recoveryToDelivery = Math.max(recoveryToDelivery, Date.parse(okAttempt.startedAt) + okAttempt.durationMs - (record.endedAt ?? record.at));
        const resolvedAt = await completeAndResolve(id, row.soisyToken!);
        expect(resolvedAt).toBeGreaterThan(0);
        const resolves = mutationsOf(stack, id, "paymentSessionResolve");
        expect(resolves.applied).toHaveLength(1);
        expect(resolves.rejected).toHaveLength(0);
      }
      expect(stack.shopify.violations).toEqual([]);
      printSummary({
        scenario: `soisy POST /orders ${label}`,
        faults: faulted.length,
        unexpectedExits: stack.unexpectedExits(started).length,
        duplicates,
        recoveryToDeliveryMs: recoveryToDelivery,
        note: `shopify rounds=${results.map((r) => r.rounds).join("/")} attempts=${results.map((r) => r.first.attempts.length).join("/")}`,
      });
      expectNoUnexpectedExit(stack, started);
    }, 120_000);
  }
});

describe("Soisy GET /orders/{token} faults while callbacks and shoppers arrive", () => {
  for (const [label, mode] of MODES) {
    it.concurrent(`GET /orders/{token} ${label}: the payment completes once the fault clears`, async () => {
      const started = Date.now();
      const id = sessionId(`get-${label.replace(/\W+/g, "")}`);
      const first = await startPaymentUntilOk(stack, { id, amount: "350.00" }, 30_000);
      expect(first.last.ok).toBe(true);
      const token = (await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id } })).soisyToken!;
      const rule = stack.soisyProxy.addRule({ method: "GET", path: `${SOISY_ORDERS_PATH}/${token}`, mode });

      // Soisy verifies the loan: its callback makes the app read the order, which is broken.
      const callback = stack.soisy.fireEvent(token, "LoanWasVerified");
      if (mode.kind === "hang" || mode.kind === "slow") {
        // Until the app gave up on (hang) or received (slow) the first broken read.
        await waitFor(() => stack.soisyProxy.find({ ruleId: rule }).some((r) => r.endedAt !== null), 30_000, "the first broken GET to end");
      } else {
        await waitFor(() => stack.soisyProxy.count({ ruleId: rule }) >= 1, 15_000, "a broken GET");
      }
      stack.soisyProxy.removeRule(rule);
      const recoveredAt = Date.now();
      await callback;

      // The shopper comes back from Soisy: the app reads the order again (now fine) and moves on.
      const secret = new URL(statusUrlOf(stack, id)).pathname.split("/").at(-1)!;
      const back = await fetch(`${stack.primary.url}/payments/return/${id}/${secret}/success`, { redirect: "manual", signal: AbortSignal.timeout(30_000) });
      expect([200, 302]).toContain(back.status);
      await waitFor(() => stack.shopify.paymentSessions.get(id)?.state.code === "RESOLVED", 30_000, `${id} resolved at Shopify`).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${tail(stack.output(), 3000)}`);
      });
      const resolves = mutationsOf(stack, id, "paymentSessionResolve");
      expect(resolves.applied).toHaveLength(1);
      expect(resolves.rejected).toHaveLength(0);
      expect(ordersFor(stack, id)).toHaveLength(1);
      const faults = stack.soisyProxy.count({ ruleId: rule });
      printSummary({
        scenario: `soisy GET /orders/{token} ${label}`,
        faults,
        unexpectedExits: stack.unexpectedExits(started).length,
        duplicates: resolves.all.length - 1,
        recoveryToDeliveryMs: Math.max(0, Date.parse(resolves.applied[0]!.at) - recoveredAt),
      });
      expectNoUnexpectedExit(stack, started);
    }, 120_000);
  }
});
