/**
 * Shopify's answers to the Payments Apps API, typed, and their CLASSIFICATION (pure: unit-tested on
 * recorded answers), so the outbox knows what to do with each one:
 *
 *   ok           the mutation is in place (nextActionUrl: where Shopify wants the shopper to go)
 *   already_done userErrors saying the same outcome is already in place → counts as delivered
 *   conflict     a different final outcome is in place, or another permanent userError → surfaced to
 *                the merchant, never retried (`ambiguous`: see below)
 *   retry        network error, timeout, 5xx, 429, 401/403 (token may be refreshed), GraphQL THROTTLED,
 *                "the response to the session request has not been received" → try again later
 *   fatal        GraphQL validation errors or another 4xx: a bug in the app → never retried
 *
 * `paymentSessionResolve` / `paymentSessionReject` have plain `UserError`s (no `code`) and Shopify words
 * their invalid-state error as ONE message for two different situations ("…has already been rejected,
 * or the response to start_payment_session request has not been received."): a conflict, or a transient
 * state until Shopify has the app's answer to the payment session request. Those come back as
 * `{kind: "conflict", ambiguous: true}`; the caller decides with what it knows (the outbox: a session
 * that Shopify already accepted a mutation for certainly had its answer → conflict; otherwise it retries
 * for a short grace period). `paymentSessionPending` and the refund mutations word "not received" on its
 * own, which is classified `retry`.
 *
 * Error texts that reach a result are redacted: the access token never appears in one.
 */
import type { PaymentsApiMutation } from "./payments-api-documents";

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

export interface PaymentsApiUserError {
  field: string[] | null;
  message: string;
  /** Only pending, confirm, refund, capture and void mutations have codes. */
  code?: string | null;
}

export interface PaymentSessionPayload {
  paymentSession: {
    id: string;
    state: { __typename: string; code?: string; pendingReason?: string | null; reason?: string; merchantMessage?: string | null } | null;
    pendingExpiresAt?: string | null;
    /** Set on a resolved authorization (what the app sent as `authorizationExpiresAt`). */
    authorizationExpiresAt?: string | null;
    nextAction: { action: string; context: { __typename?: string; redirectUrl?: string } | null } | null;
  } | null;
  userErrors: PaymentsApiUserError[];
}

export interface RefundSessionPayload {
  refundSession: {
    id: string;
    state: { __typename: string; code?: string; reason?: string; merchantMessage?: string | null } | null;
  } | null;
  userErrors: PaymentsApiUserError[];
}

/** `captureSessionResolve` / `captureSessionReject` (the session key is `captureSession`). */
export interface CaptureSessionPayload {
  captureSession: SettlementSession | null;
  userErrors: PaymentsApiUserError[];
}

/** `voidSessionResolve` / `voidSessionReject` (the session key is `voidSession`). */
export interface VoidSessionPayload {
  voidSession: SettlementSession | null;
  userErrors: PaymentsApiUserError[];
}

interface SettlementSession {
  id: string;
  state: { __typename: string; code?: string; reason?: string; merchantMessage?: string | null } | null;
}

export interface PaymentsAppConfigurePayload {
  paymentsAppConfiguration: { externalHandle: string | null; ready: boolean } | null;
  userErrors: PaymentsApiUserError[];
}

export interface PaymentsApiData {
  paymentSessionResolve: PaymentSessionPayload;
  paymentSessionReject: PaymentSessionPayload;
  paymentSessionPending: PaymentSessionPayload;
  refundSessionResolve: RefundSessionPayload;
  refundSessionReject: RefundSessionPayload;
  paymentSessionConfirm: PaymentSessionPayload;
  captureSessionResolve: CaptureSessionPayload;
  captureSessionReject: CaptureSessionPayload;
  voidSessionResolve: VoidSessionPayload;
  voidSessionReject: VoidSessionPayload;
  paymentsAppConfigure: PaymentsAppConfigurePayload;
}

export type PaymentsApiResult<M extends PaymentsApiMutation = PaymentsApiMutation> =
  | { kind: "ok"; nextActionUrl: string | null; data: PaymentsApiData[M]; httpStatus: number }
  | { kind: "already_done"; userErrors: PaymentsApiUserError[]; httpStatus: number }
  | {
      kind: "conflict";
      userErrors: PaymentsApiUserError[];
      /**
       * The userError's wording also covers "Shopify has not received the app's answer to the session
       * request yet" (transient): the caller decides with what it knows.
       */
      ambiguous?: true;
      httpStatus: number;
    }
  | { kind: "retry"; reason: string; retryAfterMs?: number; httpStatus?: number; userErrors?: PaymentsApiUserError[] }
  | { kind: "fatal"; reason: string; httpStatus?: number };

// ---------------------------------------------------------------------------------------------
// Classification (pure: unit-tested on recorded answers)
// ---------------------------------------------------------------------------------------------

export interface RecordedResponse {
  status: number;
  /** The Retry-After header, if any. */
  retryAfter?: string | null;
  bodyText: string;
}

/** Retry-After values above this are capped (a broken header must not park a payment for days). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Retry-After: delay-seconds or an HTTP-date, in ms from `now` (undefined when absent/unparseable). */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Math.ceil(Number(text) * 1000);
  } else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now.getTime();
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

const MAX_TEXT = 500;

/** Replaces every secret in `text` and caps its length. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join("[redacted]");
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT)}…` : out;
}

interface GraphqlErrorShape {
  message?: unknown;
  extensions?: { code?: unknown } | null;
}

/** Top-level GraphQL error codes that mean "try again later". */
const TRANSIENT_GRAPHQL_CODES = new Set(["THROTTLED", "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT", "ACCESS_DENIED"]);

/** HTTP statuses retried besides 5xx: 401/403 (token refresh), 402/423 (shop frozen/locked), 408, 429. */
const RETRIED_4XX = new Set([401, 402, 403, 408, 423, 429]);

export function classifyPaymentsApiResponse<M extends PaymentsApiMutation>(
  mutation: M,
  response: RecordedResponse,
  context: { now?: Date; secrets?: readonly string[] } = {},
): PaymentsApiResult<M> {
  const secrets = context.secrets ?? [];
  const now = context.now ?? new Date();
  const { status } = response;
  const snippet = () => redact(response.bodyText.replace(/\s+/g, " ").trim(), secrets);
  const retryAfterMs = parseRetryAfter(response.retryAfter, now);

  if (status >= 500 || RETRIED_4XX.has(status)) {
    const what =
      status === 429 ? "throttled" : status === 401 || status === 403 ? "access token refused" : status >= 500 ? "Shopify server error" : "shop unavailable";
    return {
      kind: "retry",
      reason: `HTTP ${status} (${what}): ${snippet()}`,
      httpStatus: status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  if (status >= 300 && status < 400) {
    return { kind: "fatal", reason: `HTTP ${status}: unexpected redirect (check the Payments API endpoint)`, httpStatus: status };
  }
  if (status >= 400) return { kind: "fatal", reason: `HTTP ${status}: ${snippet()}`, httpStatus: status };
  if (status < 200) return { kind: "retry", reason: `HTTP ${status}: unexpected status`, httpStatus: status };

  let body: { data?: unknown; errors?: unknown; extensions?: unknown };
  try {
    const parsed: unknown = JSON.parse(response.bodyText);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    body = parsed as typeof body;
  } catch {
    return { kind: "retry", reason: `HTTP ${status}: answer is not a GraphQL JSON object: ${snippet()}`, httpStatus: status };
  }

  const payload =
    body.data && typeof body.data === "object" ? (body.data as Record<string, unknown>)[mutation] : undefined;
  const errors = Array.isArray(body.errors) ? (body.errors as GraphqlErrorShape[]) : [];
  const errorText = () =>
    redact(errors.map((e) => (typeof e.message === "string" ? e.message : JSON.stringify(e))).join("; "), secrets);

  if (errors.length > 0 || (body.errors !== undefined && !Array.isArray(body.errors))) {
    const codes = errors.map((e) => (typeof e.extensions?.code === "string" ? e.extensions.code : null));
    if (codes.includes("THROTTLED") || errors.some((e) => typeof e.message === "string" && /^throttled$/i.test(e.message))) {
      const wait = throttleWaitMs(body.extensions);
      return {
        kind: "retry",
        reason: `GraphQL THROTTLED: ${errorText()}`,
        httpStatus: status,
        ...(wait !== undefined ? { retryAfterMs: wait } : retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    if (codes.some((c) => c !== null && TRANSIENT_GRAPHQL_CODES.has(c)) || errors.some((e) => typeof e.message === "string" && /internal error/i.test(e.message))) {
      return { kind: "retry", reason: `GraphQL error: ${errorText()}`, httpStatus: status };
    }
    if (!payload || typeof payload !== "object") {
      const text = Array.isArray(body.errors) ? errorText() : redact(JSON.stringify(body.errors), secrets);
      return { kind: "fatal", reason: `GraphQL errors (nothing applied): ${text}`, httpStatus: status };
    }
    // Errors beside a payload (e.g. on a nested field): the mutation ran; classify the payload.
  }

  if (!payload || typeof payload !== "object") {
    return { kind: "retry", reason: `HTTP ${status}: answer without a ${mutation} payload: ${snippet()}`, httpStatus: status };
  }
  const userErrors = normalizeUserErrors((payload as { userErrors?: unknown }).userErrors);
  if (userErrors.length > 0) return classifyUserErrors(mutation, userErrors, status, secrets);

  const contradiction = stateContradiction(mutation, payload);
  if (contradiction) {
    return { kind: "conflict", userErrors: [{ field: null, message: contradiction }], httpStatus: status };
  }
  return {
    kind: "ok",
    nextActionUrl: nextActionUrlOf(payload),
    data: payload as PaymentsApiData[M],
    httpStatus: status,
  };
}

/** Seconds until the cost bucket holds the request again (Shopify's throttleStatus), in ms. */
function throttleWaitMs(extensions: unknown): number | undefined {
  const cost = (extensions as { cost?: { requestedQueryCost?: unknown; throttleStatus?: Record<string, unknown> } } | undefined)?.cost;
  const requested = Number(cost?.requestedQueryCost);
  const available = Number(cost?.throttleStatus?.currentlyAvailable);
  const rate = Number(cost?.throttleStatus?.restoreRate);
  if (!Number.isFinite(requested) || !Number.isFinite(available) || !Number.isFinite(rate) || rate <= 0) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(((requested - available) / rate) * 1000)));
}

function normalizeUserErrors(raw: unknown): PaymentsApiUserError[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((e: unknown) => {
    const o = (e && typeof e === "object" ? e : {}) as Record<string, unknown>;
    const field = Array.isArray(o.field) ? o.field.map(String) : null;
    const out: PaymentsApiUserError = { field, message: typeof o.message === "string" ? o.message : JSON.stringify(e) };
    if (typeof o.code === "string") out.code = o.code;
    return out;
  });
}

function nextActionUrlOf(payload: object): string | null {
  const session = (payload as PaymentSessionPayload).paymentSession;
  const url = session?.nextAction?.context?.redirectUrl;
  return typeof url === "string" && url !== "" ? url : null;
}

/**
 * What a success must not show: the session in a state the mutation cannot have produced. A confirm
 * moves the session to CONFIRMING; answered with a final state, something else settled it first.
 */
const CONTRADICTING_STATES: Partial<Record<PaymentsApiMutation, readonly string[]>> = {
  paymentSessionResolve: ["PaymentSessionStateRejected"],
  paymentSessionReject: ["PaymentSessionStateResolved"],
  paymentSessionConfirm: ["PaymentSessionStateResolved", "PaymentSessionStateRejected"],
  refundSessionResolve: ["RefundSessionStateRejected"],
  refundSessionReject: ["RefundSessionStateResolved"],
  captureSessionResolve: ["CaptureSessionStateRejected"],
  captureSessionReject: ["CaptureSessionStateResolved"],
  voidSessionResolve: ["VoidSessionStateRejected"],
  voidSessionReject: ["VoidSessionStateResolved"],
};

const SESSION_KEYS = ["paymentSession", "refundSession", "captureSession", "voidSession"] as const;

/** A success whose session shows the OPPOSITE final outcome is not a success. */
function stateContradiction(mutation: PaymentsApiMutation, payload: object): string | null {
  const contradicting = CONTRADICTING_STATES[mutation];
  if (!contradicting) return null;
  const sessions = payload as Partial<Record<(typeof SESSION_KEYS)[number], { state?: { __typename?: string } | null } | null>>;
  const key = SESSION_KEYS.find((k) => sessions[k]);
  const typename = key ? sessions[key]?.state?.__typename : undefined;
  return typename && contradicting.includes(typename) ? `Shopify answered ${mutation} without userErrors but the session is ${typename}` : null;
}

type UserErrorVerdict = "already_done" | "conflict" | "ambiguous" | "retry";

const NOT_RECEIVED = /not (yet )?been received/i;
const ALREADY_RESOLVED = /already (been )?resolved/i;
const ALREADY_REJECTED = /already (been )?rejected/i;

/**
 * One userError → what it means for this mutation. Known wordings (Shopify's, as the simulator
 * reproduces them in test/simulators/shopify/store.ts):
 *  - resolve: "Payment session has already been resolved with a different authentication, has already
 *    been rejected, or the response to start_payment_session request has not been received." → ambiguous
 *  - reject: "Payment session has already been resolved, or the response to start_payment_session request
 *    has not been received." → ambiguous
 *  - pending PENDING_INVALID_STATE "The response to start_payment_session request has not been received."
 *    → retry; PENDING_INVALID_STATE "…already been resolved or rejected." → already_done (a final outcome
 *    supersedes pending: nothing left to do)
 *  - refund REFUND_SESSION_INVALID_STATE "The response to the refund session request has not been
 *    received." → retry; "…already been resolved." on a resolve / "…rejected." on a reject → already_done;
 *    the other one → conflict
 *  - capture / void (CAPTURE_SESSION_… / VOID_SESSION_… codes; wording not documented, the simulator
 *    follows the enum descriptions): like refunds — "not received" → retry; "already … resolved" on a
 *    resolve / "already … rejected" on a reject → already_done; the other outcome, both, or not found →
 *    conflict
 *  - confirm: INVALID_STATE_TRANSITION "…not been received" → retry; PAYMENT_SESSION_NOT_FOUND, any
 *    other INVALID_STATE_TRANSITION, CONFIRMATION_NOT_SUPPORTED (the extension lacks
 *    `confirmation_callback_url` / oversell protection: a deployment problem) → conflict
 *  - not found, expiry out of range, unsupported method, configure errors → conflict
 */
export function interpretUserError(mutation: PaymentsApiMutation, error: PaymentsApiUserError): UserErrorVerdict {
  const message = error.message;
  const notReceived = NOT_RECEIVED.test(message);
  const resolved = ALREADY_RESOLVED.test(message);
  const rejected = ALREADY_REJECTED.test(message);
  switch (mutation) {
    case "paymentSessionResolve":
    case "paymentSessionReject": {
      const mine = mutation === "paymentSessionResolve" ? resolved : rejected;
      const other = mutation === "paymentSessionResolve" ? rejected : resolved;
      const different = /different/i.test(message);
      if (notReceived && (other || mine)) return "ambiguous";
      if (notReceived) return "retry";
      if (mine && !other && !different) return "already_done";
      return "conflict";
    }
    case "paymentSessionPending": {
      if (error.code === "PENDING_INVALID_STATE" || error.code === undefined || error.code === null) {
        if (notReceived && !resolved && !rejected) return "retry";
        if (error.code === "PENDING_INVALID_STATE" && (resolved || rejected)) return "already_done";
      }
      return "conflict";
    }
    case "refundSessionResolve":
    case "refundSessionReject":
    case "captureSessionResolve":
    case "captureSessionReject":
    case "voidSessionResolve":
    case "voidSessionReject": {
      if (error.code && /_NOT_FOUND$/.test(error.code)) return "conflict";
      if (notReceived) return "retry";
      const resolving = mutation.endsWith("Resolve");
      const mine = resolving ? resolved : rejected;
      const other = resolving ? rejected : resolved;
      if (mine && !other) return "already_done";
      return "conflict";
    }
    case "paymentSessionConfirm": {
      if ((error.code === "INVALID_STATE_TRANSITION" || !error.code) && notReceived) return "retry";
      return "conflict";
    }
    case "paymentsAppConfigure":
      return "conflict";
  }
}

function classifyUserErrors<M extends PaymentsApiMutation>(
  mutation: M,
  userErrors: PaymentsApiUserError[],
  httpStatus: number,
  secrets: readonly string[],
): PaymentsApiResult<M> {
  const clean = userErrors.map((e) => ({ ...e, message: redact(e.message, secrets) }));
  const verdicts = clean.map((e) => interpretUserError(mutation, e));
  if (verdicts.includes("conflict")) return { kind: "conflict", userErrors: clean, httpStatus };
  if (verdicts.includes("ambiguous")) return { kind: "conflict", userErrors: clean, ambiguous: true, httpStatus };
  if (verdicts.includes("retry")) {
    return {
      kind: "retry",
      reason: `userError (transient): ${clean.map((e) => e.message).join("; ")}`,
      httpStatus,
      userErrors: clean,
    };
  }
  return { kind: "already_done", userErrors: clean, httpStatus };
}

/** A one-line description of a result for logs and OutboxAttempt.error (never holds the token). */
export function describePaymentsApiResult(result: PaymentsApiResult): string {
  switch (result.kind) {
    case "ok":
      return "ok";
    case "already_done":
      return `already done: ${result.userErrors.map((e) => e.message).join("; ")}`;
    case "conflict":
      return `${result.ambiguous ? "conflict (or not yet received)" : "conflict"}: ${result.userErrors
        .map((e) => (e.code ? `${e.code}: ${e.message}` : e.message))
        .join("; ")}`;
    case "retry":
      return result.reason;
    case "fatal":
      return result.reason;
  }
}
