/**
 * The payment lifecycle: the transition table of the open states, then scenarios in the order a
 * payment lives them. The exhaustive cross product is in lifecycle.matrix.test.ts, random input
 * sequences in lifecycle.property.test.ts.
 */
import { describe, expect, it } from "vitest";
import { MAX_PENDING_EXPIRY_DAYS } from "~/settings/pending-expiry";
import {
  MERCHANT_MESSAGES,
  PAYMENT_STATES,
  isFinal,
  pendingExpiryFrom,
  soisyProgress,
  transition,
  type Effect,
  type LifecycleContext,
  type LifecycleInput,
  type PaymentState,
  type SoisyProgress,
  type Transition,
} from "~/payments/lifecycle";
import { SOISY_ORDER_STATUSES } from "~/soisy/types";
import { DAY, lifecycleContext, NOW } from "../helpers/lifecycle-inputs";

const AMOUNT = 129_900;

// The Soisy-driven table below is about a session Shopify already confirmed (oversell protection);
// the confirmation step itself is tested in lifecycle.confirmation.test.ts.
const ctx = (over: Partial<LifecycleContext> = {}) => lifecycleContext(AMOUNT, { confirmed: true, ...over });

/** One Soisy status per progress. */
const STATUS: Record<Exclude<SoisyProgress, "unknown">, string> = {
  in_progress: "request_accepted",
  completed: "waiting_for_verification",
  verified: "waiting_for_disbursement",
  disbursed: "disbursed",
  cancelled: "cancelled",
};

const obs = (status: string, loanAmountCents: number | null = AMOUNT) => ({ status, loanAmountCents });
const success = (status: string, loan?: number | null): LifecycleInput => ({ kind: "shopper_returned", via: "success", soisy: obs(status, loan) });
const error = (status: string, loan?: number | null): LifecycleInput => ({ kind: "shopper_returned", via: "error", soisy: obs(status, loan) });
const callback = (eventId: string, status: string, loan?: number | null): LifecycleInput => ({ kind: "soisy_callback", eventId, soisy: obs(status, loan) });
const reconciled = (status: string, loan?: number | null): LifecycleInput => ({ kind: "reconciled", soisy: obs(status, loan) });

const mutations = (t: Transition) => t.effects.filter((e): e is Extract<Effect, { type: "mutation" }> => e.type === "mutation");
const mutationOf = (t: Transition) => mutations(t)[0];
const alerts = (t: Transition) => t.effects.filter((e) => e.type === "alert").map((e) => (e.type === "alert" ? e.code : ""));
const timeline = (t: Transition) => t.effects.find((e): e is Extract<Effect, { type: "timeline" }> => e.type === "timeline");

/** Applies inputs one after the other, carrying state and patch like the caller does. */
function run(start: LifecycleContext, inputs: LifecycleInput[], between?: (c: LifecycleContext, i: number) => LifecycleContext) {
  let c = start;
  const steps: Transition[] = [];
  inputs.forEach((input, i) => {
    if (between) c = between(c, i);
    const t = transition(c, input);
    steps.push(t);
    c = {
      ...c,
      state: t.state,
      flagReason: t.patch.flagReason ?? c.flagReason,
      pendingExpiresAt: t.patch.pendingExpiresAt ?? c.pendingExpiresAt,
    };
  });
  return { steps, ctx: c };
}

describe("soisyProgress", () => {
  it.each([
    ["quote", "in_progress"],
    ["request_received", "in_progress"],
    ["request_accepted", "in_progress"],
    ["waiting_for_verification", "completed"],
    ["waiting_for_disbursement", "verified"],
    ["disbursed", "disbursed"],
    ["cancelled", "cancelled"],
    ["refunded", "unknown"],
    ["", "unknown"],
    ["DISBURSED", "unknown"],
    ["constructor", "unknown"],
  ])("%j → %s", (status, progress) => {
    expect(soisyProgress(status)).toBe(progress);
  });

  it("maps every status Soisy documents to a known progress", () => {
    for (const status of SOISY_ORDER_STATUSES) expect(soisyProgress(status)).not.toBe("unknown");
  });
});

describe("states", () => {
  it("resolved, rejected and not_eligible are final; the others are not", () => {
    expect(PAYMENT_STATES.filter(isFinal)).toEqual(["not_eligible", "resolved", "rejected"]);
  });
});

/**
 * The transition table of the open states with the default settings, matching amounts and no flag:
 * [from, input, Soisy progress, new state, mutation sent, where the shopper goes].
 */
type Row = [PaymentState, "success" | "error" | "callback" | "reconciled", Exclude<SoisyProgress, "unknown">, PaymentState, "resolve" | "reject" | "pending" | null, string | undefined];
const TABLE: Row[] = [
  ["redirected", "success", "in_progress", "pending", "pending", "next_action"],
  ["redirected", "success", "completed", "pending", "pending", "next_action"],
  ["redirected", "success", "verified", "resolved", "resolve", "next_action"],
  ["redirected", "success", "disbursed", "resolved", "resolve", "next_action"],
  ["redirected", "success", "cancelled", "rejected", "reject", "next_action"],
  ["redirected", "error", "in_progress", "abandoned", null, "cancel_url"],
  ["redirected", "error", "completed", "pending", "pending", "next_action"],
  ["redirected", "error", "verified", "resolved", "resolve", "next_action"],
  ["redirected", "error", "disbursed", "resolved", "resolve", "next_action"],
  ["redirected", "error", "cancelled", "rejected", "reject", "next_action"],
  ["redirected", "callback", "in_progress", "redirected", null, undefined],
  ["redirected", "callback", "completed", "redirected", null, undefined],
  ["redirected", "callback", "verified", "resolved", "resolve", undefined],
  ["redirected", "callback", "disbursed", "resolved", "resolve", undefined],
  ["redirected", "callback", "cancelled", "rejected", "reject", undefined],
  ["redirected", "reconciled", "in_progress", "redirected", null, undefined],
  ["redirected", "reconciled", "completed", "pending", "pending", undefined],
  ["redirected", "reconciled", "verified", "resolved", "resolve", undefined],
  ["redirected", "reconciled", "disbursed", "resolved", "resolve", undefined],
  ["redirected", "reconciled", "cancelled", "rejected", "reject", undefined],

  ["abandoned", "success", "in_progress", "pending", "pending", "next_action"],
  ["abandoned", "success", "completed", "pending", "pending", "next_action"],
  ["abandoned", "success", "verified", "resolved", "resolve", "next_action"],
  ["abandoned", "success", "disbursed", "resolved", "resolve", "next_action"],
  ["abandoned", "success", "cancelled", "rejected", "reject", "next_action"],
  ["abandoned", "error", "in_progress", "abandoned", null, "cancel_url"],
  ["abandoned", "error", "completed", "pending", "pending", "next_action"],
  ["abandoned", "error", "verified", "resolved", "resolve", "next_action"],
  ["abandoned", "error", "disbursed", "resolved", "resolve", "next_action"],
  ["abandoned", "error", "cancelled", "rejected", "reject", "next_action"],
  ["abandoned", "callback", "in_progress", "abandoned", null, undefined],
  ["abandoned", "callback", "completed", "abandoned", null, undefined],
  ["abandoned", "callback", "verified", "resolved", "resolve", undefined],
  ["abandoned", "callback", "disbursed", "resolved", "resolve", undefined],
  ["abandoned", "callback", "cancelled", "rejected", "reject", undefined],
  ["abandoned", "reconciled", "in_progress", "abandoned", null, undefined],
  ["abandoned", "reconciled", "completed", "pending", "pending", undefined],
  ["abandoned", "reconciled", "verified", "resolved", "resolve", undefined],
  ["abandoned", "reconciled", "disbursed", "resolved", "resolve", undefined],
  ["abandoned", "reconciled", "cancelled", "rejected", "reject", undefined],

  ["pending", "success", "in_progress", "pending", null, "next_action"],
  ["pending", "success", "completed", "pending", null, "next_action"],
  ["pending", "success", "verified", "resolved", "resolve", "next_action"],
  ["pending", "success", "disbursed", "resolved", "resolve", "next_action"],
  ["pending", "success", "cancelled", "rejected", "reject", "next_action"],
  ["pending", "error", "in_progress", "pending", null, "next_action"],
  ["pending", "error", "completed", "pending", null, "next_action"],
  ["pending", "error", "verified", "resolved", "resolve", "next_action"],
  ["pending", "error", "disbursed", "resolved", "resolve", "next_action"],
  ["pending", "error", "cancelled", "rejected", "reject", "next_action"],
  ["pending", "callback", "in_progress", "pending", null, undefined],
  ["pending", "callback", "completed", "pending", null, undefined],
  ["pending", "callback", "verified", "resolved", "resolve", undefined],
  ["pending", "callback", "disbursed", "resolved", "resolve", undefined],
  ["pending", "callback", "cancelled", "rejected", "reject", undefined],
  ["pending", "reconciled", "in_progress", "pending", null, undefined],
  ["pending", "reconciled", "completed", "pending", null, undefined],
  ["pending", "reconciled", "verified", "resolved", "resolve", undefined],
  ["pending", "reconciled", "disbursed", "resolved", "resolve", undefined],
  ["pending", "reconciled", "cancelled", "rejected", "reject", undefined],
];

function inputFor(kind: Row[1], status: string): LifecycleInput {
  if (kind === "success") return success(status);
  if (kind === "error") return error(status);
  if (kind === "callback") return callback("LoanWasVerified", status);
  return reconciled(status);
}

describe("transition table of the open states (defaults)", () => {
  it.each(TABLE)("%s + %s with %s → %s (%s, shopper %s)", (from, kind, progress, to, mutation, shopper) => {
    const t = transition(ctx({ state: from, pendingExpiresAt: from === "pending" ? new Date(NOW.getTime() + DAY) : null }), inputFor(kind, STATUS[progress]));
    expect(t.state).toBe(to);
    const sent = mutationOf(t)?.mutation ?? null;
    expect(sent).toBe(mutation === null ? null : { resolve: "paymentSessionResolve", reject: "paymentSessionReject", pending: "paymentSessionPending" }[mutation]);
    expect(mutations(t).length).toBeLessThanOrEqual(1);
    expect(t.shopper).toBe(shopper);
    expect(t.patch.soisyStatus).toBe(STATUS[progress]);
    expect(alerts(t)).toEqual([]);
  });

  it("covers every open state × input × known progress", () => {
    expect(TABLE.length).toBe(3 * 4 * 5);
    expect(new Set(TABLE.map((r) => `${r[0]}|${r[1]}|${r[2]}`)).size).toBe(TABLE.length);
  });
});

describe("Soisy order creation and eligibility", () => {
  it("order_created moves received → redirected, with no mutation", () => {
    const t = transition(ctx({ state: "received" }), { kind: "order_created" });
    expect(t.state).toBe("redirected");
    expect(mutations(t)).toEqual([]);
    expect(timeline(t)?.event).toBe("order_created");
  });

  it.each(PAYMENT_STATES.filter((s) => s !== "received"))("order_created is ignored in %s", (state) => {
    const t = transition(ctx({ state }), { kind: "order_created" });
    expect(t.state).toBe(state);
    expect(t.effects).toHaveLength(1);
    expect(timeline(t)?.event).toBe("ignored");
    expect(t.patch).toEqual({});
  });

  it("not_eligible rejects with the given code and message", () => {
    const t = transition(ctx({ state: "received" }), { kind: "not_eligible", code: "AMOUNT_TOO_SMALL", merchantMessage: "below €100.00" });
    expect(t.state).toBe("not_eligible");
    expect(mutations(t)).toEqual([{ type: "mutation", mutation: "paymentSessionReject", code: "AMOUNT_TOO_SMALL", merchantMessage: "below €100.00" }]);
    expect(t.patch).toEqual({ rejectReasonCode: "AMOUNT_TOO_SMALL", rejectedAt: NOW });
  });

  it.each(PAYMENT_STATES.filter((s) => s !== "received"))("not_eligible is ignored in %s", (state) => {
    const t = transition(ctx({ state }), { kind: "not_eligible", code: "INVALID_CURRENCY", merchantMessage: "EUR only" });
    expect(t.state).toBe(state);
    expect(mutations(t)).toEqual([]);
    expect(timeline(t)?.event).toBe("ignored");
  });

  it("inputs that need a Soisy order are ignored while received (timeline only)", () => {
    for (const input of [success("disbursed"), error("cancelled"), callback("LoanWasVerified", "waiting_for_disbursement"), reconciled("disbursed")]) {
      const t = transition(ctx({ state: "received" }), input);
      expect(t.state).toBe("received");
      expect(t.effects).toEqual([expect.objectContaining({ type: "timeline", event: "ignored" })]);
      expect(t.patch).toEqual({});
    }
    expect(transition(ctx({ state: "received" }), success("disbursed")).shopper).toBe("wait");
  });

  it("a not-eligible session never moves again, whatever Soisy says", () => {
    for (const input of [success("disbursed"), reconciled("waiting_for_disbursement"), callback("UserWasRejected", "cancelled")]) {
      const t = transition(ctx({ state: "not_eligible" }), input);
      expect(t.state).toBe("not_eligible");
      expect(mutations(t)).toEqual([]);
    }
  });
});

describe("scenarios", () => {
  it("happy path: success return (completed) → pending → LoanWasVerified → resolve → LoanWasDisbursed recorded", () => {
    const { steps, ctx: end } = run(ctx({ state: "received" }), [
      { kind: "order_created" },
      success("waiting_for_verification"),
      callback("RequestCompleted", "waiting_for_verification"),
      callback("LoanWasVerified", "waiting_for_disbursement"),
      callback("LoanWasDisbursed", "disbursed"),
    ]);
    expect(steps.map((s) => s.state)).toEqual(["redirected", "pending", "pending", "resolved", "resolved"]);
    expect(steps.map((s) => mutationOf(s)?.mutation ?? null)).toEqual([null, "paymentSessionPending", null, "paymentSessionResolve", null]);
    expect(mutationOf(steps[1]!)).toEqual({
      type: "mutation",
      mutation: "paymentSessionPending",
      reason: "PARTNER_ACTION_REQUIRED",
      pendingExpiresAt: new Date(NOW.getTime() + 3 * DAY),
    });
    expect(steps[1]!.shopper).toBe("next_action");
    expect(steps[1]!.patch).toMatchObject({ pendingExpiresAt: new Date(NOW.getTime() + 3 * DAY), returnedAt: NOW, soisyStatus: "waiting_for_verification" });
    expect(steps[3]!.patch).toMatchObject({ resolvedAt: NOW });
    expect(end.state).toBe("resolved");
    expect(steps.flatMap(alerts)).toEqual([]);
  });

  it("shopper returns when Soisy has already verified: resolve at once", () => {
    const t = transition(ctx(), success("waiting_for_disbursement"));
    expect(mutationOf(t)).toEqual({ type: "mutation", mutation: "paymentSessionResolve" });
    expect(t.shopper).toBe("next_action");
  });

  it("resolveOn = disbursed: verified goes or stays pending, only disbursed resolves", () => {
    const settings = { resolveOn: "disbursed" as const, pendingExpiryDays: 3, authorizationDays: 30 };
    const returned = transition(ctx({ settings }), success("waiting_for_disbursement"));
    expect(returned.state).toBe("pending");
    expect(mutationOf(returned)).toMatchObject({ mutation: "paymentSessionPending", reason: "PARTNER_ACTION_REQUIRED" });

    const { steps } = run(ctx({ settings, state: "pending", pendingExpiresAt: new Date(NOW.getTime() + DAY) }), [
      callback("LoanWasVerified", "waiting_for_disbursement"),
      reconciled("waiting_for_disbursement"),
      callback("LoanWasDisbursed", "disbursed"),
    ]);
    expect(steps.map((s) => s.state)).toEqual(["pending", "pending", "resolved"]);
    expect(steps.map((s) => mutationOf(s)?.mutation ?? null)).toEqual([null, null, "paymentSessionResolve"]);

    // A verified callback before the shopper is back does not send pending; reconciliation does.
    expect(transition(ctx({ settings }), callback("LoanWasVerified", "waiting_for_disbursement")).state).toBe("redirected");
    expect(mutationOf(transition(ctx({ settings }), reconciled("waiting_for_disbursement")))).toMatchObject({ mutation: "paymentSessionPending" });
  });

  it("Soisy rejects: reject with INSTRUMENT_DECLINED and a clear message, shopper to Shopify's next action", () => {
    const expected = { type: "mutation", mutation: "paymentSessionReject", code: "INSTRUMENT_DECLINED", merchantMessage: "Soisy declined the instalment application" };
    const onReturn = transition(ctx(), success("cancelled"));
    expect(onReturn.state).toBe("rejected");
    expect(mutations(onReturn)).toEqual([expected]);
    expect(onReturn.shopper).toBe("next_action");
    expect(onReturn.patch).toMatchObject({ rejectReasonCode: "INSTRUMENT_DECLINED", rejectedAt: NOW });
    expect(transition(ctx(), error("cancelled")).shopper).toBe("next_action");

    const fromPending = transition(ctx({ state: "pending" }), callback("UserWasRejected", "cancelled"));
    expect(fromPending.state).toBe("rejected");
    expect(mutations(fromPending)).toEqual([expected]);
    expect(MERCHANT_MESSAGES.soisyDeclined).toBe("Soisy declined the instalment application");
  });

  it("abandon, then the shopper resumes and completes: reconciliation sends pending, verification resolves", () => {
    const { steps } = run(ctx(), [
      error("request_accepted"),
      callback("LoanWasApproved", "request_accepted"),
      callback("RequestCompleted", "waiting_for_verification"),
      reconciled("waiting_for_verification"),
      reconciled("waiting_for_verification"),
      callback("LoanWasVerified", "waiting_for_disbursement"),
    ]);
    expect(steps.map((s) => s.state)).toEqual(["abandoned", "abandoned", "abandoned", "pending", "pending", "resolved"]);
    expect(steps.map((s) => mutationOf(s)?.mutation ?? null)).toEqual([null, null, null, "paymentSessionPending", null, "paymentSessionResolve"]);
    expect(steps[0]!.shopper).toBe("cancel_url");
    expect(steps[0]!.patch).toMatchObject({ abandonedAt: NOW, returnedAt: NOW });
    expect(mutationOf(steps[3]!)).toMatchObject({ reason: "PARTNER_ACTION_REQUIRED" });
  });

  it("abandoning never rejects, even on repeated error returns", () => {
    const { steps } = run(ctx(), [error("quote"), error("quote"), error("request_received")]);
    expect(steps.every((s) => mutations(s).length === 0 && s.state === "abandoned" && s.shopper === "cancel_url")).toBe(true);
    expect(steps[1]!.patch.abandonedAt).toBeUndefined();
  });

  it("a shopper pressing back after finishing at Soisy is treated like a success return", () => {
    for (const status of ["waiting_for_verification", "waiting_for_disbursement", "disbursed"]) {
      const viaError = transition(ctx(), error(status));
      const viaSuccess = transition(ctx(), success(status));
      expect(viaError.state).toBe(viaSuccess.state);
      expect(mutations(viaError)).toEqual(mutations(viaSuccess));
      expect(viaError.shopper).toBe("next_action");
    }
  });

  it("duplicated inputs are applied once", () => {
    const inputs = [
      success("waiting_for_verification"),
      callback("LoanWasVerified", "waiting_for_disbursement"),
      callback("LoanWasDisbursed", "disbursed"),
      callback("UserWasRejected", "cancelled"),
      reconciled("waiting_for_verification"),
    ];
    for (const input of inputs) {
      const { steps } = run(ctx(), [input, input]);
      expect(mutations(steps[1]!)).toEqual([]);
      expect(steps[1]!.state).toBe(steps[0]!.state);
    }
  });

  it("out of order: LoanWasDisbursed before LoanWasVerified resolves once", () => {
    const { steps } = run(ctx({ state: "pending" }), [
      callback("LoanWasDisbursed", "disbursed"),
      callback("LoanWasVerified", "waiting_for_disbursement"),
      callback("RequestCompleted", "waiting_for_verification"),
    ]);
    expect(steps.map((s) => s.state)).toEqual(["resolved", "resolved", "resolved"]);
    expect(steps.flatMap(mutations)).toEqual([{ type: "mutation", mutation: "paymentSessionResolve" }]);
  });

  it("out of order: Soisy cancels after the payment was resolved → alert once, never a reject", () => {
    const { steps, ctx: end } = run(ctx({ state: "resolved" }), [callback("UserWasRejected", "cancelled"), reconciled("cancelled")]);
    expect(steps.flatMap(mutations)).toEqual([]);
    expect(steps.map((s) => s.state)).toEqual(["resolved", "resolved"]);
    expect(alerts(steps[0]!)).toEqual(["cancelled_after_resolve"]);
    expect(alerts(steps[1]!)).toEqual([]);
    expect(end.flagReason).toBe("cancelled_after_resolve");
  });

  it("after rejected nothing moves the payment; a loan approved later raises one alert", () => {
    const { steps } = run(ctx({ state: "rejected" }), [
      callback("LoanWasVerified", "waiting_for_disbursement"),
      callback("LoanWasDisbursed", "disbursed"),
      success("disbursed"),
      { kind: "merchant_decided", decision: "resolve" },
    ]);
    expect(steps.every((s) => s.state === "rejected")).toBe(true);
    expect(steps.flatMap(mutations)).toEqual([]);
    expect(steps.flatMap(alerts)).toEqual(["loan_after_reject"]);
    expect(steps[2]!.shopper).toBe("next_action");
  });

  it("a shopper coming back to a final payment goes to Shopify's next action", () => {
    for (const state of ["resolved", "rejected"] as const) {
      expect(transition(ctx({ state }), error("request_accepted")).shopper).toBe("next_action");
    }
  });
});

describe("amount mismatch", () => {
  const other = AMOUNT - 100;

  it("where it would resolve: pending MERCHANT_ACTION_REQUIRED, flagged, one alert", () => {
    const t = transition(ctx(), success("waiting_for_disbursement", other));
    expect(t.state).toBe("pending");
    expect(mutations(t)).toEqual([
      { type: "mutation", mutation: "paymentSessionPending", reason: "MERCHANT_ACTION_REQUIRED", pendingExpiresAt: new Date(NOW.getTime() + 3 * DAY) },
    ]);
    expect(t.patch).toMatchObject({ flagReason: "amount_mismatch", amountMismatch: true });
    expect(alerts(t)).toEqual(["amount_mismatch"]);
    expect(t.effects.find((e) => e.type === "alert")).toMatchObject({ message: expect.stringContaining(String(other)) });
  });

  it("where it would go pending: MERCHANT_ACTION_REQUIRED instead of PARTNER", () => {
    expect(mutationOf(transition(ctx(), success("waiting_for_verification", other)))).toMatchObject({ reason: "MERCHANT_ACTION_REQUIRED" });
    expect(mutationOf(transition(ctx({ state: "abandoned" }), reconciled("waiting_for_verification", other)))).toMatchObject({
      reason: "MERCHANT_ACTION_REQUIRED",
    });
  });

  it("never resolves afterwards, alerts only once, and waits for the merchant", () => {
    const { steps, ctx: end } = run(ctx(), [
      callback("RequestCompleted", "waiting_for_verification", other),
      success("waiting_for_verification", other),
      callback("LoanWasVerified", "waiting_for_disbursement", other),
      callback("LoanWasDisbursed", "disbursed", AMOUNT), // even if Soisy reports the right amount later
      reconciled("disbursed", null),
    ]);
    expect(steps.map((s) => s.state)).toEqual(["redirected", "pending", "pending", "pending", "pending"]);
    expect(steps.flatMap(mutations).map((m) => m.mutation)).toEqual(["paymentSessionPending"]);
    expect(steps.flatMap(alerts)).toEqual(["amount_mismatch"]);
    expect(timeline(steps[0]!)?.event).toBe("flagged");
    expect(end.flagReason).toBe("amount_mismatch");

    const resolved = transition(end, { kind: "merchant_decided", decision: "resolve" });
    expect(resolved.state).toBe("resolved");
    expect(mutations(resolved)).toEqual([{ type: "mutation", mutation: "paymentSessionResolve" }]);
  });

  it("Soisy cancelling still rejects, without flagging", () => {
    const t = transition(ctx({ state: "pending", flagReason: "amount_mismatch" }), callback("UserWasRejected", "cancelled", other));
    expect(t.state).toBe("rejected");
    expect(mutationOf(t)).toMatchObject({ code: "INSTRUMENT_DECLINED" });
    const fresh = transition(ctx(), success("cancelled", other));
    expect(fresh.patch.flagReason).toBeUndefined();
    expect(alerts(fresh)).toEqual([]);
  });

  it("no loan amount or the same amount is not a mismatch", () => {
    for (const loan of [null, AMOUNT]) {
      const t = transition(ctx(), success("waiting_for_disbursement", loan));
      expect(mutationOf(t)?.mutation).toBe("paymentSessionResolve");
      expect(t.patch.flagReason).toBeUndefined();
    }
  });

  it("merchant reject of a flagged payment: PROCESSING_ERROR with a message naming the amount", () => {
    const t = transition(ctx({ state: "pending", flagReason: "amount_mismatch" }), { kind: "merchant_decided", decision: "reject" });
    expect(t.state).toBe("rejected");
    expect(mutationOf(t)).toMatchObject({ mutation: "paymentSessionReject", code: "PROCESSING_ERROR", merchantMessage: expect.stringMatching(/amount/) });
  });
});

describe("merchant decision", () => {
  it.each(PAYMENT_STATES)("is ignored in %s when the payment is not flagged", (state) => {
    for (const decision of ["resolve", "reject"] as const) {
      const t = transition(ctx({ state }), { kind: "merchant_decided", decision });
      expect(t.state).toBe(state);
      expect(mutations(t)).toEqual([]);
      expect(timeline(t)?.event).toBe("ignored");
    }
  });

  it.each(["resolved", "rejected", "not_eligible"] as const)("is ignored in the final state %s even when flagged", (state) => {
    const t = transition(ctx({ state, flagReason: "amount_mismatch" }), { kind: "merchant_decided", decision: "resolve" });
    expect(t.state).toBe(state);
    expect(mutations(t)).toEqual([]);
  });

  it("applies to flagged open payments, and is applied once", () => {
    for (const state of ["redirected", "abandoned", "pending"] as const) {
      const { steps } = run(ctx({ state, flagReason: "amount_mismatch" }), [
        { kind: "merchant_decided", decision: "resolve" },
        { kind: "merchant_decided", decision: "resolve" },
        { kind: "merchant_decided", decision: "reject" },
      ]);
      expect(steps.flatMap(mutations)).toEqual([{ type: "mutation", mutation: "paymentSessionResolve" }]);
    }
  });
});

describe("group rule", () => {
  const group = { groupAlreadyResolved: true };

  it("where it would resolve: reject with PROCESSING_ERROR and tell the merchant to cancel the loan", () => {
    for (const state of ["redirected", "abandoned", "pending"] as const) {
      const t = transition(ctx({ ...group, state }), callback("LoanWasVerified", "waiting_for_disbursement"));
      expect(t.state).toBe("rejected");
      expect(mutations(t)).toEqual([
        { type: "mutation", mutation: "paymentSessionReject", code: "PROCESSING_ERROR", merchantMessage: MERCHANT_MESSAGES.groupAlreadyPaid },
      ]);
      expect(alerts(t)).toEqual(["duplicate_loan_in_group"]);
      expect(t.patch.flagReason).toBe("duplicate_loan_in_group");
    }
    expect(MERCHANT_MESSAGES.groupAlreadyPaid).toMatch(/already paid/);
  });

  it("where it would send pending: reject too (no second order for a paid checkout)", () => {
    const t = transition(ctx(group), success("waiting_for_verification"));
    expect(mutationOf(t)).toMatchObject({ mutation: "paymentSessionReject", code: "PROCESSING_ERROR" });
    expect(t.shopper).toBe("next_action");
  });

  it("wins over the amount check", () => {
    const t = transition(ctx(group), success("waiting_for_disbursement", 1));
    expect(mutationOf(t)).toMatchObject({ mutation: "paymentSessionReject" });
    expect(alerts(t)).toEqual(["duplicate_loan_in_group"]);
  });

  it("does not act where nothing would be sent (abandoning, waiting, already pending)", () => {
    expect(mutations(transition(ctx(group), error("quote")))).toEqual([]);
    expect(mutations(transition(ctx(group), callback("RequestCompleted", "waiting_for_verification")))).toEqual([]);
    expect(mutations(transition(ctx({ ...group, state: "pending" }), reconciled("waiting_for_verification")))).toEqual([]);
  });

  it("applies to the merchant's resolve", () => {
    const t = transition(ctx({ ...group, state: "pending", flagReason: "amount_mismatch" }), { kind: "merchant_decided", decision: "resolve" });
    expect(mutationOf(t)).toMatchObject({ mutation: "paymentSessionReject", code: "PROCESSING_ERROR" });
    expect(alerts(t)).toEqual(["duplicate_loan_in_group"]);
  });

  it("a Soisy refusal of the other attempt is a plain reject", () => {
    expect(mutationOf(transition(ctx(group), callback("UserWasRejected", "cancelled")))).toMatchObject({ code: "INSTRUMENT_DECLINED" });
  });

  it("a loan disbursed later on the rejected duplicate raises no second alert", () => {
    const t = transition(ctx({ state: "rejected", flagReason: "duplicate_loan_in_group" }), callback("LoanWasDisbursed", "disbursed"));
    expect(alerts(t)).toEqual([]);
    expect(mutations(t)).toEqual([]);
  });
});

describe("unknown Soisy status", () => {
  it.each(["redirected", "abandoned", "pending", "resolved", "rejected"] as const)("in %s: no change, no mutation, one alert", (state) => {
    for (const input of [success("on_hold"), callback("LoanWasVerified", "on_hold"), reconciled("on_hold")]) {
      const t = transition(ctx({ state }), input);
      expect(t.state).toBe(state);
      expect(mutations(t)).toEqual([]);
      expect(alerts(t)).toEqual(["unknown_soisy_status"]);
      expect(t.patch.soisyStatus).toBe("on_hold");
    }
  });

  it("the shopper waits on the confirming page unless Shopify already has a next action", () => {
    expect(transition(ctx(), success("on_hold")).shopper).toBe("wait");
    expect(transition(ctx({ state: "abandoned" }), error("on_hold")).shopper).toBe("wait");
    expect(transition(ctx({ state: "pending" }), success("on_hold")).shopper).toBe("next_action");
  });
});

describe("pending expiry", () => {
  it("is now + pendingExpiryDays × 24 h exactly, also across a DST change", () => {
    const beforeDst = new Date("2026-03-27T23:30:00.000Z"); // Italy moves to CEST on 29 March
    for (const days of [1, 2, 3]) {
      const t = transition(ctx({ now: beforeDst, settings: { resolveOn: "verified", pendingExpiryDays: days, authorizationDays: 30 } }), success("waiting_for_verification"));
      const expected = beforeDst.getTime() + days * 86_400_000;
      expect(t.patch.pendingExpiresAt?.getTime()).toBe(expected);
      expect(mutationOf(t)).toMatchObject({ pendingExpiresAt: new Date(expected) });
    }
    expect(pendingExpiryFrom(new Date("2026-01-01T00:00:00Z"), 3).toISOString()).toBe("2026-01-04T00:00:00.000Z");
  });

  it("is capped at Shopify's limit (MAX_PENDING_EXPIRY_DAYS) for settings stored before the cap", () => {
    for (const days of [4, 7, 30]) {
      const t = transition(ctx({ now: NOW, settings: { resolveOn: "verified", pendingExpiryDays: days, authorizationDays: 30 } }), success("waiting_for_verification"));
      expect(t.patch.pendingExpiresAt?.getTime()).toBe(NOW.getTime() + MAX_PENDING_EXPIRY_DAYS * 86_400_000);
    }
  });

  const expiresAt = new Date(NOW.getTime() - 3 * DAY);
  const pendingCtx = (now: Date) => ctx({ state: "pending", pendingExpiresAt: expiresAt, now });

  it("a poll past the expiry with Soisy still undecided alerts the merchant, without any mutation", () => {
    for (const status of ["waiting_for_verification", "request_accepted"]) {
      const t = transition(pendingCtx(NOW), reconciled(status));
      expect(t.state).toBe("pending");
      expect(mutations(t)).toEqual([]);
      expect(alerts(t)).toEqual(["pending_past_expiry"]);
    }
  });

  it("is strict: at the expiry instant no alert, one millisecond later an alert", () => {
    expect(alerts(transition(pendingCtx(expiresAt), reconciled("waiting_for_verification")))).toEqual([]);
    expect(alerts(transition(pendingCtx(new Date(expiresAt.getTime() + 1)), reconciled("waiting_for_verification")))).toEqual(["pending_past_expiry"]);
  });

  it("only polls alert about the expiry, and a late decision still settles the payment", () => {
    expect(alerts(transition(pendingCtx(NOW), callback("RequestCompleted", "waiting_for_verification")))).toEqual([]);
    const late = transition(pendingCtx(NOW), reconciled("waiting_for_disbursement"));
    expect(mutationOf(late)?.mutation).toBe("paymentSessionResolve");
    expect(alerts(late)).toEqual([]);
    expect(mutationOf(transition(pendingCtx(NOW), reconciled("cancelled")))?.mutation).toBe("paymentSessionReject");
  });
});

describe("effects and patch", () => {
  it("every transition starts with exactly one timeline effect naming the decision", () => {
    const t = transition(ctx(), callback("LoanWasVerified", "waiting_for_disbursement"));
    expect(t.effects[0]).toEqual({
      type: "timeline",
      event: "resolved",
      detail: expect.objectContaining({
        input: "soisy_callback",
        from: "redirected",
        to: "resolved",
        eventId: "LoanWasVerified",
        soisyStatus: "waiting_for_disbursement",
        progress: "verified",
      }),
    });
    expect(t.effects.filter((e) => e.type === "timeline")).toHaveLength(1);
  });

  it("does not modify the context it is given and is deterministic", () => {
    const c = ctx({ state: "pending", pendingExpiresAt: new Date(NOW.getTime() - 1) });
    const frozen = Object.freeze({ ...c, settings: Object.freeze({ ...c.settings }) });
    const a = transition(frozen, reconciled("waiting_for_verification", 5));
    const b = transition(frozen, reconciled("waiting_for_verification", 5));
    expect(a).toEqual(b);
    expect(frozen.state).toBe("pending");
  });
});

describe("integration level 2: in-store pre-approval", () => {
  it("a level-2 order enters preapproval (level 1 stays redirected)", () => {
    const t = transition(ctx({ state: "received" }), { kind: "order_created", level: "preapproval" });
    expect(t.state).toBe("preapproval");
    expect(mutations(t)).toEqual([]);
    expect(timeline(t)).toMatchObject({ event: "order_created", detail: { from: "received", to: "preapproval", level: "preapproval" } });
    expect(transition(ctx({ state: "received" }), { kind: "order_created", level: "redirect" }).state).toBe("redirected");
    expect(transition(ctx({ state: "received" }), { kind: "order_created" }).state).toBe("redirected");
  });

  it("approved in the store → redirected (to Soisy's webapp), no Shopify mutation yet", () => {
    const t = transition(ctx({ state: "preapproval" }), { kind: "preapproval_approved" });
    expect(t.state).toBe("redirected");
    expect(mutations(t)).toEqual([]);
    expect(timeline(t)).toMatchObject({ event: "preapproved", detail: { input: "preapproval_approved", from: "preapproval", to: "redirected" } });
  });

  it("refused in the store → rejected at once with INSTRUMENT_DECLINED and an in-store merchant message", () => {
    const t = transition(ctx({ state: "preapproval" }), { kind: "preapproval_refused" });
    expect(t.state).toBe("rejected");
    expect(mutationOf(t)).toEqual({ type: "mutation", mutation: "paymentSessionReject", code: "INSTRUMENT_DECLINED", merchantMessage: MERCHANT_MESSAGES.preapprovalRefused });
    expect(t.patch).toMatchObject({ rejectReasonCode: "INSTRUMENT_DECLINED", rejectedAt: NOW });
    expect(timeline(t)).toMatchObject({ event: "rejected", detail: { why: "preapproval_refused" } });
  });

  it.each(["received", "redirected", "abandoned", "pending", "resolved", "rejected", "not_eligible"] as const)("in-store outcomes are ignored in %s", (state) => {
    for (const kind of ["preapproval_approved", "preapproval_refused"] as const) {
      const t = transition(ctx({ state }), { kind });
      expect(t.state).toBe(state);
      expect(mutations(t)).toEqual([]);
      expect(timeline(t)).toMatchObject({ event: "ignored", detail: { why: "not_in_preapproval" } });
    }
  });

  it("a refusal callback racing the shopper's submit changes nothing; the submit decides", () => {
    const t = transition(ctx({ state: "preapproval" }), callback("UserWasRejected", "cancelled"));
    expect(t.state).toBe("preapproval");
    expect(mutations(t)).toEqual([]);
    expect(timeline(t)).toMatchObject({ event: "no_change", detail: { why: "preapproval_submit_decides" } });
    // The approval callback (LoanWasApproved → request_accepted) waits too.
    expect(transition(ctx({ state: "preapproval" }), callback("LoanWasApproved", "request_accepted")).state).toBe("preapproval");
  });

  it("a lost submit answer is settled by reconciliation (refused → rejected) and the shopper can abandon", () => {
    const polled = transition(ctx({ state: "preapproval" }), reconciled("cancelled"));
    expect(polled.state).toBe("rejected");
    expect(mutationOf(polled)).toMatchObject({ mutation: "paymentSessionReject", code: "INSTRUMENT_DECLINED", merchantMessage: MERCHANT_MESSAGES.soisyDeclined });
    const back = transition(ctx({ state: "preapproval" }), error("quote"));
    expect(back).toMatchObject({ state: "abandoned", shopper: "cancel_url" });
    expect(transition(ctx({ state: "preapproval" }), reconciled("quote")).state).toBe("preapproval");
  });

  it("after approval the lifecycle is level 1's: the shopper's return sets pending, verification resolves", () => {
    let c = ctx({ state: "preapproval" });
    const steps: LifecycleInput[] = [{ kind: "preapproval_approved" }, success(STATUS.completed), callback("LoanWasVerified", STATUS.verified)];
    const seen: PaymentState[] = [];
    for (const input of steps) {
      const t = transition(c, input);
      seen.push(t.state);
      c = { ...c, state: t.state, pendingExpiresAt: t.patch.pendingExpiresAt ?? c.pendingExpiresAt };
    }
    expect(seen).toEqual(["redirected", "pending", "resolved"]);
  });

  // Its label in both languages is checked with the other labels (test/unit/timeline-sentences.test.ts).
  it("is not final", () => {
    expect(isFinal("preapproval")).toBe(false);
  });
});
