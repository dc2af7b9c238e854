/**
 * The lifecycle of a Shopify capture or void session (issue 15, docs/fund-on-fulfilment.md): a PURE
 * function from (settlement, input, context) to the next state and its effects. No I/O, no clock: the
 * service (settlement-service.server.ts) reads the payment's facts and the time, performs the effects
 * (the Soisy call, then the Shopify mutation through the outbox, timeline rows, alerts).
 *
 *   capture, received
 *     payment not a resolved authorization, voided, already captured, amount ≤ 0 or above the
 *     authorized amount, other currency                                  → rejecting PROCESSING_ERROR
 *     now > authorizationExpiresAt                                       → rejecting AUTHORIZATION_EXPIRED (no Soisy call)
 *     otherwise                                                          → triggering + Soisy match-trigger(amount)
 *   triggering
 *     triggered                                                          → resolving + captureSessionResolve
 *     refused already_triggered (probably our own earlier call)          → checking + read the order
 *     refused (any other reason)                                         → rejecting PROCESSING_ERROR naming Soisy's reason
 *     unknown (timeout, 5xx) or resume (the process died mid-call)       → checking + read the order
 *   checking (order read)
 *     disbursed / waiting_for_disbursement                               → resolving + captureSessionResolve
 *     waiting_for_trigger                                                → triggering again (expired: reject AUTHORIZATION_EXPIRED)
 *     cancelled                                                          → rejecting PROCESSING_ERROR
 *     anything else, or the read failed                                  → checking, retry later
 *   void, received
 *     payment captured                                                   → rejecting PROCESSING_ERROR
 *     payment not a resolved authorization                               → rejecting PROCESSING_ERROR
 *     otherwise                                                          → awaiting_merchant + alert "cancel the loan at Soisy"
 *   awaiting_merchant + the merchant confirmed ("loan cancelled at Soisy")
 *     payment captured meanwhile                                         → rejecting PROCESSING_ERROR
 *     otherwise                                                          → resolving + voidSessionResolve
 *
 * resolving → resolved and rejecting → rejected happen when the outbox delivers the mutation
 * (outbox-effects.server.ts). An input that does not apply to the state changes nothing (`ignored`).
 */
import { translate, type MessageKey } from "~/i18n/i18n";
import { formatMoney } from "~/i18n/money";
import type { MatchTriggerRefusal } from "~/soisy/match-trigger";

export const SETTLEMENT_STATES = ["received", "triggering", "checking", "awaiting_merchant", "resolving", "resolved", "rejecting", "rejected"] as const;
export type SettlementState = (typeof SETTLEMENT_STATES)[number];
export type SettlementKind = "capture" | "void";

/** States in which the service still has work to do (the retry loop's candidates). */
export const WORKING_STATES: readonly SettlementState[] = ["received", "triggering", "checking"];

export function isSettlementState(value: string): value is SettlementState {
  return (SETTLEMENT_STATES as readonly string[]).includes(value);
}

export interface SettlementFacts {
  kind: SettlementKind;
  state: SettlementState;
  /** Captures: the cents to fund. */
  amountCents: number | null;
  currency: string | null;
}

/** What the service reads about the payment the settlement belongs to. */
export interface PaymentFacts {
  kind: string;
  state: string;
  authorizationExpiresAt: Date | null;
  /** The authorized amount, cents. */
  amountCents: number;
  currency: string;
  /** Another capture of this payment is triggering, checking, resolving or resolved. */
  captured: boolean;
  /** A void of this payment is resolving or resolved. */
  voided: boolean;
}

export interface SettlementContext {
  now: Date;
  payment: PaymentFacts;
}

export type TriggerResult =
  | { outcome: "triggered" }
  | { outcome: "refused"; reason: MatchTriggerRefusal; messages: readonly string[] }
  | { outcome: "unknown"; error: string };

export type SettlementInput =
  | { kind: "received" }
  | { kind: "resume" }
  | { kind: "trigger_result"; result: TriggerResult }
  | { kind: "order_read"; status: string }
  | { kind: "order_read_failed"; error: string }
  | { kind: "merchant_confirmed_void"; by: string };

export type SettlementRejectCode = "PROCESSING_ERROR" | "AUTHORIZATION_EXPIRED";

export type SettlementMutationEffect =
  | { type: "mutation"; mutation: "captureSessionResolve" | "voidSessionResolve" }
  | { type: "mutation"; mutation: "captureSessionReject" | "voidSessionReject"; code: SettlementRejectCode; merchantMessage: string };

export type SettlementEffect =
  | { type: "soisy_trigger"; amountCents: number }
  | { type: "soisy_read_order" }
  | { type: "retry_later" }
  | SettlementMutationEffect
  | { type: "timeline"; event: string; source: "soisy" | "app" | "merchant"; detail: Record<string, unknown> }
  | { type: "alert"; code: SettlementAlertCode; message: string };

export type SettlementAlertCode = "void_requested";

export interface SettlementPatch {
  rejectCode?: SettlementRejectCode;
  /** The English merchant message sent to Shopify. */
  rejectReason?: string;
  soisyResult?: string;
  decidedBy?: string;
}

export interface SettlementTransition {
  state: SettlementState;
  effects: SettlementEffect[];
  patch: SettlementPatch;
  /** True when the input did not apply to the state: nothing to write. */
  ignored: boolean;
}

/** A rejection's text, as a message key with its parameters (the admin translates; Shopify gets English). */
export interface RejectText {
  key: MessageKey;
  params: Record<string, string | number>;
}

/** Shopify's merchantMessage (English, ≤ 255 characters). */
export function englishMessage(text: RejectText): string {
  return translate("en", text.key, text.params).slice(0, 255);
}

const ignore = (state: SettlementState): SettlementTransition => ({ state, effects: [], patch: {}, ignored: true });

const RESOLVING_STATUSES = new Set(["disbursed", "waiting_for_disbursement"]);

function expired(ctx: SettlementContext): boolean {
  const at = ctx.payment.authorizationExpiresAt;
  return at !== null && ctx.now.getTime() > at.getTime();
}

function isResolvedAuthorization(p: PaymentFacts): boolean {
  return p.kind === "authorization" && p.state === "resolved";
}

function reject(settlement: SettlementFacts, code: SettlementRejectCode, text: RejectText, before: SettlementEffect[] = []): SettlementTransition {
  const merchantMessage = englishMessage(text);
  const capture = settlement.kind === "capture";
  return {
    state: "rejecting",
    effects: [
      ...before,
      { type: "timeline", event: capture ? "capture_rejected" : "void_rejected", source: "app", detail: { code, message: merchantMessage, messageKey: text.key, params: text.params } },
      capture
        ? { type: "mutation", mutation: "captureSessionReject", code, merchantMessage }
        : { type: "mutation", mutation: "voidSessionReject", code: "PROCESSING_ERROR", merchantMessage },
    ],
    patch: { rejectCode: capture ? code : "PROCESSING_ERROR", rejectReason: merchantMessage },
    ignored: false,
  };
}

function expiredReject(settlement: SettlementFacts, ctx: SettlementContext, before: SettlementEffect[] = []): SettlementTransition {
  const at = ctx.payment.authorizationExpiresAt;
  return reject(settlement, "AUTHORIZATION_EXPIRED", { key: "settlement.reject.expired", params: { expiredAt: at ? at.toISOString() : "" } }, [
    ...before,
    { type: "timeline", event: "authorization_expired", source: "app", detail: { expiredAt: at?.toISOString() ?? null } },
  ]);
}

const trigger = (settlement: SettlementFacts): SettlementTransition => ({
  state: "triggering",
  effects: [{ type: "soisy_trigger", amountCents: settlement.amountCents ?? 0 }],
  patch: {},
  ignored: false,
});

const resolveCapture = (detail: Record<string, unknown>, soisyResult?: string): SettlementTransition => ({
  state: "resolving",
  effects: [
    { type: "timeline", event: "capture_triggered", source: "soisy", detail },
    { type: "mutation", mutation: "captureSessionResolve" },
  ],
  patch: soisyResult ? { soisyResult } : {},
  ignored: false,
});

const check = (before: SettlementEffect[] = [], patch: SettlementPatch = {}): SettlementTransition => ({
  state: "checking",
  effects: [...before, { type: "soisy_read_order" }],
  patch,
  ignored: false,
});

/** Why a capture cannot go to Soisy at all (checked on receipt), or null. */
export function captureRefusal(settlement: SettlementFacts, p: PaymentFacts): RejectText | null {
  if (!isResolvedAuthorization(p)) return { key: "settlement.reject.not_authorization", params: { state: p.kind === "authorization" ? p.state : `${p.kind}, ${p.state}` } };
  if (p.voided) return { key: "settlement.reject.capture_after_void", params: {} };
  if (p.captured) return { key: "settlement.reject.second_capture", params: {} };
  const currency = settlement.currency ?? p.currency;
  if (currency !== p.currency) return { key: "settlement.reject.currency_mismatch", params: { currency, paymentCurrency: p.currency } };
  const cents = settlement.amountCents ?? 0;
  if (cents <= 0 || cents > p.amountCents) {
    return {
      key: "settlement.reject.amount_above_authorized",
      params: { amount: formatMoney(cents, p.currency, "en"), authorized: formatMoney(p.amountCents, p.currency, "en") },
    };
  }
  return null;
}

function onCapture(settlement: SettlementFacts, input: SettlementInput, ctx: SettlementContext): SettlementTransition {
  const { state } = settlement;
  if (state === "received" && input.kind === "received") {
    const refusal = captureRefusal(settlement, ctx.payment);
    if (refusal) return reject(settlement, "PROCESSING_ERROR", refusal);
    if (expired(ctx)) return expiredReject(settlement, ctx);
    return trigger(settlement);
  }
  if (state === "triggering" && input.kind === "trigger_result") {
    const { result } = input;
    if (result.outcome === "triggered") return resolveCapture({ amountCents: settlement.amountCents }, "triggered");
    if (result.outcome === "unknown") {
      return check([{ type: "timeline", event: "capture_unknown", source: "soisy", detail: { error: result.error } }], { soisyResult: "unknown" });
    }
    const refused: SettlementEffect = { type: "timeline", event: "capture_refused", source: "soisy", detail: { reason: result.reason, messages: result.messages } };
    // One trigger per order: "already triggered" is most likely our own earlier call whose answer was lost.
    if (result.reason === "already_triggered") return check([refused], { soisyResult: `refused:${result.reason}` });
    const transition = reject(
      settlement,
      "PROCESSING_ERROR",
      { key: "settlement.reject.soisy", params: { reason: result.reason, detail: result.messages.join("; ") || translate("en", `settlement.soisy.${result.reason}`) } },
      [refused],
    );
    return { ...transition, patch: { ...transition.patch, soisyResult: `refused:${result.reason}` } };
  }
  if ((state === "triggering" || state === "checking") && input.kind === "resume") return check();
  if (state === "checking" && input.kind === "order_read") {
    if (RESOLVING_STATUSES.has(input.status)) return resolveCapture({ amountCents: settlement.amountCents, status: input.status });
    if (input.status === "waiting_for_trigger") return expired(ctx) ? expiredReject(settlement, ctx) : trigger(settlement);
    if (input.status === "cancelled") return reject(settlement, "PROCESSING_ERROR", { key: "settlement.reject.order_cancelled", params: {} });
    return { state, effects: [{ type: "retry_later" }], patch: {}, ignored: false };
  }
  if (state === "checking" && input.kind === "order_read_failed") return { state, effects: [{ type: "retry_later" }], patch: {}, ignored: false };
  return ignore(state);
}

function onVoid(settlement: SettlementFacts, input: SettlementInput, ctx: SettlementContext): SettlementTransition {
  const { state } = settlement;
  const p = ctx.payment;
  const refusal = (): RejectText | null =>
    p.captured
      ? { key: "settlement.reject.void_after_capture", params: {} }
      : !isResolvedAuthorization(p)
        ? { key: "settlement.reject.void_not_authorization", params: { state: p.kind === "authorization" ? p.state : `${p.kind}, ${p.state}` } }
        : null;
  if (state === "received" && input.kind === "received") {
    const why = refusal();
    if (why) return reject(settlement, "PROCESSING_ERROR", why);
    return {
      state: "awaiting_merchant",
      effects: [{ type: "alert", code: "void_requested", message: "Shopify asked to void this authorization: cancel the loan application at Soisy, then confirm the void in the app." }],
      patch: {},
      ignored: false,
    };
  }
  if (state === "awaiting_merchant" && input.kind === "merchant_confirmed_void") {
    const why = refusal();
    if (why) return reject(settlement, "PROCESSING_ERROR", why);
    return {
      state: "resolving",
      effects: [
        { type: "timeline", event: "void_confirmed", source: "merchant", detail: { by: input.by } },
        { type: "mutation", mutation: "voidSessionResolve" },
      ],
      patch: { decidedBy: input.by },
      ignored: false,
    };
  }
  return ignore(state);
}

export function settlementTransition(settlement: SettlementFacts, input: SettlementInput, ctx: SettlementContext): SettlementTransition {
  return settlement.kind === "capture" ? onCapture(settlement, input, ctx) : onVoid(settlement, input, ctx);
}
