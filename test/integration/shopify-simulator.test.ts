/**
 * The Shopify simulator against a tiny payments "app" (node:http) started here: what Shopify sends the
 * app, how the Payments Apps GraphQL endpoint behaves (auth, validation, mutation semantics, faults) and
 * the shopper-facing pages.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import http, { type IncomingHttpHeaders } from "node:http";
import path from "node:path";
import { createInterface } from "node:readline";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  INVALID_TOKEN_BODY,
  PAYMENT_SESSION_PENDING,
  PAYMENT_SESSION_REJECT,
  PAYMENT_SESSION_RESOLVE,
  PAYMENTS_APP_CONFIGURE,
  REFUND_SESSION_REJECT,
  REFUND_SESSION_RESOLVE,
  SHOPIFY_USER_ERROR_MESSAGES,
  startShopifySimulator,
  type CodedUserErrorResult,
  type PaymentSessionMutationResult,
  type PaymentsAppConfigureResult,
  type RefundSessionMutationResult,
  type ShopifySimulator,
} from "../simulators/shopify";

const SHOP = "soisy-test.myshopify.com";
const TOKEN = "shpat_test_0123456789abcdef";
const OTHER_SHOP = "other-shop.myshopify.com";
const OTHER_TOKEN = "shpat_other_token";

// ----- a tiny payments app -----

interface AppRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  json: Record<string, unknown>;
}
interface AppReply {
  status: number;
  body?: unknown;
  delayMs?: number;
}
type AppHandler = (request: AppRequest, index: number) => AppReply;

interface FakeApp {
  url: string;
  requests: AppRequest[];
  handle(handler: AppHandler): void;
  close(): Promise<void>;
}

const defaultHandler: AppHandler = (r) =>
  r.path === "/payments/refunds"
    ? { status: 201 }
    : { status: 200, body: { redirect_url: `https://soisy.example/app/checkout/${String(r.json.id)}` } };

async function startFakeApp(): Promise<FakeApp> {
  const requests: AppRequest[] = [];
  let handler = defaultHandler;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // keep {}
      }
      const request: AppRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, raw, json };
      requests.push(request);
      const reply = handler(request, requests.length - 1);
      const send = () => {
        if (reply.body === undefined) {
          res.writeHead(reply.status).end();
        } else {
          const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
          res.writeHead(reply.status, { "Content-Type": "application/json" }).end(text);
        }
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ----- GraphQL client -----

interface GqlResponse<T> {
  status: number;
  headers: Headers;
  body: {
    data?: T;
    errors?: Array<{ message: string; locations?: Array<{ line: number; column: number }>; path?: unknown[] }> | string;
    extensions?: unknown;
  };
}

async function gql<T = Record<string, unknown>>(
  sim: ShopifySimulator,
  query: string,
  variables: Record<string, unknown> = {},
  opts: { shop?: string; token?: string | null; version?: string; signal?: AbortSignal } = {},
): Promise<GqlResponse<T>> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers["X-Shopify-Access-Token"] = token;
  const url = `${sim.paymentsApiUrlTemplate.replace("{shop}", opts.shop ?? SHOP)}/payments_apps/api/${
    opts.version ?? "2026-04"
  }/graphql.json`;
  const res = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as GqlResponse<T>["body"]) : {} };
}

type ResolveData = { paymentSessionResolve: PaymentSessionMutationResult };
type RejectData = { paymentSessionReject: PaymentSessionMutationResult };
type PendingData = { paymentSessionPending: PaymentSessionMutationResult<CodedUserErrorResult> };
type RefundResolveData = { refundSessionResolve: RefundSessionMutationResult };
type RefundRejectData = { refundSessionReject: RefundSessionMutationResult };

const resolve = (sim: ShopifySimulator, gid: string, opts: { shop?: string; token?: string } = {}) =>
  gql<ResolveData>(sim, PAYMENT_SESSION_RESOLVE, { id: gid }, opts);
const reject = (sim: ShopifySimulator, gid: string, code = "INSTRUMENT_DECLINED", merchantMessage = "Soisy ha rifiutato il finanziamento") =>
  gql<RejectData>(sim, PAYMENT_SESSION_REJECT, { id: gid, reason: { code, merchantMessage } });
const pending = (sim: ShopifySimulator, gid: string, pendingExpiresAt = inDays(3), reason = "PARTNER_ACTION_REQUIRED") =>
  gql<PendingData>(sim, PAYMENT_SESSION_PENDING, { id: gid, pendingExpiresAt, reason });

function inDays(days: number): string {
  return new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString();
}

// ----- fixtures -----

let app: FakeApp;
let sim: ShopifySimulator;

beforeEach(async () => {
  app = await startFakeApp();
  sim = await startShopifySimulator({
    appUrl: app.url,
    // The mutations' own semantics, without oversell protection (its confirm flow: shopify-simulator-capture.test.ts).
    shops: [
      { domain: SHOP, accessToken: TOKEN, oversellProtection: false },
      { domain: OTHER_SHOP, accessToken: OTHER_TOKEN, oversellProtection: false },
    ],
    retry: { attempts: 4, delaysMs: [5, 10] },
    sessionRequestTimeoutMs: 2_000,
  });
});

afterEach(async () => {
  await sim.close();
  await app.close();
});

/** A payment session the app has answered (state REDIRECTING). */
async function acknowledgedPayment(amount = "123.00") {
  const result = await sim.startPayment({ shop: SHOP, amount });
  expect(result.ok).toBe(true);
  return result;
}

// ----- tests -----

describe("payment session requests to the app", () => {
  it("sends Shopify's exact body and headers and returns the app's redirect_url", async () => {
    const result = await sim.startPayment({ shop: SHOP, amount: "123.00", test: true });

    expect(app.requests).toHaveLength(1);
    const req = app.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/payments/sessions");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.headers["shopify-shop-domain"]).toBe(SHOP);
    expect(req.headers["shopify-api-version"]).toBe("2026-04");
    expect(req.headers["shopify-request-id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const body = req.json;
    expect(Object.keys(body).sort()).toEqual(
      [
        "amount",
        "currency",
        "customer",
        "gid",
        "group",
        "id",
        "kind",
        "merchant_locale",
        "payment_method",
        "proposed_at",
        "session_id",
        "test",
      ].sort(),
    );
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(body.gid).toBe(`gid://shopify/PaymentSession/${String(body.id)}`);
    for (const key of ["group", "session_id"] as const) {
      expect(body[key]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(body[key] as string, "base64")).toHaveLength(32);
    }
    expect(body.group).not.toBe(body.session_id);
    expect(body.amount).toBe("123.00");
    expect(typeof body.amount).toBe("string");
    expect(body.currency).toBe("EUR");
    expect(body.test).toBe(true);
    expect(body.merchant_locale).toBe("it");
    expect(body.kind).toBe("sale");
    expect(body.proposed_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(body.payment_method).toEqual({
      type: "offsite",
      data: { cancel_url: `${sim.url}/checkouts/${String(body.id)}/cancelled` },
    });
    const customer = body.customer as Record<string, Record<string, unknown>>;
    expect(Object.keys(customer).sort()).toEqual(
      ["billing_address", "email", "locale", "phone_number", "shipping_address"].sort(),
    );
    const addressKeys = [
      "city",
      "company",
      "country_code",
      "family_name",
      "given_name",
      "line1",
      "line2",
      "phone_number",
      "postal_code",
      "province",
      "province_code",
    ];
    expect(Object.keys(customer.billing_address!).sort()).toEqual(addressKeys);
    expect(Object.keys(customer.shipping_address!).sort()).toEqual(addressKeys);
    expect(customer.billing_address).toMatchObject({ country_code: "IT", province_code: "MI", postal_code: "20121" });

    expect(result).toMatchObject({
      id: body.id,
      gid: body.gid,
      group: body.group,
      ok: true,
      status: 200,
      redirectUrl: `https://soisy.example/app/checkout/${String(body.id)}`,
    });
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]).toMatchObject({ n: 1, status: 200, requestId: req.headers["shopify-request-id"] });
    expect(sim.sessionRequests).toEqual([
      expect.objectContaining({ kind: "payment", id: body.id, outcome: "succeeded", url: `${app.url}/payments/sessions` }),
    ]);
    expect(sim.paymentSessions.get(String(body.id))).toMatchObject({
      acknowledged: true,
      state: { code: "REDIRECTING" },
      appRedirectUrl: result.redirectUrl,
      nextAction: null,
      mutations: [],
    });
    expect(sim.violations).toEqual([]);
  });

  it("retries a failing app with the same body and a new Shopify-Request-Id each attempt", async () => {
    app.handle((r, i) => (i < 2 ? { status: 500, body: { error: "boom" } } : defaultHandler(r, i)));
    const result = await sim.startPayment({ shop: SHOP, amount: "99.90" });

    expect(result.ok).toBe(true);
    expect(result.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(app.requests).toHaveLength(3);
    expect(new Set(app.requests.map((r) => r.raw)).size).toBe(1);
    expect(new Set(app.requests.map((r) => r.json.id)).size).toBe(1);
    const requestIds = app.requests.map((r) => r.headers["shopify-request-id"]);
    expect(new Set(requestIds).size).toBe(3);
    expect(result.attempts.map((a) => a.requestId)).toEqual(requestIds);
    expect(result.attempts[0]?.responseBody).toBe('{"error":"boom"}');
    expect(sim.paymentSessions.get(result.id)?.state).toEqual({ code: "REDIRECTING" });
  });

  it("gives up after the configured attempts, and Shopify then refuses to resolve the session", async () => {
    app.handle(() => ({ status: 503 }));
    const result = await sim.startPayment({ shop: SHOP, amount: "50.00" });

    expect(result).toMatchObject({ ok: false, status: 503, error: "HTTP 503" });
    expect(result.attempts).toHaveLength(4);
    expect(app.requests).toHaveLength(4);
    expect(sim.paymentSessions.get(result.id)).toMatchObject({ acknowledged: false, state: { code: "APP_FAILED" } });

    const res = await resolve(sim, result.gid);
    expect(res.body.data?.paymentSessionResolve).toEqual({
      paymentSession: null,
      userErrors: [{ field: ["id"], message: SHOPIFY_USER_ERROR_MESSAGES.resolveInvalidState }],
    });
    expect(sim.paymentSessions.get(result.id)?.state.code).toBe("APP_FAILED");
  });

  it("retries on network errors and app timeouts", async () => {
    const slow = await startShopifySimulator({
      appUrl: app.url,
      shops: [{ domain: SHOP, accessToken: TOKEN }],
      retry: { attempts: 2, delaysMs: [1] },
      sessionRequestTimeoutMs: 100,
    });
    try {
      app.handle((r, i) => (i === 0 ? { ...defaultHandler(r, i), delayMs: 400 } : defaultHandler(r, i)));
      const timedOut = await slow.startPayment({ shop: SHOP, amount: "10.00" });
      expect(timedOut.ok).toBe(true);
      expect(timedOut.attempts[0]).toMatchObject({ status: null, error: "timeout after 100 ms" });
      expect(timedOut.attempts[1]?.status).toBe(200);

      slow.setAppUrl("http://127.0.0.1:9"); // nothing listens on the discard port
      const refused = await slow.startPayment({ shop: SHOP, amount: "10.00" });
      expect(refused.ok).toBe(false);
      expect(refused.status).toBeNull();
      expect(refused.attempts).toHaveLength(2);
      expect(refused.attempts[0]?.error).toMatch(/ECONNREFUSED/);
    } finally {
      await slow.close();
    }
  });

  it("replays a session id with the identical body and flags an app that answers a different redirect_url", async () => {
    const first = await sim.startPayment({ shop: SHOP, amount: "200.00" });
    const replay = await sim.startPayment({ shop: SHOP, amount: "999.99", id: first.id });
    expect(replay.id).toBe(first.id);
    expect(app.requests).toHaveLength(2);
    expect(app.requests[1]?.raw).toBe(app.requests[0]?.raw);
    expect(replay.redirectUrl).toBe(first.redirectUrl);
    expect(sim.violations).toEqual([]);

    app.handle(() => ({ status: 200, body: { redirect_url: "https://soisy.example/a-second-order" } }));
    await sim.startPayment({ shop: SHOP, amount: "200.00", id: first.id });
    expect(sim.violations).toEqual([expect.objectContaining({ kind: "redirect_url_changed", sessionId: first.id })]);
    expect(sim.paymentSessions.get(first.id)?.appRedirectUrl).toBe(first.redirectUrl);
  });

  it("concurrent replays of one id all reach the app with the same body", async () => {
    const first = await sim.startPayment({ shop: SHOP, amount: "75.00" });
    const replays = await Promise.all([1, 2, 3].map(() => sim.startPayment({ shop: SHOP, amount: "75.00", id: first.id })));
    expect(replays.map((r) => r.redirectUrl)).toEqual([first.redirectUrl, first.redirectUrl, first.redirectUrl]);
    expect(new Set(app.requests.map((r) => r.raw)).size).toBe(1);
    expect(new Set(app.requests.map((r) => r.headers["shopify-request-id"])).size).toBe(4);
    expect(sim.sessionRequests).toHaveLength(4);
    expect(sim.paymentSessions.size).toBe(1);
  });

  it("treats a 2xx without a usable redirect_url as a failed attempt", async () => {
    app.handle(() => ({ status: 200, body: { url: "https://soisy.example/x" } }));
    const result = await sim.startPayment({ shop: SHOP, amount: "10.00" });
    expect(result).toMatchObject({ ok: false, status: 200, error: "2xx answer has no redirect_url" });
    expect(sim.violations).toEqual([expect.objectContaining({ kind: "invalid_redirect_url", sessionId: result.id })]);
  });

  it("omits the customer when null and merges a partial customer", async () => {
    await sim.startPayment({ shop: SHOP, amount: "10.00", customer: null });
    expect(app.requests[0]?.json).not.toHaveProperty("customer");

    await sim.startPayment({
      shop: SHOP,
      amount: "10.00",
      customer: { email: null, billing_address: { line1: "Corso Buenos Aires 33" }, shipping_address: null },
    });
    const customer = app.requests[1]?.json.customer as Record<string, unknown>;
    expect(customer).not.toHaveProperty("email");
    expect(customer).not.toHaveProperty("shipping_address");
    expect(customer.phone_number).toBe("+393331234567");
    expect(customer.billing_address).toMatchObject({ line1: "Corso Buenos Aires 33", city: "Milano" });
  });

  it("shares a group between attempts to pay one checkout", async () => {
    const first = await acknowledgedPayment();
    const second = await sim.startPayment({ shop: SHOP, amount: "123.00", group: first.group });
    expect(second.id).not.toBe(first.id);
    expect(app.requests[1]?.json.group).toBe(first.group);
  });
});

describe("GraphQL endpoint: authentication, versions and validation", () => {
  it("answers 401 with Shopify's body to a wrong or missing access token", async () => {
    const payment = await acknowledgedPayment();
    for (const token of ["shpat_wrong", null, OTHER_TOKEN]) {
      const res = await gql(sim, PAYMENT_SESSION_RESOLVE, { id: payment.gid }, { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
      });
      expect(res.body).toEqual(INVALID_TOKEN_BODY);
    }
    expect(sim.calls.map((c) => c.tokenOk)).toEqual([false, null, false]);
    expect(sim.paymentSessions.get(payment.id)?.state.code).toBe("REDIRECTING");
  });

  it("answers 404 for an unknown API version or shop", async () => {
    const wrongVersion = await gql(sim, "{ publicApiVersions { handle } }", {}, { version: "2023-01" });
    expect(wrongVersion.status).toBe(404);
    const unknownShop = await gql(sim, "{ publicApiVersions { handle } }", {}, { shop: "nope.myshopify.com" });
    expect(unknownShop.status).toBe(404);
    const ok = await gql<{ publicApiVersions: Array<{ handle: string; supported: boolean }> }>(
      sim,
      "{ publicApiVersions { handle supported } }",
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-shopify-api-version")).toBe("2026-04");
    expect(ok.body.data?.publicApiVersions).toContainEqual({ handle: "2026-04", supported: true });
  });

  it("rejects an invalid document with HTTP 200 and errors, applying nothing", async () => {
    const payment = await acknowledgedPayment();
    const invalid = PAYMENT_SESSION_RESOLVE.replace("userErrors {\n        field\n        message", "userErrors {\n        field\n        message\n        code");
    expect(invalid).not.toBe(PAYMENT_SESSION_RESOLVE);
    const res = await gql(sim, invalid, { id: payment.gid });

    expect(res.status).toBe(200);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toEqual([
      { message: 'Cannot query field "code" on type "UserError".', locations: [expect.objectContaining({ line: expect.any(Number) })] },
    ]);
    const session = sim.paymentSessions.get(payment.id)!;
    expect(session.state).toEqual({ code: "REDIRECTING" });
    expect(session.mutations).toEqual([]);
    expect(sim.calls.at(-1)).toMatchObject({
      operationName: "PaymentSessionResolve",
      rootFields: ["paymentSessionResolve"],
      status: 200,
      tokenOk: true,
      variables: { id: payment.gid },
      validationErrors: [expect.objectContaining({ message: 'Cannot query field "code" on type "UserError".' })],
    });
  });

  it("returns a syntax error as a GraphQL error", async () => {
    const res = await gql(sim, "mutation { paymentSessionResolve(id: ", {});
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/^Syntax Error/) })]);
  });

  it("rejects a malformed DateTime variable before running the mutation", async () => {
    const payment = await acknowledgedPayment();
    const res = await pending(sim, payment.gid, "in three days");
    expect(res.status).toBe(200);
    expect(res.body.data).toBeUndefined();
    expect(JSON.stringify(res.body.errors)).toMatch(/pendingExpiresAt.*Invalid DateTime/);
    expect(sim.paymentSessions.get(payment.id)?.state.code).toBe("REDIRECTING");
    expect(sim.paymentSessions.get(payment.id)?.mutations).toEqual([]);
  });

  it("answers 400 to a request without a query", async () => {
    const res = await fetch(sim.graphqlUrl(SHOP), {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN },
      body: JSON.stringify({ variables: {} }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: { query: "Required parameter missing or invalid" } });
  });
});

describe("payment session mutations", () => {
  it("resolve → RESOLVED with a redirect to the order status page; repeating it returns the same result", async () => {
    const payment = await acknowledgedPayment();
    const first = await resolve(sim, payment.gid);

    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    const orderUrl = `${sim.url}/shops/${SHOP}/orders/${payment.id}`;
    expect(first.body.data?.paymentSessionResolve).toEqual({
      paymentSession: {
        id: payment.gid,
        state: { __typename: "PaymentSessionStateResolved", code: "RESOLVED" },
        pendingExpiresAt: null,
        authorizationExpiresAt: null,
        nextAction: {
          action: "REDIRECT",
          context: { __typename: "PaymentSessionActionsRedirect", redirectUrl: orderUrl },
        },
      },
      userErrors: [],
    });
    expect(sim.orderStatusUrl(SHOP, payment.id)).toBe(orderUrl);

    const again = await resolve(sim, payment.gid);
    expect(again.body).toEqual(first.body);
    expect(sim.paymentSessions.get(payment.id)?.mutations.map((m) => [m.name, m.outcome])).toEqual([
      ["paymentSessionResolve", "applied"],
      ["paymentSessionResolve", "repeated"],
    ]);
  });

  it("reject after resolve → user error and the session stays resolved", async () => {
    const payment = await acknowledgedPayment();
    await resolve(sim, payment.gid);
    const res = await reject(sim, payment.gid);
    expect(res.body.data?.paymentSessionReject).toEqual({
      paymentSession: null,
      userErrors: [{ field: ["id"], message: SHOPIFY_USER_ERROR_MESSAGES.rejectInvalidState }],
    });
    expect(sim.paymentSessions.get(payment.id)?.state).toEqual({ code: "RESOLVED" });

    const pend = await pending(sim, payment.gid);
    expect(pend.body.data?.paymentSessionPending).toEqual({
      paymentSession: null,
      userErrors: [{ field: ["id"], message: SHOPIFY_USER_ERROR_MESSAGES.pendingInvalidState, code: "PENDING_INVALID_STATE" }],
    });
  });

  it("reject → REJECTED with a redirect back to the checkout; a repeat keeps the first reason; resolve then fails", async () => {
    const payment = await acknowledgedPayment();
    const res = await reject(sim, payment.gid, "INSTRUMENT_DECLINED", "Finanziamento non approvato");
    expect(res.body.data?.paymentSessionReject.paymentSession).toEqual({
      id: payment.gid,
      state: {
        __typename: "PaymentSessionStateRejected",
        code: "REJECTED",
        reason: "INSTRUMENT_DECLINED",
        merchantMessage: "Finanziamento non approvato",
      },
      pendingExpiresAt: null,
      authorizationExpiresAt: null,
      nextAction: {
        action: "REDIRECT",
        context: { __typename: "PaymentSessionActionsRedirect", redirectUrl: sim.cancelUrl(payment.id) },
      },
    });

    const repeat = await reject(sim, payment.gid, "PROCESSING_ERROR", "other");
    expect(repeat.body.data?.paymentSessionReject).toEqual(res.body.data?.paymentSessionReject);

    const res2 = await resolve(sim, payment.gid);
    expect(res2.body.data?.paymentSessionResolve).toEqual({
      paymentSession: null,
      userErrors: [
        {
          field: ["id"],
          message:
            "Payment session has already been resolved with a different authentication, has already been rejected, or the response to start_payment_session request has not been received.",
        },
      ],
    });
    expect(sim.paymentSessions.get(payment.id)?.state).toMatchObject({ code: "REJECTED", reason: "INSTRUMENT_DECLINED" });
  });

  it("pending → PENDING (repeatable), then resolve succeeds and pending is refused afterwards", async () => {
    const payment = await acknowledgedPayment();
    const expiresAt = new Date(Date.now() + 3 * 86_400_000);
    expiresAt.setUTCMilliseconds(0);
    const res = await pending(sim, payment.gid, expiresAt.toISOString());
    expect(res.body.data?.paymentSessionPending).toEqual({
      paymentSession: {
        id: payment.gid,
        state: { __typename: "PaymentSessionStatePending", code: "PENDING", pendingReason: "PARTNER_ACTION_REQUIRED" },
        pendingExpiresAt: expiresAt.toISOString().replace(".000Z", "Z"),
        authorizationExpiresAt: null,
        nextAction: {
          action: "REDIRECT",
          context: {
            __typename: "PaymentSessionActionsRedirect",
            redirectUrl: `${sim.url}/shops/${SHOP}/orders/${payment.id}`,
          },
        },
      },
      userErrors: [],
    });
    const again = await pending(sim, payment.gid, expiresAt.toISOString());
    expect(again.body.data).toEqual(res.body.data);

    const resolved = await resolve(sim, payment.gid);
    expect(resolved.body.data?.paymentSessionResolve.paymentSession?.state).toEqual({
      __typename: "PaymentSessionStateResolved",
      code: "RESOLVED",
    });
    const late = await pending(sim, payment.gid);
    expect(late.body.data?.paymentSessionPending.userErrors).toEqual([
      expect.objectContaining({ code: "PENDING_INVALID_STATE" }),
    ]);
    expect(sim.paymentSessions.get(payment.id)?.mutations.map((m) => `${m.name}:${m.outcome}`)).toEqual([
      "paymentSessionPending:applied",
      "paymentSessionPending:repeated",
      "paymentSessionResolve:applied",
      "paymentSessionPending:rejected",
    ]);
  });

  it("pending then reject is allowed", async () => {
    const payment = await acknowledgedPayment();
    await pending(sim, payment.gid);
    const res = await reject(sim, payment.gid, "FRAUD_SUSPECTED");
    expect(res.body.data?.paymentSessionReject.userErrors).toEqual([]);
    expect(sim.paymentSessions.get(payment.id)?.state).toMatchObject({ code: "REJECTED", reason: "FRAUD_SUSPECTED" });
  });

  it("refuses a pendingExpiresAt in the past or beyond the pending expiry limit", async () => {
    const payment = await acknowledgedPayment();
    const past = await pending(sim, payment.gid, new Date(Date.now() - 60_000).toISOString());
    expect(past.body.data?.paymentSessionPending).toEqual({
      paymentSession: null,
      userErrors: [
        { field: ["pendingExpiresAt"], message: SHOPIFY_USER_ERROR_MESSAGES.pendingExpired, code: "EXPIRED_PENDING_EXPIRES_AT" },
      ],
    });
    const far = await pending(sim, payment.gid, inDays(45));
    expect(far.body.data?.paymentSessionPending.userErrors).toEqual([
      expect.objectContaining({ code: "OUT_OF_RANGE_PENDING_EXPIRES_AT", field: ["pendingExpiresAt"] }),
    ]);
    expect(sim.paymentSessions.get(payment.id)?.state.code).toBe("REDIRECTING");
  });

  it("answers not-found for unknown ids, raw ids and another shop's session", async () => {
    const payment = await acknowledgedPayment();
    const notFound = [{ field: ["id"], message: SHOPIFY_USER_ERROR_MESSAGES.paymentNotFound }];

    const unknown = await resolve(sim, "gid://shopify/PaymentSession/AAAAAAAAAAAAAAAAAAAAAAAA");
    expect(unknown.body.data?.paymentSessionResolve).toEqual({ paymentSession: null, userErrors: notFound });
    const rawId = await resolve(sim, payment.id);
    expect(rawId.body.data?.paymentSessionResolve.userErrors).toEqual(notFound);
    const otherShop = await resolve(sim, payment.gid, { shop: OTHER_SHOP, token: OTHER_TOKEN });
    expect(otherShop.body.data?.paymentSessionResolve.userErrors).toEqual(notFound);
    const pend = await pending(sim, "gid://shopify/PaymentSession/nope");
    expect(pend.body.data?.paymentSessionPending.userErrors).toEqual([
      { field: ["id"], message: SHOPIFY_USER_ERROR_MESSAGES.pendingNotFound, code: "NOT_FOUND" },
    ]);
    expect(sim.paymentSessions.get(payment.id)?.state.code).toBe("REDIRECTING");
  });

  it("records a violation when two sessions of one group are both resolved", async () => {
    const first = await acknowledgedPayment();
    const second = await sim.startPayment({ shop: SHOP, amount: "123.00", group: first.group });
    await resolve(sim, first.gid);
    expect(sim.violations).toEqual([]);
    await resolve(sim, second.gid);
    expect(sim.violations).toEqual([expect.objectContaining({ kind: "group_double_resolve", sessionId: second.id })]);
  });
});

describe("refund sessions", () => {
  it("sends the refund body, accepts 201, and resolves via refundSessionResolve", async () => {
    const payment = await acknowledgedPayment("300.00");
    const refund = await sim.startRefund({ shop: SHOP, paymentId: payment.id, amount: "100.00" });

    const req = app.requests.at(-1)!;
    expect(req.path).toBe("/payments/refunds");
    expect(req.headers["shopify-shop-domain"]).toBe(SHOP);
    expect(req.headers["shopify-request-id"]).toBeTruthy();
    expect(req.headers["shopify-api-version"]).toBe("2026-04");
    expect(Object.keys(req.json).sort()).toEqual(
      ["amount", "currency", "gid", "id", "merchant_locale", "payment_id", "proposed_at", "test"].sort(),
    );
    expect(req.json).toMatchObject({
      id: refund.id,
      gid: `gid://shopify/RefundSession/${refund.id}`,
      payment_id: payment.id,
      amount: "100.00",
      currency: "EUR",
      test: false,
      merchant_locale: "it",
    });
    expect(refund).toMatchObject({ ok: true, status: 201, gid: `gid://shopify/RefundSession/${refund.id}` });
    expect(sim.refundSessions.get(refund.id)?.state).toEqual({ code: "OPEN" });

    const res = await gql<RefundResolveData>(sim, REFUND_SESSION_RESOLVE, { id: refund.gid });
    expect(res.body.data?.refundSessionResolve).toEqual({
      refundSession: { id: refund.gid, state: { __typename: "RefundSessionStateResolved", code: "RESOLVED" } },
      userErrors: [],
    });
    const again = await gql<RefundResolveData>(sim, REFUND_SESSION_RESOLVE, { id: refund.gid });
    expect(again.body.data).toEqual(res.body.data);

    const rej = await gql<RefundRejectData>(sim, REFUND_SESSION_REJECT, {
      id: refund.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: "x" },
    });
    expect(rej.body.data?.refundSessionReject).toEqual({
      refundSession: null,
      userErrors: [
        { field: ["id"], message: SHOPIFY_USER_ERROR_MESSAGES.refundAlreadyResolved, code: "REFUND_SESSION_INVALID_STATE" },
      ],
    });
  });

  it("retries until the app answers 201 (a 200 is not enough)", async () => {
    const payment = await acknowledgedPayment();
    app.handle((r, i) => (r.path === "/payments/refunds" && i < 3 ? { status: 200 } : defaultHandler(r, i)));
    const refund = await sim.startRefund({ shop: SHOP, paymentId: payment.id, amount: "10.00" });
    expect(refund.attempts.map((a) => a.status)).toEqual([200, 200, 201]);
    expect(refund.ok).toBe(true);
  });

  it("rejects a refund; a resolve afterwards fails and unknown ids are not found", async () => {
    const payment = await acknowledgedPayment();
    const refund = await sim.startRefund({ shop: SHOP, paymentId: payment.id, amount: "10.00" });
    const rej = await gql<RefundRejectData>(sim, REFUND_SESSION_REJECT, {
      id: refund.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: "Rimborso rifiutato dal commerciante" },
    });
    expect(rej.body.data?.refundSessionReject.refundSession?.state).toEqual({
      __typename: "RefundSessionStateRejected",
      code: "REJECTED",
      reason: "PROCESSING_ERROR",
      merchantMessage: "Rimborso rifiutato dal commerciante",
    });
    const repeat = await gql<RefundRejectData>(sim, REFUND_SESSION_REJECT, {
      id: refund.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: "another message" },
    });
    expect(repeat.body.data).toEqual(rej.body.data);
    const res = await gql<RefundResolveData>(sim, REFUND_SESSION_RESOLVE, { id: refund.gid });
    expect(res.body.data?.refundSessionResolve.userErrors).toEqual([
      { field: ["id"], message: SHOPIFY_USER_ERROR_MESSAGES.refundAlreadyRejected, code: "REFUND_SESSION_INVALID_STATE" },
    ]);
    const unknown = await gql<RefundResolveData>(sim, REFUND_SESSION_RESOLVE, { id: "gid://shopify/RefundSession/zzz" });
    expect(unknown.body.data?.refundSessionResolve.userErrors).toEqual([
      { field: ["id"], message: SHOPIFY_USER_ERROR_MESSAGES.refundNotFound, code: "REFUND_SESSION_NOT_FOUND" },
    ]);
  });
});

describe("refund sessions before the app answered 201", () => {
  it("refuses to settle a refund whose request is in flight or failed", async () => {
    const payment = await acknowledgedPayment();
    app.handle((r, i) => (r.path === "/payments/refunds" ? { status: 201, delayMs: 1_000 } : defaultHandler(r, i)));
    const inFlight = sim.startRefund({ shop: SHOP, paymentId: payment.id, amount: "10.00" });
    // The app answers after 1 s: ask while the request is surely in flight, even on a busy machine.
    await new Promise((r) => setTimeout(r, 50));
    const [refundId] = [...sim.refundSessions.keys()];
    const early = await gql<RefundResolveData>(sim, REFUND_SESSION_RESOLVE, { id: `gid://shopify/RefundSession/${refundId}` });
    expect(early.body.data?.refundSessionResolve.userErrors).toEqual([
      { field: ["id"], message: SHOPIFY_USER_ERROR_MESSAGES.refundNotReceived, code: "REFUND_SESSION_INVALID_STATE" },
    ]);
    const refund = await inFlight;
    expect(refund.ok).toBe(true);
    const later = await gql<RefundResolveData>(sim, REFUND_SESSION_RESOLVE, { id: refund.gid });
    expect(later.body.data?.refundSessionResolve.userErrors).toEqual([]);

    app.handle(() => ({ status: 500 }));
    const failed = await sim.startRefund({ shop: SHOP, paymentId: payment.id, amount: "5.00" });
    expect(failed).toMatchObject({ ok: false, status: 500 });
    expect(sim.refundSessions.get(failed.id)?.state).toEqual({ code: "APP_FAILED" });
    const res = await gql<RefundResolveData>(sim, REFUND_SESSION_RESOLVE, { id: failed.gid });
    expect(res.body.data?.refundSessionResolve.userErrors[0]?.code).toBe("REFUND_SESSION_INVALID_STATE");
  });
});

describe("paymentsAppConfigure", () => {
  it("stores the configuration per shop", async () => {
    expect(sim.shop(SHOP)?.configuration).toBeNull();
    const res = await gql<{ paymentsAppConfigure: PaymentsAppConfigureResult }>(sim, PAYMENTS_APP_CONFIGURE, {
      externalHandle: "merchant-123",
      ready: true,
    });
    expect(res.body.data?.paymentsAppConfigure).toEqual({
      paymentsAppConfiguration: { externalHandle: "merchant-123", ready: true },
      userErrors: [],
    });
    expect(sim.shop(SHOP)?.configuration).toEqual({ externalHandle: "merchant-123", ready: true });
    expect(sim.shop(OTHER_SHOP)?.configuration).toBeNull();

    await gql(sim, PAYMENTS_APP_CONFIGURE, { ready: false });
    expect(sim.shop(SHOP)?.configuration).toEqual({ externalHandle: null, ready: false });
    expect(sim.shop(SHOP)?.configurationHistory.map((c) => c.ready)).toEqual([true, false]);
  });
});

describe("faults on the GraphQL endpoint", () => {
  it("failNext: answers the status without applying, then recovers", async () => {
    const payment = await acknowledgedPayment();
    sim.setFaults({ failNext: { count: 2, status: 502 } });
    expect((await resolve(sim, payment.gid)).status).toBe(502);
    expect((await resolve(sim, payment.gid)).status).toBe(502);
    expect(sim.paymentSessions.get(payment.id)?.state.code).toBe("REDIRECTING");
    const ok = await resolve(sim, payment.gid);
    expect(ok.status).toBe(200);
    expect(ok.body.data?.paymentSessionResolve.userErrors).toEqual([]);
    expect(sim.calls.map((c) => c.fault)).toEqual(["fail", "fail", null]);
  });

  it("failNext 500 and 503", async () => {
    const payment = await acknowledgedPayment();
    sim.setFaults({ failNext: { count: 1, status: 500 } });
    expect((await resolve(sim, payment.gid)).status).toBe(500);
    sim.setFaults({ failNext: { count: 1, status: 503 } });
    expect((await resolve(sim, payment.gid)).status).toBe(503);
    expect(sim.paymentSessions.get(payment.id)?.mutations).toEqual([]);
  });

  it("throttleNext: HTTP 429 with a Retry-After header, nothing applied", async () => {
    const payment = await acknowledgedPayment();
    sim.setFaults({ throttleNext: { count: 1, retryAfterSeconds: 2 } });
    const res = await resolve(sim, payment.gid);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(sim.paymentSessions.get(payment.id)?.mutations).toEqual([]);
    expect((await resolve(sim, payment.gid)).status).toBe(200);
  });

  it("hangNext: the request gets no answer (client-side timeout), the next one is served", async () => {
    const payment = await acknowledgedPayment();
    sim.setFaults({ hangNext: 1 });
    const started = Date.now();
    await expect(
      gql(sim, PAYMENT_SESSION_RESOLVE, { id: payment.gid }, { signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow(/aborted|timeout/i);
    await expect(
      gql(sim, PAYMENT_SESSION_RESOLVE, { id: payment.gid }, { signal: AbortSignal.timeout(200) }),
    ).resolves.toMatchObject({ status: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(sim.calls[0]).toMatchObject({ fault: "hang", status: null });
  });

  it("failAfterApplyNext: the mutation is applied but the app sees a 5xx; the retry returns the same result", async () => {
    const payment = await acknowledgedPayment();
    sim.setFaults({ failAfterApplyNext: { count: 1, status: 502 } });
    const lost = await resolve(sim, payment.gid);
    expect(lost.status).toBe(502);
    expect(sim.paymentSessions.get(payment.id)?.state.code).toBe("RESOLVED");
    const retry = await resolve(sim, payment.gid);
    expect(retry.body.data?.paymentSessionResolve.userErrors).toEqual([]);
    expect(retry.body.data?.paymentSessionResolve.paymentSession?.nextAction?.context.redirectUrl).toBe(
      sim.orderStatusUrl(SHOP, payment.id),
    );
  });

  it("latencyMs delays every answer", async () => {
    sim.setFaults({ latencyMs: 120 });
    const started = performance.now();
    await gql(sim, "{ publicApiVersions { handle } }");
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    sim.clearFaults();
    expect(sim.faults()).toEqual({});
  });

  it("faults can be set and cleared over HTTP", async () => {
    const set = await fetch(`${sim.url}/_sim/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ failNext: { count: 1, status: 503 } }),
    });
    expect(set.status).toBe(200);
    expect(sim.faults()).toEqual({ failNext: { count: 1, status: 503 } });
    const bad = await fetch(`${sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify({ failNext: 3 }) });
    expect(bad.status).toBe(400);
    expect((await fetch(`${sim.url}/_sim/faults`, { method: "DELETE" })).status).toBe(200);
    expect(sim.faults()).toEqual({});
    expect((await gql(sim, "{ publicApiVersions { handle } }")).status).toBe(200);
  });
});

describe("shopper pages", () => {
  it("serves an accessible bilingual checkout page", async () => {
    const res = await fetch(`${sim.url}/checkout`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<html lang="it">');
    expect(html).toMatch(/<button type="submit">Paga a rate con Soisy/);
    expect(html).toContain('lang="en"');
    const inputIds = [...html.matchAll(/<(?:input|select) id="([^"]+)"/g)].map((m) => m[1]);
    expect(inputIds).toEqual(expect.arrayContaining(["f-shop", "f-amount", "f-currency", "f-test", "f-email"]));
    for (const id of inputIds) expect(html).toContain(`<label for="${id}">`);
    expect(html).toContain(`value="${SHOP}"`);
    expect(html).toContain('value="Rossi"');
  });

  it("POST /checkout sends the payment session and 303-redirects to the app's redirect_url", async () => {
    const form = new URLSearchParams({
      shop: SHOP,
      amount: "450,5",
      currency: "EUR",
      test: "true",
      email: "mario.bianchi@example.com",
      phone_number: "+393401112233",
      given_name: "Mario",
      family_name: "Bianchi",
      line1: "Via Garibaldi 7",
      line2: "",
      city: "Torino",
      postal_code: "10122",
      province: "Torino",
      province_code: "TO",
      country_code: "it",
    });
    const res = await fetch(`${sim.url}/checkout`, { method: "POST", body: form, redirect: "manual" });
    expect(res.status).toBe(303);
    const body = app.requests[0]!.json;
    expect(res.headers.get("location")).toBe(`https://soisy.example/app/checkout/${String(body.id)}`);
    expect(body).toMatchObject({ amount: "450.50", currency: "EUR", test: true });
    expect(body.customer).toMatchObject({
      email: "mario.bianchi@example.com",
      billing_address: { given_name: "Mario", city: "Torino", country_code: "IT", province_code: "TO" },
    });
  });

  it("shows the app's failure after all retries", async () => {
    app.handle(() => ({ status: 500, body: { error: "soisy down" } }));
    const res = await fetch(`${sim.url}/checkout`, {
      method: "POST",
      body: new URLSearchParams({ shop: SHOP, amount: "100" }),
      redirect: "manual",
    });
    expect(res.status).toBe(502);
    const html = await res.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain("The payments app failed after 4 attempts");
    expect(html).toContain("soisy down");
    expect(app.requests).toHaveLength(4);
  });

  it("re-renders the form with an error for an invalid amount", async () => {
    const res = await fetch(`${sim.url}/checkout`, { method: "POST", body: new URLSearchParams({ shop: SHOP, amount: "abc" }) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Importo non valido");
    expect(app.requests).toHaveLength(0);
  });

  it("the order status page reflects the session's state", async () => {
    const statePage = async (id: string) => {
      const res = await fetch(sim.orderStatusUrl(SHOP, id));
      const html = await res.text();
      return { status: res.status, html, state: /data-state="([A-Z_]+)"/.exec(html)?.[1] };
    };
    const a = await acknowledgedPayment();
    expect((await statePage(a.id)).state).toBe("REDIRECTING");
    await pending(sim, a.gid);
    const p = await statePage(a.id);
    expect(p.state).toBe("PENDING");
    expect(p.html).toContain("Pagamento in attesa di conferma");
    await resolve(sim, a.gid);
    const r = await statePage(a.id);
    expect(r).toMatchObject({ status: 200, state: "RESOLVED" });
    expect(r.html).toContain("Ordine confermato");

    const b = await acknowledgedPayment();
    await reject(sim, b.gid);
    const j = await statePage(b.id);
    expect(j.state).toBe("REJECTED");
    expect(j.html).toContain("Pagamento rifiutato");

    expect((await statePage("AAAAAAAAAAAAAAAAAAAAAAAA")).status).toBe(404);
    expect((await fetch(sim.orderStatusUrl(OTHER_SHOP, a.id))).status).toBe(404);
  });

  it("serves the cancel page the reject nextAction points to", async () => {
    const payment = await acknowledgedPayment();
    const res = await reject(sim, payment.gid);
    const url = res.body.data?.paymentSessionReject.paymentSession?.nextAction?.context.redirectUrl;
    expect(url).toBe(sim.cancelUrl(payment.id));
    const page = await fetch(url!);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("Scegli un altro metodo di pagamento");
    expect(html).toContain("Choose another payment method");
    expect(html).toContain('data-state="REJECTED"');
  });

  it("GET /_sim/state dumps sessions and calls without access tokens", async () => {
    const payment = await acknowledgedPayment();
    await resolve(sim, payment.gid);
    const res = await fetch(`${sim.url}/_sim/state`);
    const state = (await res.json()) as Record<string, unknown[]>;
    expect(state.paymentSessions).toEqual([expect.objectContaining({ id: payment.id, state: { code: "RESOLVED" } })]);
    expect(state.calls).toHaveLength(1);
    expect(state.sessionRequests).toHaveLength(1);
    expect(JSON.stringify(state)).not.toContain(TOKEN);
  });
});

describe("CLI entry (demo)", () => {
  it("starts from argv, prints a ready line, serves the shop and stops on SIGTERM", async () => {
    const repoRoot = path.resolve(import.meta.dirname, "../..");
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"),
        "test/simulators/shopify/main.ts",
        "--port",
        "0",
        "--app-url",
        app.url,
        "--shop",
        "cli-shop.myshopify.com",
        "--token",
        "shpat_cli",
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const lines = createInterface({ input: child.stdout! });
      const [line] = (await once(lines, "line")) as [string];
      const ready = JSON.parse(line) as { event: string; url: string; paymentsApiUrlTemplate: string; graphqlUrl: string };
      expect(ready.event).toBe("ready");
      expect(ready.paymentsApiUrlTemplate).toBe(`${ready.url}/shops/{shop}`);
      expect(ready.graphqlUrl).toBe(`${ready.url}/shops/cli-shop.myshopify.com/payments_apps/api/2026-04/graphql.json`);
      const res = await fetch(ready.graphqlUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": "shpat_cli" },
        body: JSON.stringify({ query: PAYMENTS_APP_CONFIGURE, variables: { ready: true } }),
      });
      expect(res.status).toBe(200);
      const started = await fetch(`${ready.url}/_sim/payments`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ shop: "cli-shop.myshopify.com", amount: "42.00" }),
      });
      expect(await started.json()).toMatchObject({ ok: true, status: 200 });
      expect(app.requests.at(-1)?.headers["shopify-shop-domain"]).toBe("cli-shop.myshopify.com");
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
  }, 20_000);
});

describe("start-up", () => {
  it("refuses to start, saying why, when Shopify's schema file cannot be read", async () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const script = `import { startShopifySimulator } from "./test/simulators/shopify";
startShopifySimulator({ appUrl: "http://127.0.0.1:1" }).then(
  () => { console.log("started"); process.exit(0); },
  (error) => { console.error(error.message); process.exit(1); },
);`;
    const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "-e", script], {
      cwd: root,
      env: { ...process.env, SHOPIFY_PAYMENTS_SCHEMA_PATH: path.join(root, "test/fixtures/shopify/no-such-schema.json") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code, output).toBe(1);
    expect(output).toContain("Cannot read Shopify's Payments Apps schema");
    expect(output).not.toContain("started");
  }, 60_000);
});
