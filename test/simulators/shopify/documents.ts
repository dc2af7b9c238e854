/**
 * The GraphQL documents a payments app sends to Shopify's Payments Apps API (2026-04): the app's own
 * (app/shopify/payments-api.server.ts). They validate against the introspection schema (see
 * test/unit/shopify-schema.test.ts) and are executed by the simulator in the integration tests.
 *
 * Schema facts worth knowing (they are easy to get wrong):
 * - `paymentSessionResolve`, `paymentSessionReject` and `paymentsAppConfigure` return plain `UserError`
 *   (`field`, `message`) — it has NO `code` field; asking for `code` there is a validation error.
 * - `paymentSessionPending` returns `PaymentSessionPendingUserError` (`field`, `message`, `code`:
 *   NOT_FOUND | PENDING_INVALID_STATE | EXPIRED_PENDING_EXPIRES_AT | OUT_OF_RANGE_PENDING_EXPIRES_AT |
 *   UNSUPPORTED_PAYMENT_METHOD).
 * - `refundSessionResolve` / `refundSessionReject` return `RefundSessionResolveUserError` /
 *   `RefundSessionRejectUserError` with `code`: REFUND_SESSION_NOT_FOUND | REFUND_SESSION_INVALID_STATE.
 *   Captures and voids alike (CAPTURE_SESSION_… / VOID_SESSION_…); `paymentSessionConfirm` returns
 *   `PaymentSessionConfirmUserError` (PAYMENT_SESSION_NOT_FOUND | INVALID_STATE_TRANSITION |
 *   CONFIRMATION_NOT_SUPPORTED).
 * - The capture rejection reason is `CaptureSessionRejectionReasonInput { code:
 *   CaptureSessionStatusReasonRejectionCode! (PROCESSING_ERROR | AUTHORIZATION_EXPIRED), merchantMessage }`;
 *   the void one allows PROCESSING_ERROR only.
 * - `PaymentSession.state` is the union `PaymentSessionStates` (PaymentSessionStateResolved | …Rejected |
 *   …Pending | …Redirecting | …Confirming | …BuyerActionRequired), so it needs inline fragments.
 * - `PaymentSessionStatePending.reason` (PaymentSessionStatePendingReason) and
 *   `PaymentSessionStateRejected.reason` (PaymentSessionStateRejectedReason!) have different types, so
 *   selecting both in one selection set is a validation error ("Fields "reason" conflict"): the pending
 *   one is aliased `pendingReason`.
 * - `nextAction.context` is the union `PaymentSessionNextActionContext` (only
 *   `PaymentSessionActionsRedirect { redirectUrl }`).
 * - The rejection reason is `PaymentSessionRejectionReasonInput { code: PaymentSessionStateRejectedReason!,
 *   merchantMessage: String, source: PaymentSessionStateRejectedSource }`; the refund one is
 *   `RefundSessionRejectionReasonInput { code: RefundSessionStatusReasonRejectionCode! (PROCESSING_ERROR),
 *   merchantMessage: String }`.
 */

// The documents are the app's own (one source): the simulator's tests then exercise exactly what
// the app sends.
import {
  CAPTURE_SESSION_REJECT_MUTATION as CAPTURE_SESSION_REJECT,
  CAPTURE_SESSION_RESOLVE_MUTATION as CAPTURE_SESSION_RESOLVE,
  PAYMENT_SESSION_CONFIRM_MUTATION as PAYMENT_SESSION_CONFIRM,
  VOID_SESSION_REJECT_MUTATION as VOID_SESSION_REJECT,
  VOID_SESSION_RESOLVE_MUTATION as VOID_SESSION_RESOLVE,
  PAYMENT_SESSION_PENDING_MUTATION as PAYMENT_SESSION_PENDING,
  PAYMENT_SESSION_REJECT_MUTATION as PAYMENT_SESSION_REJECT,
  PAYMENT_SESSION_RESOLVE_MUTATION as PAYMENT_SESSION_RESOLVE,
  PAYMENTS_APP_CONFIGURE_MUTATION as PAYMENTS_APP_CONFIGURE,
  REFUND_SESSION_REJECT_MUTATION as REFUND_SESSION_REJECT,
  REFUND_SESSION_RESOLVE_MUTATION as REFUND_SESSION_RESOLVE,
} from "~/shopify/payments-api.server";

export {
  CAPTURE_SESSION_REJECT,
  CAPTURE_SESSION_RESOLVE,
  PAYMENT_SESSION_CONFIRM,
  VOID_SESSION_REJECT,
  VOID_SESSION_RESOLVE,
  PAYMENT_SESSION_PENDING,
  PAYMENT_SESSION_REJECT,
  PAYMENT_SESSION_RESOLVE,
  PAYMENTS_APP_CONFIGURE,
  REFUND_SESSION_REJECT,
  REFUND_SESSION_RESOLVE,
};

/** Every document above, keyed by the mutation (root field) it calls. */
export const PAYMENTS_APPS_DOCUMENTS = {
  paymentSessionResolve: PAYMENT_SESSION_RESOLVE,
  paymentSessionReject: PAYMENT_SESSION_REJECT,
  paymentSessionPending: PAYMENT_SESSION_PENDING,
  refundSessionResolve: REFUND_SESSION_RESOLVE,
  refundSessionReject: REFUND_SESSION_REJECT,
  paymentSessionConfirm: PAYMENT_SESSION_CONFIRM,
  captureSessionResolve: CAPTURE_SESSION_RESOLVE,
  captureSessionReject: CAPTURE_SESSION_REJECT,
  voidSessionResolve: VOID_SESSION_RESOLVE,
  voidSessionReject: VOID_SESSION_REJECT,
  paymentsAppConfigure: PAYMENTS_APP_CONFIGURE,
} as const;

export type PaymentsAppsMutationName = keyof typeof PAYMENTS_APPS_DOCUMENTS;

/** Operation names of the documents above (what the simulator records as `operationName`). */
export const PAYMENTS_APPS_OPERATION_NAMES: Record<PaymentsAppsMutationName, string> = {
  paymentSessionResolve: "PaymentSessionResolve",
  paymentSessionReject: "PaymentSessionReject",
  paymentSessionPending: "PaymentSessionPending",
  refundSessionResolve: "RefundSessionResolve",
  refundSessionReject: "RefundSessionReject",
  paymentSessionConfirm: "PaymentSessionConfirm",
  captureSessionResolve: "CaptureSessionResolve",
  captureSessionReject: "CaptureSessionReject",
  voidSessionResolve: "VoidSessionResolve",
  voidSessionReject: "VoidSessionReject",
  paymentsAppConfigure: "PaymentsAppConfigure",
};

// ----- Response shapes of the documents above (what `data` holds on success) -----

export type PaymentSessionStateResult =
  | { __typename: "PaymentSessionStateResolved"; code: "RESOLVED" }
  | { __typename: "PaymentSessionStatePending"; code: "PENDING"; pendingReason: string | null }
  | { __typename: "PaymentSessionStateRejected"; code: "REJECTED"; reason: string; merchantMessage: string | null }
  | { __typename: "PaymentSessionStateRedirecting"; code: "REDIRECTING" }
  | { __typename: "PaymentSessionStateConfirming"; code: "CONFIRMING" }
  | { __typename: "PaymentSessionStateBuyerActionRequired" };

export interface PaymentSessionResult {
  id: string;
  state: PaymentSessionStateResult;
  pendingExpiresAt: string | null;
  authorizationExpiresAt: string | null;
  nextAction: {
    action: "REDIRECT";
    context: { __typename: "PaymentSessionActionsRedirect"; redirectUrl: string };
  } | null;
}

export interface UserErrorResult {
  field: string[] | null;
  message: string;
}

export interface CodedUserErrorResult<Code extends string = string> extends UserErrorResult {
  code: Code | null;
}

export interface PaymentSessionMutationResult<E extends UserErrorResult = UserErrorResult> {
  paymentSession: PaymentSessionResult | null;
  userErrors: E[];
}

export interface RefundSessionMutationResult {
  refundSession: {
    id: string;
    state:
      | { __typename: "RefundSessionStateResolved"; code: "RESOLVED" }
      | { __typename: "RefundSessionStateRejected"; code: "REJECTED"; reason: string; merchantMessage: string | null };
  } | null;
  userErrors: CodedUserErrorResult<"REFUND_SESSION_NOT_FOUND" | "REFUND_SESSION_INVALID_STATE">[];
}

export interface PaymentsAppConfigureResult {
  paymentsAppConfiguration: { externalHandle: string | null; ready: boolean } | null;
  userErrors: UserErrorResult[];
}
