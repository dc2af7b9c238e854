/**
 * Over 400 lines on purpose: it is the one pure transition table, every decision in one place (that
 * is what it is for); split up, the decisions below would be scattered again.
 *
 * The payment lifecycle of one Shopify payment session paid with Soisy, as a PURE state machine:
 * `transition(context, input)` says what the new state is, what to write (patch) and what to do
 * (effects: Shopify mutations, timeline rows, merchant alerts). No I/O, no clock: the caller reads
 * the session, calls `transition`, and stores state + patch + effects in ONE transaction (the
 * mutations go to the outbox). The decisions behind it: docs/lifecycle.md.
 *
 * Sources of truth
 *   Soisy's GET /orders/{token} is the only truth about the loan: shopper returns, callbacks and
 *   reconciliation polls all carry a `SoisyObservation` read from it. A callback's eventId is only
 *   recorded, never trusted.
 *
 * What Soisy's status asks for (see `soisyProgress`)
 *   cancelled                         → reject (INSTRUMENT_DECLINED)
 *   disbursed                         → resolve
 *   verified (waiting_for_disbursement) → resolve when settings.resolveOn = "verified" (default),
 *                                       otherwise "pending" like completed
 *   completed (waiting_for_verification) → pending (PARTNER_ACTION_REQUIRED) — but only from a
 *                                       shopper return or a reconciliation poll, never a callback
 *   in_progress                       → shopper back on successUrl: pending; on errorUrl: abandoned
 *                                       (no mutation, shopper → cancel_url); callback/poll: nothing
 *   unknown status                    → nothing but an "unknown_soisy_status" alert
 *
 * Decisions taken where lifecycle.md is silent
 *   1. `not_eligible` is final too (`isFinal`): its reject is queued on entering it and nothing
 *      moves it afterwards.
 *   2. Reconciliation DOES send pending for a session whose Soisy application is complete
 *      (completed, or verified while resolveOn = "disbursed") but whose shopper never came back
 *      (redirected / abandoned): pending makes Shopify create the order, so the merchant sees it.
 *      Callbacks don't: RequestCompleted arrives just before the shopper's own return, which acts.
 *   3. Group rule: it applies whenever the transition would send resolve OR pending (a pending
 *      would also create a second Shopify order for an already paid checkout). Instead: reject
 *      (PROCESSING_ERROR) + alert "duplicate_loan_in_group" (the loan application must be cancelled
 *      at Soisy). It wins over the amount check, since such a session can never be resolved.
 *   4. Amount check: applies to open sessions (redirected / abandoned / pending) and to every
 *      observation except `cancelled` (a refused loan has nothing to check). The flag is sticky:
 *      once flagged, only the merchant (`merchant_decided`) can resolve, even if Soisy later
 *      reports the right amount. Alert once: only when the session is not already flagged
 *      "amount_mismatch". A pending session stays pending (Shopify takes one pending per session).
 *      Any flag (flagReason ≠ null) blocks automatic resolution.
 *   5. `merchant_decided`: only for flagged sessions that are not final. "resolve" resolves whatever
 *      Soisy's status (the merchant's call; the UI should offer it once Soisy has verified the
 *      loan), subject to the group rule; "reject" rejects with PROCESSING_ERROR.
 *   6. After resolved: `cancelled` → alert "cancelled_after_resolve" (once: not when already
 *      flagged so); anything else → timeline. After rejected: a loan observed (verified /
 *      disbursed) → alert "loan_after_reject" (not when already flagged "duplicate_loan_in_group"
 *      or "loan_after_reject", which already told the merchant to cancel the loan at Soisy).
 *      Alerts that are raised again (e.g. "unknown_soisy_status", "pending_past_expiry") are
 *      de-duplicated by the caller, once per payment and code.
 *   7. Pending past expiry: a `reconciled` input on a pending session that stays pending with
 *      `now > pendingExpiresAt` (strictly) → alert "pending_past_expiry", no mutation (Shopify
 *      keeps a pending session open; it settles as soon as Soisy decides).
 *   8. The expiry is now + pendingExpiryDays × 24 h exactly (UTC milliseconds, no calendar or DST
 *      arithmetic). pendingExpiryDays is validated by the settings and capped at
 *      MAX_PENDING_EXPIRY_DAYS (Shopify's limit).
 *   9. Where the shopper goes after `shopper_returned`: "next_action" when the session is pending or
 *      final (Shopify's nextAction of the mutation), "cancel_url" when abandoned, "wait" (the
 *      "we are confirming" page, which polls) when nothing is known yet (unknown status, received).
 *  10. Every transition carries exactly ONE timeline effect, first, naming the decision (see
 *      `TimelineEvent`; detail: input, from, to, why, Soisy status, ...). The caller records the
 *      input itself separately. Then at most one mutation, then alerts.
 *  11. `soisyStatus` is patched with every observation of a session that has a Soisy order (unknown
 *      values included: it is the truth as last read); `returnedAt` with every shopper return.
 *  12. Integration level 2 (in-store pre-approval, lifecycle.md "Integration level 2"): the Soisy
 *      order is created as in level 1 (`order_created` with level "preapproval") but the session
 *      enters "preapproval" — the shopper is on the app's own form, not at Soisy. The form's outcome
 *      is an input of its own: `preapproval_approved` → "redirected" (the shopper goes on to Soisy's
 *      webapp for documents and signature; from there everything is level 1), `preapproval_refused`
 *      → "rejected" at once (INSTRUMENT_DECLINED — `RISKY` would fit too but Shopify's schema marks
 *      it deprecated — with a merchant message saying it happened in the store). While in
 *      "preapproval", a Soisy callback reporting a refusal changes nothing (the shopper's submit,
 *      which got the same answer synchronously, decides with its own reason; this keeps one
 *      deterministic outcome when the callback races the submit); a reconciliation poll or a shopper
 *      return still acts on it as on "redirected" (a submit whose answer was lost is settled by them).
 *  13. Oversell protection (docs/fund-on-fulfilment.md): a transition that would send the FIRST
 *      paymentSessionResolve or paymentSessionPending of a session (not `confirmed`, not already
 *      pending) sends `paymentSessionConfirm` instead and enters "confirming", remembering the
 *      outcome in `deferredJson` (`Deferred`). Rejects never wait for it. Merchant decisions follow
 *      the same rule. The group rule is applied before asking (a confirm for a checkout already paid
 *      would be pointless) and again when the answer comes.
 *  14. `confirmation` from "confirming": true → the deferred outcome now (a pending's expiry and an
 *      authorization's expiry computed at the answer; the group rule applies); false → reject
 *      CONFIRMATION_REJECTED + alert "confirmation_rejected" (cancel the Soisy application: the items
 *      were sold meanwhile). In any other state: `no_change` when it repeats the answer already
 *      taken (true after confirmed), `ignored` otherwise.
 *  15. Observations while "confirming": cancelled → reject INSTRUMENT_DECLINED at once (Shopify
 *      accepts a reject from CONFIRMING); a deferred pending that Soisy now allows to resolve
 *      (verified / disbursed, no flag) becomes a deferred resolve; an amount mismatch flags the
 *      session as usual and turns a deferred automatic resolve into a pending MERCHANT_ACTION_REQUIRED;
 *      otherwise no_change. No new mutation either way. A shopper return waits ("wait").
 *      A merchant "reject" rejects at once; "resolve" makes the deferred outcome a resolve.
 *  16. Overdue answer: a `reconciled` input while "confirming" with no answer
 *      CONFIRMATION_OVERDUE_MS (15 min) after the request → alert "confirmation_overdue" (once, by
 *      the caller's de-duplication); after CONFIRMATION_GIVE_UP_MS (24 h) → reject PROCESSING_ERROR.
 *      A cancelled loan still wins (rule 15).
 *  17. Authorizations (kind "authorization", fund on fulfilment): "verified" resolves whatever
 *      settings.resolveOn says; every resolve carries `authorizationExpiresAt` = now +
 *      authorizationDays × 24 h (effect and patch). "disbursed" of an open authorization resolves
 *      too, with alert "disbursed_without_capture" (the order was triggered outside Shopify).
 */
import { MAX_PENDING_EXPIRY_DAYS } from "~/settings/pending-expiry";
import { isKnownOrderStatus, type SoisyKnownOrderStatus } from "~/soisy/types";

/* ------------------------------------------------------------------------------------------------
 * States
 * ---------------------------------------------------------------------------------------------- */

export const PAYMENT_STATES = [
  "received",
  "not_eligible",
  "preapproval",
  "redirected",
  "abandoned",
  "confirming",
  "pending",
  "resolved",
  "rejected",
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** Final: Shopify's answer for the session is decided (its mutation is queued); no input moves it. */
export function isFinal(state: PaymentState): boolean {
  return state === "resolved" || state === "rejected" || state === "not_eligible";
}

/* ------------------------------------------------------------------------------------------------
 * Soisy's order status, reduced to what the lifecycle needs
 * ---------------------------------------------------------------------------------------------- */

export type SoisyProgress = "in_progress" | "completed" | "verified" | "disbursed" | "cancelled" | "unknown";

const PROGRESS_BY_STATUS: Record<SoisyKnownOrderStatus, SoisyProgress> = {
  quote: "in_progress",
  request_received: "in_progress",
  request_accepted: "in_progress",
  waiting_for_verification: "completed",
  waiting_for_disbursement: "verified",
  waiting_for_trigger: "verified",
  disbursed: "disbursed",
  cancelled: "cancelled",
};

export function soisyProgress(status: string): SoisyProgress {
  return isKnownOrderStatus(status) ? PROGRESS_BY_STATUS[status] : "unknown";
}

/** What GET /orders/{token} said: the ONLY source of truth (callbacks are triggers). */
export interface SoisyObservation {
  status: string;
  loanAmountCents: number | null;
}

/* ------------------------------------------------------------------------------------------------
 * Inputs, context, output
 * ---------------------------------------------------------------------------------------------- */

/** Subset of Shopify's PaymentSessionStateRejectedReason used by the app. */
export type RejectCode =
  | "AMOUNT_TOO_SMALL"
  | "AMOUNT_TOO_LARGE"
  | "INVALID_CURRENCY"
  | "PROCESSING_ERROR"
  | "INSTRUMENT_DECLINED"
  | "PAYMENT_METHOD_UNSUPPORTED"
  | "INVALID_PURCHASE_TYPE"
  | "CONFIRMATION_REJECTED";

export type IntegrationLevel = "redirect" | "preapproval";

export type LifecycleInput =
  | { kind: "order_created"; level?: IntegrationLevel }
  | { kind: "preapproval_approved" }
  | { kind: "preapproval_refused" }
  | { kind: "not_eligible"; code: RejectCode; merchantMessage: string }
  | { kind: "shopper_returned"; via: "success" | "error"; soisy: SoisyObservation }
  | { kind: "soisy_callback"; eventId: string; soisy: SoisyObservation }
  | { kind: "reconciled"; soisy: SoisyObservation }
  | { kind: "merchant_decided"; decision: "resolve" | "reject" }
  /** Shopify's answer on the confirmation callback: true = the inventory is still reserved. */
  | { kind: "confirmation"; result: boolean };

export type PendingReason = "PARTNER_ACTION_REQUIRED" | "MERCHANT_ACTION_REQUIRED";

/** What a "confirming" session will do once Shopify confirms (stored as PaymentSession.deferredJson). */
export type Deferred = { outcome: "resolve"; why?: string } | { outcome: "pending"; reason: PendingReason };

export interface LifecycleContext {
  state: PaymentState;
  /** The Shopify session amount, cents. */
  amountCents: number;
  /** Why the payment already needs the merchant's attention (e.g. "amount_mismatch"), or null. */
  flagReason: string | null;
  pendingExpiresAt: Date | null;
  /** Another session of the same Shopify group is resolved. */
  groupAlreadyResolved: boolean;
  settings: { resolveOn: "verified" | "disbursed"; pendingExpiryDays: number; authorizationDays: number };
  now: Date;
  /** Shopify's session kind: a sale, or an authorization captured later (fund on fulfilment). */
  kind: "sale" | "authorization";
  /** Shopify already confirmed this session (oversell protection): no second confirm. */
  confirmed: boolean;
  /** While "confirming": what the session will do once confirmed. */
  deferred: Deferred | null;
  /** When paymentSessionConfirm was asked (null when never). */
  confirmationRequestedAt: Date | null;
}

export type AlertCode =
  | "amount_mismatch"
  | "duplicate_loan_in_group"
  | "cancelled_after_resolve"
  | "loan_after_reject"
  | "pending_past_expiry"
  | "unknown_soisy_status"
  | "confirmation_rejected"
  | "confirmation_overdue"
  | "disbursed_without_capture";

export type Effect =
  | { type: "mutation"; mutation: "paymentSessionResolve"; authorizationExpiresAt?: Date }
  | { type: "mutation"; mutation: "paymentSessionConfirm" }
  | { type: "mutation"; mutation: "paymentSessionReject"; code: RejectCode; merchantMessage: string }
  | {
      type: "mutation";
      mutation: "paymentSessionPending";
      reason: PendingReason;
      pendingExpiresAt: Date;
    }
  | { type: "timeline"; event: string; detail?: Record<string, unknown> }
  | { type: "alert"; code: AlertCode; message: string };

export type MutationEffect = Extract<Effect, { type: "mutation" }>;

/** Columns of PaymentSession to write with the new state. */
export interface LifecyclePatch {
  flagReason?: string;
  amountMismatch?: boolean;
  pendingExpiresAt?: Date;
  rejectReasonCode?: string;
  resolvedAt?: Date;
  rejectedAt?: Date;
  abandonedAt?: Date;
  returnedAt?: Date;
  soisyStatus?: string;
  authorizationExpiresAt?: Date;
  /** JSON of `Deferred` while confirming; null clears it. */
  deferredJson?: string | null;
  confirmationRequestedAt?: Date;
  confirmationResult?: boolean;
  confirmationAnsweredAt?: Date;
}

export interface Transition {
  /** The new state (may equal the old one). */
  state: PaymentState;
  /** In order: one timeline effect, at most one mutation, then alerts. */
  effects: Effect[];
  patch: LifecyclePatch;
  /** Only for shopper_returned: where the shopper goes. */
  shopper?: "next_action" | "cancel_url" | "wait";
}

/** The `event` of the timeline effect: the decision taken. */
export type TimelineEvent =
  | "order_created" // received → redirected (level 1) or preapproval (level 2)
  | "preapproved" // preapproval → redirected: Soisy approved the in-store request
  | "not_eligible" // received → not_eligible, reject queued
  | "resolved"
  | "rejected"
  | "pending"
  | "abandoned"
  | "confirming" // paymentSessionConfirm asked instead of the first resolve / pending, or the deferred outcome changed
  | "flagged" // amount mismatch seen, nothing else changes
  | "no_change" // a valid input that moves nothing now (duplicate, stale, still waiting)
  | "ignored"; // an input that makes no sense in this state

/** Messages shown to the merchant in Shopify's admin (merchantMessage of paymentSessionReject). */
export const MERCHANT_MESSAGES = {
  soisyDeclined: "Soisy declined the instalment application",
  groupAlreadyPaid:
    "Another payment attempt of the same checkout was already paid, so this Soisy instalment payment was rejected. Cancel its loan at Soisy.",
  merchantRejected: "Rejected by the merchant after review in the Soisy app",
  preapprovalRefused:
    "Soisy refused the instalment request in the store's pre-approval; the customer was sent back to checkout to choose another payment method",
  confirmationRejected:
    "Shopify could not confirm the order (the items are no longer available), so this Soisy instalment payment was rejected. Cancel the Soisy application.",
  confirmationTimedOut: "Shopify did not answer the order confirmation within 24 hours, so this Soisy instalment payment was rejected. Cancel the Soisy application.",
} as const;

/** No confirmation answer this long after the request: alert the merchant. */
export const CONFIRMATION_OVERDUE_MS = 15 * 60 * 1000;
/** No confirmation answer this long after the request: reject. */
export const CONFIRMATION_GIVE_UP_MS = 24 * 60 * 60 * 1000;

export function serializeDeferred(deferred: Deferred): string {
  return JSON.stringify(deferred);
}

/** The stored deferred outcome, or null when absent or unreadable. */
export function parseDeferred(json: string | null): Deferred | null {
  if (!json) return null;
  try {
    const value = JSON.parse(json) as { outcome?: unknown; reason?: unknown; why?: unknown };
    if (value.outcome === "resolve") return typeof value.why === "string" ? { outcome: "resolve", why: value.why } : { outcome: "resolve" };
    if (value.outcome === "pending" && (value.reason === "PARTNER_ACTION_REQUIRED" || value.reason === "MERCHANT_ACTION_REQUIRED")) {
      return { outcome: "pending", reason: value.reason };
    }
  } catch {
    // unreadable: treated as absent
  }
  return null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** now + days × 24 h, exactly. */
export const MAX_PENDING_EXPIRY_MS = MAX_PENDING_EXPIRY_DAYS * DAY_MS;

export function pendingExpiryFrom(now: Date, days: number): Date {
  const capped = Math.min(Math.max(days, 0), MAX_PENDING_EXPIRY_DAYS);
  return new Date(now.getTime() + capped * DAY_MS);
}

/* ------------------------------------------------------------------------------------------------
 * The transition function
 * ---------------------------------------------------------------------------------------------- */

export function transition(ctx: LifecycleContext, input: LifecycleInput): Transition {
  switch (input.kind) {
    case "order_created":
      if (ctx.state !== "received") return ignored(ctx, input, "order_already_created");
      return decided(ctx, input, {
        state: input.level === "preapproval" ? "preapproval" : "redirected",
        event: "order_created",
        ...(input.level === "preapproval" ? { detail: { level: "preapproval" } } : {}),
      });
    case "preapproval_approved":
      if (ctx.state !== "preapproval") return ignored(ctx, input, "not_in_preapproval");
      return decided(ctx, input, { state: "redirected", event: "preapproved" });
    case "preapproval_refused":
      if (ctx.state !== "preapproval") return ignored(ctx, input, "not_in_preapproval");
      return decided(ctx, input, { ...reject(ctx, "INSTRUMENT_DECLINED", MERCHANT_MESSAGES.preapprovalRefused), why: "preapproval_refused" });
    case "not_eligible":
      if (ctx.state !== "received") return ignored(ctx, input, "only_before_the_soisy_order");
      return decided(ctx, input, {
        state: "not_eligible",
        event: "not_eligible",
        mutation: { type: "mutation", mutation: "paymentSessionReject", code: input.code, merchantMessage: input.merchantMessage },
        patch: { rejectReasonCode: input.code, rejectedAt: ctx.now },
        detail: { code: input.code },
      });
    case "merchant_decided":
      return merchantDecided(ctx, input);
    case "confirmation":
      return confirmationAnswered(ctx, input);
    case "shopper_returned":
    case "soisy_callback":
    case "reconciled":
      return observed(ctx, input);
  }
}

type ObservationInput = Extract<LifecycleInput, { soisy: SoisyObservation }>;

/** What one decision amounts to, before it is turned into a Transition. */
interface Decision {
  state: PaymentState;
  event: TimelineEvent;
  why?: string;
  mutation?: MutationEffect;
  alerts?: Effect[];
  patch?: LifecyclePatch;
  detail?: Record<string, unknown>;
}

function observed(ctx: LifecycleContext, input: ObservationInput): Transition {
  const progress = soisyProgress(input.soisy.status);
  const detail: Record<string, unknown> = { soisyStatus: input.soisy.status, progress, loanAmountCents: input.soisy.loanAmountCents };
  if (input.kind === "shopper_returned") detail.via = input.via;
  if (input.kind === "soisy_callback") detail.eventId = input.eventId;

  if (ctx.state === "received" || ctx.state === "not_eligible") {
    return ignored(ctx, input, "no_soisy_order_in_this_state", detail);
  }
  const seen: LifecyclePatch = { soisyStatus: input.soisy.status };
  if (input.kind === "shopper_returned") seen.returnedAt = ctx.now;

  let decision: Decision;
  if (progress === "unknown") {
    decision = {
      state: ctx.state,
      event: "no_change",
      why: "unknown_soisy_status",
      alerts: [alert("unknown_soisy_status", `Soisy reported an unknown order status "${input.soisy.status}"; the payment was left as it is.`)],
    };
  } else if (ctx.state === "resolved") {
    decision = afterResolved(ctx, progress);
  } else if (ctx.state === "rejected") {
    decision = afterRejected(ctx, progress);
  } else if (ctx.state === "preapproval" && input.kind === "soisy_callback" && progress === "cancelled") {
    decision = { state: ctx.state, event: "no_change", why: "preapproval_submit_decides" };
  } else if (ctx.state === "confirming") {
    decision = whileConfirming(ctx, input, progress);
  } else {
    decision = whileOpen(ctx, input, progress);
  }
  if (ctx.kind === "authorization" && progress === "disbursed" && !isFinal(ctx.state) && decision.state !== "rejected") {
    decision.alerts = [
      ...(decision.alerts ?? []),
      alert("disbursed_without_capture", "Soisy funded this authorized payment before Shopify captured it: the order was triggered outside Shopify. Check the order at Soisy."),
    ];
  }

  // A pending session that Soisy still hasn't decided when its expiry is over: tell the merchant.
  if (
    input.kind === "reconciled" &&
    ctx.state === "pending" &&
    decision.state === "pending" &&
    ctx.pendingExpiresAt !== null &&
    ctx.now.getTime() > ctx.pendingExpiresAt.getTime()
  ) {
    decision.alerts = [
      ...(decision.alerts ?? []),
      alert("pending_past_expiry", "Soisy has not decided yet and the pending payment is past its expiry; it will settle as soon as Soisy decides."),
    ];
  }
  return decided(ctx, input, { ...decision, patch: { ...seen, ...decision.patch }, detail: { ...detail, ...decision.detail } });
}

/** preapproval / redirected / abandoned / pending, with a known Soisy status. */
function whileOpen(ctx: LifecycleContext, input: ObservationInput, progress: Exclude<SoisyProgress, "unknown">): Decision {
  const wanted = wantedOutcome(ctx, input, progress);
  if (wanted === "reject") return soisyDeclined(ctx);

  const loan = input.soisy.loanAmountCents;
  const mismatch = loan !== null && loan !== ctx.amountCents;
  const flagPatch: LifecyclePatch = mismatch ? { flagReason: "amount_mismatch", amountMismatch: true } : {};
  const flagAlerts = mismatch && ctx.flagReason !== "amount_mismatch" ? [amountMismatchAlert(loan, ctx.amountCents)] : [];
  const flagged = mismatch || ctx.flagReason !== null;
  const withFlag = (d: Decision): Decision => ({ ...d, patch: { ...d.patch, ...flagPatch }, alerts: [...flagAlerts, ...(d.alerts ?? [])] });
  const stay = (why: string): Decision => withFlag({ state: ctx.state, event: mismatch && flagAlerts.length ? "flagged" : "no_change", why });

  if (wanted === "wait") return stay(progress === "in_progress" ? "shopper_still_at_soisy" : "waiting_for_shopper_return_or_reconciliation");
  if (wanted === "abandon") {
    if (ctx.state !== "redirected" && ctx.state !== "preapproval") return stay(ctx.state === "pending" ? "already_pending" : "already_abandoned");
    return withFlag({ state: "abandoned", event: "abandoned", patch: { abandonedAt: ctx.now } });
  }
  if (wanted === "pending" && ctx.state === "pending") return stay("already_pending");
  // From here the session would move forward: resolve, or pending from redirected / abandoned.
  if (ctx.groupAlreadyResolved) return groupAlreadyPaid(ctx);
  if (flagged) {
    if (ctx.state === "pending") return stay("waiting_for_merchant");
    return withFlag(pending(ctx, "MERCHANT_ACTION_REQUIRED"));
  }
  if (wanted === "resolve") return resolve(ctx);
  return pending(ctx, "PARTNER_ACTION_REQUIRED");
}

/**
 * "confirming", with a known Soisy status: a cancelled loan rejects now; otherwise the deferred
 * outcome may change (decision 15), the overdue checks apply to polls (decision 16), nothing is sent.
 */
function whileConfirming(ctx: LifecycleContext, input: ObservationInput, progress: Exclude<SoisyProgress, "unknown">): Decision {
  const wanted = wantedOutcome(ctx, input, progress);
  if (wanted === "reject") return soisyDeclined(ctx);
  const waited = ctx.confirmationRequestedAt ? ctx.now.getTime() - ctx.confirmationRequestedAt.getTime() : 0;
  if (input.kind === "reconciled" && waited > CONFIRMATION_GIVE_UP_MS) {
    return { ...reject(ctx, "PROCESSING_ERROR", MERCHANT_MESSAGES.confirmationTimedOut), why: "confirmation_never_answered" };
  }
  const overdue =
    input.kind === "reconciled" && waited > CONFIRMATION_OVERDUE_MS
      ? [alert("confirmation_overdue", "Shopify has not answered the order confirmation yet; the payment waits for it and is rejected after 24 hours.")]
      : [];
  const deferred = ctx.deferred ?? { outcome: "pending", reason: "PARTNER_ACTION_REQUIRED" };
  const loan = input.soisy.loanAmountCents;
  const mismatch = loan !== null && loan !== ctx.amountCents;
  if (mismatch) {
    const merchantChose = deferred.outcome === "resolve" && deferred.why === "merchant";
    const next: Deferred = merchantChose ? deferred : { outcome: "pending", reason: "MERCHANT_ACTION_REQUIRED" };
    const changed = JSON.stringify(next) !== JSON.stringify(deferred);
    const newFlag = ctx.flagReason !== "amount_mismatch";
    return {
      state: "confirming",
      event: newFlag ? "flagged" : changed ? "confirming" : "no_change",
      why: "amount_mismatch",
      patch: { flagReason: "amount_mismatch", amountMismatch: true, ...(changed ? { deferredJson: serializeDeferred(next) } : {}) },
      alerts: [...(newFlag ? [amountMismatchAlert(loan, ctx.amountCents)] : []), ...overdue],
      detail: { deferred: next },
    };
  }
  if (wanted === "resolve" && deferred.outcome === "pending" && ctx.flagReason === null) {
    const next: Deferred = { outcome: "resolve" };
    return { state: "confirming", event: "confirming", why: "deferred_upgraded", patch: { deferredJson: serializeDeferred(next) }, alerts: overdue, detail: { deferred: next } };
  }
  return { state: "confirming", event: "no_change", why: "waiting_for_confirmation", alerts: overdue };
}

type Wanted = "resolve" | "reject" | "pending" | "abandon" | "wait";

/** What the observation asks for, before the amount check and the group rule. */
function wantedOutcome(ctx: LifecycleContext, input: ObservationInput, progress: Exclude<SoisyProgress, "unknown">): Wanted {
  if (progress === "cancelled") return "reject";
  if (progress === "disbursed") return "resolve";
  // An authorization is resolved once Soisy verified the loan: the funding waits for the capture.
  if (progress === "verified" && (ctx.settings.resolveOn === "verified" || ctx.kind === "authorization")) return "resolve";
  // The application is finished at Soisy but not decided yet.
  const finished = progress === "completed" || progress === "verified";
  if (input.kind === "shopper_returned") {
    if (finished || input.via === "success") return "pending";
    return "abandon";
  }
  if (input.kind === "reconciled" && finished) return "pending";
  return "wait";
}

function afterResolved(ctx: LifecycleContext, progress: SoisyProgress): Decision {
  if (progress !== "cancelled") return { state: "resolved", event: "no_change", why: "already_resolved" };
  if (ctx.flagReason === "cancelled_after_resolve") return { state: "resolved", event: "no_change", why: "already_flagged" };
  return flaggedFinal(
    "resolved",
    "cancelled_after_resolve",
    "Soisy cancelled the loan of a payment that was already confirmed to Shopify: refund the order in Shopify (Shopify does not allow rejecting it now).",
  );
}

function afterRejected(ctx: LifecycleContext, progress: SoisyProgress): Decision {
  const loanExists = progress === "verified" || progress === "disbursed";
  const alreadyTold = ctx.flagReason === "duplicate_loan_in_group" || ctx.flagReason === "loan_after_reject";
  if (!loanExists) return { state: "rejected", event: "no_change", why: "already_rejected" };
  if (alreadyTold) return { state: "rejected", event: "no_change", why: "already_flagged" };
  return flaggedFinal(
    "rejected",
    "loan_after_reject",
    "Soisy approved the loan of a payment that was already rejected in Shopify: cancel the loan at Soisy.",
  );
}

/** A final session that Soisy contradicts afterwards: it stays final, flagged, with one alert for the merchant. */
function flaggedFinal(state: "resolved" | "rejected", reason: "cancelled_after_resolve" | "loan_after_reject", message: string): Decision {
  return { state, event: "flagged", why: reason, patch: { flagReason: reason }, alerts: [alert(reason, message)] };
}

function merchantDecided(ctx: LifecycleContext, input: Extract<LifecycleInput, { kind: "merchant_decided" }>): Transition {
  const detail = { decision: input.decision };
  if (isFinal(ctx.state) || ctx.state === "received" || ctx.flagReason === null) {
    return ignored(ctx, input, "not_waiting_for_the_merchant", detail);
  }
  if (ctx.state === "confirming" && input.decision === "resolve") {
    const next: Deferred = { outcome: "resolve", why: "merchant" };
    return decided(ctx, input, { state: "confirming", event: "confirming", why: "merchant_resolve", patch: { deferredJson: serializeDeferred(next) }, detail: { ...detail, deferred: next } });
  }
  if (input.decision === "reject") {
    const message = ctx.flagReason === "amount_mismatch"
      ? `${MERCHANT_MESSAGES.merchantRejected}: Soisy's loan amount differs from the order amount`
      : MERCHANT_MESSAGES.merchantRejected;
    return decided(ctx, input, { ...reject(ctx, "PROCESSING_ERROR", message), detail });
  }
  const outcome = ctx.groupAlreadyResolved ? groupAlreadyPaid(ctx) : resolve(ctx);
  return decided(ctx, input, { ...outcome, detail });
}

/** Shopify's answer to paymentSessionConfirm (decision 14). */
function confirmationAnswered(ctx: LifecycleContext, input: Extract<LifecycleInput, { kind: "confirmation" }>): Transition {
  const detail = { result: input.result };
  if (ctx.state !== "confirming") {
    if (input.result && ctx.confirmed) return decided(ctx, input, { state: ctx.state, event: "no_change", why: "already_confirmed", detail });
    return ignored(ctx, input, "not_confirming", detail);
  }
  const answer: LifecyclePatch = { confirmationResult: input.result, confirmationAnsweredAt: ctx.now };
  if (!input.result) {
    const d = reject(ctx, "CONFIRMATION_REJECTED", MERCHANT_MESSAGES.confirmationRejected);
    return decided(ctx, input, {
      ...d,
      why: "inventory_not_reserved",
      patch: { ...d.patch, ...answer },
      alerts: [
        alert(
          "confirmation_rejected",
          "Shopify refused to confirm the order (its items were sold meanwhile): the payment was rejected and the customer sent back to checkout. Cancel the Soisy application.",
        ),
      ],
      detail,
    });
  }
  const deferred = ctx.deferred ?? { outcome: "pending", reason: "PARTNER_ACTION_REQUIRED" };
  let d: Decision;
  if (ctx.groupAlreadyResolved) d = groupAlreadyPaid(ctx);
  else d = deferred.outcome === "resolve" ? resolve(ctx) : pending(ctx, deferred.reason);
  return decided(ctx, input, { ...d, patch: { ...d.patch, ...answer }, detail: { ...detail, deferred } });
}

/* ------------------------------------------------------------------------------------------------
 * Building blocks
 * ---------------------------------------------------------------------------------------------- */

function resolve(ctx: LifecycleContext): Decision {
  if (ctx.kind === "authorization") {
    const authorizationExpiresAt = new Date(ctx.now.getTime() + Math.max(ctx.settings.authorizationDays, 1) * DAY_MS);
    return {
      state: "resolved",
      event: "resolved",
      mutation: { type: "mutation", mutation: "paymentSessionResolve", authorizationExpiresAt },
      patch: { resolvedAt: ctx.now, authorizationExpiresAt },
    };
  }
  return {
    state: "resolved",
    event: "resolved",
    mutation: { type: "mutation", mutation: "paymentSessionResolve" },
    patch: { resolvedAt: ctx.now },
  };
}

/**
 * Oversell protection (decision 13): the first resolve or pending of a session not yet confirmed
 * becomes a paymentSessionConfirm, the outcome deferred until Shopify answers.
 */
function confirmFirst(ctx: LifecycleContext, input: LifecycleInput, d: Decision): Decision {
  const m = d.mutation;
  if (!m || (m.mutation !== "paymentSessionResolve" && m.mutation !== "paymentSessionPending")) return d;
  if (ctx.confirmed || ctx.state === "pending" || ctx.state === "confirming") return d;
  const deferred: Deferred =
    m.mutation === "paymentSessionPending"
      ? { outcome: "pending", reason: m.reason }
      : input.kind === "merchant_decided"
        ? { outcome: "resolve", why: "merchant" }
        : { outcome: "resolve" };
  const { resolvedAt: _r, pendingExpiresAt: _p, authorizationExpiresAt: _a, ...kept } = d.patch ?? {};
  return {
    ...d,
    state: "confirming",
    event: "confirming",
    why: d.why ?? `deferred_${deferred.outcome}`,
    mutation: { type: "mutation", mutation: "paymentSessionConfirm" },
    patch: { ...kept, deferredJson: serializeDeferred(deferred), confirmationRequestedAt: ctx.now },
    detail: { ...d.detail, deferred },
  };
}

function amountMismatchAlert(loan: number | null, amountCents: number): Effect {
  return alert(
    "amount_mismatch",
    `Soisy's loan amount (${loan} cents) differs from the order amount (${amountCents} cents): check it and resolve or reject the payment.`,
  );
}

function reject(ctx: LifecycleContext, code: RejectCode, merchantMessage: string): Decision {
  return {
    state: "rejected",
    event: "rejected",
    mutation: { type: "mutation", mutation: "paymentSessionReject", code, merchantMessage },
    patch: { rejectReasonCode: code, rejectedAt: ctx.now },
  };
}

function soisyDeclined(ctx: LifecycleContext): Decision {
  return reject(ctx, "INSTRUMENT_DECLINED", MERCHANT_MESSAGES.soisyDeclined);
}

function groupAlreadyPaid(ctx: LifecycleContext): Decision {
  const d = reject(ctx, "PROCESSING_ERROR", MERCHANT_MESSAGES.groupAlreadyPaid);
  return {
    ...d,
    why: "group_already_resolved",
    patch: { ...d.patch, flagReason: "duplicate_loan_in_group" },
    alerts: [
      alert(
        "duplicate_loan_in_group",
        "Another attempt to pay the same checkout was already paid: this payment was rejected and its Soisy loan must be cancelled at Soisy.",
      ),
    ],
  };
}

function pending(ctx: LifecycleContext, reason: PendingReason): Decision {
  const pendingExpiresAt = pendingExpiryFrom(ctx.now, ctx.settings.pendingExpiryDays);
  return {
    state: "pending",
    event: "pending",
    why: reason,
    mutation: { type: "mutation", mutation: "paymentSessionPending", reason, pendingExpiresAt },
    patch: { pendingExpiresAt },
  };
}

function alert(code: AlertCode, message: string): Effect {
  return { type: "alert", code, message };
}

function ignored(ctx: LifecycleContext, input: LifecycleInput, why: string, detail?: Record<string, unknown>): Transition {
  return decided(ctx, input, { state: ctx.state, event: "ignored", why, ...(detail ? { detail } : {}) });
}

/** Turns a decision into the Transition: timeline first, then the mutation, then alerts. */
function decided(ctx: LifecycleContext, input: LifecycleInput, decision: Decision): Transition {
  const d = confirmFirst(ctx, input, decision);
  // Leaving "confirming" clears what it deferred.
  if (ctx.state === "confirming" && d.state !== "confirming") d.patch = { ...d.patch, deferredJson: null };
  const timeline: Effect = {
    type: "timeline",
    event: d.event,
    detail: { input: input.kind, from: ctx.state, to: d.state, ...(d.why ? { why: d.why } : {}), ...d.detail },
  };
  const effects: Effect[] = [timeline, ...(d.mutation ? [d.mutation] : []), ...(d.alerts ?? [])];
  const result: Transition = { state: d.state, effects, patch: d.patch ?? {} };
  if (input.kind === "shopper_returned") result.shopper = shopperGoes(d.state, soisyProgress(input.soisy.status));
  return result;
}

function shopperGoes(state: PaymentState, progress: SoisyProgress): NonNullable<Transition["shopper"]> {
  if (state === "pending" || isFinal(state)) return "next_action";
  if (state === "abandoned" && progress !== "unknown") return "cancel_url";
  return "wait";
}
