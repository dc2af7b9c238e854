/**
 * A real HTTP simulator of Soisy's API, its shopper webapp and its callbacks, faithful to
 * docs/soisy-api.md. Rules and endpoints are documented in README.md next to this file.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { z } from "zod";
import { fiscalCodeCheckCharOk, UNKNOWN_POSTAL_CODE } from "./fiscal-code";
import { computeQuotes, type SimQuotes } from "./quotes";
import {
  CITIZENSHIPS,
  FieldCollector,
  JOB_DESCRIPTIONS,
  MESSAGES,
  PATTERNS,
  readAmount,
  readBool,
  readEnum,
  readInstalments,
  readPattern,
  readString,
  readUrl,
  type FieldErrors,
  type RawBody,
} from "./validation";
import { renderNotFoundPage, renderWebappPage } from "./webapp";

/* ------------------------------------------------------------------------------------------------
 * Public types
 * ---------------------------------------------------------------------------------------------- */

export interface SimShopConfig {
  shopId: string;
  apiKey: string;
  /** Default true. */
  active?: boolean;
  /** Zero-interest contract. Default true (so "tasso zero" can be exercised). */
  zeroInterestRate?: boolean;
  /** Default 60. */
  maxLoanInstalmentsNumber?: number;
}

export interface SimLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface SoisySimulatorOptions {
  /** 0 (default) = random free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default: [{ shopId: "partnershop", apiKey: "partnerkey" }]. */
  shops?: SimShopConfig[];
  /** Base of the webapp URLs handed out in redirectUrl. Default: the simulator's own url. */
  publicUrl?: string;
  /** Delay before each callback is sent. Default 0. */
  callbackDelayMs?: number;
  /** Per-callback timeout. Default 5000. */
  callbackTimeoutMs?: number;
  /**
   * Step 2 also checks the fiscal code's check character (incl. omocodia), as Soisy does. Default
   * true; `false` checks the shape only (16 letters/digits), for a test that wants Soisy lax.
   */
  strictFiscalCodes?: boolean;
  logger?: SimLogger;
}

export const SimFaultsSchema = z
  .object({
    /** Added to every matching API request. */
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** The next `count` matching API requests answer `status` with `{"error": "Simulated failure"}`. */
    failNext: z
      .object({ count: z.number().int().min(0), status: z.number().int().min(400).max(599) })
      .strict()
      .optional(),
    /** The next N matching API requests never answer (until close()). */
    hangNext: z.number().int().min(0).optional(),
    /** Every callback is sent twice. */
    duplicateCallbacks: z.boolean().optional(),
    /** When several callbacks are due at once, they are sent in reverse order. */
    outOfOrderCallbacks: z.boolean().optional(),
    /** Only API requests whose path (with query) contains this substring are affected. */
    match: z.string().min(1).optional(),
  })
  .strict();
export type SimFaults = z.infer<typeof SimFaultsSchema>;

export const SIM_EVENTS = {
  LoanWasApproved: { message: "loan approved", status: "request_accepted" },
  RequestCompleted: { message: "waiting for verification", status: "waiting_for_verification" },
  LoanWasVerified: { message: "waiting for disbursement", status: "waiting_for_disbursement" },
  LoanWasDisbursed: { message: "payment received", status: "disbursed" },
  UserWasRejected: { message: "payment failed", status: "cancelled" },
} as const;
export type SimEventId = keyof typeof SIM_EVENTS;

export function isSimEventId(value: unknown): value is SimEventId {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(SIM_EVENTS, value);
}

export interface SimOrder {
  token: string;
  shopId: string;
  status: string;
  /** Cents; null when the merchant did not send it (the webapp then asks for it). */
  amount: number | null;
  /** Cents the merchant receives (amount minus Soisy's commission). */
  netAmount: number | null;
  instalments: number | null;
  /** True when the merchant sent `instalments` (the shopper cannot change it). */
  instalmentsLocked: boolean;
  zeroInterestRate: boolean;
  orderReference: string | null;
  email: string | null;
  firstname: string | null;
  lastname: string | null;
  mobilePhone: string | null;
  countryCallingCode: string;
  fiscalCode: string | null;
  vatId: string | null;
  vatCountry: string | null;
  city: string | null;
  province: string | null;
  address: string | null;
  civicNumber: string | null;
  postalCode: string | null;
  successUrl: string | null;
  errorUrl: string | null;
  callbackUrl: string | null;
  createdAt: string;
  updatedAt: string;
  loanSignedAt: string | null;
  loanVerifiedAt: string | null;
  loanDisbursedAt: string | null;
  /** How the order was created: "form" or "json". */
  bodyEncoding: "form" | "json";
}

export interface SimLoanRequest {
  shopId: string;
  fiscalCode: string;
  amount: number;
  instalments: number;
  jobDescription: string;
  zeroInterestRate: boolean;
  additionalDataNeeded: boolean;
  /** Set once POST /requests/{fiscalCode} answered. */
  outcome: "approved" | "rejected" | null;
  orderToken: string | null;
  body: RawBody;
}

export interface SimRequestRecord {
  method: string;
  /** Pathname, without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  contentType: string | null;
  rawBody: string;
  /** Parsed body: object for JSON / form-encoded bodies, null when empty or unparsable. */
  body: RawBody | null;
  /** Status sent back; null while pending or when the request hung. */
  status: number | null;
  fault: "hang" | "fail" | null;
  at: string;
}

export interface SimCallbackRecord {
  url: string;
  eventId: SimEventId;
  orderToken: string;
  /** The form fields sent. */
  body: Record<string, string>;
  /** The raw application/x-www-form-urlencoded body. */
  rawBody: string;
  /** HTTP status the receiver answered; null on failure. */
  status: number | null;
  error: string | null;
  sentAt: string;
  durationMs: number;
}

export interface SoisySimulator {
  readonly url: string;
  readonly publicUrl: string;
  readonly port: number;
  readonly shops: ReadonlyMap<string, Required<SimShopConfig>>;
  readonly orders: Map<string, SimOrder>;
  /** Step-2 requests, keyed `${shopId}:${fiscalCode}`. */
  readonly loanRequests: Map<string, SimLoanRequest>;
  readonly requests: SimRequestRecord[];
  readonly callbacks: SimCallbackRecord[];
  readonly faults: Readonly<SimFaults>;
  setFaults(faults: SimFaults): void;
  clearFaults(): void;
  /** Operator action: applies the event to the order (see README) and sends its callback(s). */
  fireEvent(token: string, eventId: SimEventId): Promise<SimCallbackRecord[]>;
  /** What the webapp's "Completa la richiesta" does. */
  completeOrder(token: string, opts?: { instalments?: number; amount?: number }): Promise<SimActionResult>;
  /** What the webapp's "Rifiuta" does. */
  rejectOrder(token: string): Promise<SimActionResult>;
  /** What the webapp's "Abbandona" does. */
  abandonOrder(token: string): Promise<SimActionResult>;
  /** The webapp URL for an order (what redirectUrl points to). */
  webappUrl(shopId: string, token: string): string;
  /** Resolves when no callback is being delivered. */
  idle(): Promise<void>;
  /** Forgets orders, requests, recorded traffic and faults. */
  reset(): void;
  close(): Promise<void>;
}

export interface SimActionResult {
  status: string;
  redirectUrl: string | null;
  message: string;
  callbacks: SimCallbackRecord[];
}

class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.error === "string" ? body.error : `HTTP ${status}`);
  }
}

/* ------------------------------------------------------------------------------------------------
 * Constants
 * ---------------------------------------------------------------------------------------------- */

/** Sandbox rule: amounts up to €10,000 are approved, above are rejected. */
export const SANDBOX_APPROVAL_LIMIT_CENTS = 1_000_000;
const MAX_BODY_BYTES = 1_000_000;
const STATUS_RANK: Record<string, number> = {
  quote: 0,
  request_received: 1,
  request_accepted: 2,
  waiting_for_verification: 3,
  waiting_for_disbursement: 4,
  disbursed: 5,
};
const OPEN_STATUSES = new Set(["quote", "request_accepted"]);
const SILENT_LOGGER: SimLogger = { info: () => {}, warn: () => {} };

function now(): string {
  return new Date().toISOString();
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function commission(amount: number, zeroInterestRate: boolean): number {
  // 3 % commission, 6 % on zero-interest loans (the merchant pays the interest). Integer maths.
  return Math.floor((amount * (zeroInterestRate ? 6 : 3)) / 100);
}

/* ------------------------------------------------------------------------------------------------
 * Server
 * ---------------------------------------------------------------------------------------------- */

export async function startSoisySimulator(opts: SoisySimulatorOptions = {}): Promise<SoisySimulator> {
  const log = opts.logger ?? SILENT_LOGGER;
  const shops = new Map<string, Required<SimShopConfig>>();
  for (const s of opts.shops ?? [{ shopId: "partnershop", apiKey: "partnerkey" }]) {
    if (!s.shopId || !s.apiKey) throw new Error("each simulator shop needs shopId and apiKey");
    shops.set(s.shopId, {
      shopId: s.shopId,
      apiKey: s.apiKey,
      active: s.active ?? true,
      zeroInterestRate: s.zeroInterestRate ?? true,
      maxLoanInstalmentsNumber: s.maxLoanInstalmentsNumber ?? 60,
    });
  }
  const callbackDelayMs = opts.callbackDelayMs ?? 0;
  const callbackTimeoutMs = opts.callbackTimeoutMs ?? 5000;

  const orders = new Map<string, SimOrder>();
  const loanRequests = new Map<string, SimLoanRequest>();
  const requests: SimRequestRecord[] = [];
  const callbacks: SimCallbackRecord[] = [];
  let faults: SimFaults = {};
  const pending = new Set<Promise<unknown>>();
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  let publicUrl = "";

  function track<T>(promise: Promise<T>): Promise<T> {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => {});
    return promise;
  }

  function webappUrl(shopId: string, token: string): string {
    return `${publicUrl}/${encodeURIComponent(shopId)}#/loan-request?token=${encodeURIComponent(token)}`;
  }

  /* ---------------- callbacks ---------------- */

  function callbackBody(order: SimOrder, eventId: SimEventId): Record<string, string> {
    const body: Record<string, string> = {
      eventId,
      eventMessage: SIM_EVENTS[eventId].message,
      eventDate: now(),
      orderToken: order.token,
      orderReference: order.orderReference ?? "",
    };
    if (eventId === "LoanWasDisbursed" && order.amount !== null) body.amount = String(order.amount);
    return body;
  }

  async function deliver(order: SimOrder, eventId: SimEventId, body: Record<string, string>): Promise<SimCallbackRecord | null> {
    if (!order.callbackUrl) return null;
    if (callbackDelayMs > 0) await sleep(callbackDelayMs, closing.signal);
    const rawBody = new URLSearchParams(body).toString();
    const record: SimCallbackRecord = {
      url: order.callbackUrl,
      eventId,
      orderToken: order.token,
      body,
      rawBody,
      status: null,
      error: null,
      sentAt: now(),
      durationMs: 0,
    };
    const started = performance.now();
    try {
      if (closing.signal.aborted) throw new Error("simulator closed");
      const res = await fetch(order.callbackUrl, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "soisy-simulator" },
        body: rawBody,
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(callbackTimeoutMs), closing.signal]),
      });
      record.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (error) {
      record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      log.warn(`callback ${eventId} for ${order.token} failed: ${record.error}`);
    }
    record.durationMs = Math.round(performance.now() - started);
    callbacks.push(record);
    return record;
  }

  /** Sends the callbacks due at once, honouring the duplicate / out-of-order faults. Never throws. */
  function sendCallbacks(order: SimOrder, events: SimEventId[]): Promise<SimCallbackRecord[]> {
    const ordered = faults.outOfOrderCallbacks ? [...events].reverse() : events;
    const duplicate = faults.duplicateCallbacks === true;
    return track(
      (async () => {
        const sent: SimCallbackRecord[] = [];
        for (const eventId of ordered) {
          // A duplicate is the same notification delivered again: identical body.
          const body = callbackBody(order, eventId);
          for (let i = 0; i < (duplicate ? 2 : 1); i++) {
            const record = await deliver(order, eventId, body);
            if (record) sent.push(record);
          }
        }
        return sent;
      })(),
    );
  }

  /** Moves the order's status forward (never backwards; cancelled / disbursed are final). */
  function applyEvent(order: SimOrder, eventId: SimEventId): void {
    const target = SIM_EVENTS[eventId].status;
    if (order.status === "cancelled" || order.status === "disbursed") return;
    const ts = now();
    if (target === "cancelled") {
      order.status = "cancelled";
      order.updatedAt = ts;
      return;
    }
    const from = STATUS_RANK[order.status] ?? -1;
    const to = STATUS_RANK[target] ?? -1;
    if (to <= from) return;
    order.status = target;
    order.updatedAt = ts;
    if (to >= STATUS_RANK.waiting_for_verification! && !order.loanSignedAt) order.loanSignedAt = ts;
    if (to >= STATUS_RANK.waiting_for_disbursement! && !order.loanVerifiedAt) order.loanVerifiedAt = ts;
    if (to >= STATUS_RANK.disbursed! && !order.loanDisbursedAt) order.loanDisbursedAt = ts;
  }

  /* ---------------- webapp actions ---------------- */

  function getOrderOr404(token: string): SimOrder {
    const order = orders.get(token);
    if (!order) throw new SimHttpError(404, { error: "Order not found" });
    return order;
  }

  function assertOpen(order: SimOrder): void {
    if (!OPEN_STATUSES.has(order.status)) {
      throw new SimHttpError(409, { error: `The request is no longer open (status ${order.status})` });
    }
  }

  async function completeOrder(token: string, o: { instalments?: number; amount?: number } = {}): Promise<SimActionResult> {
    const order = getOrderOr404(token);
    assertOpen(order);
    const shop = shops.get(order.shopId)!;
    if (order.amount === null) {
      if (o.amount === undefined || !Number.isSafeInteger(o.amount) || o.amount <= 0) {
        throw new SimHttpError(400, { error: "An amount in cents is required" });
      }
      order.amount = o.amount;
      order.netAmount = o.amount - commission(o.amount, order.zeroInterestRate);
    }
    let instalments = order.instalmentsLocked ? order.instalments : (o.instalments ?? order.instalments);
    instalments ??= Math.min(12, shop.maxLoanInstalmentsNumber);
    if (!Number.isInteger(instalments) || instalments < 3 || instalments > shop.maxLoanInstalmentsNumber) {
      throw new SimHttpError(400, { error: `Instalments must be between 3 and ${shop.maxLoanInstalmentsNumber}` });
    }
    order.instalments = instalments;
    const wasPreApproved = order.status === "request_accepted";
    let events: SimEventId[];
    let redirectUrl: string | null;
    let message: string;
    if (order.amount > SANDBOX_APPROVAL_LIMIT_CENTS) {
      events = ["UserWasRejected"];
      applyEvent(order, "UserWasRejected");
      redirectUrl = order.errorUrl;
      message = "La richiesta non è stata approvata.";
    } else {
      events = wasPreApproved ? ["RequestCompleted"] : ["LoanWasApproved", "RequestCompleted"];
      applyEvent(order, "RequestCompleted");
      redirectUrl = order.successUrl;
      message = "Richiesta completata: è in verifica da parte di Soisy.";
    }
    log.info(`order ${token} completed by the shopper: ${order.status}`);
    const sent = await sendCallbacks(order, events);
    return { status: order.status, redirectUrl, message, callbacks: sent };
  }

  async function rejectOrder(token: string): Promise<SimActionResult> {
    const order = getOrderOr404(token);
    assertOpen(order);
    applyEvent(order, "UserWasRejected");
    log.info(`order ${token} rejected`);
    const sent = await sendCallbacks(order, ["UserWasRejected"]);
    return { status: order.status, redirectUrl: order.errorUrl, message: "La richiesta è stata rifiutata.", callbacks: sent };
  }

  async function abandonOrder(token: string): Promise<SimActionResult> {
    const order = getOrderOr404(token);
    log.info(`order ${token} abandoned`);
    return { status: order.status, redirectUrl: order.errorUrl, message: "Richiesta abbandonata.", callbacks: [] };
  }

  async function fireEvent(token: string, eventId: SimEventId): Promise<SimCallbackRecord[]> {
    if (!isSimEventId(eventId)) throw new SimHttpError(400, { errors: { eventId: ["Unknown event"] } });
    const order = getOrderOr404(token);
    applyEvent(order, eventId);
    log.info(`operator event ${eventId} on ${token}: ${order.status}`);
    return sendCallbacks(order, [eventId]);
  }

  /* ---------------- HTTP plumbing ---------------- */

  function send(res: ServerResponse, record: SimRequestRecord | null, status: number, body: unknown): void {
    if (record) record.status = status;
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
    res.end(text);
  }

  function sendHtml(res: ServerResponse, record: SimRequestRecord, status: number, html: string): void {
    record.status = status;
    res.writeHead(status, {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    res.end(html);
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > MAX_BODY_BYTES) throw new SimHttpError(413, { error: "Body too large" });
      chunks.push(buf);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  function parseBody(contentType: string | null, raw: string): { body: RawBody | null; error?: string } {
    if (raw.trim() === "") return { body: null };
    const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
    if (type === "application/json" || type.endsWith("+json")) {
      try {
        const parsed = JSON.parse(raw) as unknown;
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          return { body: null, error: "The JSON body must be an object" };
        }
        return { body: parsed as RawBody };
      } catch {
        return { body: null, error: "Invalid JSON body" };
      }
    }
    if (type === "application/x-www-form-urlencoded" || type === "") {
      const out: RawBody = {};
      for (const [k, v] of new URLSearchParams(raw)) out[k] = v;
      return { body: out };
    }
    return { body: null, error: `Unsupported content type ${type}` };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator.invalid");
    const method = (req.method ?? "GET").toUpperCase();
    const contentType = typeof req.headers["content-type"] === "string" ? req.headers["content-type"] : null;
    const record: SimRequestRecord = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      contentType,
      rawBody: "",
      body: null,
      status: null,
      fault: null,
      at: now(),
    };
    requests.push(record);
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch (error) {
      if (error instanceof SimHttpError) return send(res, record, error.status, error.body);
      throw error;
    }
    record.rawBody = rawBody;
    const parsed = parseBody(contentType, rawBody);
    record.body = parsed.body;

    try {
      if (url.pathname.startsWith("/api/")) {
        const target = url.pathname + url.search;
        const applies = !faults.match || target.includes(faults.match);
        if (applies && (faults.hangNext ?? 0) > 0) {
          faults.hangNext = (faults.hangNext ?? 0) - 1;
          record.fault = "hang";
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        }
        if (applies && faults.latencyMs) await sleep(faults.latencyMs, closing.signal);
        if (applies && faults.failNext && faults.failNext.count > 0) {
          faults.failNext.count -= 1;
          record.fault = "fail";
          return send(res, record, faults.failNext.status, { error: "Simulated failure" });
        }
        if (parsed.error) return send(res, record, 400, { error: parsed.error });
        return await handleApi(method, url, record, res);
      }
      if (url.pathname.startsWith("/_sim/") || url.pathname === "/_sim") {
        if (parsed.error) return send(res, record, 400, { error: parsed.error });
        return await handleInternal(method, url, record, res);
      }
      return handleWebapp(method, url, record, res);
    } catch (error) {
      if (error instanceof SimHttpError) return send(res, record, error.status, error.body);
      log.warn(`simulator error on ${method} ${url.pathname}: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) send(res, record, 500, { error: "Internal simulator error" });
    }
  }

  function segments(pathname: string, prefix: string): string[] {
    const rest = pathname.slice(prefix.length).split("/").filter((s) => s.length > 0);
    try {
      return rest.map((s) => decodeURIComponent(s));
    } catch {
      throw new SimHttpError(400, { error: "Malformed path" });
    }
  }

  function requireMethod(method: string, allowed: string): void {
    if (method !== allowed) throw new SimHttpError(405, { error: `Method ${method} not allowed` });
  }

  function authenticate(shopId: string, record: SimRequestRecord): Required<SimShopConfig> {
    const shop = shops.get(shopId);
    const token = record.headers["x-auth-token"];
    if (!shop || typeof token !== "string" || token !== shop.apiKey) {
      throw new SimHttpError(403, { error: "Authentication failed: invalid shop or API key" });
    }
    return shop;
  }

  function validationError(errors: FieldErrors): SimHttpError {
    return new SimHttpError(400, { errors });
  }

  /* ---------------- API ---------------- */

  async function handleApi(method: string, url: URL, record: SimRequestRecord, res: ServerResponse): Promise<void> {
    if (!url.pathname.startsWith("/api/shops/")) throw new SimHttpError(404, { error: "Not found" });
    const [shopId, resource, id, extra] = segments(url.pathname, "/api/shops/");
    if (!shopId || extra !== undefined) throw new SimHttpError(404, { error: "Not found" });
    const body = record.body ?? {};

    if (resource === undefined) {
      requireMethod(method, "GET");
      const shop = shops.get(shopId);
      if (!shop) throw new SimHttpError(404, { error: "Shop not found" });
      return send(res, record, 200, {
        active: shop.active,
        maxLoanInstalmentsNumber: shop.maxLoanInstalmentsNumber,
        zeroInterestRate: shop.zeroInterestRate,
      });
    }

    if (resource === "loan-quotes" && id === undefined) {
      requireMethod(method, "GET");
      const shop = shops.get(shopId);
      if (!shop) throw new SimHttpError(404, { error: "Shop not found" });
      return send(res, record, 200, quotesFromParams(shop, Object.fromEntries(url.searchParams)));
    }

    if (resource === "orders" && id === undefined) {
      requireMethod(method, "POST");
      const shop = authenticate(shopId, record);
      if (!shop.active) throw new SimHttpError(400, { error: "The shop is not active" });
      const order = createOrder(shop, body, record.contentType?.includes("json") ? "json" : "form");
      return send(res, record, 201, { token: order.token, redirectUrl: webappUrl(shop.shopId, order.token) });
    }

    if (resource === "orders" && id !== undefined) {
      requireMethod(method, "GET");
      authenticate(shopId, record);
      const order = orders.get(id);
      if (!order) throw new SimHttpError(404, { error: "Order not found" });
      if (order.shopId !== shopId) throw new SimHttpError(403, { error: "This order belongs to another shop" });
      return send(res, record, 200, orderView(order));
    }

    if (resource === "requests" && id === undefined) {
      requireMethod(method, "POST");
      const shop = authenticate(shopId, record);
      return send(res, record, 201, createLoanRequest(shop, body));
    }

    if (resource === "requests" && id !== undefined) {
      requireMethod(method, "POST");
      const shop = authenticate(shopId, record);
      return send(res, record, 200, approveLoanRequest(shop, id, body));
    }

    throw new SimHttpError(404, { error: "Not found" });
  }

  function quotesFromParams(shop: Required<SimShopConfig>, params: RawBody): SimQuotes {
    const errs = new FieldCollector();
    const amount = readAmount(params, errs, true);
    const instalments = readInstalments(params, errs, shop.maxLoanInstalmentsNumber, true);
    const zero = readBool(params, "zeroInterestRate", errs) ?? false;
    if (zero && !shop.zeroInterestRate) errs.add("zeroInterestRate", "Zero interest rate is not enabled for this shop.");
    if (!errs.ok || amount === undefined || instalments === undefined) throw validationError(errs.errors);
    return computeQuotes(amount, instalments, zero);
  }

  function createOrder(shop: Required<SimShopConfig>, body: RawBody, bodyEncoding: "form" | "json"): SimOrder {
    const errs = new FieldCollector();
    const amount = readAmount(body, errs, false);
    const instalments = readInstalments(body, errs, shop.maxLoanInstalmentsNumber, false);
    const email = readString(body, "email", errs, { pattern: PATTERNS.email, message: MESSAGES.email });
    const firstname = readString(body, "firstname", errs);
    const lastname = readString(body, "lastname", errs);
    const mobilePhone = readPattern(body, "mobilePhone", errs);
    const countryCallingCode = readPattern(body, "countryCallingCode", errs);
    const fiscalCode = readPattern(body, "fiscalCode", errs);
    const vatId = readPattern(body, "vatId", errs);
    const vatCountry = readPattern(body, "vatCountry", errs);
    const city = readString(body, "city", errs);
    const province = readPattern(body, "province", errs);
    const address = readString(body, "address", errs);
    const civicNumber = readString(body, "civicNumber", errs, { max: 20 });
    const postalCode = readPattern(body, "postalCode", errs);
    const zeroInterestRate = readBool(body, "zeroInterestRate", errs) ?? false;
    const successUrl = readUrl(body, "successUrl", errs);
    const errorUrl = readUrl(body, "errorUrl", errs);
    const callbackUrl = readUrl(body, "callbackUrl", errs);
    const orderReference = readString(body, "orderReference", errs);
    if (zeroInterestRate && !shop.zeroInterestRate) {
      errs.add("zeroInterestRate", "Zero interest rate is not enabled for this shop.");
    }
    if (!errs.ok) throw validationError(errs.errors);
    const ts = now();
    const order: SimOrder = {
      token: randomBytes(16).toString("hex"),
      shopId: shop.shopId,
      status: "quote",
      amount: amount ?? null,
      netAmount: amount === undefined ? null : amount - commission(amount, zeroInterestRate),
      instalments: instalments ?? null,
      instalmentsLocked: instalments !== undefined,
      zeroInterestRate,
      orderReference: orderReference ?? null,
      email: email ?? null,
      firstname: firstname ?? null,
      lastname: lastname ?? null,
      mobilePhone: mobilePhone ?? null,
      countryCallingCode: countryCallingCode ?? "+39",
      fiscalCode: fiscalCode?.toUpperCase() ?? null,
      vatId: vatId ?? null,
      vatCountry: vatCountry ?? null,
      city: city ?? null,
      province: province ?? null,
      address: address ?? null,
      civicNumber: civicNumber ?? null,
      postalCode: postalCode ?? null,
      successUrl: successUrl ?? null,
      errorUrl: errorUrl ?? null,
      callbackUrl: callbackUrl ?? null,
      createdAt: ts,
      updatedAt: ts,
      loanSignedAt: null,
      loanVerifiedAt: null,
      loanDisbursedAt: null,
      bodyEncoding,
    };
    orders.set(order.token, order);
    log.info(`order ${order.token} created for ${shop.shopId} (${order.amount ?? "no"} cents)`);
    return order;
  }

  function orderView(order: SimOrder): Record<string, unknown> {
    return {
      token: order.token,
      orderReference: order.orderReference,
      status: order.status,
      loanAmount: order.amount,
      loanNetAmount: order.netAmount,
      instalmentsNumber: order.instalments,
      zeroInterestRate: order.zeroInterestRate,
      firstname: order.firstname,
      lastname: order.lastname,
      email: order.email,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
      loanSignedAt: order.loanSignedAt,
      loanVerifiedAt: order.loanVerifiedAt,
      loanDisbursedAt: order.loanDisbursedAt,
      successUrl: order.successUrl,
      errorUrl: order.errorUrl,
      callbackUrl: order.callbackUrl,
    };
  }

  function createLoanRequest(shop: Required<SimShopConfig>, body: RawBody): Record<string, unknown> {
    const errs = new FieldCollector();
    const amount = readAmount(body, errs, true);
    const instalments = readInstalments(body, errs, shop.maxLoanInstalmentsNumber, true);
    const privacy = readBool(body, "privacy", errs, { required: true });
    if (privacy === false) errs.add("privacy", "The privacy policy must be accepted.");
    readBool(body, "marketing", errs);
    const fiscalCode = readPattern(body, "fiscalCode", errs, true);
    if (fiscalCode && opts.strictFiscalCodes !== false && !errs.errors.fiscalCode && !fiscalCodeCheckCharOk(fiscalCode)) {
      errs.add("fiscalCode", "The fiscal code is not valid.");
    }
    const zeroInterestRate = readBool(body, "zeroInterestRate", errs) ?? false;
    if (zeroInterestRate && !shop.zeroInterestRate) {
      errs.add("zeroInterestRate", "Zero interest rate is not enabled for this shop.");
    }
    const job = readEnum(body, "jobDescription", JOB_DESCRIPTIONS, errs, { required: true });
    const ending = readString(body, "actualJobEndingDate", errs, { pattern: PATTERNS.monthYear, message: MESSAGES.monthYear });
    if (job === "employee_fixed_term_contract" && !ending && !errs.errors.actualJobEndingDate) {
      errs.add("actualJobEndingDate", "This value is required for fixed-term contracts.");
    }
    const vatId = readPattern(body, "vatId", errs);
    readPattern(body, "vatCountry", errs);
    if (job === "entrepreneur" && !vatId && !errs.errors.vatId) errs.add("vatId", "This value is required for entrepreneurs.");
    if (!errs.ok || amount === undefined || instalments === undefined || !fiscalCode || !job) {
      throw validationError(errs.errors);
    }
    const fc = fiscalCode.toUpperCase();
    const additionalDataNeeded = fc.startsWith("ADD");
    loanRequests.set(`${shop.shopId}:${fc}`, {
      shopId: shop.shopId,
      fiscalCode: fc,
      amount,
      instalments,
      jobDescription: job,
      zeroInterestRate,
      additionalDataNeeded,
      outcome: null,
      orderToken: null,
      body,
    });
    const quote = computeQuotes(amount, instalments, zeroInterestRate).median;
    return {
      apr: quote.apr,
      fiscalCode: fc,
      totalRepayment: quote.totalRepaid,
      instalmentAmount: quote.instalmentAmount,
      zeroInterestRate,
      additionalDataNeeded,
    };
  }

  function approveLoanRequest(shop: Required<SimShopConfig>, rawFiscalCode: string, body: RawBody): Record<string, unknown> {
    const fc = rawFiscalCode.toUpperCase();
    const loanRequest = loanRequests.get(`${shop.shopId}:${fc}`);
    if (!loanRequest) throw new SimHttpError(404, { error: "Request not found for this fiscal code" });
    const errs = new FieldCollector();
    const amount = readAmount(body, errs, true);
    const instalments = readInstalments(body, errs, shop.maxLoanInstalmentsNumber, true);
    const finality = readString(body, "loanFinality", errs, { required: true });
    if (finality !== undefined && finality !== "ecommerce_shop") {
      errs.add("loanFinality", "The value you selected is not a valid choice.");
    }
    const orderToken = readString(body, "orderToken", errs, { required: true });
    const email = readString(body, "email", errs, { required: true, pattern: PATTERNS.email, message: MESSAGES.email });
    const firstname = readString(body, "firstname", errs, { required: true });
    const lastname = readString(body, "lastname", errs, { required: true });
    const mobilePhone = readPattern(body, "mobilePhone", errs, true);
    const countryCallingCode = readPattern(body, "countryCallingCode", errs);
    const city = readString(body, "city", errs, { required: true });
    const province = readPattern(body, "province", errs, true);
    const address = readString(body, "address", errs, { required: true });
    const civicKey = body.civicNumber === undefined && body.streetNumber !== undefined ? "streetNumber" : "civicNumber";
    const civicNumber = readString(body, civicKey, errs, { required: true, max: 20 });
    const postalCode = readPattern(body, "postalCode", errs, true);
    // A magic postal code Soisy refuses although it has the right shape (to exercise field errors).
    if (postalCode === UNKNOWN_POSTAL_CODE) errs.add("postalCode", "This postal code does not exist.");
    readEnum(body, "citizenship", CITIZENSHIPS, errs, { required: true });
    readBool(body, "zeroInterestRate", errs);
    if (loanRequest.additionalDataNeeded) {
      for (const field of ["residence", "residenceStartDate", "educationalQualification", "salaryType"]) {
        readString(body, field, errs, { required: true });
      }
      const children = body.children;
      if (children === undefined || children === "" || !/^[0-9]{1,2}$/.test(String(children))) {
        errs.add("children", "This value should be an integer.");
      }
    }
    let order: SimOrder | undefined;
    if (orderToken !== undefined) {
      order = orders.get(orderToken);
      if (!order || order.shopId !== shop.shopId) errs.add("orderToken", "Order not found.");
      else if (order.status !== "quote") errs.add("orderToken", `The order is not awaiting a request (status ${order.status}).`);
      else if (order.amount !== null && amount !== undefined && order.amount !== amount) {
        errs.add("amount", "The amount does not match the order.");
      }
    }
    if (!errs.ok || !order || amount === undefined || instalments === undefined) throw validationError(errs.errors);

    order.amount = amount;
    order.netAmount = amount - commission(amount, order.zeroInterestRate);
    order.instalments = instalments;
    order.instalmentsLocked = true;
    order.email = email ?? order.email;
    order.firstname = firstname ?? order.firstname;
    order.lastname = lastname ?? order.lastname;
    order.mobilePhone = mobilePhone ?? order.mobilePhone;
    order.countryCallingCode = countryCallingCode ?? order.countryCallingCode;
    order.city = city ?? order.city;
    order.province = province ?? order.province;
    order.address = address ?? order.address;
    order.civicNumber = civicNumber ?? order.civicNumber;
    order.postalCode = postalCode ?? order.postalCode;
    order.fiscalCode = fc;
    loanRequest.orderToken = order.token;

    const refused = fc.startsWith("RFS") || amount > SANDBOX_APPROVAL_LIMIT_CENTS;
    if (refused) {
      loanRequest.outcome = "rejected";
      applyEvent(order, "UserWasRejected");
      void sendCallbacks(order, ["UserWasRejected"]);
      const answer: Record<string, unknown> = { approved: false, status: "rejected" };
      if (order.errorUrl) answer.redirectUrl = order.errorUrl;
      return answer;
    }
    loanRequest.outcome = "approved";
    applyEvent(order, "LoanWasApproved");
    void sendCallbacks(order, ["LoanWasApproved"]);
    return { approved: true, status: "approved", redirectUrl: webappUrl(shop.shopId, order.token) };
  }

  /* ---------------- internal endpoints (/_sim) ---------------- */

  async function handleInternal(method: string, url: URL, record: SimRequestRecord, res: ServerResponse): Promise<void> {
    const [section, id, action, extra] = segments(url.pathname, "/_sim");
    const body = record.body ?? {};
    if (section === "health") return send(res, record, 200, { ok: true });

    if (section === "faults" && id === undefined) {
      if (method === "GET") return send(res, record, 200, faults);
      if (method === "DELETE") {
        clearFaults();
        return send(res, record, 200, faults);
      }
      requireMethod(method, "POST");
      const parsed = SimFaultsSchema.safeParse(body);
      if (!parsed.success) throw new SimHttpError(400, { error: z.prettifyError(parsed.error) });
      setFaults(parsed.data);
      return send(res, record, 200, faults);
    }

    if (section === "callbacks" && id === undefined) {
      requireMethod(method, "GET");
      return send(res, record, 200, callbacks);
    }

    if (section === "orders" && id === undefined) {
      requireMethod(method, "GET");
      return send(res, record, 200, [...orders.values()]);
    }

    if (section === "orders" && id !== undefined && extra === undefined) {
      const order = getOrderOr404(id);
      const shop = shops.get(order.shopId)!;
      if (action === undefined) {
        requireMethod(method, "GET");
        return send(res, record, 200, {
          token: order.token,
          shopId: order.shopId,
          status: order.status,
          amount: order.amount,
          instalments: order.instalments,
          instalmentsLocked: order.instalmentsLocked,
          maxInstalments: shop.maxLoanInstalmentsNumber,
          zeroInterestRate: order.zeroInterestRate,
          orderReference: order.orderReference,
          successUrl: order.successUrl,
          errorUrl: order.errorUrl,
        });
      }
      if (action === "quotes") {
        requireMethod(method, "GET");
        const params: RawBody = { ...Object.fromEntries(url.searchParams) };
        if (order.amount !== null) params.amount = String(order.amount);
        params.zeroInterestRate = order.zeroInterestRate ? "1" : "0";
        return send(res, record, 200, quotesFromParams(shop, params));
      }
      if (action === "complete" || action === "reject" || action === "abandon") {
        requireMethod(method, "POST");
        let result: SimActionResult;
        if (action === "complete") {
          const opts: { instalments?: number; amount?: number } = {};
          if (body.instalments !== undefined) opts.instalments = Number(body.instalments);
          if (body.amount !== undefined) opts.amount = Number(body.amount);
          result = await completeOrder(id, opts);
        } else if (action === "reject") {
          result = await rejectOrder(id);
        } else {
          result = await abandonOrder(id);
        }
        return send(res, record, 200, result);
      }
      if (action === "events") {
        requireMethod(method, "POST");
        const eventId = body.eventId;
        if (!isSimEventId(eventId)) {
          throw new SimHttpError(400, { errors: { eventId: [`Must be one of ${Object.keys(SIM_EVENTS).join(", ")}`] } });
        }
        const sent = await fireEvent(id, eventId);
        return send(res, record, 200, { order: orderView(order), callbacks: sent });
      }
    }
    throw new SimHttpError(404, { error: "Not found" });
  }

  /* ---------------- webapp ---------------- */

  function handleWebapp(method: string, url: URL, record: SimRequestRecord, res: ServerResponse): void {
    if (method !== "GET" && method !== "HEAD") throw new SimHttpError(405, { error: `Method ${method} not allowed` });
    if (url.pathname === "/favicon.ico") {
      record.status = 204;
      res.writeHead(204);
      res.end();
      return;
    }
    const parts = segments(url.pathname, "");
    const shopId = parts[0];
    if (parts.length === 1 && shopId && shops.has(shopId)) return sendHtml(res, record, 200, renderWebappPage(shopId));
    return sendHtml(res, record, 404, renderNotFoundPage());
  }

  /* ---------------- faults ---------------- */

  function setFaults(f: SimFaults): void {
    const parsed = SimFaultsSchema.parse(f);
    faults = { ...parsed, ...(parsed.failNext ? { failNext: { ...parsed.failNext } } : {}) };
  }

  function clearFaults(): void {
    faults = {};
  }

  /* ---------------- start ---------------- */

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.warn(`unhandled simulator error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: "Internal simulator error" }));
      } else {
        res.destroy();
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 1000;

  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  publicUrl = (opts.publicUrl ?? url).replace(/\/+$/, "");
  log.info(`Soisy simulator listening on ${url} (webapp ${publicUrl})`);

  let closed: Promise<void> | null = null;

  return {
    url,
    publicUrl,
    port,
    shops,
    orders,
    loanRequests,
    requests,
    callbacks,
    get faults() {
      return faults;
    },
    setFaults,
    clearFaults,
    fireEvent,
    completeOrder,
    rejectOrder,
    abandonOrder,
    webappUrl,
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    reset() {
      orders.clear();
      loanRequests.clear();
      requests.length = 0;
      callbacks.length = 0;
      faults = {};
    },
    close() {
      closed ??= (async () => {
        closing.abort();
        await Promise.allSettled([...pending]);
        for (const res of hanging) res.destroy();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        await done;
      })();
      return closed;
    },
  };
}
