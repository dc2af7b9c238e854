/** Public types of the Shopify simulator (see README.md in this folder). */
import type { GraphqlCallBase } from "./graphql-call";

export interface ShopInput {
  /** e.g. "soisy-demo.myshopify.com" */
  domain: string;
  /** The offline access token the app must send as `X-Shopify-Access-Token`. */
  accessToken: string;
  /** `merchant_locale` sent in session requests (default "it"). */
  merchantLocale?: string;
  /** The store's base currency, used when `startPayment` gets no currency (default "EUR"). */
  currency?: string;
  /** The shop's name (Admin API `shop { name }`); default derived from the domain ("soisy-demo" → "Soisy Demo"). */
  name?: string;
  /**
   * The app's extension declares `supports_oversell_protection` + `confirmation_callback_url` for this
   * shop (default true, as the deployed extension does; false: `paymentSessionConfirm` answers
   * CONFIRMATION_NOT_SUPPORTED). When true, a resolve or pending without a prior confirm is recorded
   * as a violation, and every accepted confirm is answered with a POST to the confirmation callback.
   */
  oversellProtection?: boolean;
}

export interface PaymentsAppConfiguration {
  externalHandle: string | null;
  ready: boolean;
}

export interface SimShop {
  readonly domain: string;
  accessToken: string;
  /** The shop's name answered by the Admin API's `shop { name }` (changeable: a merchant renaming the shop). */
  name: string;
  merchantLocale: string;
  currency: string;
  /** Set by `paymentsAppConfigure`; null until the app calls it. */
  configuration: PaymentsAppConfiguration | null;
  /** Every configuration the app sent, oldest first. */
  configurationHistory: Array<PaymentsAppConfiguration & { at: string }>;
  /** See ShopInput.oversellProtection. */
  oversellProtection: boolean;
  /** Scopes granted to the current token (set by the OAuth flow); undefined = every scope (shops added directly). */
  scopes?: string[];
}

export interface RetryPolicy {
  /** Total attempts, including the first (default 5). */
  attempts: number;
  /** Delay before attempt n+1 is `delaysMs[n-1]`; the last value repeats (default [100, 250, 500, 1000]). */
  delaysMs?: number[];
}

/** The app's credentials, so the simulator can play Shopify's OAuth (see oauth.ts). */
export interface ShopifyOAuthOptions {
  /** The app's API key (`client_id`). */
  clientId: string;
  /** The app's API secret: checks `client_secret` and signs the callback's `hmac`. */
  clientSecret: string;
  /** `expires_in` of expiring offline access tokens (default 3600). */
  accessTokenTtlSeconds?: number;
  /** `refresh_token_expires_in` (default 90 days). */
  refreshTokenTtlSeconds?: number;
}

/** A request to `POST /shops/{shop}/admin/oauth/access_token`. */
export interface OAuthTokenRequest {
  at: string;
  shop: string;
  /** "authorization_code" or "refresh_token" (or what the app sent). */
  grantType: string;
  /** An expiring offline token was asked for (`expiring=1`) or refreshed. */
  expiring: boolean;
  status: number;
  /** OAuth error code when refused, e.g. "invalid_client", "invalid_request", "invalid_grant". */
  error: string | null;
}

export interface ShopifySimulatorOptions {
  /** The app's client id + secret: enables the OAuth install flow (consent page, code exchange, refresh). */
  oauth?: ShopifyOAuthOptions;
  /** 0 (default) = a random free port. */
  port?: number;
  /** default "127.0.0.1" */
  host?: string;
  /** Base URL of the payments app, e.g. "http://127.0.0.1:3000". Changeable later with `setAppUrl`. */
  appUrl: string;
  /** Path of the app's payment session endpoint (default "/payments/sessions"). */
  paymentSessionPath?: string;
  /** Path of the app's refund session endpoint (default "/payments/refunds"). */
  refundSessionPath?: string;
  /** Path of the app's capture session endpoint (default "/payments/captures"). */
  captureSessionPath?: string;
  /** Path of the app's void session endpoint (default "/payments/voids"). */
  voidSessionPath?: string;
  /** Path of the app's confirmation callback (default "/payments/confirmations"). */
  confirmationCallbackPath?: string;
  /** The API version sent in `Shopify-Api-Version` and served by the GraphQL endpoint (default "2026-04"). */
  apiVersion?: string;
  shops?: ShopInput[];
  /** How session requests to the app are retried on non-2xx (refunds: non-201), network errors, timeouts. */
  retry?: RetryPolicy;
  /**
   * Sent on every session request to the app, as a TLS terminator in front of the app would after
   * verifying Shopify's client certificate (the app's SHOPIFY_MTLS_HEADER / _VALUE; docs/server.md).
   */
  proofHeader?: { name: string; value: string };
  /** Per-attempt timeout of a session request to the app (default 10 000 ms). */
  sessionRequestTimeoutMs?: number;
  /**
   * Upper bound for `pendingExpiresAt` measured from now (Shopify: "exceeded the default pending expiry
   * limit", value undocumented). Default 30 days.
   */
  pendingExpiryLimitMs?: number;
  /** Clock used for `proposed_at`, pending expiry checks and records (default: real time). */
  now?: () => Date;
  /** Receives one human-readable line per notable event (default: silent). */
  log?: (line: string) => void;
}

// ----- What Shopify sends to the app -----

export interface ShopifyAddress {
  given_name: string | null;
  family_name: string | null;
  line1: string | null;
  line2: string | null;
  city: string | null;
  postal_code: string | null;
  province: string | null;
  province_code: string | null;
  country_code: string | null;
  phone_number: string | null;
  company: string | null;
}

export interface ShopifyCustomer {
  email?: string;
  phone_number?: string;
  locale?: string;
  billing_address?: ShopifyAddress;
  shipping_address?: ShopifyAddress;
}

export interface PaymentSessionRequestBody {
  id: string;
  gid: string;
  group: string;
  session_id: string;
  amount: string;
  currency: string;
  test: boolean;
  merchant_locale: string;
  payment_method: { type: "offsite"; data: { cancel_url: string } };
  proposed_at: string;
  /** "authorization" when the merchant captures manually or on fulfilment. */
  kind: "sale" | "authorization";
  customer?: ShopifyCustomer;
}

export interface RefundSessionRequestBody {
  id: string;
  gid: string;
  payment_id: string;
  amount: string;
  currency: string;
  test: boolean;
  merchant_locale: string;
  proposed_at: string;
}

/** Capture session request: the refund's fields; `payment_id` is the authorized payment session's id. */
export type CaptureSessionRequestBody = RefundSessionRequestBody;

/** Void session request: no amount or currency. */
export interface VoidSessionRequestBody {
  id: string;
  gid: string;
  payment_id: string;
  test: boolean;
  merchant_locale: string;
  proposed_at: string;
}

/**
 * Shopify's answer to `paymentSessionConfirm`, POSTed to `confirmation_callback_url`. Documented by
 * example only: `id`, `gid` (the payment session's), `confirmation_result`.
 */
export interface ConfirmationCallbackBody {
  id: string;
  gid: string;
  confirmation_result: boolean;
}

/** A request the simulator would send to the app, built but not sent (see `buildConfirmationCallback`). */
export interface BuiltAppRequest<B> {
  url: string;
  method: "POST";
  headers: Record<string, string>;
  body: B;
}

/**
 * Partial customer for `startPayment`: given keys replace the default Italian customer's; a top-level key
 * set to `null` is left out of the request; addresses are merged key by key (`null` values are sent as
 * null); an address set to `null` is left out.
 */
export interface CustomerOverride {
  email?: string | null;
  phone_number?: string | null;
  locale?: string | null;
  billing_address?: Partial<ShopifyAddress> | null;
  shipping_address?: Partial<ShopifyAddress> | null;
}

export interface StartPaymentInput {
  shop: string;
  /** Decimal string with a dot, e.g. "123.00" (sent exactly as given). */
  amount: string;
  /** default: the shop's currency ("EUR") */
  currency?: string;
  test?: boolean;
  /** `null` = no `customer` key at all; an object = override of the default Italian customer. */
  customer?: CustomerOverride | null;
  /** Reuse a group (another attempt to pay the same checkout). Default: a new group. */
  group?: string;
  /**
   * Replay: if a session with this id exists, its stored request body is sent again unchanged (as Shopify
   * retries); otherwise a new session is created with this id.
   */
  id?: string;
  /** `customer.locale` (default "it"). */
  locale?: string;
  /** Last-moment change of the JSON body (e.g. move `cancel_url` to top level, drop keys). */
  mutateBody?: (body: PaymentSessionRequestBody) => unknown;
  /** default "sale"; "authorization" = the merchant captures later (capture / void sessions). */
  kind?: "sale" | "authorization";
  /**
   * Whether the checkout's items are still reserved when the app asks `paymentSessionConfirm`: the
   * `confirmation_result` Shopify would send (default true; false = oversold).
   */
  inventoryAvailable?: boolean;
}

export interface SessionAttempt {
  n: number;
  requestId: string;
  startedAt: string;
  durationMs: number;
  /** HTTP status, or null on network error / timeout. */
  status: number | null;
  responseBody: string;
  error?: string;
}

export interface StartPaymentResult {
  id: string;
  gid: string;
  group: string;
  /** true when the app answered 2xx with a usable `redirect_url`. */
  ok: boolean;
  /** HTTP status of the last attempt (null: network error / timeout). */
  status: number | null;
  redirectUrl?: string;
  /** Why the last attempt failed, when `ok` is false. */
  error?: string;
  attempts: SessionAttempt[];
  /** The body sent (after `mutateBody`). */
  request: unknown;
}

export interface StartRefundInput {
  shop: string;
  /** The payment session id (not gid) being refunded. */
  paymentId: string;
  amount: string;
  currency?: string;
  test?: boolean;
  /** Replay an existing refund session with this id, or create one with it. */
  id?: string;
  mutateBody?: (body: RefundSessionRequestBody) => unknown;
}

export interface StartRefundResult {
  id: string;
  gid: string;
  /** true when the app answered 201. */
  ok: boolean;
  status: number | null;
  error?: string;
  attempts: SessionAttempt[];
  request: unknown;
}

/** `startCapture`: Shopify captures (part of) an authorized payment (the merchant's "Capture"). */
export interface StartCaptureInput {
  shop: string;
  /** The authorized payment session's id (not gid). */
  paymentId: string;
  amount: string;
  currency?: string;
  test?: boolean;
  /** Replay an existing capture session with this id, or create one with it. */
  id?: string;
  mutateBody?: (body: CaptureSessionRequestBody) => unknown;
}

/** `startVoid`: Shopify voids an authorized payment (the merchant cancels the order). */
export interface StartVoidInput {
  shop: string;
  paymentId: string;
  test?: boolean;
  id?: string;
  mutateBody?: (body: VoidSessionRequestBody) => unknown;
}

/** Result of `startCapture` / `startVoid` (the app must answer 201, as for refunds). */
export type StartSettlementResult = StartRefundResult;

export interface SessionRequestRecord {
  kind: "payment" | "refund" | "capture" | "void" | "confirmation";
  id: string;
  shop: string;
  url: string;
  body: unknown;
  attempts: SessionAttempt[];
  outcome: "in_flight" | "succeeded" | "failed";
  redirectUrl?: string;
}

// ----- The simulator's view of sessions -----

/**
 * `AWAITING_APP` (request sent, no usable answer yet) and `APP_FAILED` (every attempt failed) are the
 * simulator's own; the other codes are Shopify's `PaymentSessionStateCode`s.
 */
export type SimPaymentState =
  | { code: "AWAITING_APP" }
  | { code: "APP_FAILED" }
  | { code: "REDIRECTING" }
  | { code: "CONFIRMING" }
  | { code: "PENDING"; reason: string }
  | { code: "RESOLVED" }
  | { code: "REJECTED"; reason: string; merchantMessage: string | null; source: string | null };

export interface AppliedMutation {
  name: string;
  at: string;
  args: Record<string, unknown>;
  /** applied: changed the state; repeated: same mutation again, same result; rejected: userErrors. */
  outcome: "applied" | "repeated" | "rejected";
  userErrors: Array<{ field: string[] | null; message: string; code?: string }>;
}

export interface SimPaymentSession {
  id: string;
  gid: string;
  shop: string;
  group: string;
  amount: string;
  currency: string;
  test: boolean;
  createdAt: string;
  cancelUrl: string;
  /** The body sent to the app (after `mutateBody`). */
  request: unknown;
  /** The app answered 2xx with a usable redirect_url (Shopify refuses mutations before that). */
  acknowledged: boolean;
  /** The redirect_url the app answered with. */
  appRedirectUrl: string | null;
  state: SimPaymentState;
  pendingExpiresAt: string | null;
  authorizationExpiresAt: string | null;
  nextAction: { action: "REDIRECT"; redirectUrl: string } | null;
  mutations: AppliedMutation[];
  kind: "sale" | "authorization";
  /** See StartPaymentInput.inventoryAvailable. */
  inventoryAvailable: boolean;
  /** Set by the first accepted `paymentSessionConfirm`: what Shopify answers on the confirmation callback. */
  confirmation: { requestedAt: string; result: boolean } | null;
}

export type SimRefundState =
  | { code: "AWAITING_APP" }
  | { code: "APP_FAILED" }
  | { code: "OPEN" }
  | { code: "RESOLVED" }
  | { code: "REJECTED"; reason: string; merchantMessage: string | null };

export interface SimRefundSession {
  id: string;
  gid: string;
  shop: string;
  paymentId: string;
  amount: string;
  currency: string;
  test: boolean;
  createdAt: string;
  request: unknown;
  acknowledged: boolean;
  state: SimRefundState;
  mutations: AppliedMutation[];
}

/** Capture and void sessions share refunds' states (open once the app answered 201, then final). */
export type SimSettlementState = SimRefundState;

export interface SimSettlementSession {
  id: string;
  gid: string;
  shop: string;
  paymentId: string;
  /** Captures only (voids have no amount). */
  amount: string | null;
  currency: string | null;
  test: boolean;
  createdAt: string;
  request: unknown;
  acknowledged: boolean;
  state: SimSettlementState;
  mutations: AppliedMutation[];
}

/** Things a correct app must never cause; tests assert `sim.violations` is empty. */
export interface SimViolation {
  /**
   * resolved_oversold: resolve or pending after the confirmation said the items are gone;
   * not_confirmed: resolve or pending without a confirm on a shop with oversell protection.
   */
  kind: "redirect_url_changed" | "group_double_resolve" | "invalid_redirect_url" | "resolved_oversold" | "not_confirmed";
  at: string;
  sessionId: string;
  message: string;
}

// ----- GraphQL endpoint -----

export type FaultKind = "fail" | "throttle" | "hang" | "fail_after_apply";

/** A call to the payments apps GraphQL endpoint as the simulator recorded it. */
export interface GraphqlCall extends GraphqlCallBase<{ message: string; locations?: ReadonlyArray<{ line: number; column: number }> }, FaultKind> {
  durationMs: number | null;
}

export interface ShopifyFaults {
  /** The next `count` GraphQL requests get `status` (5xx) and are not applied. */
  failNext?: { count: number; status: number };
  /** The next `count` requests get HTTP 429 with `Retry-After: retryAfterSeconds`, not applied. */
  throttleNext?: { count: number; retryAfterSeconds: number };
  /** The next n requests get no answer at all (socket held open until `close()`); not applied. */
  hangNext?: number;
  /** The next `count` requests ARE executed, but the answer is `status` (the app never sees the result). */
  failAfterApplyNext?: { count: number; status: number };
  /** Added before every GraphQL answer. */
  latencyMs?: number;
}
