/**
 * In-memory state of the simulated Shopify and the session state machines behind the Payments Apps API
 * mutations. GraphQL shapes live in graphql-api.ts; this file decides what a mutation does.
 *
 * Semantics (Shopify's documentation of each mutation, plus what Shopify is seen answering):
 * - A mutation on a session the simulator did not start for that shop → "not found" user error.
 * - Before the app has answered the payment session request with 2xx + redirect_url, Shopify refuses to
 *   resolve/reject ("…or the response to start_payment_session request has not been received.").
 * - Repeating a mutation (same session, same mutation name) succeeds with the current result; a repeated
 *   reject ignores its new reason (documented: "Subsequent paymentSessionReject mutation attempts will
 *   succeed, but the RejectionReasonInput argument will be ignored").
 * - resolve after reject, reject after resolve, pending after resolve/reject → user error, nothing changes.
 * - pending → resolve / reject are allowed (a pending payment "must be finalized").
 * - Refund sessions: repeat resolve / repeat reject succeed with the first result (the reject's new reason
 *   is ignored: the only reason code is PROCESSING_ERROR, so "rejected with a different reason" in the
 *   INVALID_STATE docs cannot arise from the code); reject after resolve / resolve after reject →
 *   REFUND_SESSION_INVALID_STATE. Unlike payment sessions, Shopify's refusal of mutations before the app
 *   answered is not documented for refunds: an open refund can be settled as soon as the app answered 201;
 *   before that → REFUND_SESSION_INVALID_STATE.
 * - Capture and void sessions: settlement-store.ts.
 * - paymentSessionConfirm (oversell protection): only on a shop whose extension supports it (otherwise
 *   CONFIRMATION_NOT_SUPPORTED); accepted once the app answered the session request and before any
 *   resolve, reject or pending (REDIRECTING → CONFIRMING; a repeat while CONFIRMING succeeds unchanged);
 *   otherwise INVALID_STATE_TRANSITION. Shopify then POSTs `confirmation_result` to the app
 *   (settlement-requests.ts: the session's `inventoryAvailable` unless a behaviour says otherwise). Resolve, reject and
 *   pending are accepted from CONFIRMING; a resolve or pending after a negative confirmation, or without
 *   any confirm on a shop with oversell protection, is recorded as a violation (Shopify's own answer to
 *   those is undocumented).
 */
import { parseGid } from "./fixtures";
import { SettlementSessions } from "./settlement-store";
import type {
  AppliedMutation,
  SimPaymentSession,
  SimRefundSession,
  SimShop,
  SimViolation,
} from "./types";

export interface UserErrorOut {
  field: string[] | null;
  message: string;
  code?: string;
}

export type Outcome<T> =
  | { ok: true; session: T; repeated: boolean }
  | { ok: false; userErrors: UserErrorOut[]; session: T | null };

/** Messages. Where Shopify's exact wording is known it is used verbatim; others follow its enum docs. */
export const MESSAGES = {
  paymentNotFound: "Payment session not found.",
  /** Verbatim from Shopify's API (paymentSessionResolve on a rejected/unanswered session). */
  resolveInvalidState:
    "Payment session has already been resolved with a different authentication, has already been rejected, or the response to start_payment_session request has not been received.",
  rejectInvalidState:
    "Payment session has already been resolved, or the response to start_payment_session request has not been received.",
  pendingNotFound: "Payment session doesn't exist.",
  pendingInvalidState: "Payment session has already been resolved or rejected.",
  pendingNotReceived: "The response to start_payment_session request has not been received.",
  pendingExpired: "Pending expiry date can't be a time in the past.",
  pendingOutOfRange: "Pending expiry date has exceeded the default pending expiry limit.",
  refundNotFound: "Refund session not found.",
  refundAlreadyRejected: "Refund session has already been rejected.",
  refundAlreadyResolved: "Refund session has already been resolved.",
  refundNotReceived: "The response to the refund session request has not been received.",
  /** The confirm messages follow PaymentSessionConfirmUserErrorCode's descriptions (wording undocumented). */
  confirmNotFound: "Payment session not found.",
  confirmNotSupported: "Confirmation flow requirements are not configured completely for this payment app.",
  confirmInvalidState: "The state transition is invalid.",
  confirmNotReceived: "The response to start_payment_session request has not been received.",
} as const;

export interface StoreConfig {
  now: () => Date;
  pendingExpiryLimitMs: number;
  orderStatusUrl: (shop: string, sessionId: string) => string;
  /** After an accepted (not repeated) paymentSessionConfirm: Shopify then POSTs the confirmation callback. */
  onConfirmed?: (session: SimPaymentSession) => void;
}

export class SimStore {
  readonly shops = new Map<string, SimShop>();
  readonly paymentSessions = new Map<string, SimPaymentSession>();
  readonly refundSessions = new Map<string, SimRefundSession>();
  readonly captures: SettlementSessions;
  readonly voids: SettlementSessions;
  readonly violations: SimViolation[] = [];

  constructor(private readonly config: StoreConfig) {
    this.captures = new SettlementSessions("CaptureSession", () => this.nowIso());
    this.voids = new SettlementSessions("VoidSession", () => this.nowIso());
  }

  nowIso(): string {
    return this.config.now().toISOString();
  }

  violation(kind: SimViolation["kind"], sessionId: string, message: string): void {
    this.violations.push({ kind, at: this.nowIso(), sessionId, message });
  }

  private findPayment(shop: string, gid: unknown): SimPaymentSession | null {
    const id = parseGid(gid, "PaymentSession");
    if (id === null) return null;
    const session = this.paymentSessions.get(id);
    return session && session.shop === shop ? session : null;
  }

  private findRefund(shop: string, gid: unknown): SimRefundSession | null {
    const id = parseGid(gid, "RefundSession");
    if (id === null) return null;
    const session = this.refundSessions.get(id);
    return session && session.shop === shop ? session : null;
  }

  private record<T extends { mutations: AppliedMutation[] }>(
    session: T | null,
    name: string,
    args: Record<string, unknown>,
    outcome: Outcome<T>,
  ): Outcome<T> {
    session?.mutations.push({
      name,
      at: this.nowIso(),
      args,
      outcome: outcome.ok ? (outcome.repeated ? "repeated" : "applied") : "rejected",
      userErrors: outcome.ok ? [] : outcome.userErrors,
    });
    return outcome;
  }

  // ----- payment sessions -----

  resolvePayment(
    shop: string,
    args: { id: unknown; authorizationExpiresAt?: unknown },
  ): Outcome<SimPaymentSession> {
    const session = this.findPayment(shop, args.id);
    const name = "paymentSessionResolve";
    if (!session) {
      return { ok: false, session: null, userErrors: [{ field: ["id"], message: MESSAGES.paymentNotFound }] };
    }
    const invalid: Outcome<SimPaymentSession> = {
      ok: false,
      session,
      userErrors: [{ field: ["id"], message: MESSAGES.resolveInvalidState }],
    };
    const code = session.state.code;
    if (code === "RESOLVED") return this.record(session, name, args, { ok: true, session, repeated: true });
    if (!session.acknowledged || code === "REJECTED" || code === "AWAITING_APP" || code === "APP_FAILED") {
      return this.record(session, name, args, invalid);
    }
    const otherResolved = [...this.paymentSessions.values()].find(
      (s) => s !== session && s.group === session.group && s.state.code === "RESOLVED",
    );
    if (otherResolved) {
      this.violation(
        "group_double_resolve",
        session.id,
        `session ${session.id} resolved although ${otherResolved.id} of the same group was already resolved`,
      );
    }
    this.checkConfirmed(session, "resolved");
    session.state = { code: "RESOLVED" };
    if (typeof args.authorizationExpiresAt === "string") session.authorizationExpiresAt = args.authorizationExpiresAt;
    session.nextAction = { action: "REDIRECT", redirectUrl: this.config.orderStatusUrl(session.shop, session.id) };
    return this.record(session, name, args, { ok: true, session, repeated: false });
  }

  rejectPayment(
    shop: string,
    args: { id: unknown; reason: { code: string; merchantMessage?: string | null; source?: string | null } },
  ): Outcome<SimPaymentSession> {
    const session = this.findPayment(shop, args.id);
    const name = "paymentSessionReject";
    if (!session) {
      return { ok: false, session: null, userErrors: [{ field: ["id"], message: MESSAGES.paymentNotFound }] };
    }
    const code = session.state.code;
    if (code === "REJECTED") return this.record(session, name, args, { ok: true, session, repeated: true });
    if (!session.acknowledged || code === "RESOLVED" || code === "AWAITING_APP" || code === "APP_FAILED") {
      return this.record(session, name, args, {
        ok: false,
        session,
        userErrors: [{ field: ["id"], message: MESSAGES.rejectInvalidState }],
      });
    }
    session.state = {
      code: "REJECTED",
      reason: args.reason.code,
      merchantMessage: args.reason.merchantMessage ?? null,
      source: args.reason.source ?? null,
    };
    session.nextAction = { action: "REDIRECT", redirectUrl: session.cancelUrl };
    return this.record(session, name, args, { ok: true, session, repeated: false });
  }

  pendPayment(
    shop: string,
    args: { id: unknown; pendingExpiresAt: string; reason: string },
  ): Outcome<SimPaymentSession> {
    const session = this.findPayment(shop, args.id);
    const name = "paymentSessionPending";
    if (!session) {
      return {
        ok: false,
        session: null,
        userErrors: [{ field: ["id"], message: MESSAGES.pendingNotFound, code: "NOT_FOUND" }],
      };
    }
    const code = session.state.code;
    if (code === "PENDING") return this.record(session, name, args, { ok: true, session, repeated: true });
    if (code === "RESOLVED" || code === "REJECTED") {
      return this.record(session, name, args, {
        ok: false,
        session,
        userErrors: [{ field: ["id"], message: MESSAGES.pendingInvalidState, code: "PENDING_INVALID_STATE" }],
      });
    }
    if (!session.acknowledged || (code !== "REDIRECTING" && code !== "CONFIRMING")) {
      return this.record(session, name, args, {
        ok: false,
        session,
        userErrors: [{ field: ["id"], message: MESSAGES.pendingNotReceived, code: "PENDING_INVALID_STATE" }],
      });
    }
    const expiresAt = Date.parse(args.pendingExpiresAt);
    const now = this.config.now().getTime();
    if (expiresAt <= now) {
      return this.record(session, name, args, {
        ok: false,
        session,
        userErrors: [
          { field: ["pendingExpiresAt"], message: MESSAGES.pendingExpired, code: "EXPIRED_PENDING_EXPIRES_AT" },
        ],
      });
    }
    if (expiresAt - now > this.config.pendingExpiryLimitMs) {
      return this.record(session, name, args, {
        ok: false,
        session,
        userErrors: [
          {
            field: ["pendingExpiresAt"],
            message: MESSAGES.pendingOutOfRange,
            code: "OUT_OF_RANGE_PENDING_EXPIRES_AT",
          },
        ],
      });
    }
    this.checkConfirmed(session, "marked pending");
    session.state = { code: "PENDING", reason: args.reason };
    session.pendingExpiresAt = new Date(expiresAt).toISOString().replace(/\.000Z$/, "Z");
    session.nextAction = { action: "REDIRECT", redirectUrl: this.config.orderStatusUrl(session.shop, session.id) };
    return this.record(session, name, args, { ok: true, session, repeated: false });
  }

  /** Oversell protection: a resolve or pending must follow a positive confirmation. */
  private checkConfirmed(session: SimPaymentSession, what: string): void {
    const shop = this.shops.get(session.shop);
    if (session.confirmation?.result === false) {
      this.violation("resolved_oversold", session.id, `session ${session.id} ${what} although the confirmation answered false`);
    } else if (shop?.oversellProtection && !session.confirmation) {
      this.violation("not_confirmed", session.id, `session ${session.id} ${what} without paymentSessionConfirm`);
    }
  }

  confirmPayment(shop: string, args: { id: unknown }): Outcome<SimPaymentSession> {
    const session = this.findPayment(shop, args.id);
    const name = "paymentSessionConfirm";
    const error = (message: string, code: string) => [{ field: ["id"], message, code }];
    if (!session) {
      return { ok: false, session: null, userErrors: error(MESSAGES.confirmNotFound, "PAYMENT_SESSION_NOT_FOUND") };
    }
    if (!this.shops.get(shop)?.oversellProtection) {
      return this.record(session, name, args, { ok: false, session, userErrors: error(MESSAGES.confirmNotSupported, "CONFIRMATION_NOT_SUPPORTED") });
    }
    const code = session.state.code;
    if (code === "CONFIRMING") return this.record(session, name, args, { ok: true, session, repeated: true });
    if (!session.acknowledged || code === "AWAITING_APP" || code === "APP_FAILED") {
      return this.record(session, name, args, { ok: false, session, userErrors: error(MESSAGES.confirmNotReceived, "INVALID_STATE_TRANSITION") });
    }
    if (code !== "REDIRECTING") {
      return this.record(session, name, args, { ok: false, session, userErrors: error(MESSAGES.confirmInvalidState, "INVALID_STATE_TRANSITION") });
    }
    session.state = { code: "CONFIRMING" };
    session.confirmation = { requestedAt: this.nowIso(), result: session.inventoryAvailable };
    const out = this.record(session, name, args, { ok: true, session, repeated: false });
    this.config.onConfirmed?.(session);
    return out;
  }

  // ----- refund sessions -----

  resolveRefund(shop: string, args: { id: unknown }): Outcome<SimRefundSession> {
    const session = this.findRefund(shop, args.id);
    const name = "refundSessionResolve";
    if (!session) {
      return {
        ok: false,
        session: null,
        userErrors: [{ field: ["id"], message: MESSAGES.refundNotFound, code: "REFUND_SESSION_NOT_FOUND" }],
      };
    }
    const code = session.state.code;
    if (code === "RESOLVED") return this.record(session, name, args, { ok: true, session, repeated: true });
    if (code !== "OPEN") {
      const message = code === "REJECTED" ? MESSAGES.refundAlreadyRejected : MESSAGES.refundNotReceived;
      return this.record(session, name, args, {
        ok: false,
        session,
        userErrors: [{ field: ["id"], message, code: "REFUND_SESSION_INVALID_STATE" }],
      });
    }
    session.state = { code: "RESOLVED" };
    return this.record(session, name, args, { ok: true, session, repeated: false });
  }

  rejectRefund(
    shop: string,
    args: { id: unknown; reason: { code: string; merchantMessage?: string | null } },
  ): Outcome<SimRefundSession> {
    const session = this.findRefund(shop, args.id);
    const name = "refundSessionReject";
    if (!session) {
      return {
        ok: false,
        session: null,
        userErrors: [{ field: ["id"], message: MESSAGES.refundNotFound, code: "REFUND_SESSION_NOT_FOUND" }],
      };
    }
    const state = session.state;
    if (state.code === "REJECTED") return this.record(session, name, args, { ok: true, session, repeated: true });
    if (state.code !== "OPEN") {
      const message = state.code === "RESOLVED" ? MESSAGES.refundAlreadyResolved : MESSAGES.refundNotReceived;
      return this.record(session, name, args, {
        ok: false,
        session,
        userErrors: [{ field: ["id"], message, code: "REFUND_SESSION_INVALID_STATE" }],
      });
    }
    session.state = { code: "REJECTED", reason: args.reason.code, merchantMessage: args.reason.merchantMessage ?? null };
    return this.record(session, name, args, { ok: true, session, repeated: false });
  }

  // ----- shop configuration -----

  configure(shop: SimShop, args: { externalHandle?: string | null; ready: boolean }): SimShop {
    const configuration = { externalHandle: args.externalHandle ?? null, ready: args.ready };
    shop.configuration = configuration;
    shop.configurationHistory.push({ ...configuration, at: this.nowIso() });
    return shop;
  }
}
