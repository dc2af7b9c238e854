/**
 * Random input sequences (seeded, so every run checks the same 2,000 sequences) fed through the
 * lifecycle the way the payment service does — carrying state, flag and expiry from one transition
 * to the next — checking what must hold across a whole payment.
 */
import { describe, expect, it } from "vitest";
import { isFinal, parseDeferred, soisyProgress, transition, type LifecycleContext, type LifecycleInput, type Transition } from "~/payments/lifecycle";
import { SOISY_CALLBACK_EVENT_IDS, SOISY_ORDER_STATUSES } from "~/soisy/types";

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AMOUNT = 75_000;
const STATUSES = [...SOISY_ORDER_STATUSES, "paused"];

function randomInput(rand: () => number): LifecycleInput {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const r = rand();
  const loanAmountCents = r < 0.2 ? null : r < 0.85 ? AMOUNT : AMOUNT + 1 + Math.floor(rand() * 1000);
  const soisy = { status: pick(STATUSES), loanAmountCents };
  switch (
    pick(["order_created", "not_eligible", "shopper_returned", "soisy_callback", "soisy_callback", "reconciled", "merchant_decided", "preapproval", "confirmation", "confirmation"] as const)
  ) {
    case "confirmation":
      // Shopify mostly confirms; sometimes the items are gone.
      return { kind: "confirmation", result: rand() < 0.8 };
    case "order_created":
      return rand() < 0.5 ? { kind: "order_created" } : { kind: "order_created", level: "preapproval" };
    case "preapproval":
      return { kind: rand() < 0.5 ? "preapproval_approved" : "preapproval_refused" };
    case "not_eligible":
      return { kind: "not_eligible", code: "AMOUNT_TOO_SMALL", merchantMessage: "below the minimum" };
    case "shopper_returned":
      return { kind: "shopper_returned", via: rand() < 0.5 ? "success" : "error", soisy };
    case "soisy_callback":
      return { kind: "soisy_callback", eventId: pick(SOISY_CALLBACK_EVENT_IDS), soisy };
    case "reconciled":
      return { kind: "reconciled", soisy };
    case "merchant_decided":
      return { kind: "merchant_decided", decision: rand() < 0.5 ? "resolve" : "reject" };
  }
}

interface Step {
  ctx: LifecycleContext;
  input: LifecycleInput;
  result: Transition;
}

/** One random payment: mostly starting with its Soisy order created, 1–8 inputs. */
function randomPayment(seed: number): Step[] {
  const rand = prng(seed);
  let ctx: LifecycleContext = {
    state: "received",
    amountCents: AMOUNT,
    flagReason: null,
    pendingExpiresAt: null,
    groupAlreadyResolved: false,
    settings: { resolveOn: rand() < 0.7 ? "verified" : "disbursed", pendingExpiryDays: 1 + Math.floor(rand() * 7), authorizationDays: 30 },
    now: new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 365) * 86_400_000),
    kind: rand() < 0.25 ? "authorization" : "sale",
    confirmed: false,
    deferred: null,
    confirmationRequestedAt: null,
  };
  const length = 1 + Math.floor(rand() * 8);
  const steps: Step[] = [];
  for (let i = 0; i < length; i++) {
    const input: LifecycleInput =
      i === 0 && rand() < 0.8 ? (rand() < 0.3 ? { kind: "order_created", level: "preapproval" } : { kind: "order_created" }) : randomInput(rand);
    const result = transition(ctx, input);
    steps.push({ ctx, input, result });
    ctx = {
      ...ctx,
      state: result.state,
      flagReason: result.patch.flagReason ?? ctx.flagReason,
      pendingExpiresAt: result.patch.pendingExpiresAt ?? ctx.pendingExpiresAt,
      confirmed: ctx.confirmed || result.patch.confirmationResult === true,
      deferred: result.patch.deferredJson !== undefined ? parseDeferred(result.patch.deferredJson) : ctx.deferred,
      confirmationRequestedAt: result.patch.confirmationRequestedAt ?? ctx.confirmationRequestedAt,
      // Another attempt of the same checkout may get paid meanwhile (and stays paid).
      groupAlreadyResolved: ctx.groupAlreadyResolved || rand() < 0.08,
      // Mostly minutes apart (Shopify's answer), sometimes days (Soisy's decision).
      now: new Date(ctx.now.getTime() + Math.floor(rand() * (rand() < 0.5 ? 3_600_000 : 3 * 86_400_000))),
    };
  }
  return steps;
}

function violations(steps: Step[]): string[] {
  const errors: string[] = [];
  const sent: string[] = [];
  for (const [i, { ctx, input, result }] of steps.entries()) {
    const muts = result.effects.filter((e) => e.type === "mutation");
    if (muts.length > 1) errors.push(`step ${i}: two mutations in one transition`);
    if (isFinal(ctx.state) && (muts.length > 0 || result.state !== ctx.state)) errors.push(`step ${i}: a final state moved`);
    for (const m of muts) {
      if (m.type !== "mutation") continue;
      if (m.mutation === "paymentSessionResolve") {
        if (sent.includes("paymentSessionReject")) errors.push(`step ${i}: resolve after reject`);
        if (sent.includes("paymentSessionResolve")) errors.push(`step ${i}: two resolves`);
        if (ctx.groupAlreadyResolved) errors.push(`step ${i}: resolve in a resolved group`);
        if (input.kind === "confirmation") {
          if (ctx.deferred?.outcome !== "resolve") errors.push(`step ${i}: an answer resolved what was not a deferred resolve`);
        } else if (input.kind !== "merchant_decided") {
          const soisy = "soisy" in input ? input.soisy : null;
          const mismatch = soisy?.loanAmountCents != null && soisy.loanAmountCents !== AMOUNT;
          if (ctx.flagReason !== null || mismatch) errors.push(`step ${i}: automatic resolve of a flagged payment`);
          const p = soisy ? soisyProgress(soisy.status) : null;
          const resolvesOnVerified = ctx.settings.resolveOn === "verified" || ctx.kind === "authorization";
          if (!(p === "disbursed" || (p === "verified" && resolvesOnVerified))) errors.push(`step ${i}: resolve on ${soisy?.status}`);
        }
        if ((ctx.kind === "authorization") !== (m.authorizationExpiresAt !== undefined)) errors.push(`step ${i}: authorization expiry on a ${ctx.kind}`);
      }
      // Oversell protection: no resolve or pending before Shopify confirmed.
      if (m.mutation === "paymentSessionResolve" || m.mutation === "paymentSessionPending") {
        const confirmedNow = ctx.confirmed || (input.kind === "confirmation" && input.result);
        if (!confirmedNow || !sent.includes("paymentSessionConfirm")) errors.push(`step ${i}: ${m.mutation} before Shopify confirmed`);
      }
      if (m.mutation === "paymentSessionConfirm" && sent.length > 0) errors.push(`step ${i}: confirm after ${sent.join(", ")}`);
      if (m.mutation === "paymentSessionReject" && sent.includes("paymentSessionResolve")) errors.push(`step ${i}: reject after resolve`);
      if (m.mutation === "paymentSessionReject" && sent.includes("paymentSessionReject")) errors.push(`step ${i}: two rejects`);
      if (m.mutation === "paymentSessionPending" && sent.some((x) => x !== "paymentSessionConfirm")) errors.push(`step ${i}: pending after ${sent.join(", ")}`);
      sent.push(m.mutation);
    }
  }
  // The end state tells which mutations were sent.
  const end = steps.at(-1)!.result.state;
  const expected: Record<string, string[][]> = {
    received: [[]],
    redirected: [[]],
    preapproval: [[]],
    abandoned: [[]],
    not_eligible: [["paymentSessionReject"]],
    confirming: [["paymentSessionConfirm"]],
    pending: [["paymentSessionConfirm", "paymentSessionPending"]],
    resolved: [
      ["paymentSessionConfirm", "paymentSessionResolve"],
      ["paymentSessionConfirm", "paymentSessionPending", "paymentSessionResolve"],
    ],
    rejected: [
      ["paymentSessionReject"],
      ["paymentSessionConfirm", "paymentSessionReject"],
      ["paymentSessionConfirm", "paymentSessionPending", "paymentSessionReject"],
    ],
  };
  if (!expected[end]!.some((list) => list.join() === sent.join())) errors.push(`ends ${end} after [${sent.join(", ")}]`);
  return errors;
}

describe("lifecycle over random input sequences", () => {
  const SEQUENCES = 2_000;

  it(`keeps the invariants over ${SEQUENCES} seeded sequences of 1–8 inputs`, () => {
    const failures: string[] = [];
    const ends = new Map<string, number>();
    for (let seed = 1; seed <= SEQUENCES; seed++) {
      const steps = randomPayment(seed);
      const end = steps.at(-1)!.result.state;
      ends.set(end, (ends.get(end) ?? 0) + 1);
      for (const v of violations(steps)) if (failures.length < 10) failures.push(`seed ${seed}: ${v}`);
    }
    expect(failures).toEqual([]);
    // The generator is useful only if it reaches the interesting ends.
    for (const state of ["preapproval", "redirected", "abandoned", "confirming", "pending", "resolved", "rejected", "not_eligible"]) {
      expect(ends.get(state) ?? 0, state).toBeGreaterThan(20);
    }
  });

  it("is deterministic: the same seed gives the same payment", () => {
    expect(randomPayment(42)).toEqual(randomPayment(42));
    expect(randomPayment(42)).not.toEqual(randomPayment(43));
  });

  it("the invariant checker catches a resolve after a reject", () => {
    const base = randomPayment(7)[0]!;
    const fake = (mutation: "paymentSessionReject" | "paymentSessionResolve", state: "rejected" | "resolved"): Step => ({
      ctx: { ...base.ctx, state: "pending" },
      input: { kind: "merchant_decided", decision: "resolve" },
      result: { state, patch: {}, effects: [{ type: "timeline", event: "x" }, mutation === "paymentSessionResolve" ? { type: "mutation", mutation } : { type: "mutation", mutation, code: "PROCESSING_ERROR", merchantMessage: "x" }] },
    });
    expect(violations([fake("paymentSessionReject", "rejected"), fake("paymentSessionResolve", "resolved")])).toContain("step 1: resolve after reject");
  });
});
