/**
 * Chaos: Shopify's Payments Apps API misbehaving while shoppers poll the waiting page. A fault proxy
 * sits between the built app and the Shopify simulator; each scenario breaks only the GraphQL calls
 * for its own payment session (matched by the session gid in the body), so they run concurrently.
 *
 * Expected of the app: it never exits; the resolve reaches Shopify exactly once (a re-send after a
 * lost answer is "repeated", never applied twice); it retries no faster than its backoff and never
 * before a 429's Retry-After, however often shoppers poll; and it delivers soon after Shopify recovers.
 */
import { describe, expect, it } from "vitest";
import type { FaultMode, ProxyRecord } from "../helpers/fault-proxy";
import {
  expectNoUnexpectedExit,
  mutationsOf,
  pollWaitingPage,
  printSummary,
  sessionId,
  startPaymentUntilOk,
  statusUrlOf,
  tail,
  useChaosStack,
  waitFor,
} from "./chaos-stack";

const stack = useChaosStack({ shop: "chaos-shopify.myshopify.com" });

const RETRY_AFTER_S = 2;

/**
 * Attempts allowed while the fault lasts (FAULT_MIN_MS, 8 s). The outbox backs off with full jitter
 * (chaos-stack.ts: base 1 s, cap 8 s): attempt n+1 waits U[0, min(8 s, 1 s·2^(n−1))), so a correct app
 * makes about 5 attempts in 8 s, and 11 would need delays 4…10 (seven U[0, 8 s)) to sum below 8 s
 * (probability below 1/7! ≈ 2e-4). An app that lets each shopper poll trigger an attempt makes
 * 2 or more a second (12–13 measured).
 */
const MAX_ATTEMPTS_DURING_FAULT = 10;
/** How long a non-hang fault lasts at least. */
const FAULT_MIN_MS = 8_000;

const MODES: Array<{ label: string; mode: FaultMode; faultsBeforeRecovery: number; forwards: boolean }> = [
  { label: "hang", mode: { kind: "hang" }, faultsBeforeRecovery: 1, forwards: false },
  { label: "reset mid-request", mode: { kind: "reset", at: "request" }, faultsBeforeRecovery: 3, forwards: false },
  { label: "reset mid-response (applied, answer lost)", mode: { kind: "reset", at: "response" }, faultsBeforeRecovery: 2, forwards: true },
  { label: "503", mode: { kind: "status", status: 503 }, faultsBeforeRecovery: 3, forwards: false },
  { label: `429 Retry-After ${RETRY_AFTER_S} s`, mode: { kind: "throttle", retryAfterSeconds: RETRY_AFTER_S }, faultsBeforeRecovery: 2, forwards: false },
];

describe("Shopify Payments API faults while shoppers poll the waiting page", () => {
  for (const { label, mode, faultsBeforeRecovery, forwards } of MODES) {
    it.concurrent(`${label}: the resolve reaches Shopify exactly once, within backoff / Retry-After`, async () => {
      const started = Date.now();
      const id = sessionId(`shopify-${label.replace(/\W+/g, "").slice(0, 16)}`);
      await startPaymentUntilOk(stack, { id, amount: "410.00" }, 30_000);
      const token = (await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id } })).soisyToken!;
      const gid = `gid://shopify/PaymentSession/${id}`;
      const rule = stack.shopifyProxy.addRule({ method: "POST", path: "/graphql.json", bodyIncludes: gid, mode });

      // Soisy verifies the loan (the app owes Shopify a resolve); the shopper waits and polls.
      const callback = stack.soisy.fireEvent(token, "LoanWasVerified");
      const pollers = pollWaitingPage(statusUrlOf(stack, id), 4, 150);
      try {
        // The fault lasts until it broke `faultsBeforeRecovery` calls and (except a hang, which holds the
        // claim by itself) at least FAULT_MIN_MS, so a retry loop driven by the polling would show.
        const minMs = mode.kind === "hang" ? 0 : FAULT_MIN_MS;
        await waitFor(
          () => {
            const seen = stack.shopifyProxy.find({ ruleId: rule });
            return seen.length >= faultsBeforeRecovery && Date.now() - seen[0]!.at >= minMs;
          },
          30_000,
          `${faultsBeforeRecovery} broken Payments API calls`,
        );
        const faultStart = stack.shopifyProxy.find({ ruleId: rule })[0]!.at;
        stack.shopifyProxy.removeRule(rule);
        const recoveredAt = Date.now();
        const faultWindowMs = recoveredAt - faultStart;
        await callback;

        await waitFor(() => stack.shopify.paymentSessions.get(id)?.state.code === "RESOLVED", 40_000, `${id} resolved at Shopify`).catch((error: unknown) => {
          throw new Error(`${String(error)}\n${tail(stack.output(), 3000)}`);
        });
        await waitFor(() => pollers.redirectUrl, 20_000, "a polling shopper to be sent on");
        await waitFor(
          async () => (await stack.database.db.outboxMessage.findFirst({ where: { paymentSessionId: id, mutation: "paymentSessionResolve" } }))?.status === "delivered",
          30_000,
          "the outbox message to be marked delivered",
        );
        await pollers.stop();

        const resolves = mutationsOf(stack, id, "paymentSessionResolve");
        const attempts = stack.shopifyProxy.find({ bodyIncludes: gid, path: "/graphql.json" });
        const faulted = attempts.filter((r) => r.ruleId === rule);
        const deliveredAt = Date.parse(resolves.applied[0]?.at ?? "") || Date.now();
        printSummary({
          scenario: `shopify Payments API ${label}`,
          faults: faulted.length,
          unexpectedExits: stack.unexpectedExits(started).length,
          duplicates: Math.max(0, resolves.applied.length - 1),
          recoveryToDeliveryMs: forwards ? null : Math.max(0, deliveredAt - recoveredAt),
          note: `repeats=${resolves.repeated.length} attempts=${attempts.length} (${faulted.length} during a ${faultWindowMs} ms fault) polls=${pollers.polls} pollStatuses=${JSON.stringify(Object.fromEntries(pollers.statuses))}`,
        });

        // Exactly once at Shopify.
        expect(resolves.applied).toHaveLength(1);
        expect(resolves.rejected).toHaveLength(0);
        if (!forwards) expect(resolves.all, "every broken call was not applied, so one call reached Shopify").toHaveLength(1);
        expect(mutationsOf(stack, id, "paymentSessionReject").all).toHaveLength(0);
        expect(stack.shopify.violations).toEqual([]);
        // Retries paced by the backoff, not by the shoppers' polling.
        // Each outbox message backs off on its own (with oversell protection a confirm whose answer was lost
        // can be in flight beside the resolve until the confirmation callback supersedes it): counted per mutation.
        for (const [mutation, count] of attemptsPerMutation(faulted)) {
          expect(count, `${mutation} attempts during a ${faultWindowMs} ms fault`).toBeLessThanOrEqual(MAX_ATTEMPTS_DURING_FAULT);
        }
        if (mode.kind === "throttle") expectRetryAfterRespected(attempts, mode.retryAfterSeconds * 1000);
        expectNoUnexpectedExit(stack, started);
      } finally {
        stack.shopifyProxy.removeRule(rule);
        await pollers.stop();
      }
    }, 120_000);
  }
});

describe("Shopify down while the loan goes pending, then verified", () => {
  // With oversell protection the first call owed to Shopify is the confirm: the pending waits for its
  // answer (deferred). Soisy verifying meanwhile upgrades the deferred pending to a resolve, so once
  // Shopify is back: one confirm, its callback, one resolve — and no pending at all.
  it.concurrent("503s: confirm then resolve applied once each, the deferred pending never sent, nothing dead-lettered", async () => {
    const started = Date.now();
    const id = sessionId("shopify-pending-then-resolve");
    await startPaymentUntilOk(stack, { id, amount: "430.00" }, 30_000);
    const token = (await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id } })).soisyToken!;
    const gid = `gid://shopify/PaymentSession/${id}`;
    const rule = stack.shopifyProxy.addRule({ method: "POST", path: "/graphql.json", bodyIncludes: gid, mode: { kind: "status", status: 503 } });
    try {
      // The shopper signs and comes back (Soisy still has to verify: a pending owed, confirmed first) …
      await stack.soisy.completeOrder(token);
      const secret = new URL(statusUrlOf(stack, id)).pathname.split("/").at(-1)!;
      const back = await fetch(`${stack.primary.url}/payments/return/${id}/${secret}/success`, { redirect: "manual", signal: AbortSignal.timeout(30_000) });
      expect([200, 302]).toContain(back.status);
      await waitFor(() => stack.shopifyProxy.find({ ruleId: rule }).some((r) => r.body.includes("paymentSessionConfirm")), 20_000, "a broken confirm call");
      // … and Soisy verifies the loan while Shopify is still down: the deferred pending becomes a resolve.
      await stack.soisy.fireEvent(token, "LoanWasVerified");
      await waitFor(
        async () => (await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id } })).deferredJson?.includes('"resolve"') === true,
        20_000,
        "the deferred outcome to become a resolve",
      );
      await waitFor(() => Date.now() - stack.shopifyProxy.find({ ruleId: rule })[0]!.at >= 3_000, 10_000, "3 s of outage");
    } finally {
      stack.shopifyProxy.removeRule(rule);
    }
    const recoveredAt = Date.now();
    await waitFor(() => stack.shopify.paymentSessions.get(id)?.state.code === "RESOLVED", 40_000, `${id} resolved at Shopify`);
    const messages = await waitFor(
      async () => {
        const rows = await stack.database.db.outboxMessage.findMany({ where: { paymentSessionId: id }, orderBy: { createdAt: "asc" } });
        return rows.every((m) => m.status !== "pending") ? rows : null;
      },
      40_000,
      "every outbox message settled",
    );
    const confirms = mutationsOf(stack, id, "paymentSessionConfirm");
    const pending = mutationsOf(stack, id, "paymentSessionPending");
    const resolves = mutationsOf(stack, id, "paymentSessionResolve");
    const deadLetters = await stack.database.db.timelineEvent.findMany({ where: { paymentSessionId: id, type: "outbox_dead_letter" }, select: { detailJson: true } });
    printSummary({
      scenario: "shopify 503 while pending then verified",
      faults: stack.shopifyProxy.count({ ruleId: rule }),
      unexpectedExits: stack.unexpectedExits(started).length,
      duplicates: Math.max(0, resolves.applied.length - 1) + Math.max(0, confirms.applied.length - 1),
      recoveryToDeliveryMs: Math.max(0, Date.parse(resolves.applied[0]?.at ?? "") - recoveredAt),
      note: `outbox=${messages.map((m) => `${m.mutation}:${m.status}`).join(",")} pending calls=${pending.all.map((m) => m.outcome).join("/") || "none"}`,
    });
    expect(confirms.applied).toHaveLength(1);
    expect(resolves.applied).toHaveLength(1);
    expect(Date.parse(confirms.applied[0]!.at)).toBeLessThan(Date.parse(resolves.applied[0]!.at));
    expect(pending.all).toHaveLength(0);
    expect(messages.map((m) => m.mutation)).toEqual(["paymentSessionConfirm", "paymentSessionResolve"]);
    expect(messages.filter((m) => m.status === "dead"), JSON.stringify(deadLetters)).toHaveLength(0);
    expect(stack.shopify.violations).toEqual([]);
    expectNoUnexpectedExit(stack, started);
  }, 120_000);
});

/** Payments API calls by mutation name (the first `paymentSession…` word of each GraphQL body). */
function attemptsPerMutation(records: ProxyRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    const name = /paymentSession[A-Z]\w*/.exec(r.body)?.[0] ?? "unknown";
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** No attempt starts sooner than Retry-After after a 429 answer (250 ms for clocks and scheduling). */
function expectRetryAfterRespected(attempts: ProxyRecord[], retryAfterMs: number) {
  const gaps: number[] = [];
  for (let i = 1; i < attempts.length; i++) {
    const previous = attempts[i - 1]!;
    if (previous.status === 429) gaps.push(attempts[i]!.at - (previous.endedAt ?? previous.at));
  }
  expect(gaps.length).toBeGreaterThan(0);
  expect(Math.min(...gaps), `gaps after 429 (ms): ${gaps.join(", ")}`).toBeGreaterThanOrEqual(retryAfterMs - 250);
}
