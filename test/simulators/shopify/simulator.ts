/**
 * A real HTTP server that plays Shopify for a payments app:
 * - sends payment / refund session requests to the app (with Shopify's headers and retries);
 * - serves the Payments Apps GraphQL API, validating every document against Shopify's schema;
 * - serves the shopper-facing pages (demo checkout, cancel page, order status page);
 * - lets tests inject faults and inspect everything that happened.
 * See README.md in this folder.
 */
import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { z } from "zod";
import {
  defaultCustomer,
  newOpaqueToken,
  newSessionId,
  paymentSessionGid,
  refundSessionGid,
  shopifyTimestamp,
} from "./fixtures";
import { executeDocument, prepareDocument, simulatorSchema } from "./graphql-api";
import { createOAuth } from "./oauth";
import { createAdminApi, defaultShopName, type AdminApi, type SimMetafield } from "./admin-api";
import { BodyTooLargeError, postRaw, readBody, sendHtml, sendJson, sleep } from "./http";
import { newGraphqlCall, parseGraphqlBody } from "./graphql-call";
import {
  appFailedPage,
  cancelledPage,
  checkoutPage,
  defaultCheckoutValues,
  notFoundPage,
  type CheckoutFormValues,
} from "./pages";
import { deliverExpecting201 } from "./acknowledged-request";
import { createOrderRoutes } from "./order-routes";
import { createSettlementRequests, type ConfirmationBehaviour } from "./settlement-requests";
import { SimStore } from "./store";
import { createStorefront, type Storefront } from "./storefront";
import type {
  BuiltAppRequest,
  ConfirmationCallbackBody,
  CustomerOverride,
  GraphqlCall,
  OAuthTokenRequest,
  PaymentSessionRequestBody,
  RefundSessionRequestBody,
  SessionAttempt,
  SessionRequestRecord,
  ShopifyAddress,
  ShopifyCustomer,
  ShopifyFaults,
  ShopifySimulatorOptions,
  ShopInput,
  SimPaymentSession,
  SimRefundSession,
  SimSettlementSession,
  SimShop,
  SimViolation,
  StartCaptureInput,
  StartSettlementResult,
  StartVoidInput,
  StartPaymentInput,
  StartPaymentResult,
  StartRefundInput,
  StartRefundResult,
} from "./types";

export const DEFAULT_API_VERSION = "2026-04";
export const DEFAULT_RETRY_DELAYS_MS = [100, 250, 500, 1000];
/** Shopify's answer to a missing or wrong access token. */
export const INVALID_TOKEN_BODY = {
  errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
} as const;
export const MAX_REDIRECT_URL_BYTES = 8192;

export interface ShopifySimulator {
  /** Base URL, e.g. "http://127.0.0.1:54321". */
  readonly url: string;
  /**
   * `${url}/shops/{shop}`: the app replaces `{shop}` with the shop domain where it would use
   * `https://{shop}`, then appends `/payments_apps/api/{version}/graphql.json`.
   */
  readonly paymentsApiUrlTemplate: string;
  readonly apiVersion: string;
  /** The full GraphQL endpoint of a shop (for the given or default API version). */
  graphqlUrl(shop: string, version?: string): string;
  /** Where the order status page of a session is (the nextAction of resolve / pending). */
  orderStatusUrl(shop: string, sessionId: string): string;
  /** The cancel_url sent with a session (the nextAction of reject). */
  cancelUrl(sessionId: string): string;
  /** Base URL of the app (may be set after start, when the app's port is known). */
  readonly appUrl: string;
  setAppUrl(appUrl: string): void;

  addShop(shop: ShopInput): SimShop;
  shop(domain: string): SimShop | undefined;

  startPayment(input: StartPaymentInput): Promise<StartPaymentResult>;
  startRefund(input: StartRefundInput): Promise<StartRefundResult>;
  /** Shopify captures a resolved authorization (`capture_session_url`; the app must answer 201). */
  startCapture(input: StartCaptureInput): Promise<StartSettlementResult>;
  /** Shopify voids a resolved authorization (`void_session_url`; the app must answer 201). */
  startVoid(input: StartVoidInput): Promise<StartSettlementResult>;
  /** The confirmation callback Shopify POSTs after an accepted `paymentSessionConfirm` (what it would send now). */
  buildConfirmationCallback(paymentId: string): BuiltAppRequest<ConfirmationCallbackBody> | null;
  /**
   * How confirms are answered, per shop (domain) or payment session (id; wins over the shop's): the
   * result (false = the items are gone), a delay, or no callback (`drop`). Null clears it.
   */
  setConfirmationBehaviour(target: string, behaviour: ConfirmationBehaviour | null): void;
  /** POSTs a confirmed session's callback now (again), retried like the automatic one; null without a confirm. */
  sendConfirmationCallback(paymentId: string): Promise<{ ok: boolean; status: number | null; error?: string; record: SessionRequestRecord } | null>;
  /** Every confirmation callback sent to the app, with each attempt. */
  readonly confirmationRequests: SessionRequestRecord[];

  /** The Admin GraphQL API (payment customizations, metafields; admin-api.ts): state, calls, faults. */
  readonly adminApi: AdminApi;
  /** Shortcut: the metafields the app set on an owner (shop, app installation, payment customization). */
  metafields(ownerGid: string): SimMetafield[];

  /** Every request to the GraphQL endpoint, oldest first. */
  readonly calls: GraphqlCall[];
  /** Every session request sent to the app, with each attempt. */
  readonly sessionRequests: SessionRequestRecord[];
  /** The simulator's view of each payment session, by id. */
  readonly paymentSessions: Map<string, SimPaymentSession>;
  readonly refundSessions: Map<string, SimRefundSession>;
  /** Capture and void sessions by id, with every mutation the app applied to them. */
  readonly captureSessions: Map<string, SimSettlementSession>;
  readonly voidSessions: Map<string, SimSettlementSession>;
  /** Things a correct app never causes (double-resolved group, changed redirect_url, bad redirect_url). */
  readonly violations: SimViolation[];
  /** Every request to `/shops/{shop}/admin/oauth/access_token` (code exchanges and refreshes), oldest first. */
  readonly oauthTokenRequests: OAuthTokenRequest[];
  /** The OAuth authorize URL of a shop (what the app's `https://{shop}/admin/oauth/authorize` becomes). */
  authorizeUrl(shop: string): string;

  /** The Online Store: product and cart pages with the widget's app blocks, cart API, app proxy (storefront.ts). */
  readonly storefront: Storefront;

  /** Merges the given faults into the current ones. */
  setFaults(faults: ShopifyFaults): void;
  clearFaults(): void;
  faults(): ShopifyFaults;

  /** JSON-safe dump of the state (also at GET /_sim/state). */
  state(): Record<string, unknown>;
  close(): Promise<void>;
}

const faultsSchema = z.strictObject({
  failNext: z.strictObject({ count: z.number().int().min(0), status: z.number().int().min(400).max(599) }).optional(),
  throttleNext: z
    .strictObject({ count: z.number().int().min(0), retryAfterSeconds: z.number().min(0) })
    .optional(),
  hangNext: z.number().int().min(0).optional(),
  failAfterApplyNext: z
    .strictObject({ count: z.number().int().min(0), status: z.number().int().min(400).max(599) })
    .optional(),
  latencyMs: z.number().min(0).optional(),
});

const startPaymentSchema = z.object({
  shop: z.string().min(1),
  amount: z.string().min(1),
  currency: z.string().optional(),
  test: z.boolean().optional(),
  customer: z.record(z.string(), z.unknown()).nullable().optional(),
  group: z.string().optional(),
  id: z.string().optional(),
  locale: z.string().optional(),
  kind: z.enum(["sale", "authorization"]).optional(),
  inventoryAvailable: z.boolean().optional(),
});

const startRefundSchema = z.object({
  shop: z.string().min(1),
  paymentId: z.string().min(1),
  amount: z.string().min(1),
  currency: z.string().optional(),
  test: z.boolean().optional(),
  id: z.string().optional(),
});

const GRAPHQL_PATH = /^\/shops\/([^/]+)\/payments_apps\/api\/([^/]+)\/graphql\.json$/;
const CANCELLED_PATH = /^\/checkouts\/([A-Za-z0-9_-]+)\/cancelled$/;

function mergeAddress(base: ShopifyAddress, override: Partial<ShopifyAddress> | null | undefined): ShopifyAddress | undefined {
  if (override === null) return undefined;
  return { ...base, ...(override ?? {}) };
}

function buildCustomer(override: CustomerOverride | null | undefined, locale: string): ShopifyCustomer | undefined {
  if (override === null) return undefined;
  const base = defaultCustomer(locale);
  const o = override ?? {};
  const customer: ShopifyCustomer = {};
  const email = o.email === undefined ? base.email : o.email;
  if (email !== null) customer.email = email;
  const phone = o.phone_number === undefined ? base.phone_number : o.phone_number;
  if (phone !== null) customer.phone_number = phone;
  const loc = o.locale === undefined ? base.locale : o.locale;
  if (loc !== null) customer.locale = loc;
  const billing = mergeAddress(base.billing_address, o.billing_address);
  if (billing) customer.billing_address = billing;
  const shipping = mergeAddress(base.shipping_address, o.shipping_address);
  if (shipping) customer.shipping_address = shipping;
  return customer;
}

/** Validates a 2xx payment session answer: `{"redirect_url": "<absolute http(s) URL>"}` under 8192 bytes. */
function redirectUrlFrom(body: string): { url: string } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { error: "2xx answer is not JSON" };
  }
  const url = (json as { redirect_url?: unknown } | null)?.redirect_url;
  if (typeof url !== "string" || url === "") return { error: "2xx answer has no redirect_url" };
  if (Buffer.byteLength(body) >= MAX_REDIRECT_URL_BYTES) {
    return { error: `answer is ${Buffer.byteLength(body)} bytes (Shopify's limit is ${MAX_REDIRECT_URL_BYTES})` };
  }
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return { error: `redirect_url ${url} is not http(s)` };
  } catch {
    return { error: `redirect_url ${JSON.stringify(url)} is not an absolute URL` };
  }
  return { url };
}

function normalizeAmount(raw: string): string | null {
  const m = /^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$/.exec(raw);
  if (!m) return null;
  const intPart = String(Number(m[1]));
  const frac = (m[2] ?? "").padEnd(2, "0");
  if (Number(intPart) === 0 && Number(frac) === 0) return null;
  return `${intPart}.${frac}`;
}

export async function startShopifySimulator(opts: ShopifySimulatorOptions): Promise<ShopifySimulator> {
  // Loaded now, not at the first mutation: a missing or broken schema file stops the simulator (and the
  // demo) at start with the reason, instead of answering 500 to every payment later.
  simulatorSchema();
  const apiVersion = opts.apiVersion ?? DEFAULT_API_VERSION;
  const paymentSessionPath = opts.paymentSessionPath ?? "/payments/sessions";
  const refundSessionPath = opts.refundSessionPath ?? "/payments/refunds";
  const settlementPaths = {
    capture: opts.captureSessionPath ?? "/payments/captures",
    void: opts.voidSessionPath ?? "/payments/voids",
    confirmation: opts.confirmationCallbackPath ?? "/payments/confirmations",
  };
  const retryAttempts = Math.max(1, opts.retry?.attempts ?? 5);
  const retryDelays = opts.retry?.delaysMs?.length ? opts.retry.delaysMs : DEFAULT_RETRY_DELAYS_MS;
  const timeoutMs = opts.sessionRequestTimeoutMs ?? 10_000;
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => {});
  let appUrl = opts.appUrl.replace(/\/+$/, "");
  let baseUrl = "";

  const store = new SimStore({
    now,
    pendingExpiryLimitMs: opts.pendingExpiryLimitMs ?? 30 * 24 * 60 * 60 * 1000,
    orderStatusUrl: (shop, id) => `${baseUrl}/shops/${encodeURIComponent(shop)}/orders/${id}`,
    // Bound late: the settlement requests are built below, and no confirm can come before.
    onConfirmed: (session) => settlements.onConfirmed(session),
  });
  const calls: GraphqlCall[] = [];
  const sessionRequests: SessionRequestRecord[] = [];
  const confirmationRequests: SessionRequestRecord[] = [];
  /** Exact JSON sent for each session, so a replay is byte-identical. */
  const paymentJson = new Map<string, string>();
  const refundJson = new Map<string, string>();
  let faults: ShopifyFaults = {};
  let seq = 0;
  let closed = false;
  const hung = new Set<ServerResponse>();
  const outgoing = new Set<http.ClientRequest>();
  const sockets = new Set<Socket>();

  function addShop(input: ShopInput): SimShop {
    const shop: SimShop = {
      domain: input.domain,
      accessToken: input.accessToken,
      name: input.name ?? defaultShopName(input.domain),
      merchantLocale: input.merchantLocale ?? "it",
      currency: input.currency ?? "EUR",
      configuration: null,
      configurationHistory: [],
      oversellProtection: input.oversellProtection ?? true,
    };
    store.shops.set(shop.domain, shop);
    return shop;
  }
  for (const shop of opts.shops ?? []) addShop(shop);

  const adminApi = createAdminApi({
    apiVersion,
    appKey: opts.oauth?.clientId ?? "sim-app",
    shop: (domain) => store.shops.get(domain),
    now,
    log,
  });

  const oauth = createOAuth({
    options: opts.oauth,
    appUrl: () => appUrl,
    now,
    shop: (domain) => store.shops.get(domain),
    addShop,
    log,
  });

  const storefront = createStorefront({
    appUrl: () => appUrl,
    appSecret: () => opts.oauth?.clientSecret,
    hasShop: (domain) => store.shops.has(domain),
    appMetafieldValue: (shop) => adminApi.metafield(adminApi.appInstallationId(shop), "soisy", "widget")?.value,
    now,
    log,
  });

  function requireShop(domain: string): SimShop {
    const shop = store.shops.get(domain);
    if (!shop) throw new Error(`Shopify simulator: unknown shop ${domain} (add it with addShop)`);
    return shop;
  }

  const cancelUrl = (id: string) => `${baseUrl}/checkouts/${id}/cancelled`;

  /** Shopify's headers on every request to the app (plus the mTLS proof header a terminator would add). */
  function sessionHeaders(shop: string, requestId: string): Record<string, string> {
    return {
      "Content-Type": "application/json",
      Accept: "application/json",
      "User-Agent": "Shopify-Payments-Simulator/1.0",
      "Shopify-Shop-Domain": shop,
      "Shopify-Request-Id": requestId,
      "Shopify-Api-Version": apiVersion,
      ...(opts.proofHeader ? { [opts.proofHeader.name]: opts.proofHeader.value } : {}),
    };
  }

  /** Sends one session request with retries; `accept` decides whether an answer ends the retries. */
  async function deliver(
    record: SessionRequestRecord,
    json: string,
    accept: (status: number, body: string) => { ok: true; redirectUrl?: string } | { ok: false; error: string },
  ): Promise<{ ok: boolean; status: number | null; error?: string; redirectUrl?: string }> {
    let last: { ok: boolean; status: number | null; error?: string; redirectUrl?: string } = {
      ok: false,
      status: null,
      error: "not sent",
    };
    for (let n = 1; n <= retryAttempts; n++) {
      if (closed) break;
      const requestId = randomUUID();
      const headers = sessionHeaders(record.shop, requestId);
      const startedAt = now().toISOString();
      const result = await postRaw(record.url, headers, json, timeoutMs, outgoing);
      const attempt: SessionAttempt = {
        n,
        requestId,
        startedAt,
        durationMs: result.durationMs,
        status: result.status,
        responseBody: result.body,
      };
      if (result.status === null) {
        attempt.error = result.error ?? "network error";
        last = { ok: false, status: null, error: attempt.error };
      } else {
        const verdict = accept(result.status, result.body);
        if (verdict.ok) {
          record.attempts.push(attempt);
          return { ok: true, status: result.status, ...(verdict.redirectUrl ? { redirectUrl: verdict.redirectUrl } : {}) };
        }
        attempt.error = verdict.error;
        last = { ok: false, status: result.status, error: verdict.error };
      }
      record.attempts.push(attempt);
      log(`${record.kind} session ${record.id}: attempt ${n} failed (${attempt.error})`);
      if (n < retryAttempts && !closed) {
        await sleep(retryDelays[Math.min(n - 1, retryDelays.length - 1)] ?? 0);
      }
    }
    return last;
  }

  async function startPayment(input: StartPaymentInput): Promise<StartPaymentResult> {
    const shop = requireShop(input.shop);
    let session = input.id ? store.paymentSessions.get(input.id) : undefined;
    if (session && session.shop !== shop.domain) {
      throw new Error(`Shopify simulator: session ${session.id} belongs to ${session.shop}, not ${shop.domain}`);
    }
    if (!session) {
      const id = input.id ?? newSessionId();
      const gid = paymentSessionGid(id);
      const body: PaymentSessionRequestBody = {
        id,
        gid,
        group: input.group ?? newOpaqueToken(),
        session_id: newOpaqueToken(),
        amount: input.amount,
        currency: input.currency ?? shop.currency,
        test: input.test ?? false,
        merchant_locale: shop.merchantLocale,
        payment_method: { type: "offsite", data: { cancel_url: cancelUrl(id) } },
        proposed_at: shopifyTimestamp(now()),
        kind: input.kind ?? "sale",
      };
      const customer = buildCustomer(input.customer, input.locale ?? "it");
      if (customer) body.customer = customer;
      const sent = input.mutateBody ? input.mutateBody(structuredClone(body)) : body;
      session = {
        id,
        gid,
        shop: shop.domain,
        group: body.group,
        amount: body.amount,
        currency: body.currency,
        test: body.test,
        createdAt: now().toISOString(),
        cancelUrl: body.payment_method.data.cancel_url,
        request: sent,
        acknowledged: false,
        appRedirectUrl: null,
        state: { code: "AWAITING_APP" },
        pendingExpiresAt: null,
        authorizationExpiresAt: null,
        nextAction: null,
        mutations: [],
        kind: body.kind,
        inventoryAvailable: input.inventoryAvailable ?? true,
        confirmation: null,
      };
      store.paymentSessions.set(id, session);
      paymentJson.set(id, JSON.stringify(sent));
    } else if (session.state.code === "APP_FAILED") {
      session.state = { code: "AWAITING_APP" };
    }
    const current = session;
    const json = paymentJson.get(current.id) ?? JSON.stringify(current.request);
    const record: SessionRequestRecord = {
      kind: "payment",
      id: current.id,
      shop: shop.domain,
      url: `${appUrl}${paymentSessionPath}`,
      body: current.request,
      attempts: [],
      outcome: "in_flight",
    };
    sessionRequests.push(record);
    log(`payment session ${current.id} → ${record.url} (${current.amount} ${current.currency})`);

    const result = await deliver(record, json, (status, text) => {
      if (status < 200 || status > 299) return { ok: false, error: `HTTP ${status}` };
      const parsed = redirectUrlFrom(text);
      if ("error" in parsed) {
        if (!store.violations.some((v) => v.kind === "invalid_redirect_url" && v.sessionId === current.id)) {
          store.violation("invalid_redirect_url", current.id, parsed.error);
        }
        return { ok: false, error: parsed.error };
      }
      return { ok: true, redirectUrl: parsed.url };
    });

    if (result.ok && result.redirectUrl) {
      if (current.appRedirectUrl !== null && current.appRedirectUrl !== result.redirectUrl) {
        store.violation(
          "redirect_url_changed",
          current.id,
          `same payment session answered ${result.redirectUrl} after ${current.appRedirectUrl}`,
        );
      }
      current.appRedirectUrl ??= result.redirectUrl;
      current.acknowledged = true;
      if (current.state.code === "AWAITING_APP" || current.state.code === "APP_FAILED") {
        current.state = { code: "REDIRECTING" };
      }
      record.outcome = "succeeded";
      record.redirectUrl = result.redirectUrl;
    } else {
      if (!current.acknowledged) current.state = { code: "APP_FAILED" };
      record.outcome = "failed";
    }
    return {
      id: current.id,
      gid: current.gid,
      group: current.group,
      ok: result.ok,
      status: result.status,
      ...(result.redirectUrl ? { redirectUrl: result.redirectUrl } : {}),
      ...(result.error && !result.ok ? { error: result.error } : {}),
      attempts: record.attempts,
      request: current.request,
    };
  }

  async function startRefund(input: StartRefundInput): Promise<StartRefundResult> {
    const shop = requireShop(input.shop);
    let session = input.id ? store.refundSessions.get(input.id) : undefined;
    if (!session) {
      const id = input.id ?? newSessionId();
      const gid = refundSessionGid(id);
      const payment = store.paymentSessions.get(input.paymentId);
      const body: RefundSessionRequestBody = {
        id,
        gid,
        payment_id: input.paymentId,
        amount: input.amount,
        currency: input.currency ?? payment?.currency ?? shop.currency,
        test: input.test ?? payment?.test ?? false,
        merchant_locale: shop.merchantLocale,
        proposed_at: shopifyTimestamp(now()),
      };
      const sent = input.mutateBody ? input.mutateBody(structuredClone(body)) : body;
      session = {
        id,
        gid,
        shop: shop.domain,
        paymentId: input.paymentId,
        amount: body.amount,
        currency: body.currency,
        test: body.test,
        createdAt: now().toISOString(),
        request: sent,
        acknowledged: false,
        state: { code: "AWAITING_APP" },
        mutations: [],
      };
      store.refundSessions.set(id, session);
      refundJson.set(id, JSON.stringify(sent));
    } else if (session.state.code === "APP_FAILED") {
      session.state = { code: "AWAITING_APP" };
    }
    const current = session;
    const record: SessionRequestRecord = {
      kind: "refund",
      id: current.id,
      shop: shop.domain,
      url: `${appUrl}${refundSessionPath}`,
      body: current.request,
      attempts: [],
      outcome: "in_flight",
    };
    sessionRequests.push(record);
    log(`refund session ${current.id} → ${record.url} (${current.amount} ${current.currency})`);
    const json = refundJson.get(current.id) ?? JSON.stringify(current.request);
    const result = await deliverExpecting201(deliver, record, json, current);
    return {
      id: current.id,
      gid: current.gid,
      ok: result.ok,
      status: result.status,
      ...(result.error && !result.ok ? { error: result.error } : {}),
      attempts: record.attempts,
      request: current.request,
    };
  }

  const settlements = createSettlementRequests({
    store,
    requireShop,
    now,
    log,
    appUrl: () => appUrl,
    paths: settlementPaths,
    sessionHeaders,
    deliver,
    sessionRequests,
    confirmationRequests,
  });
  const orderRoutes = createOrderRoutes({ store, startRefund, startCapture: settlements.startCapture, startVoid: settlements.startVoid });

  // ----- GraphQL endpoint -----

  function takeFault(): { kind: "hang" } | { kind: "fail"; status: number } | { kind: "throttle"; retryAfter: number } | { kind: "fail_after_apply"; status: number } | null {
    if (faults.hangNext && faults.hangNext > 0) {
      faults.hangNext -= 1;
      return { kind: "hang" };
    }
    if (faults.failNext && faults.failNext.count > 0) {
      faults.failNext.count -= 1;
      return { kind: "fail", status: faults.failNext.status };
    }
    if (faults.throttleNext && faults.throttleNext.count > 0) {
      faults.throttleNext.count -= 1;
      return { kind: "throttle", retryAfter: faults.throttleNext.retryAfterSeconds };
    }
    if (faults.failAfterApplyNext && faults.failAfterApplyNext.count > 0) {
      faults.failAfterApplyNext.count -= 1;
      return { kind: "fail_after_apply", status: faults.failAfterApplyNext.status };
    }
    return null;
  }

  async function handleGraphql(req: IncomingMessage, res: ServerResponse, shopDomain: string, version: string) {
    const started = performance.now();
    const raw = await readBody(req);
    const shop = store.shops.get(shopDomain);
    const tokenHeader = req.headers["x-shopify-access-token"];
    const token = Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader;
    // Body first, so faulted calls still show what was attempted.
    const body = parseGraphqlBody(raw, String(req.headers["content-type"] ?? ""));
    const call: GraphqlCall = {
      ...newGraphqlCall(
        { seq: ++seq, at: now().toISOString(), shop: shopDomain, apiVersion: version, tokenOk: token === undefined ? null : shop !== undefined && token === shop.accessToken },
        body,
      ),
      durationMs: null,
    };
    calls.push(call);
    const requestedOperationName = call.operationName;

    const respond = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      call.responseBody = payload;
      call.durationMs = Math.round(performance.now() - started);
      sendJson(res, status, payload, {
        "X-Request-Id": randomUUID(),
        "X-Shopify-API-Version": apiVersion,
        ...headers,
      });
    };

    const fault = takeFault();
    if (fault?.kind === "hang") {
      call.fault = "hang";
      hung.add(res);
      log(`graphql #${call.seq}: hanging (fault)`);
      return;
    }
    if (faults.latencyMs) await sleep(faults.latencyMs);
    if (fault?.kind === "fail") {
      call.fault = "fail";
      return respond(fault.status, { errors: fault.status === 503 ? "Service Unavailable" : "Internal Server Error" });
    }
    if (fault?.kind === "throttle") {
      call.fault = "throttle";
      return respond(
        429,
        { errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." },
        { "Retry-After": String(fault.retryAfter) },
      );
    }

    if (!shop) return respond(404, { errors: "Not Found" });
    if (version !== apiVersion) return respond(404, { errors: "Not Found" });
    if (call.tokenOk !== true) return respond(401, INVALID_TOKEN_BODY);
    if (!body || typeof body.query !== "string" || body.query.trim() === "") {
      return respond(400, { errors: { query: "Required parameter missing or invalid" } });
    }

    const prepared = prepareDocument(body.query, requestedOperationName);
    call.operationName = prepared.operationName;
    call.rootFields = prepared.rootFields;
    if (prepared.errors.length > 0 || !prepared.document) {
      call.validationErrors = prepared.errors.map((e) => ({
        message: e.message,
        ...(e.locations ? { locations: e.locations } : {}),
      }));
      log(`graphql #${call.seq}: invalid document (${prepared.errors.map((e) => e.message).join("; ")})`);
      return respond(200, { errors: prepared.errors.map((e) => e.toJSON()) });
    }
    const result = await executeDocument({
      document: prepared.document,
      variables: call.variables,
      operationName: requestedOperationName,
      shop,
      store,
      apiVersion,
    });
    const payload: Record<string, unknown> = {};
    if (result.errors) payload.errors = result.errors.map((e) => e.toJSON());
    if (result.data !== undefined) payload.data = result.data;
    const cost = 10 * Math.max(1, prepared.rootFields.length);
    payload.extensions = {
      cost: {
        requestedQueryCost: cost,
        actualQueryCost: result.data ? cost : 0,
        throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2000 - cost, restoreRate: 100 },
      },
    };
    log(`graphql #${call.seq}: ${prepared.operationName ?? prepared.rootFields.join(",")}`);
    if (fault?.kind === "fail_after_apply") {
      // Executed and recorded on the session, but the app only sees a 5xx (a lost response).
      call.fault = "fail_after_apply";
      return respond(fault.status, { errors: "Internal Server Error" });
    }
    return respond(200, payload);
  }

  // ----- pages -----

  function checkoutValuesFrom(form: URLSearchParams, defaults: CheckoutFormValues): CheckoutFormValues {
    const get = (k: keyof CheckoutFormValues) => form.get(k) ?? String(defaults[k]);
    return {
      shop: get("shop"),
      amount: get("amount"),
      currency: get("currency"),
      test: form.get("test") === "true" || form.get("test") === "on",
      email: get("email"),
      phone_number: get("phone_number"),
      given_name: get("given_name"),
      family_name: get("family_name"),
      line1: get("line1"),
      line2: get("line2"),
      city: get("city"),
      postal_code: get("postal_code"),
      province: get("province"),
      province_code: get("province_code"),
      country_code: get("country_code"),
      kind: form.get("kind") === "authorization" ? "authorization" : "sale",
      inventory: form.get("inventory") === "gone" ? "gone" : "available",
    };
  }

  /** GET /checkout?shop=&amount=&currency= (the storefront cart's "Check out", the demo hub): those fields prefilled. */
  function prefilledCheckoutValues(shops: SimShop[], query: URLSearchParams): CheckoutFormValues {
    const shop = query.get("shop");
    const values = defaultCheckoutValues(shop && store.shops.has(shop) ? shop : (shops[0]?.domain ?? ""));
    const amount = normalizeAmount(query.get("amount") ?? "");
    if (amount) values.amount = amount;
    const currency = query.get("currency")?.toUpperCase();
    if (currency && /^[A-Z]{3}$/.test(currency)) values.currency = currency;
    if (query.get("kind") === "authorization") values.kind = "authorization";
    if (query.get("inventory") === "gone") values.inventory = "gone";
    return values;
  }

  async function handleCheckoutPost(req: IncomingMessage, res: ServerResponse) {
    const form = new URLSearchParams(await readBody(req));
    const shops = [...store.shops.values()];
    const values = checkoutValuesFrom(form, defaultCheckoutValues(shops[0]?.domain ?? ""));
    const shop = store.shops.get(values.shop);
    if (!shop) {
      return sendHtml(res, 400, checkoutPage({ shops, values, error: `Negozio sconosciuto / Unknown shop: ${values.shop}` }));
    }
    const amount = normalizeAmount(values.amount);
    if (!amount) {
      return sendHtml(
        res,
        400,
        checkoutPage({ shops, values, error: "Importo non valido / Invalid amount (es. / e.g. 450,00)" }),
      );
    }
    const address: Partial<ShopifyAddress> = {
      given_name: values.given_name,
      family_name: values.family_name,
      line1: values.line1,
      line2: values.line2,
      city: values.city,
      postal_code: values.postal_code,
      province: values.province,
      province_code: values.province_code,
      country_code: values.country_code.toUpperCase(),
      phone_number: values.phone_number,
    };
    const result = await startPayment({
      shop: shop.domain,
      amount,
      currency: values.currency,
      test: values.test,
      kind: values.kind,
      inventoryAvailable: values.inventory === "available",
      customer: {
        email: values.email || null,
        phone_number: values.phone_number || null,
        billing_address: address,
        shipping_address: address,
      },
    });
    if (result.ok && result.redirectUrl) {
      res.writeHead(303, { Location: result.redirectUrl, "Cache-Control": "no-store" });
      res.end();
      return;
    }
    sendHtml(res, 502, appFailedPage({ sessionId: result.id, error: result.error, attempts: result.attempts }));
  }

  function stateDump(): Record<string, unknown> {
    return {
      url: baseUrl,
      apiVersion,
      appUrl,
      paymentsApiUrlTemplate: `${baseUrl}/shops/{shop}`,
      shops: [...store.shops.values()].map((s) => ({
        domain: s.domain,
        merchantLocale: s.merchantLocale,
        currency: s.currency,
        configuration: s.configuration,
        configurationHistory: s.configurationHistory,
      })),
      paymentSessions: [...store.paymentSessions.values()],
      refundSessions: [...store.refundSessions.values()],
      captureSessions: [...store.captures.sessions.values()],
      voidSessions: [...store.voids.sessions.values()],
      violations: store.violations,
      faults,
      oauthTokenRequests: oauth.tokenRequests,
      adminApi: adminApi.state(),
      sessionRequests,
      calls,
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sim.invalid");
    const path = url.pathname;
    const method = req.method ?? "GET";

    if (await adminApi.route(req, res, url)) return;

    const gql = GRAPHQL_PATH.exec(path);
    if (gql) {
      if (method !== "POST") {
        return sendJson(res, 405, { errors: "Method Not Allowed" }, { Allow: "POST" });
      }
      return handleGraphql(req, res, decodeURIComponent(gql[1] ?? ""), decodeURIComponent(gql[2] ?? ""));
    }

    if (await oauth.route(req, res, url)) return;
    if (await storefront.route(req, res, url)) return;

    if (await orderRoutes.route(req, res, url)) return;

    const cancelled = CANCELLED_PATH.exec(path);
    if (cancelled && method === "GET") {
      return sendHtml(res, 200, cancelledPage(store.paymentSessions.get(cancelled[1] ?? "")));
    }

    if (path === "/" && method === "GET") {
      res.writeHead(302, { Location: "/checkout" });
      res.end();
      return;
    }
    if (path === "/checkout" && method === "GET") {
      const shops = [...store.shops.values()];
      return sendHtml(res, 200, checkoutPage({ shops, values: prefilledCheckoutValues(shops, url.searchParams) }));
    }
    if (path === "/checkout" && method === "POST") return handleCheckoutPost(req, res);
    if (path === "/healthz") return sendJson(res, 200, { ok: true });

    if (path === "/_sim/state" && method === "GET") return sendJson(res, 200, stateDump());
    if (path === "/_sim/faults") {
      if (method === "GET") return sendJson(res, 200, faults);
      if (method === "DELETE") {
        faults = {};
        return sendJson(res, 200, faults);
      }
      if (method === "POST") {
        let parsed;
        try {
          parsed = faultsSchema.safeParse(JSON.parse(await readBody(req)));
        } catch {
          return sendJson(res, 400, { error: "body is not JSON" });
        }
        if (!parsed.success) return sendJson(res, 400, { error: z.prettifyError(parsed.error) });
        setFaults(parsed.data);
        return sendJson(res, 200, faults);
      }
    }
    if (path === "/_sim/payments" && method === "POST") {
      let parsed;
      try {
        parsed = startPaymentSchema.safeParse(JSON.parse(await readBody(req)));
      } catch {
        return sendJson(res, 400, { error: "body is not JSON" });
      }
      if (!parsed.success) return sendJson(res, 400, { error: z.prettifyError(parsed.error) });
      if (!store.shops.has(parsed.data.shop)) return sendJson(res, 404, { error: `unknown shop ${parsed.data.shop}` });
      const { customer, ...rest } = parsed.data;
      const input: StartPaymentInput = { ...rest };
      if (customer !== undefined) input.customer = customer as CustomerOverride | null;
      return sendJson(res, 200, await startPayment(input));
    }
    if (path === "/_sim/refunds" && method === "POST") {
      let parsed;
      try {
        parsed = startRefundSchema.safeParse(JSON.parse(await readBody(req)));
      } catch {
        return sendJson(res, 400, { error: "body is not JSON" });
      }
      if (!parsed.success) return sendJson(res, 400, { error: z.prettifyError(parsed.error) });
      if (!store.shops.has(parsed.data.shop)) return sendJson(res, 404, { error: `unknown shop ${parsed.data.shop}` });
      return sendJson(res, 200, await startRefund(parsed.data));
    }

    if (path.startsWith("/_sim/")) return sendJson(res, 404, { error: "Not Found" });
    return sendHtml(res, 404, notFoundPage());
  }

  function setFaults(next: ShopifyFaults): void {
    faults = { ...faults, ...structuredClone(next) };
    log(`faults: ${JSON.stringify(faults)}`);
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { errors: "Request Entity Too Large" });
      log(`internal error: ${error instanceof Error ? error.stack : String(error)}`);
      sendJson(res, 500, { errors: "Internal Server Error" });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  baseUrl = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;

  return {
    url: baseUrl,
    paymentsApiUrlTemplate: `${baseUrl}/shops/{shop}`,
    apiVersion,
    graphqlUrl: (shop, version = apiVersion) =>
      `${baseUrl}/shops/${encodeURIComponent(shop)}/payments_apps/api/${version}/graphql.json`,
    orderStatusUrl: (shop, id) => `${baseUrl}/shops/${encodeURIComponent(shop)}/orders/${id}`,
    cancelUrl,
    get appUrl() {
      return appUrl;
    },
    setAppUrl(next: string) {
      appUrl = next.replace(/\/+$/, "");
    },
    addShop,
    shop: (domain) => store.shops.get(domain),
    startPayment,
    startRefund,
    startCapture: settlements.startCapture,
    startVoid: settlements.startVoid,
    buildConfirmationCallback: settlements.buildConfirmationCallback,
    setConfirmationBehaviour: settlements.setConfirmationBehaviour,
    sendConfirmationCallback: settlements.sendConfirmationCallback,
    confirmationRequests,
    calls,
    sessionRequests,
    paymentSessions: store.paymentSessions,
    adminApi,
    metafields: (ownerGid) => adminApi.metafields(ownerGid),
    refundSessions: store.refundSessions,
    captureSessions: store.captures.sessions,
    voidSessions: store.voids.sessions,
    violations: store.violations,
    oauthTokenRequests: oauth.tokenRequests,
    authorizeUrl: (shop) => `${baseUrl}/shops/${encodeURIComponent(shop)}/admin/oauth/authorize`,
    storefront,
    setFaults,
    clearFaults() {
      faults = {};
    },
    faults: () => structuredClone(faults),
    state: () => JSON.parse(JSON.stringify(stateDump())) as Record<string, unknown>,
    async close() {
      if (closed) return;
      closed = true;
      settlements.stopConfirmations();
      for (const res of hung) res.destroy();
      hung.clear();
      for (const req of outgoing) req.destroy();
      outgoing.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}
