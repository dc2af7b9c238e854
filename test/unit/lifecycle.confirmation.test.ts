/**
 * Oversell protection and authorizations in the payment lifecycle (issue 15): the first resolve or
 * pending becomes a paymentSessionConfirm, Shopify's answer settles what was deferred, and
 * authorization sessions resolve on verification with their expiry. The cross product is in
 * lifecycle.matrix.test.ts, random sequences in lifecycle.property.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  CONFIRMATION_GIVE_UP_MS,
  CONFIRMATION_OVERDUE_MS,
  MERCHANT_MESSAGES,
  parseDeferred,
  serializeDeferred,
  transition,
  type Deferred,
  type Effect,
  type LifecycleContext,
  type LifecycleInput,
  type Transition,
} from "~/payments/lifecycle";
import { DAY, lifecycleContext, MINUTE, NOW } from "../helpers/lifecycle-inputs";

const AMOUNT = 129_900;

const ctx = (over: Partial<LifecycleContext> = {}) => lifecycleContext(AMOUNT, over);

const confirming = (deferred: Deferred, over: Partial<LifecycleContext> = {}) =>
  ctx({ state: "confirming", deferred, confirmationRequestedAt: new Date(NOW.getTime() - MINUTE), ...over });

const obs = (status: string, loanAmountCents: number | null = AMOUNT) => ({ status, loanAmountCents });
const success = (status: string, loan?: number | null): LifecycleInput => ({ kind: "shopper_returned", via: "success", soisy: obs(status, loan) });
const callback = (status: string, loan?: number | null): LifecycleInput => ({ kind: "soisy_callback", eventId: "LoanWasVerified", soisy: obs(status, loan) });
const reconciled = (status: string, loan?: number | null): LifecycleInput => ({ kind: "reconciled", soisy: obs(status, loan) });
const answer = (result: boolean): LifecycleInput => ({ kind: "confirmation", result });

const mutationOf = (t: Transition) => t.effects.find((e): e is Extract<Effect, { type: "mutation" }> => e.type === "mutation");
const alerts = (t: Transition) => t.effects.flatMap((e) => (e.type === "alert" ? [e.code] : []));
const timeline = (t: Transition) => t.effects.find((e): e is Extract<Effect, { type: "timeline" }> => e.type === "timeline");

describe("confirm before the first resolve or pending", () => {
  it.each([
    ["a verified loan (resolve)", callback("waiting_for_disbursement"), { outcome: "resolve" }],
    ["a disbursed loan (resolve)", reconciled("disbursed"), { outcome: "resolve" }],
    ["a shopper back from Soisy (pending)", success("request_accepted"), { outcome: "pending", reason: "PARTNER_ACTION_REQUIRED" }],
    ["a completed application found by a poll (pending)", reconciled("waiting_for_verification"), { outcome: "pending", reason: "PARTNER_ACTION_REQUIRED" }],
    ["an amount mismatch (pending for the merchant)", callback("waiting_for_disbursement", AMOUNT + 100), { outcome: "pending", reason: "MERCHANT_ACTION_REQUIRED" }],
  ] as const)("%s → confirming, paymentSessionConfirm, the outcome deferred", (_name, input, deferred) => {
    const t = transition(ctx(), input);
    expect(t.state).toBe("confirming");
    expect(mutationOf(t)).toEqual({ type: "mutation", mutation: "paymentSessionConfirm" });
    expect(timeline(t)?.event).toBe("confirming");
    expect(parseDeferred(t.patch.deferredJson ?? null)).toEqual(deferred);
    expect(t.patch.confirmationRequestedAt).toEqual(NOW);
    expect(t.patch.resolvedAt).toBeUndefined();
    expect(t.patch.pendingExpiresAt).toBeUndefined();
  });

  it("a shopper return waits on the polling page while Shopify confirms", () => {
    expect(transition(ctx(), success("waiting_for_disbursement")).shopper).toBe("wait");
    expect(transition(confirming({ outcome: "resolve" }), success("waiting_for_disbursement")).shopper).toBe("wait");
  });

  it("rejects never wait for a confirmation", () => {
    const t = transition(ctx(), callback("cancelled"));
    expect(t.state).toBe("rejected");
    expect(mutationOf(t)).toMatchObject({ mutation: "paymentSessionReject", code: "INSTRUMENT_DECLINED" });
  });

  it("no confirm once Shopify confirmed, nor from pending (not the first settlement)", () => {
    expect(mutationOf(transition(ctx({ confirmed: true }), callback("disbursed")))?.mutation).toBe("paymentSessionResolve");
    const fromPending = transition(ctx({ state: "pending", pendingExpiresAt: new Date(NOW.getTime() + DAY) }), callback("disbursed"));
    expect(mutationOf(fromPending)?.mutation).toBe("paymentSessionResolve");
  });

  it("the group rule comes before asking: a checkout already paid is rejected, not confirmed", () => {
    const t = transition(ctx({ groupAlreadyResolved: true }), callback("disbursed"));
    expect(mutationOf(t)).toMatchObject({ mutation: "paymentSessionReject", code: "PROCESSING_ERROR" });
  });

  it("a merchant resolving a flagged session asks for the confirmation too, and remembers it was the merchant", () => {
    const t = transition(ctx({ state: "abandoned", flagReason: "amount_mismatch" }), { kind: "merchant_decided", decision: "resolve" });
    expect(t.state).toBe("confirming");
    expect(parseDeferred(t.patch.deferredJson ?? null)).toEqual({ outcome: "resolve", why: "merchant" });
  });
});

describe("Shopify's answer", () => {
  it("true → the deferred resolve now; the answer stored, the deferred outcome cleared", () => {
    const t = transition(confirming({ outcome: "resolve" }), answer(true));
    expect(t.state).toBe("resolved");
    expect(mutationOf(t)).toEqual({ type: "mutation", mutation: "paymentSessionResolve" });
    expect(t.patch).toMatchObject({ resolvedAt: NOW, confirmationResult: true, confirmationAnsweredAt: NOW, deferredJson: null });
    expect(timeline(t)?.detail).toMatchObject({ input: "confirmation", result: true });
  });

  it("true → the deferred pending, its expiry computed at the answer", () => {
    const later = new Date(NOW.getTime() + 10 * MINUTE);
    const t = transition(confirming({ outcome: "pending", reason: "MERCHANT_ACTION_REQUIRED" }, { now: later }), answer(true));
    expect(t.state).toBe("pending");
    expect(mutationOf(t)).toEqual({ type: "mutation", mutation: "paymentSessionPending", reason: "MERCHANT_ACTION_REQUIRED", pendingExpiresAt: new Date(later.getTime() + 3 * DAY) });
  });

  it("true, but another attempt of the checkout was paid meanwhile → reject (group rule)", () => {
    const t = transition(confirming({ outcome: "resolve" }, { groupAlreadyResolved: true }), answer(true));
    expect(mutationOf(t)).toMatchObject({ mutation: "paymentSessionReject", code: "PROCESSING_ERROR" });
    expect(alerts(t)).toEqual(["duplicate_loan_in_group"]);
  });

  it("false → reject CONFIRMATION_REJECTED, alert the merchant to cancel the Soisy application", () => {
    const t = transition(confirming({ outcome: "resolve" }), answer(false));
    expect(t.state).toBe("rejected");
    expect(mutationOf(t)).toEqual({ type: "mutation", mutation: "paymentSessionReject", code: "CONFIRMATION_REJECTED", merchantMessage: MERCHANT_MESSAGES.confirmationRejected });
    expect(alerts(t)).toEqual(["confirmation_rejected"]);
    expect(t.patch).toMatchObject({ rejectReasonCode: "CONFIRMATION_REJECTED", confirmationResult: false, deferredJson: null });
  });

  it("outside confirming: the same answer again is a no-op, anything else ignored", () => {
    const again = transition(ctx({ state: "resolved", confirmed: true }), answer(true));
    expect([again.state, timeline(again)?.event, mutationOf(again)]).toEqual(["resolved", "no_change", undefined]);
    for (const state of ["redirected", "pending", "rejected"] as const) {
      const t = transition(ctx({ state }), answer(false));
      expect([t.state, timeline(t)?.event, mutationOf(t)]).toEqual([state, "ignored", undefined]);
    }
  });
});

describe("Soisy while Shopify confirms", () => {
  it("a cancelled loan rejects at once (Shopify accepts a reject from CONFIRMING)", () => {
    const t = transition(confirming({ outcome: "pending", reason: "PARTNER_ACTION_REQUIRED" }), callback("cancelled"));
    expect(mutationOf(t)).toMatchObject({ mutation: "paymentSessionReject", code: "INSTRUMENT_DECLINED" });
    expect(t.patch.deferredJson).toBeNull();
  });

  it("a deferred pending becomes a deferred resolve when Soisy verifies meanwhile (no new mutation)", () => {
    const t = transition(confirming({ outcome: "pending", reason: "PARTNER_ACTION_REQUIRED" }), callback("waiting_for_disbursement"));
    expect(t.state).toBe("confirming");
    expect(mutationOf(t)).toBeUndefined();
    expect(parseDeferred(t.patch.deferredJson ?? null)).toEqual({ outcome: "resolve" });
    expect(timeline(t)?.event).toBe("confirming");
  });

  it("an amount mismatch flags the session and turns a deferred resolve into a pending for the merchant", () => {
    const t = transition(confirming({ outcome: "resolve" }), callback("disbursed", AMOUNT + 1));
    expect(t.patch).toMatchObject({ flagReason: "amount_mismatch", deferredJson: serializeDeferred({ outcome: "pending", reason: "MERCHANT_ACTION_REQUIRED" }) });
    expect(alerts(t)).toEqual(["amount_mismatch"]);
    expect(mutationOf(t)).toBeUndefined();
  });

  it("anything else changes nothing", () => {
    const t = transition(confirming({ outcome: "resolve" }), callback("waiting_for_disbursement"));
    expect([t.state, timeline(t)?.event, t.patch.deferredJson]).toEqual(["confirming", "no_change", undefined]);
  });

  it("a merchant's reject rejects now; a merchant's resolve becomes the deferred outcome", () => {
    const flagged = confirming({ outcome: "pending", reason: "MERCHANT_ACTION_REQUIRED" }, { flagReason: "amount_mismatch" });
    expect(mutationOf(transition(flagged, { kind: "merchant_decided", decision: "reject" }))).toMatchObject({ mutation: "paymentSessionReject" });
    const resolved = transition(flagged, { kind: "merchant_decided", decision: "resolve" });
    expect([resolved.state, mutationOf(resolved)]).toEqual(["confirming", undefined]);
    expect(parseDeferred(resolved.patch.deferredJson ?? null)).toEqual({ outcome: "resolve", why: "merchant" });
  });
});

describe("an answer that never comes (reconciliation)", () => {
  const waited = (ms: number) => confirming({ outcome: "resolve" }, { confirmationRequestedAt: new Date(NOW.getTime() - ms) });

  it("within 15 minutes: nothing", () => {
    const t = transition(waited(CONFIRMATION_OVERDUE_MS), reconciled("waiting_for_disbursement"));
    expect([t.state, alerts(t)]).toEqual(["confirming", []]);
  });

  it("after 15 minutes: alert confirmation_overdue, still confirming", () => {
    const t = transition(waited(CONFIRMATION_OVERDUE_MS + 1), reconciled("waiting_for_disbursement"));
    expect([t.state, alerts(t), mutationOf(t)]).toEqual(["confirming", ["confirmation_overdue"], undefined]);
  });

  it("after 24 hours: reject PROCESSING_ERROR with a merchant message", () => {
    const t = transition(waited(CONFIRMATION_GIVE_UP_MS + 1), reconciled("waiting_for_disbursement"));
    expect(t.state).toBe("rejected");
    expect(mutationOf(t)).toEqual({ type: "mutation", mutation: "paymentSessionReject", code: "PROCESSING_ERROR", merchantMessage: MERCHANT_MESSAGES.confirmationTimedOut });
  });

  it("callbacks do not count the time: only polls", () => {
    expect(transition(waited(CONFIRMATION_GIVE_UP_MS + 1), callback("waiting_for_disbursement")).state).toBe("confirming");
  });
});

describe("authorizations (fund on fulfilment)", () => {
  const auth = (over: Partial<LifecycleContext> = {}) => ctx({ kind: "authorization", confirmed: true, ...over });

  it.each(["verified", "disbursed"] as const)("verified resolves whatever resolveOn (%s), with authorizationExpiresAt = now + authorizationDays", (resolveOn) => {
    const t = transition(auth({ settings: { resolveOn, pendingExpiryDays: 3, authorizationDays: 45 } }), callback("waiting_for_trigger"));
    const expiry = new Date(NOW.getTime() + 45 * DAY);
    expect(mutationOf(t)).toEqual({ type: "mutation", mutation: "paymentSessionResolve", authorizationExpiresAt: expiry });
    expect(t.patch).toMatchObject({ resolvedAt: NOW, authorizationExpiresAt: expiry });
  });

  it("the expiry is computed when Shopify's confirmation arrives, not when it was asked", () => {
    const asked = transition(ctx({ kind: "authorization" }), callback("waiting_for_trigger"));
    expect(asked.patch.authorizationExpiresAt).toBeUndefined();
    const later = new Date(NOW.getTime() + 20 * MINUTE);
    const t = transition(confirming({ outcome: "resolve" }, { kind: "authorization", now: later }), answer(true));
    expect(mutationOf(t)).toMatchObject({ authorizationExpiresAt: new Date(later.getTime() + 30 * DAY) });
  });

  it("disbursed before any capture: resolve too, with alert disbursed_without_capture", () => {
    const t = transition(auth(), callback("disbursed"));
    expect(mutationOf(t)?.mutation).toBe("paymentSessionResolve");
    expect(alerts(t)).toEqual(["disbursed_without_capture"]);
  });

  it("a sale is never resolved with an authorization expiry, and verified still follows resolveOn", () => {
    const sale = transition(ctx({ confirmed: true }), callback("disbursed"));
    expect(mutationOf(sale)).toEqual({ type: "mutation", mutation: "paymentSessionResolve" });
    const waits = transition(ctx({ confirmed: true, settings: { resolveOn: "disbursed", pendingExpiryDays: 3, authorizationDays: 30 } }), callback("waiting_for_trigger"));
    expect(waits.state).toBe("redirected");
  });
});
