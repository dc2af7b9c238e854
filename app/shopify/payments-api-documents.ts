/**
 * What the app sends to Shopify's Payments Apps API (2026-04): the GraphQL documents, the mutation
 * names, and the variables of each mutation, typed and checked at runtime (the outbox validates a
 * message's variables before writing it). Sent by `callPaymentsApi` (payments-api.server.ts).
 */
import { z } from "zod";

/**
 * What the app reads from a payment session. `PaymentSessionStatePending.reason` and
 * `PaymentSessionStateRejected.reason` have different types, so the pending one is aliased.
 */
const PAYMENT_SESSION_FIELDS = /* GraphQL */ `
      paymentSession {
        id
        state {
          __typename
          ... on PaymentSessionStateResolved {
            code
          }
          ... on PaymentSessionStatePending {
            code
            pendingReason: reason
          }
          ... on PaymentSessionStateRejected {
            code
            reason
            merchantMessage
          }
          ... on PaymentSessionStateRedirecting {
            code
          }
          ... on PaymentSessionStateConfirming {
            code
          }
        }
        pendingExpiresAt
        authorizationExpiresAt
        nextAction {
          action
          context {
            __typename
            ... on PaymentSessionActionsRedirect {
              redirectUrl
            }
          }
        }
      }`;

const REFUND_SESSION_FIELDS = /* GraphQL */ `
      refundSession {
        id
        state {
          __typename
          ... on RefundSessionStateResolved {
            code
          }
          ... on RefundSessionStateRejected {
            code
            reason
            merchantMessage
          }
        }
      }`;

/** Capture and void sessions have the same shape: an id and a resolved/rejected state union. */
const settlementSessionFields = (root: "captureSession" | "voidSession", type: "CaptureSession" | "VoidSession") => /* GraphQL */ `
      ${root} {
        id
        state {
          __typename
          ... on ${type}StateResolved {
            code
          }
          ... on ${type}StateRejected {
            code
            reason
            merchantMessage
          }
        }
      }`;

const CAPTURE_SESSION_FIELDS = settlementSessionFields("captureSession", "CaptureSession");
const VOID_SESSION_FIELDS = settlementSessionFields("voidSession", "VoidSession");

/**
 * A mutation's `userErrors` selection. The payment session resolve/reject and configure mutations
 * return plain `UserError` (no `code`: asking for it is a validation error); pending, confirm, refunds,
 * captures and voids have codes.
 */
const userErrors = (withCode: boolean) => `      userErrors {
        field
        message${withCode ? "\n        code" : ""}
      }`;

/** One mutation document: the operation, the root field it calls, the session fields, the userErrors. */
const mutation = (operation: string, call: string, sessionFields: string, withCode: boolean) => /* GraphQL */ `
  mutation ${operation} {
    ${call} {
${sessionFields}
${userErrors(withCode)}
    }
  }
`;

export const PAYMENT_SESSION_RESOLVE_MUTATION = mutation(
  "PaymentSessionResolve($id: ID!, $authorizationExpiresAt: DateTime)",
  "paymentSessionResolve(id: $id, authorizationExpiresAt: $authorizationExpiresAt)",
  PAYMENT_SESSION_FIELDS,
  false,
);

export const PAYMENT_SESSION_REJECT_MUTATION = mutation(
  "PaymentSessionReject($id: ID!, $reason: PaymentSessionRejectionReasonInput!)",
  "paymentSessionReject(id: $id, reason: $reason)",
  PAYMENT_SESSION_FIELDS,
  false,
);

export const PAYMENT_SESSION_PENDING_MUTATION = mutation(
  "PaymentSessionPending($id: ID!, $pendingExpiresAt: DateTime!, $reason: PaymentSessionStatePendingReason!)",
  "paymentSessionPending(id: $id, pendingExpiresAt: $pendingExpiresAt, reason: $reason)",
  PAYMENT_SESSION_FIELDS,
  true,
);

export const REFUND_SESSION_RESOLVE_MUTATION = mutation("RefundSessionResolve($id: ID!)", "refundSessionResolve(id: $id)", REFUND_SESSION_FIELDS, true);

export const REFUND_SESSION_REJECT_MUTATION = mutation(
  "RefundSessionReject($id: ID!, $reason: RefundSessionRejectionReasonInput!)",
  "refundSessionReject(id: $id, reason: $reason)",
  REFUND_SESSION_FIELDS,
  true,
);

/**
 * Oversell protection: asks Shopify to confirm (inventory still reserved) before the app resolves or
 * marks pending. Shopify answers later with a POST to the extension's `confirmation_callback_url`.
 */
export const PAYMENT_SESSION_CONFIRM_MUTATION = mutation(
  "PaymentSessionConfirm($id: ID!)",
  "paymentSessionConfirm(id: $id)",
  PAYMENT_SESSION_FIELDS,
  true,
);

export const CAPTURE_SESSION_RESOLVE_MUTATION = mutation(
  "CaptureSessionResolve($id: ID!)",
  "captureSessionResolve(id: $id)",
  CAPTURE_SESSION_FIELDS,
  true,
);

export const CAPTURE_SESSION_REJECT_MUTATION = mutation(
  "CaptureSessionReject($id: ID!, $reason: CaptureSessionRejectionReasonInput!)",
  "captureSessionReject(id: $id, reason: $reason)",
  CAPTURE_SESSION_FIELDS,
  true,
);

export const VOID_SESSION_RESOLVE_MUTATION = mutation("VoidSessionResolve($id: ID!)", "voidSessionResolve(id: $id)", VOID_SESSION_FIELDS, true);

export const VOID_SESSION_REJECT_MUTATION = mutation(
  "VoidSessionReject($id: ID!, $reason: VoidSessionRejectionReasonInput!)",
  "voidSessionReject(id: $id, reason: $reason)",
  VOID_SESSION_FIELDS,
  true,
);

export const PAYMENTS_APP_CONFIGURE_MUTATION = mutation(
  "PaymentsAppConfigure($externalHandle: String, $ready: Boolean!)",
  "paymentsAppConfigure(externalHandle: $externalHandle, ready: $ready)",
  `      paymentsAppConfiguration {
        externalHandle
        ready
      }`,
  false,
);

export const PAYMENTS_API_DOCUMENTS = {
  paymentSessionResolve: PAYMENT_SESSION_RESOLVE_MUTATION,
  paymentSessionReject: PAYMENT_SESSION_REJECT_MUTATION,
  paymentSessionPending: PAYMENT_SESSION_PENDING_MUTATION,
  refundSessionResolve: REFUND_SESSION_RESOLVE_MUTATION,
  refundSessionReject: REFUND_SESSION_REJECT_MUTATION,
  paymentSessionConfirm: PAYMENT_SESSION_CONFIRM_MUTATION,
  captureSessionResolve: CAPTURE_SESSION_RESOLVE_MUTATION,
  captureSessionReject: CAPTURE_SESSION_REJECT_MUTATION,
  voidSessionResolve: VOID_SESSION_RESOLVE_MUTATION,
  voidSessionReject: VOID_SESSION_REJECT_MUTATION,
  paymentsAppConfigure: PAYMENTS_APP_CONFIGURE_MUTATION,
} as const;

export type PaymentsApiMutation = keyof typeof PAYMENTS_API_DOCUMENTS;
export const PAYMENTS_API_MUTATIONS = Object.keys(PAYMENTS_API_DOCUMENTS) as PaymentsApiMutation[];

/**
 * The payment session mutations the outbox sends (`paymentSessionConfirm`: oversell protection, asked
 * before the first resolve or pending). The capture/void mutations are listed below.
 */
export const PAYMENT_SESSION_MUTATIONS = ["paymentSessionResolve", "paymentSessionReject", "paymentSessionPending", "paymentSessionConfirm"] as const;
export type PaymentSessionMutation = (typeof PAYMENT_SESSION_MUTATIONS)[number];
export const REFUND_SESSION_MUTATIONS = ["refundSessionResolve", "refundSessionReject"] as const;
export type RefundSessionMutation = (typeof REFUND_SESSION_MUTATIONS)[number];

export const CAPTURE_SESSION_MUTATIONS = ["captureSessionResolve", "captureSessionReject"] as const;
export type CaptureSessionMutation = (typeof CAPTURE_SESSION_MUTATIONS)[number];
export const VOID_SESSION_MUTATIONS = ["voidSessionResolve", "voidSessionReject"] as const;
export type VoidSessionMutation = (typeof VOID_SESSION_MUTATIONS)[number];

export function isPaymentSessionMutation(name: string): name is PaymentSessionMutation {
  return (PAYMENT_SESSION_MUTATIONS as readonly string[]).includes(name);
}
export function isRefundSessionMutation(name: string): name is RefundSessionMutation {
  return (REFUND_SESSION_MUTATIONS as readonly string[]).includes(name);
}

// ---------------------------------------------------------------------------------------------
// Variables (typed, and validated at runtime by the schemas below)
// ---------------------------------------------------------------------------------------------

export const PAYMENT_SESSION_REJECTED_REASONS = [
  "AMOUNT_TOO_LARGE",
  "AMOUNT_TOO_SMALL",
  "AUTHENTICATION_FAILED",
  "AUTHENTICATION_REQUIRED",
  "CALL_ISSUER",
  "CANCELLED_PAYMENT",
  "CARD_DECLINED",
  "CARD_TESTING",
  "CONFIRMATION_REJECTED",
  "DO_NOT_HONOR",
  "EXPIRED_CARD",
  "FRAUD_SUSPECTED",
  "HIGH_RISK_FRAUD_SUSPECTED",
  "INCORRECT_ADDRESS",
  "INCORRECT_CVC",
  "INCORRECT_NUMBER",
  "INCORRECT_PIN",
  "INCORRECT_ZIP",
  "INSTRUMENT_DECLINED",
  "INSUFFICIENT_FUNDS",
  "INVALID_AMOUNT",
  "INVALID_CURRENCY",
  "INVALID_CVC",
  "INVALID_EXPIRY_DATE",
  "INVALID_NUMBER",
  "INVALID_PAYMENT_METHOD",
  "INVALID_PURCHASE_TYPE",
  "INVALID_REQUEST",
  "MERCHANT_ACCOUNT_ERROR",
  "MERCHANT_RULE",
  "PAYMENT_METHOD_UNSUPPORTED",
  "PICK_UP_CARD",
  "PROCESSING_ERROR",
  "RETRY_DECLINED",
  "RISKY",
  "TRANSACTION_LIMIT_EXCEEDED",
] as const;
export type PaymentSessionRejectedReason = (typeof PAYMENT_SESSION_REJECTED_REASONS)[number];

export const PAYMENT_SESSION_PENDING_REASONS = [
  "BUYER_ACTION_REQUIRED",
  "PARTNER_ACTION_REQUIRED",
  "MERCHANT_ACTION_REQUIRED",
  "NETWORK_ACTION_REQUIRED",
] as const;
export type PaymentSessionPendingReason = (typeof PAYMENT_SESSION_PENDING_REASONS)[number];

/** `CaptureSessionStatusReasonRejectionCode` (2026-04): the only two codes a capture can be rejected with. */
export const CAPTURE_SESSION_REJECTED_REASONS = ["PROCESSING_ERROR", "AUTHORIZATION_EXPIRED"] as const;
export type CaptureSessionRejectedReason = (typeof CAPTURE_SESSION_REJECTED_REASONS)[number];

export interface PaymentsApiVariables {
  paymentSessionResolve: { id: string; authorizationExpiresAt?: string | null };
  paymentSessionReject: {
    id: string;
    reason: { code: PaymentSessionRejectedReason; merchantMessage?: string | null };
  };
  paymentSessionPending: { id: string; pendingExpiresAt: string; reason: PaymentSessionPendingReason };
  refundSessionResolve: { id: string };
  refundSessionReject: { id: string; reason: { code: "PROCESSING_ERROR"; merchantMessage?: string | null } };
  paymentSessionConfirm: { id: string };
  captureSessionResolve: { id: string };
  captureSessionReject: { id: string; reason: { code: CaptureSessionRejectedReason; merchantMessage?: string | null } };
  voidSessionResolve: { id: string };
  voidSessionReject: { id: string; reason: { code: "PROCESSING_ERROR"; merchantMessage?: string | null } };
  paymentsAppConfigure: { externalHandle?: string | null; ready: boolean };
}

const gidOf = (type: "PaymentSession" | "RefundSession" | "CaptureSession" | "VoidSession") =>
  z.string().regex(new RegExp(`^gid://shopify/${type}/[^/\\s]+$`), `must be a gid://shopify/${type}/… id`);
const isoDateTime = z.iso.datetime({ offset: true });
const merchantMessage = z.string().max(1000).nullish();

/** Runtime checks of the variables (the outbox validates before writing a message). */
export const PAYMENTS_API_VARIABLE_SCHEMAS = {
  paymentSessionResolve: z.strictObject({ id: gidOf("PaymentSession"), authorizationExpiresAt: isoDateTime.nullish() }),
  paymentSessionReject: z.strictObject({
    id: gidOf("PaymentSession"),
    reason: z.strictObject({ code: z.enum(PAYMENT_SESSION_REJECTED_REASONS), merchantMessage }),
  }),
  paymentSessionPending: z.strictObject({
    id: gidOf("PaymentSession"),
    pendingExpiresAt: isoDateTime,
    reason: z.enum(PAYMENT_SESSION_PENDING_REASONS),
  }),
  refundSessionResolve: z.strictObject({ id: gidOf("RefundSession") }),
  refundSessionReject: z.strictObject({
    id: gidOf("RefundSession"),
    reason: z.strictObject({ code: z.literal("PROCESSING_ERROR"), merchantMessage }),
  }),
  paymentSessionConfirm: z.strictObject({ id: gidOf("PaymentSession") }),
  captureSessionResolve: z.strictObject({ id: gidOf("CaptureSession") }),
  captureSessionReject: z.strictObject({
    id: gidOf("CaptureSession"),
    reason: z.strictObject({ code: z.enum(CAPTURE_SESSION_REJECTED_REASONS), merchantMessage }),
  }),
  voidSessionResolve: z.strictObject({ id: gidOf("VoidSession") }),
  voidSessionReject: z.strictObject({
    id: gidOf("VoidSession"),
    reason: z.strictObject({ code: z.literal("PROCESSING_ERROR"), merchantMessage }),
  }),
  paymentsAppConfigure: z.strictObject({ externalHandle: z.string().max(255).nullish(), ready: z.boolean() }),
} satisfies { [M in PaymentsApiMutation]: z.ZodType<PaymentsApiVariables[M]> };
