/**
 * HTTP client for Soisy's API (docs/soisy-api.md).
 *
 * - Authenticated calls send the shop id in the path and the API key in `X-Auth-Token`; the public
 *   ones (shop info, loan quotes) send no key at all.
 * - POST bodies are `application/x-www-form-urlencoded` (what Soisy's plugins send); undefined
 *   fields are omitted and booleans are sent as "1" / "0", exactly what PHP's http_build_query
 *   produces for the official plugins. The loan-quotes query string uses "true" / "false" like
 *   Soisy's own loan-quote widget. `bodyEncoding: "json"` switches POST bodies to JSON.
 * - Inputs are validated with zod before anything is sent; responses are validated too.
 * - Requests go through app/http/outgoing.server.ts: every attempt has its own timeout (headers and
 *   body), bodies are capped (maxResponseBytes), and `getOrder` takes an overall deadline. Only idempotent GETs are retried, on
 *   network errors, timeouts, 5xx/408/429, with a small exponential backoff with jitter. POSTs are
 *   never retried: a failed POST may still have been processed by Soisy. `matchTrigger` (suspended
 *   orders) returns its outcomes as values: triggered / refused with a reason / unknown (match-trigger.ts).
 * - Redirects are not followed (a redirect would carry the X-Auth-Token header to another host).
 * - The API key never reaches a log line or an error (see errors.ts).
 */
import { z } from "zod";
import { DEFAULT_OUTGOING_MAX_BYTES, outgoingRequest, remainingMs } from "~/http/outgoing.server";
import { logger as defaultLogger, type Logger } from "~/logger.server";
import {
  SoisyBadResponseError,
  SoisyError,
  SoisyNetworkError,
  SoisyTimeoutError,
  SoisyValidationError,
  issuesToFields,
  soisyErrorFromResponse,
  summarizeIssues,
} from "./errors";
import {
  ApproveRequestInputSchema,
  ApproveRequestResponseSchema,
  CreateOrderInputSchema,
  CreateOrderResponseSchema,
  CreateRequestInputSchema,
  CreateRequestResponseSchema,
  FiscalCodeSchema,
  LoanQuotesQuerySchema,
  LoanQuotesSchema,
  OrderStatusSchema,
  ShopInfoSchema,
  approveDecisionOf,
  isKnownOrderStatus,
  type ApproveRequestInput,
  type ApproveRequestResult,
  type CreateOrderInput,
  type CreateOrderResult,
  type CreateRequestInput,
  type CreateRequestResponse,
  type LoanQuotes,
  type LoanQuotesQuery,
  type OrderStatus,
  type ShopInfo,
  type SoisyEnvironment,
} from "./types";
import {
  MatchTriggerAmountSchema,
  matchTriggerErrorFromResponse,
  matchTriggerFailure,
  type MatchTriggerResult,
} from "./match-trigger";
import { ListOrdersQuerySchema, OrdersCsvError, parseOrdersCsv, romeDay, type ListOrdersQuery, type ParsedOrdersCsv } from "./orders-csv";
import { assertEnvironment, normalizeBaseUrl, soisyApiBaseUrl, soisyWebappUrl, type Env } from "./urls.server";


export interface SoisyClientOptions {
  environment: SoisyEnvironment;
  shopId: string;
  apiKey: string;
  /** Overrides soisyApiBaseUrl(environment). */
  baseUrl?: string;
  /** Per attempt. Default 10000. */
  timeoutMs?: number;
  /** Extra attempts for idempotent GETs. Default 2. */
  getRetries?: number;
  /** First backoff delay; doubles per retry (capped at 2 s), with ±50 % jitter. Default 200. */
  retryBaseDelayMs?: number;
  /** Largest accepted response body in bytes. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Largest accepted order list (listOrders) in bytes. Default 16 MiB. */
  maxListBytes?: number;
  /** Encoding of POST bodies. Default "form". */
  bodyEncoding?: "form" | "json";
  logger?: Logger;
  fetch?: typeof fetch;
  /** Used for the fallback webapp URL (SOISY_WEBAPP_URL). Default process.env. */
  env?: Env;
}

export interface SoisyClient {
  readonly environment: SoisyEnvironment;
  readonly shopId: string;
  readonly baseUrl: string;
  /** Step 1. Not retried. `redirectUrl` falls back to soisyWebappUrl when Soisy omits it. */
  createOrder(input: CreateOrderInput): Promise<CreateOrderResult>;
  /**
   * Retried. Unknown statuses are returned as they are (and logged). `deadlineAt` (epoch ms) bounds
   * ALL attempts and backoff sleeps together: past it the call fails with a SoisyTimeoutError.
   */
  getOrder(token: string, options?: { deadlineAt?: number }): Promise<OrderStatus>;
  /** No auth. Retried. */
  loanQuotes(query: LoanQuotesQuery): Promise<LoanQuotes>;
  /** No auth. Retried. */
  shopInfo(): Promise<ShopInfo>;
  /** Step 2, first call. Not retried. */
  createRequest(input: CreateRequestInput): Promise<CreateRequestResponse>;
  /** Step 2, approval. Not retried. */
  approveRequest(fiscalCode: string, input: ApproveRequestInput): Promise<ApproveRequestResult>;
  /**
   * Suspended orders: releases the funding of `amountCents` (≤ the loan; lower = partial funding, one
   * trigger per order). Not retried. Outcomes are values (match-trigger.ts): `triggered`, `refused`
   * with a reason, or `unknown` (timeout, network, 5xx…: Soisy may have triggered — confirm with
   * getOrder). Throws SoisyValidationError (origin "client") for a bad token or amount, before any call.
   */
  matchTrigger(token: string, amountCents: number): Promise<MatchTriggerResult>;
  /**
   * The shop's orders as CSV (orders-csv.ts): filters sent as Italian calendar days. Retried like every
   * GET; bounded by `maxListBytes`. Invalid rows are skipped and counted in the result, not thrown.
   */
  listOrders(query?: ListOrdersQuery): Promise<ParsedOrdersCsv>;
}

type Primitive = string | number | boolean;

interface CallSpec<S extends z.ZodType> {
  method: "GET" | "POST";
  /** Path below /api/shops/{shopId}, already encoded ("" for shop info). */
  subpath: string;
  /** The same path with personal data masked, for logs and errors. */
  logSubpath?: string;
  auth: boolean;
  query?: Record<string, Primitive | undefined>;
  body?: Record<string, Primitive | undefined>;
  schema: S;
  /** Short operation name for logs. */
  op: string;
  /** Absolute end (epoch ms) of the whole call, retries included. */
  deadlineAt?: number;
  /** A 2xx body is not read (e.g. match-trigger's 204): `schema` then parses `null`. */
  ignoreBody?: boolean;
  /** Replaces soisyErrorFromResponse for non-2xx answers. */
  errorFromResponse?: typeof soisyErrorFromResponse;
  /** A text answer (the order list's CSV): sent as Accept, `schema` parses the body text as it is. */
  textAccept?: string;
  /** Overrides maxResponseBytes for this call. */
  maxBytes?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function formEncode(values: Record<string, Primitive | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    params.append(key, typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  }
  return params.toString();
}

function jsonEncode(values: Record<string, Primitive | undefined>): string {
  const out: Record<string, Primitive> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = value;
  return JSON.stringify(out);
}

function validateInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const { fields, generalErrors } = issuesToFields(result.error.issues);
  throw new SoisyValidationError({ origin: "client", fields, generalErrors, message: `Invalid ${what} for Soisy` });
}

export function createSoisyClient(opts: SoisyClientOptions): SoisyClient {
  assertEnvironment(opts.environment);
  const shopId = typeof opts.shopId === "string" ? opts.shopId.trim() : "";
  const apiKey = typeof opts.apiKey === "string" ? opts.apiKey : "";
  if (!shopId) throw new Error("Soisy client: shopId is required");
  if (!apiKey.trim()) throw new Error("Soisy client: apiKey is required");
  if (/[\r\n]/.test(apiKey)) throw new Error("Soisy client: apiKey contains invalid characters");

  const environment = opts.environment;
  const baseUrl = opts.baseUrl ? normalizeBaseUrl(opts.baseUrl, "baseUrl") : soisyApiBaseUrl(environment);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const getRetries = opts.getRetries ?? 2;
  const retryBaseDelayMs = opts.retryBaseDelayMs ?? 200;
  const bodyEncoding = opts.bodyEncoding ?? "form";
  const maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_OUTGOING_MAX_BYTES;
  const maxListBytes = opts.maxListBytes ?? 16 * 1024 * 1024;
  const doFetch = opts.fetch ?? globalThis.fetch;
  const env = opts.env ?? process.env;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error("Soisy client: timeoutMs must be > 0");
  if (!Number.isInteger(getRetries) || getRetries < 0 || getRetries > 10) {
    throw new Error("Soisy client: getRetries must be an integer between 0 and 10");
  }
  const log = (opts.logger ?? defaultLogger).child({ component: "soisy-client", environment, shopId });
  const secrets = [apiKey];
  const shopPath = `/api/shops/${encodeURIComponent(shopId)}`;

  async function attempt<S extends z.ZodType>(spec: CallSpec<S>, attemptNo: number): Promise<z.output<S>> {
    const query = spec.query ? formEncodeQuery(spec.query) : "";
    const url = `${baseUrl}${shopPath}${spec.subpath}${query ? `?${query}` : ""}`;
    const logPath = `${shopPath}${spec.logSubpath ?? spec.subpath}${query ? `?${query}` : ""}`;
    const ctx = { method: spec.method, path: logPath, secrets };
    const headers: Record<string, string> = { Accept: spec.textAccept ?? "application/json" };
    if (spec.auth) headers["X-Auth-Token"] = apiKey;
    let body: string | undefined;
    if (spec.body) {
      body = bodyEncoding === "json" ? jsonEncode(spec.body) : formEncode(spec.body);
      headers["Content-Type"] =
        bodyEncoding === "json" ? "application/json" : "application/x-www-form-urlencoded;charset=UTF-8";
    }

    const result = await outgoingRequest({
      url,
      method: spec.method,
      headers,
      body,
      timeoutMs,
      deadlineAt: spec.deadlineAt,
      maxBytes: spec.maxBytes ?? maxResponseBytes,
      fetch: doFetch,
    });
    if (result.kind === "timeout" || result.kind === "network" || result.kind === "too_large") {
      const err =
        result.kind === "timeout"
          ? new SoisyTimeoutError({ ...ctx, timeoutMs: result.timeoutMs, cause: new Error(result.message) })
          : result.kind === "network"
            ? new SoisyNetworkError({ ...ctx, cause: new Error(result.message) })
            : new SoisyBadResponseError({ ...ctx, status: result.status, reason: result.message });
      log.debug(
        { op: spec.op, method: spec.method, path: logPath, attempt: attemptNo, durationMs: result.durationMs, error: err.kind },
        "soisy call failed",
      );
      throw err;
    }
    const text = result.bodyText;
    const elapsed = () => result.durationMs;
    const status = result.status;
    log.debug(
      { op: spec.op, method: spec.method, path: logPath, attempt: attemptNo, status, durationMs: elapsed() },
      "soisy call",
    );
    if (status < 200 || status > 299) throw (spec.errorFromResponse ?? soisyErrorFromResponse)({ ...ctx, status, bodyText: text });

    let json: unknown = spec.textAccept ? text : null;
    if (!spec.ignoreBody && !spec.textAccept) {
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        throw new SoisyBadResponseError({ ...ctx, status, reason: "the body is not JSON" });
      }
    }
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      throw new SoisyBadResponseError({
        ...ctx,
        status,
        reason: "the body does not match the expected schema",
        issues: summarizeIssues(parsed.error.issues),
      });
    }
    return parsed.data;
  }

  async function call<S extends z.ZodType>(spec: CallSpec<S>): Promise<z.output<S>> {
    const maxAttempts = spec.method === "GET" ? 1 + getRetries : 1;
    for (let attemptNo = 1; ; attemptNo++) {
      try {
        return await attempt(spec, attemptNo);
      } catch (error) {
        const retryable = error instanceof SoisyError && error.retryable;
        if (!retryable || attemptNo >= maxAttempts) throw error;
        const base = Math.min(2000, retryBaseDelayMs * 2 ** (attemptNo - 1));
        const delay = Math.round(base * (0.5 + Math.random() * 0.5));
        // No time left for the sleep and a useful attempt: give up with the last error.
        if (remainingMs(spec.deadlineAt) < delay + 50) throw error;
        log.debug({ op: spec.op, attempt: attemptNo, delayMs: delay, error: (error as SoisyError).kind }, "soisy retry");
        await sleep(delay);
      }
    }
  }

  function formEncodeQuery(query: Record<string, Primitive | undefined>): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.append(key, String(value));
    }
    return params.toString();
  }

  /** An authenticated POST of validated data (never retried). `logSubpath` masks personal data in the path. */
  function post<S extends z.ZodType>(op: string, subpath: string, body: CallSpec<S>["body"], schema: S, logSubpath?: string) {
    return call({ op, method: "POST", subpath, logSubpath, auth: true, body, schema });
  }

  function checkToken(token: unknown): string {
    if (typeof token !== "string" || token.trim() === "" || token.length > 255) {
      throw new SoisyValidationError({ origin: "client", fields: { token: ["must be a non-empty string"] } });
    }
    return token;
  }

  return {
    environment,
    shopId,
    baseUrl,

    async createOrder(input) {
      const data = validateInput(CreateOrderInputSchema, input, "order");
      const res = await post("createOrder", "/orders", data, CreateOrderResponseSchema);
      if (res.redirectUrl) return { token: res.token, redirectUrl: res.redirectUrl, redirectUrlSource: "soisy" };
      log.warn({ op: "createOrder" }, "Soisy answered without a usable redirectUrl: using the webapp fallback URL");
      return {
        token: res.token,
        redirectUrl: soisyWebappUrl(environment, shopId, res.token, env),
        redirectUrlSource: "fallback",
      };
    },

    async getOrder(token, options) {
      const t = checkToken(token);
      const order = await call({
        op: "getOrder",
        deadlineAt: options?.deadlineAt,
        method: "GET",
        subpath: `/orders/${encodeURIComponent(t)}`,
        auth: true,
        schema: OrderStatusSchema,
      });
      if (order.token !== t) {
        throw new SoisyBadResponseError({
          method: "GET",
          path: `${shopPath}/orders/${encodeURIComponent(t)}`,
          reason: "the order in the response has a different token",
        });
      }
      if (!isKnownOrderStatus(order.status)) {
        log.warn({ op: "getOrder", status: order.status }, "unknown Soisy order status");
      }
      return order;
    },

    async loanQuotes(query) {
      const q = validateInput(LoanQuotesQuerySchema, query, "loan quote query");
      return call({
        op: "loanQuotes",
        method: "GET",
        subpath: "/loan-quotes",
        auth: false,
        query: {
          amount: q.amount,
          instalments: q.instalments,
          zeroInterestRate: q.zeroInterestRate === undefined ? undefined : String(q.zeroInterestRate),
        },
        schema: LoanQuotesSchema,
      });
    },

    async shopInfo() {
      return call({ op: "shopInfo", method: "GET", subpath: "", auth: false, schema: ShopInfoSchema });
    },

    async createRequest(input) {
      const data = validateInput(CreateRequestInputSchema, input, "request");
      return post("createRequest", "/requests", data, CreateRequestResponseSchema);
    },

    async approveRequest(fiscalCode, input) {
      const fc = FiscalCodeSchema.safeParse(fiscalCode);
      if (!fc.success) {
        throw new SoisyValidationError({ origin: "client", fields: { fiscalCode: fc.error.issues.map((i) => i.message) } });
      }
      const data = validateInput(ApproveRequestInputSchema, input, "approval");
      const response = await post("approveRequest", `/requests/${encodeURIComponent(fc.data)}`, data, ApproveRequestResponseSchema, "/requests/[fiscalCode]");
      const decision = approveDecisionOf(response);
      if (decision === "unknown") {
        log.warn({ op: "approveRequest" }, "Soisy approval response has no clear outcome: confirm by callback / getOrder");
      }
      if (response.redirectUrl) return { decision, redirectUrl: response.redirectUrl, redirectUrlSource: "soisy", response };
      if (decision === "approved") {
        return {
          decision,
          redirectUrl: soisyWebappUrl(environment, shopId, data.orderToken, env),
          redirectUrlSource: "fallback",
          response,
        };
      }
      return { decision, redirectUrl: null, redirectUrlSource: null, response };
    },

    async matchTrigger(token, amountCents) {
      const t = checkToken(token);
      const amount = MatchTriggerAmountSchema.safeParse(amountCents);
      if (!amount.success) {
        throw new SoisyValidationError({ origin: "client", fields: { amount: amount.error.issues.map((i) => i.message) } });
      }
      try {
        await call({
          op: "matchTrigger",
          method: "POST",
          subpath: `/orders/${encodeURIComponent(t)}/match-trigger`,
          auth: true,
          body: { amount: amount.data },
          schema: z.null(),
          ignoreBody: true,
          errorFromResponse: matchTriggerErrorFromResponse,
        });
      } catch (error) {
        if (!(error instanceof SoisyError)) throw error;
        const result = matchTriggerFailure(error);
        if (result.outcome === "unknown") {
          log.warn({ op: "matchTrigger", error: error.kind, status: error.status }, "match-trigger outcome unknown: confirm with getOrder");
        } else {
          log.info({ op: "matchTrigger", reason: result.reason, status: error.status }, "Soisy refused the match-trigger");
        }
        return result;
      }
      return { outcome: "triggered", token: t, amountCents: amount.data };
    },

    async listOrders(query = {}) {
      const q = validateInput(ListOrdersQuerySchema, query, "order list query");
      const text = await call({
        op: "listOrders",
        method: "GET",
        subpath: "/orders",
        auth: true,
        query: {
          fromCreatedAt: q.fromCreatedAt ? romeDay(q.fromCreatedAt) : undefined,
          fromDisbursedAt: q.fromDisbursedAt ? romeDay(q.fromDisbursedAt) : undefined,
          status: q.status,
        },
        schema: z.string(),
        textAccept: "text/csv",
        maxBytes: maxListBytes,
      });
      try {
        const parsed = parseOrdersCsv(text);
        const summary = { op: "listOrders", rows: parsed.orders.length, skipped: parsed.skipped, unknownColumns: parsed.unknownColumns };
        if (parsed.skipped > 0) log.warn({ ...summary, skippedRows: parsed.skippedRows }, "Soisy order list: unreadable rows skipped");
        else log.debug(summary, "Soisy order list read");
        return parsed;
      } catch (error) {
        if (!(error instanceof OrdersCsvError)) throw error;
        throw new SoisyBadResponseError({ method: "GET", path: `${shopPath}/orders`, status: 200, reason: error.message });
      }
    },
  };
}
