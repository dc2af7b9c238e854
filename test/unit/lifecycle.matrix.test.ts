/**
 * Every input kind × every state × every Soisy status (all documented ones plus an unknown one) ×
 * settings × loan amount (none / equal / different) × flag × group × expiry, checked against the
 * rules that must hold whatever the combination.
 */
import { describe, expect, it } from "vitest";
import {
  PAYMENT_STATES,
  isFinal,
  soisyProgress,
  transition,
  CONFIRMATION_GIVE_UP_MS,
  CONFIRMATION_OVERDUE_MS,
  parseDeferred,
  type Deferred,
  type Effect,
  type LifecycleContext,
  type LifecycleInput,
  type PaymentState,
  type Transition,
} from "~/payments/lifecycle";
import { allLifecycleInputs, DAY, MATRIX_STATUSES, MINUTE, NOW } from "../helpers/lifecycle-inputs";

const AMOUNT = 50_000;
const STATUSES = MATRIX_STATUSES;
const DEFERRED: Deferred[] = [
  { outcome: "resolve" },
  { outcome: "resolve", why: "merchant" },
  { outcome: "pending", reason: "PARTNER_ACTION_REQUIRED" },
  { outcome: "pending", reason: "MERCHANT_ACTION_REQUIRED" },
];

const inputs = () => allLifecycleInputs(AMOUNT);

function contexts(state: PaymentState): LifecycleContext[] {
  const list: LifecycleContext[] = [];
  // While confirming: what was deferred × how long Shopify has been silent; elsewhere: nothing deferred.
  const confirming: [Deferred | null, Date | null][] =
    state === "confirming"
      ? [null, ...DEFERRED].flatMap((d) => [5 * MINUTE, 60 * MINUTE, 25 * 60 * MINUTE].map((ago): [Deferred | null, Date] => [d, new Date(NOW.getTime() - ago)]))
      : [[null, null]];
  const expiries = state === "pending" ? [null, new Date(NOW.getTime() - DAY), new Date(NOW.getTime() + DAY)] : [null];
  for (const resolveOn of ["verified", "disbursed"] as const)
    for (const flagReason of [null, "amount_mismatch"])
      for (const groupAlreadyResolved of [false, true])
        for (const pendingExpiresAt of expiries)
          for (const kind of ["sale", "authorization"] as const)
            for (const confirmed of [false, true])
              for (const [deferred, confirmationRequestedAt] of confirming)
                list.push({
                  state,
                  amountCents: AMOUNT,
                  flagReason,
                  pendingExpiresAt,
                  groupAlreadyResolved,
                  settings: { resolveOn, pendingExpiryDays: 3, authorizationDays: 30 },
                  now: NOW,
                  kind,
                  confirmed,
                  deferred,
                  confirmationRequestedAt,
                });
  return list;
}

type Mutation = Extract<Effect, { type: "mutation" }>;
const mutationsOf = (t: Transition) => t.effects.filter((e): e is Mutation => e.type === "mutation");
const alertsOf = (t: Transition) => t.effects.flatMap((e) => (e.type === "alert" ? [e.code] : []));

/** Checks one transition; returns the broken rules (empty when all hold). */
function broken(c: LifecycleContext, input: LifecycleInput, t: Transition): string[] {
  const errors: string[] = [];
  const check = (ok: boolean, rule: string) => {
    if (!ok) errors.push(rule);
  };
  const muts = mutationsOf(t);
  const m = muts[0];
  const soisy = "soisy" in input ? input.soisy : null;
  const progress = soisy ? soisyProgress(soisy.status) : null;
  const mismatch = soisy !== null && soisy.loanAmountCents !== null && soisy.loanAmountCents !== c.amountCents;
  const merchant = input.kind === "merchant_decided";

  check((PAYMENT_STATES as readonly string[]).includes(t.state), "new state is a state");
  check(muts.length <= 1, "at most one mutation per transition");
  check(t.effects[0]?.type === "timeline" && t.effects.filter((e) => e.type === "timeline").length === 1, "exactly one timeline effect, first");
  check(t.effects.every((e, i) => i === 0 || e.type !== "mutation" || t.effects[i - 1]?.type === "timeline"), "mutation right after the timeline");

  // Final states never move and never send a mutation.
  if (isFinal(c.state)) {
    check(t.state === c.state, "a final state never changes");
    check(muts.length === 0, "no mutation from a final state");
  }
  // What each state may still send.
  if (m) {
    if (c.state === "received") check(input.kind === "not_eligible" && m.mutation === "paymentSessionReject", "received sends only the not-eligible reject");
    if (c.state === "pending") check(m.mutation !== "paymentSessionPending", "never a second pending");
  }
  // State and mutation agree.
  const sent = m?.mutation ?? null;
  if (t.state !== c.state) {
    if (t.state === "resolved") check(sent === "paymentSessionResolve", "resolved only with a resolve");
    if (t.state === "rejected" || t.state === "not_eligible") check(sent === "paymentSessionReject", "rejected only with a reject");
    if (t.state === "pending") check(sent === "paymentSessionPending", "pending only with a pending");
    check(t.state !== "received", "never back to received");
    if (t.state === "redirected") {
      check(
        (input.kind === "order_created" && input.level !== "preapproval") || (input.kind === "preapproval_approved" && c.state === "preapproval"),
        "redirected only through order_created (level 1) or an in-store approval",
      );
    }
    if (t.state === "preapproval") check(input.kind === "order_created" && input.level === "preapproval", "preapproval only through a level-2 order_created");
  }
  if (sent === "paymentSessionResolve") check(t.state === "resolved", "resolve → resolved");
  if (sent === "paymentSessionReject") check(t.state === "rejected" || t.state === "not_eligible", "reject → rejected");
  if (sent === "paymentSessionPending") check(t.state === "pending", "pending → pending");
  if (sent === "paymentSessionConfirm") check(t.state === "confirming" && c.state !== "confirming", "confirm → confirming, once");
  if (t.state === "confirming" && c.state !== "confirming") check(sent === "paymentSessionConfirm", "confirming only with a confirm");

  // Oversell protection: the first resolve or pending of an unconfirmed session is a confirm instead.
  if (!c.confirmed && c.state !== "pending" && c.state !== "confirming") {
    check(sent !== "paymentSessionResolve" && sent !== "paymentSessionPending", "no resolve / pending before Shopify confirmed");
  }
  if (sent === "paymentSessionConfirm") {
    const deferred = parseDeferred(t.patch.deferredJson ?? null);
    check(deferred !== null && t.patch.confirmationRequestedAt?.getTime() === NOW.getTime(), "a confirm stores what it defers and when");
    check(t.patch.resolvedAt === undefined && t.patch.pendingExpiresAt === undefined && t.patch.authorizationExpiresAt === undefined, "nothing settled while confirming");
    // What it defers is what the confirmed session would have done.
    const confirmedTwin = transition({ ...c, confirmed: true }, input);
    const twin = mutationsOf(confirmedTwin)[0];
    check(
      twin !== undefined &&
        (deferred?.outcome === "resolve" ? twin.mutation === "paymentSessionResolve" : twin.mutation === "paymentSessionPending" && twin.reason === deferred?.reason),
      "the deferred outcome is the confirmed session's",
    );
  }
  if (c.state === "confirming") {
    check(sent === null || sent === "paymentSessionReject" || input.kind === "confirmation", "while confirming only a reject, or the answer's outcome");
    if (t.state !== "confirming") check(t.patch.deferredJson === null, "leaving confirming clears the deferred outcome");
  }
  if (input.kind === "confirmation") {
    if (c.state !== "confirming") check(t.state === c.state && muts.length === 0, "an answer outside confirming changes nothing");
    else if (!input.result) {
      check(m?.mutation === "paymentSessionReject" && m.code === "CONFIRMATION_REJECTED" && alertsOf(t).includes("confirmation_rejected"), "refused → CONFIRMATION_REJECTED + alert");
    } else if (c.groupAlreadyResolved) check(m?.mutation === "paymentSessionReject" && m.code === "PROCESSING_ERROR", "confirmed but the group is paid → reject");
    else {
      const d = c.deferred ?? { outcome: "pending", reason: "PARTNER_ACTION_REQUIRED" };
      check(d.outcome === "resolve" ? sent === "paymentSessionResolve" : m?.mutation === "paymentSessionPending" && m.reason === d.reason, "confirmed → the deferred outcome");
    }
    if (c.state === "confirming") check(t.patch.confirmationResult === input.result && t.patch.confirmationAnsweredAt?.getTime() === NOW.getTime(), "the answer is stored");
  }
  if (alertsOf(t).includes("confirmation_overdue")) {
    const waited = NOW.getTime() - (c.confirmationRequestedAt?.getTime() ?? NOW.getTime());
    check(input.kind === "reconciled" && c.state === "confirming" && waited > CONFIRMATION_OVERDUE_MS && waited <= CONFIRMATION_GIVE_UP_MS, "overdue alert only from polls while confirming");
  }
  if (input.kind === "reconciled" && c.state === "confirming" && progress !== "unknown") {
    const waited = NOW.getTime() - (c.confirmationRequestedAt?.getTime() ?? NOW.getTime());
    if (waited > CONFIRMATION_GIVE_UP_MS) check(m?.mutation === "paymentSessionReject", "never answered in 24 h → reject");
  }
  // Authorizations carry their expiry with every resolve; sales never.
  if (m?.mutation === "paymentSessionResolve") {
    if (c.kind === "authorization") {
      const expected = NOW.getTime() + 30 * DAY;
      check(m.authorizationExpiresAt?.getTime() === expected && t.patch.authorizationExpiresAt?.getTime() === expected, "authorization resolved with its expiry");
    } else check(m.authorizationExpiresAt === undefined && t.patch.authorizationExpiresAt === undefined, "a sale has no authorization expiry");
  }
  if (alertsOf(t).includes("disbursed_without_capture")) check(c.kind === "authorization" && progress === "disbursed", "disbursed alert only for authorizations");
  if (input.kind === "order_created" && t.state !== c.state) {
    check(c.state === "received" && t.state === (input.level === "preapproval" ? "preapproval" : "redirected"), "order_created only received → redirected / preapproval per level");
  }
  // The in-store outcome moves only a session in pre-approval: approved → redirected, refused → rejected at once.
  if (input.kind === "preapproval_approved" || input.kind === "preapproval_refused") {
    if (c.state !== "preapproval") check(t.state === c.state && muts.length === 0, "in-store outcomes only act in preapproval");
    else if (input.kind === "preapproval_approved") check(t.state === "redirected" && muts.length === 0, "approved → redirected, no mutation");
    else check(t.state === "rejected" && m?.mutation === "paymentSessionReject" && m.code === "INSTRUMENT_DECLINED", "refused → rejected with INSTRUMENT_DECLINED");
  }
  // While the shopper is on the in-store form, a refusal callback waits for the form's own outcome.
  if (c.state === "preapproval" && input.kind === "soisy_callback" && progress === "cancelled") {
    check(t.state === "preapproval" && muts.length === 0, "a refusal callback during pre-approval changes nothing");
  }

  // Resolve only on a verified / disbursed loan (per setting) or by the merchant; never flagged, never in a resolved group.
  if (sent === "paymentSessionResolve") {
    check(!c.groupAlreadyResolved, "no resolve when the group is already resolved");
    if (merchant) {
      check(c.flagReason !== null, "the merchant resolves only flagged payments");
    } else if (input.kind === "confirmation") {
      check(c.state === "confirming" && c.deferred?.outcome === "resolve", "an answer resolves only a deferred resolve");
    } else {
      check(c.flagReason === null && !mismatch, "no automatic resolve when flagged or mismatched");
      check(
        progress === "disbursed" || (progress === "verified" && (c.settings.resolveOn === "verified" || c.kind === "authorization")),
        "resolve only on verified/disbursed per setting (authorizations: verified)",
      );
    }
  }
  // Pending from a callback only where it would have resolved (amount check).
  if (sent === "paymentSessionPending" && input.kind === "soisy_callback") {
    check(m?.mutation === "paymentSessionPending" && m.reason === "MERCHANT_ACTION_REQUIRED", "callbacks send pending only for the amount check");
  }
  if (m?.mutation === "paymentSessionPending") {
    check(m.pendingExpiresAt.getTime() === NOW.getTime() + 3 * DAY && t.patch.pendingExpiresAt?.getTime() === m.pendingExpiresAt.getTime(), "expiry = now + 3 days");
    if (input.kind !== "confirmation") {
      check(m.reason === (c.flagReason !== null || mismatch ? "MERCHANT_ACTION_REQUIRED" : "PARTNER_ACTION_REQUIRED"), "pending reason follows the flag");
    }
  }
  // A Soisy refusal of an open payment always rejects.
  if (progress === "cancelled" && (["redirected", "abandoned", "pending", "confirming"].includes(c.state) || (c.state === "preapproval" && input.kind !== "soisy_callback"))) {
    check(m?.mutation === "paymentSessionReject" && m.code === "INSTRUMENT_DECLINED", "cancelled rejects open payments");
  }
  // Unknown status: nothing moves, one alert.
  if (progress === "unknown" && c.state !== "received" && c.state !== "not_eligible") {
    check(t.state === c.state && muts.length === 0, "unknown status changes nothing");
    check(alertsOf(t).includes("unknown_soisy_status"), "unknown status alerts");
  }
  if (progress !== "unknown") check(!alertsOf(t).includes("unknown_soisy_status"), "no unknown-status alert for known ones");
  // Amount alert only once.
  if (c.flagReason === "amount_mismatch") check(!alertsOf(t).includes("amount_mismatch"), "amount mismatch alerted once");
  if (alertsOf(t).includes("amount_mismatch")) check(t.patch.flagReason === "amount_mismatch", "a mismatch alert comes with the flag");
  // Expiry alert only from polls of pending payments past their expiry.
  if (alertsOf(t).includes("pending_past_expiry")) {
    check(input.kind === "reconciled" && c.state === "pending" && t.state === "pending" && c.pendingExpiresAt !== null && c.pendingExpiresAt < NOW, "expiry alert only when due");
  }
  // Where the shopper goes is said for shopper returns only.
  check((input.kind === "shopper_returned") === (t.shopper !== undefined), "shopper destination only for shopper returns");
  if (t.shopper === "cancel_url") check(t.state === "abandoned", "cancel_url only when abandoned");
  if (t.state === "confirming" && t.shopper) check(t.shopper === "wait", "the shopper waits while Shopify confirms");
  if (t.state === "pending" || isFinal(t.state)) if (t.shopper) check(t.shopper === "next_action", "next_action once Shopify decides");
  // Dates in the patch are the given clock.
  for (const key of ["resolvedAt", "rejectedAt", "abandonedAt", "returnedAt"] as const) {
    const value = t.patch[key];
    if (value) check(value.getTime() === NOW.getTime(), `${key} = now`);
  }
  return errors;
}

describe("lifecycle cross product", () => {
  const all = inputs();

  it("has the expected size", () => {
    expect(all.length).toBe(9 + STATUSES.length * 3 * 4);
    expect(PAYMENT_STATES.length * contexts("pending").length * all.length).toBeGreaterThan(10_000);
  });

  it.each(PAYMENT_STATES)("every input × context from %s keeps the rules", (state) => {
    const failures: string[] = [];
    let count = 0;
    for (const c of contexts(state)) {
      for (const input of all) {
        const t = transition(c, input);
        count++;
        for (const rule of broken(c, input, t)) {
          if (failures.length < 10) failures.push(`${rule} — ${JSON.stringify({ ctx: { ...c, now: undefined }, input, result: t })}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(count).toBe(contexts(state).length * all.length);
  });

  it("reaches every state and every mutation somewhere in the product", () => {
    const reached = new Set<string>();
    for (const state of PAYMENT_STATES)
      for (const c of contexts(state))
        for (const input of all) {
          const t = transition(c, input);
          reached.add(`state:${t.state}`);
          for (const e of t.effects) reached.add(e.type === "mutation" ? `m:${e.mutation}` : e.type === "alert" ? `a:${e.code}` : "timeline");
        }
    for (const state of PAYMENT_STATES) expect(reached).toContain(`state:${state}`);
    for (const m of ["paymentSessionResolve", "paymentSessionReject", "paymentSessionPending", "paymentSessionConfirm"]) expect(reached).toContain(`m:${m}`);
    for (const a of [
      "amount_mismatch",
      "duplicate_loan_in_group",
      "cancelled_after_resolve",
      "loan_after_reject",
      "pending_past_expiry",
      "unknown_soisy_status",
      "confirmation_rejected",
      "confirmation_overdue",
      "disbursed_without_capture",
    ]) {
      expect(reached).toContain(`a:${a}`);
    }
  });
});
