/**
 * Hostile input against every public route of the BUILT app (the e2e stack: production server,
 * real database, Shopify and Soisy simulators). fast-check generates requests — methods, headers,
 * content types, bodies (JSON of random shape, deep nesting, huge strings, lone UTF-16 surrogates,
 * binary, forms), path segments (bad percent-encodings) — around valid-looking ones (signed
 * webhooks, valid session secrets, a signed app-proxy query, Shopify's proof header).
 *
 * Asserted: no answer is 5xx, and a request answered 4xx wrote no row (every table is counted
 * before and after each request; requests are sent one at a time and the app's background jobs are
 * slowed to once per 10 minutes so only the request itself can write).
 *
 * HOSTILE_RUNS (default 1500) requests per run, HOSTILE_SEED (default fixed) picks them: the same
 * seed replays the same requests. Prints the number of requests sent and of 5xx answers.
 */
import { createHmac, randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseKeyring } from "~/security/encryption.server";
import { sessionSecret } from "~/payments/url-secrets.server";
import { signAppProxyQuery } from "~/shopify/app-proxy.server";
import { FORM_FIELDS } from "~/preapproval/form";
import { WORKING_STATES } from "~/payments/settlement-lifecycle";
import { eventually, startStack, type Stack } from "../helpers/stack";
import { listTables, rowCounts, sendRaw } from "./hostile-http";

const RUNS = Math.max(1, Number(process.env.HOSTILE_RUNS ?? 1500));
const SEED = Number(process.env.HOSTILE_SEED ?? 20_261_204);

let stack: Stack;
const known = { soisyToken: "", redirectId: "", preapprovalId: "", notEligibleId: "", redirectSecret: "", preapprovalSecret: "", notEligibleSecret: "" };
let paymentBody: Record<string, unknown> = {};
let tables: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    appEnv: {
      // Only the request under test may write: the outbox and reconciliation run once per 10 minutes / day.
      OUTBOX_POLL_MS: "600000",
      RECONCILE_INTERVAL_MS: "86400000",
      // The per-IP limits would answer most of the run 429 before the routes see it.
      RATE_LIMIT_LOGIN_MAX: "1000000",
      RATE_LIMIT_PREAPPROVAL_MAX: "1000000",
      RATE_LIMIT_WRONG_SECRET_MAX: "1000000",
    },
  });
  const keyring = parseKeyring(stack.encryptionKey);
  // A resolved level-1 payment (refundable), a level-2 one, and one not eligible (amount too small).
  const paid = await stack.shopify.startPayment({ shop: stack.shop, amount: "500.00", test: true });
  expect(paid.ok).toBe(true);
  paymentBody = paid.request as Record<string, unknown>;
  const token = (await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id: paid.id } })).soisyToken!;
  await stack.soisy.completeOrder(token);
  await stack.soisy.fireEvent(token, "LoanWasVerified");
  await eventually(async () => (await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id: paid.id } })).state === "resolved", 15_000, "resolved");
  const small = await stack.shopify.startPayment({ shop: stack.shop, amount: "5.00", test: true });
  await stack.database.db.shopSettings.update({ where: { shop: stack.shop }, data: { integrationLevel: "preapproval" } });
  const level2 = await stack.shopify.startPayment({ shop: stack.shop, amount: "800.00", test: true });
  expect(level2.ok).toBe(true);
  Object.assign(known, {
    soisyToken: token,
    redirectId: paid.id,
    preapprovalId: level2.id,
    notEligibleId: small.id,
    redirectSecret: sessionSecret(paid.id, keyring),
    preapprovalSecret: sessionSecret(level2.id, keyring),
    notEligibleSecret: sessionSecret(small.id, keyring),
  });
  tables = await listAppTables();
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

afterEach((context) => {
  if (context.task.result?.state === "fail") console.error(`--- app output ---\n${stack.appOutput().slice(-4_000)}`);
});

// ---------- the database: every table's row count ----------

const listAppTables = () => listTables(stack.database, ["PaymentSession", "RefundSession", "SettlementSession", "ProcessedWebhook", "TimelineEvent", "OutboxMessage", "Session", "ShopSettings"]);
const rowCountsNow = () => rowCounts(stack.database, tables);

// ---------- sending raw requests ----------

interface Spec {
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const send = (spec: Spec) => sendRaw(stack.appUrl, spec);

// ---------- generators ----------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => `x${String.fromCharCode(c)}y`);
const hugeString = fc.constantFrom(50_000, 70_000, 200_000).map((n) => "A".repeat(n));
const deepJson = fc.integer({ min: 40, max: 12_000 }).map((n) => JSON.parse(`${"[".repeat(n)}${"]".repeat(n)}`) as unknown);
const oddNumber = fc.constantFrom(-1, 0, 1e308, -0, 2 ** 53 + 1, 1.005, -99999999999, 0.1 + 0.2);
const oddString = fc.constantFrom(
  "",
  " ",
  "null",
  "NaN",
  "-1",
  "1e3",
  "0.001",
  "99999999999999999999.99",
  "12,50",
  "<script>alert(1)</script>",
  "'; DROP TABLE \"PaymentSession\"; --",
  "=HYPERLINK(\"http://evil\")",
  "\u0000",
  "gid://shopify/PaymentSession/",
  "javascript:alert(1)",
  "http://evil.example/",
  "https://evil.example/",
  "../../etc/passwd",
  "%00",
  "😀".repeat(5),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 3, arbitrary: loneSurrogate },
  { weight: 3, arbitrary: oddString },
  { weight: 2, arbitrary: oddNumber },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: deepJson },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
);

/** A JSON body: a valid-looking object with one field replaced / removed / added, or something else. */
function jsonBody(base: () => Record<string, unknown>, paths: string[][]): fc.Arbitrary<Buffer> {
  const mutated = fc
    .tuple(fc.constantFrom(...paths), hostileValue, fc.constantFrom("set", "delete", "add"), fc.string({ maxLength: 12 }))
    .map(([path, value, op, key]) => {
      const body = structuredClone(base());
      let target: Record<string, unknown> = body;
      for (const p of path.slice(0, -1)) {
        const next = target[p];
        if (!next || typeof next !== "object") target[p] = {};
        target = target[p] as Record<string, unknown>;
      }
      const last = path.at(-1)!;
      if (op === "delete") delete target[last];
      else if (op === "add") target[key || loneSurrogateKey()] = value;
      else target[last] = value;
      return body;
    });
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(null).map(() => Buffer.from(JSON.stringify(base()))) },
    { weight: 8, arbitrary: mutated.map((b) => Buffer.from(safeStringify(b))) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v))) },
    { weight: 1, arbitrary: fc.integer({ min: 33, max: 15_000 }).map((n) => Buffer.from(`{"a":${"[".repeat(n)}1${"]".repeat(n)}}`)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.constantFrom("{", "[1,", '{"a":"\\ud800"}', '{"a":"\\u12"}', "\uFEFF{}", "nul", '"str"', "1e999").map((s) => Buffer.from(s)) },
  );
}

function loneSurrogateKey() {
  return "k\udc00";
}

/** JSON.stringify overflows the stack on very deep values: send those as text built by hand. */
function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return `{"deep":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
  }
}

const contentType = fc.constantFrom(
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/octet-stream",
  "",
  "application/json; charset=utf-16",
  "💥/💥".replace(/[^\x20-\x7e]/g, "x"),
);
const method = (main: string) => fc.oneof({ weight: 8, arbitrary: fc.constant(main) }, { weight: 2, arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD") });
const badSegment = fc.constantFrom("%ED%A0%80", "%C0%AF", "%FF", "%", "%E0%A4%A", "..", "%2e%2e", "a".repeat(3_000), "%00", "x%0Ay", "null", "-");
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
const extraHeaders = fc.dictionary(fc.constantFrom("x-shopify-topic", "x-forwarded-for", "accept-language", "origin", "cookie", "x-requested-with", "accept", "user-agent"), headerValue, { maxKeys: 3 });

function proofHeaders(): Record<string, string> {
  const name = stack.env.SHOPIFY_MTLS_HEADER;
  const value = stack.env.SHOPIFY_MTLS_HEADER_VALUE;
  return name && value ? { [name]: value } : {};
}

const shopHeader = fc.oneof({ weight: 6, arbitrary: fc.constant(null).map(() => stack.shop) }, { weight: 2, arbitrary: fc.constantFrom("other-shop.myshopify.com", "", "evil.example", "a".repeat(300), "UPPER.MYSHOPIFY.COM") }, { weight: 1, arbitrary: headerValue });

function shopifySessionRoute(route: string, path: string, base: () => Record<string, unknown>, paths: string[][]): fc.Arbitrary<Spec> {
  return fc.record({ m: method("POST"), ct: contentType, shop: shopHeader, proof: fc.constantFrom(true, true, true, true, false), body: jsonBody(base, paths), extra: extraHeaders }).map(({ m, ct, shop, proof, body, extra }) => ({
    route,
    method: m,
    path,
    headers: { ...extra, ...(ct ? { "content-type": ct } : {}), ...(shop ? { "shopify-shop-domain": shop } : {}), "shopify-request-id": randomUUID(), ...(proof || m !== "POST" ? proofHeaders() : {}) },
    ...(m === "GET" || m === "HEAD" ? {} : { body }),
  }));
}

function newPaymentBody(): Record<string, unknown> {
  const id = `hz${randomUUID().replace(/-/g, "")}`;
  return { ...structuredClone(paymentBody), id, gid: `gid://shopify/PaymentSession/${id}`, proposed_at: new Date().toISOString() };
}

function newRefundBody(): Record<string, unknown> {
  const id = `hr${randomUUID().replace(/-/g, "")}`;
  return { id, gid: `gid://shopify/RefundSession/${id}`, payment_id: known.redirectId, amount: "1.00", currency: "EUR", test: true, merchant_locale: "it", proposed_at: new Date().toISOString() };
}

/** A capture or void of the resolved payment (a sale: the app answers 201 and rejects it through the outbox). */
function newSettlementBody(type: "CaptureSession" | "VoidSession"): Record<string, unknown> {
  const id = `h${type === "CaptureSession" ? "c" : "v"}${randomUUID().replace(/-/g, "")}`;
  const amount = type === "CaptureSession" ? { amount: "1.00", currency: "EUR" } : {};
  return { id, gid: `gid://shopify/${type}/${id}`, payment_id: known.redirectId, ...amount, test: true, merchant_locale: "it", proposed_at: new Date().toISOString() };
}

/** Shopify's answer to a confirm, about the resolved payment (nothing is waiting for it: 409) or, mutated, another id. */
function newConfirmationBody(): Record<string, unknown> {
  return { id: known.redirectId, gid: `gid://shopify/PaymentSession/${known.redirectId}`, confirmation_result: true };
}

const PAYMENT_PATHS = [["id"], ["gid"], ["group"], ["session_id"], ["amount"], ["currency"], ["test"], ["merchant_locale"], ["kind"], ["proposed_at"], ["payment_method"], ["payment_method", "type"], ["payment_method", "data"], ["payment_method", "data", "cancel_url"], ["cancel_url"], ["customer"], ["customer", "email"], ["customer", "locale"], ["customer", "phone_number"], ["customer", "billing_address"], ["customer", "billing_address", "given_name"], ["customer", "billing_address", "line1"], ["customer", "billing_address", "postal_code"], ["customer", "billing_address", "country_code"], ["customer", "shipping_address", "city"]];
const REFUND_PATHS = [["id"], ["gid"], ["payment_id"], ["amount"], ["currency"], ["test"], ["merchant_locale"], ["proposed_at"]];

const paymentSessions = shopifySessionRoute("POST /payments/sessions", "/payments/sessions", newPaymentBody, PAYMENT_PATHS);
const refundSessions = shopifySessionRoute("POST /payments/refunds", "/payments/refunds", newRefundBody, REFUND_PATHS);
const captureSessions = shopifySessionRoute("POST /payments/captures", "/payments/captures", () => newSettlementBody("CaptureSession"), REFUND_PATHS);
const voidSessions = shopifySessionRoute(
  "POST /payments/voids",
  "/payments/voids",
  () => newSettlementBody("VoidSession"),
  REFUND_PATHS.filter(([key]) => key !== "amount" && key !== "currency"),
);
const confirmations = shopifySessionRoute("POST /payments/confirmations", "/payments/confirmations", newConfirmationBody, [["id"], ["gid"], ["confirmation_result"]]);

const webhookTopics = fc.constantFrom("shop/redact", "customers/redact", "customers/data_request", "app/uninstalled", "orders/create", "", "SHOP/REDACT", "x".repeat(200));
const webhooks: fc.Arbitrary<Spec> = fc
  .record({
    path: fc.constantFrom("/webhooks/compliance", "/webhooks/app/uninstalled"),
    m: method("POST"),
    hmac: fc.constantFrom("valid", "valid", "valid", "invalid", "missing", "garbage"),
    topic: webhookTopics,
    shop: fc.constantFrom("fuzz-other.myshopify.com", "fuzz-other.myshopify.com", "", "not a shop", "x.myshopify.com"),
    ids: fc.record({ webhook: fc.oneof(fc.uuid(), headerValue, fc.constant("")), event: fc.option(fc.oneof(fc.uuid(), headerValue)), triggered: fc.option(fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), headerValue)) }),
    ct: contentType,
    body: jsonBody(
      () => ({ shop_id: 1, shop_domain: "fuzz-other.myshopify.com", myshopify_domain: "fuzz-other.myshopify.com", customer: { id: 1, email: "nobody@example.com", phone: "3331112222" }, orders_requested: [1], orders_to_redact: [1], data_request: { id: 1 } }),
      [["shop_id"], ["shop_domain"], ["myshopify_domain"], ["customer"], ["customer", "id"], ["customer", "email"], ["customer", "phone"], ["orders_requested"], ["orders_to_redact"], ["data_request"], ["data_request", "id"]],
    ),
  })
  .map(({ path, m, hmac, topic, shop, ids, ct, body }) => {
    const secret = stack.env.SHOPIFY_API_SECRET!;
    const signature = hmac === "valid" ? createHmac("sha256", secret).update(body).digest("base64") : hmac === "invalid" ? createHmac("sha256", "wrong").update(body).digest("base64") : hmac === "garbage" ? "!!notbase64!!" : null;
    const headers: Record<string, string> = { "x-shopify-topic": topic, "x-shopify-shop-domain": shop, "x-shopify-webhook-id": ids.webhook, "x-shopify-api-version": "2026-04" };
    if (ct) headers["content-type"] = ct;
    if (signature !== null) headers["x-shopify-hmac-sha256"] = signature;
    if (ids.event !== null) headers["x-shopify-event-id"] = ids.event;
    if (ids.triggered !== null) headers["x-shopify-triggered-at"] = ids.triggered;
    return { route: `${m} ${path} (${hmac} HMAC)`, method: m, path, headers, ...(m === "GET" || m === "HEAD" ? {} : { body }) };
  });

const formValue = fc.oneof(fc.string({ maxLength: 30 }), loneSurrogate, oddString, hugeString.map((s) => s.slice(0, 3_000)), fc.string({ unit: "binary", maxLength: 20 }));
const formBody = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...FORM_FIELDS, "proof", "eventId", "orderToken", "eventDate", "shop", "decision"), fc.string({ maxLength: 10 })), formValue), { maxLength: 12 })
  .map((pairs) => Buffer.from(pairs.map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`).join("&")));

/** Percent-encodes like a browser, except that lone surrogates go out as their raw (invalid) UTF-8 bytes. */
function encodeLoose(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
    else out += encodeURIComponent(ch);
  }
  return out;
}

type SessionKind = "redirect" | "preapproval" | "notEligible";
const secretFor = (kind: SessionKind) => known[`${kind}Secret`];
const idFor = (kind: SessionKind) => known[`${kind}Id`];

/** The shopper-facing routes of one payment session: valid id + secret, or not. */
function shopperRoute(name: string, build: (id: string, secret: string, extra: string) => string, extras: fc.Arbitrary<string>): fc.Arbitrary<Spec> {
  return fc
    .record({
      kind: fc.constantFrom<SessionKind>("redirect", "preapproval", "notEligible"),
      validId: fc.constantFrom(true, true, true, false),
      secret: fc.constantFrom("valid", "valid", "valid", "valid", "other", "random", "bad"),
      random: fc.stringMatching(/^[A-Za-z0-9_-]{1,44}$/),
      bad: badSegment,
      extra: extras,
      m: fc.constantFrom("GET", "GET", "POST", "POST", "PUT", "HEAD", "DELETE"),
      ct: fc.oneof({ weight: 3, arbitrary: fc.constant("application/x-www-form-urlencoded") }, { weight: 2, arbitrary: contentType }),
      body: fc.oneof(formBody, jsonBody(() => ({ proof: "x", instalments: "12" }), [["proof"], ["instalments"], ["fiscalCode"]])),
      extraHeaders,
    })
    .map(({ kind, validId, secret, random, bad, extra, m, ct, body, extraHeaders: h }): Spec => {
      const id = validId ? idFor(kind) : random;
      const s = secret === "valid" ? secretFor(kind) : secret === "other" ? secretFor(kind === "redirect" ? "preapproval" : "redirect") : secret === "random" ? random : bad;
      return { route: `${m} ${name}`, method: m, path: build(id, s, extra), headers: { ...h, ...(ct ? { "content-type": ct } : {}) }, ...(m === "GET" || m === "HEAD" ? {} : { body }) };
    });
}

const soisyCallback: fc.Arbitrary<Spec> = fc
  .record({
    validSecret: fc.boolean(),
    bad: badSegment,
    ct: fc.constantFrom("application/x-www-form-urlencoded", "application/json", "text/plain", ""),
    m: method("POST"),
    form: formBody,
    json: jsonBody(() => ({ eventId: "LoanWasVerified", orderToken: known.soisyToken, eventDate: new Date().toISOString() }), [["eventId"], ["orderToken"], ["eventDate"], ["eventMessage"], ["amount"]]),
    // The session's own order token, with a hostile event: gets past the token check.
    tokenForm: fc.tuple(fc.oneof(formValue, fc.constantFrom("LoanWasVerified", "LoanWasDisbursed", "\u0000", "Loan\u0000")), formValue).map(([eventId, date]) => Buffer.from(`eventId=${encodeLoose(eventId)}&orderToken=${known.soisyToken}&eventDate=${encodeLoose(date)}`)),
    useToken: fc.boolean(),
  })
  .map(({ validSecret, bad, ct, m, form, json, tokenForm, useToken }): Spec => {
    const secret = validSecret ? known.redirectSecret : bad;
    return {
      route: `${m} /soisy/callback (${validSecret ? "valid" : "invalid"} secret)`,
      method: m,
      path: `/soisy/callback/${known.redirectId}/${secret}`,
      headers: ct ? { "content-type": ct } : {},
      ...(m === "GET" || m === "HEAD" ? {} : { body: ct === "application/json" ? json : useToken ? tokenForm : form }),
    };
  });

const proxyQuote: fc.Arbitrary<Spec> = fc
  .record({
    amount: fc.oneof(fc.integer({ min: -10, max: 10_000_000 }).map(String), oddString, loneSurrogate),
    instalments: fc.option(fc.oneof(fc.integer({ min: -5, max: 100 }).map(String), oddString)),
    locale: fc.option(fc.oneof(fc.constantFrom("it", "en", "de"), oddString)),
    signed: fc.constantFrom(true, true, true, false),
    shop: fc.constantFrom("stack", "stack", "fuzz-other.myshopify.com", "evil"),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 20 }), loneSurrogate), { maxKeys: 2 }),
  })
  .map(({ amount, instalments, locale, signed, shop, extra }) => {
    const params = new URLSearchParams({ ...extra, amount, shop: shop === "stack" ? stack.shop : shop, logged_in_customer_id: "", path_prefix: "/apps/soisy", timestamp: String(Math.floor(Date.now() / 1000)) });
    if (instalments !== null) params.set("instalments", instalments);
    if (locale !== null) params.set("locale", locale);
    const query = signed ? signAppProxyQuery(params, stack.env.SHOPIFY_API_SECRET!) : params;
    // URLSearchParams turns lone surrogates into U+FFFD; the raw invalid bytes are tried by the path fuzzer.
    return { route: `GET /proxy/quote (${signed ? "signed" : "unsigned"})`, method: "GET", path: `/proxy/quote?${query.toString()}`, headers: {} };
  });

const login: fc.Arbitrary<Spec> = fc.record({ m: method("POST"), ct: contentType, body: fc.oneof(formBody, jsonBody(() => ({ shop: "a.myshopify.com" }), [["shop"]])), q: fc.oneof(fc.constant(""), fc.string({ maxLength: 20 }).map((s) => `?shop=${encodeLoose(s)}`), badSegment.map((s) => `?shop=${s}`)) }).map(({ m, ct, body, q }) => ({
  route: `${m} /auth/login`,
  method: m,
  path: `/auth/login${q}`,
  headers: { ...(ct ? { "content-type": ct } : {}), origin: stack.appUrl },
  ...(m === "GET" || m === "HEAD" ? {} : { body }),
}));

const simple: fc.Arbitrary<Spec> = fc
  .record({ path: fc.oneof(fc.constantFrom("/healthz", "/", "/widget-assets/soisy-widget.js", "/widget-assets/soisy-widget.css?v=1"), fc.oneof(badSegment, fc.stringMatching(/^[a-z.-]{1,20}$/)).map((f) => `/widget-assets/${f}`)), m: fc.constantFrom("GET", "GET", "HEAD", "POST", "OPTIONS", "DELETE"), h: extraHeaders })
  .map(({ path, m, h }) => ({ route: `${m} ${path.startsWith("/widget-assets/") ? "/widget-assets/:file" : path}`, method: m, path, headers: { ...h, "if-none-match": h.accept ?? "*" } }));

const anyRequest: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 5, arbitrary: paymentSessions },
  { weight: 4, arbitrary: refundSessions },
  { weight: 3, arbitrary: captureSessions },
  { weight: 2, arbitrary: voidSessions },
  { weight: 2, arbitrary: confirmations },
  { weight: 4, arbitrary: webhooks },
  { weight: 3, arbitrary: soisyCallback },
  { weight: 2, arbitrary: shopperRoute("/payments/return/:id/:secret/:outcome", (id, s, o) => `/payments/return/${id}/${s}/${o}`, fc.oneof(fc.constantFrom("success", "error"), badSegment)) },
  { weight: 2, arbitrary: shopperRoute("/payments/status/:id/:secret", (id, s) => `/payments/status/${id}/${s}`, fc.constant("")) },
  { weight: 2, arbitrary: shopperRoute("/payments/not-eligible/:id/:secret", (id, s, q) => `/payments/not-eligible/${id}/${s}${q}`, fc.constantFrom("", "?lang=en", "?lang=%ED%A0%80")) },
  { weight: 3, arbitrary: shopperRoute("/payments/preapproval/:id/:secret", (id, s, q) => `/payments/preapproval/${id}/${s}${q}`, fc.constantFrom("", "?lang=en", "?_data=routes%2Fpayments.preapproval.%24id.%24secret", "?index")) },
  { weight: 3, arbitrary: proxyQuote },
  { weight: 2, arbitrary: login },
  { weight: 2, arbitrary: simple },
);

/**
 * A capture or void answered 2xx is processed right after the answer (the app checks it against its
 * payment and queues Shopify's reject): wait for that before the next request, whose row counts must
 * show only what that request wrote.
 */
async function backgroundWorkDone(spec: Spec): Promise<void> {
  if (spec.route !== "POST /payments/captures" && spec.route !== "POST /payments/voids") return;
  const id = (JSON.parse(spec.body!.toString("utf8")) as { id: string }).id;
  await eventually(
    async () => {
      const row = await stack.database.db.settlementSession.findUnique({ where: { id }, select: { state: true } });
      return row !== null && !(WORKING_STATES as readonly string[]).includes(row.state);
    },
    15_000,
    `${spec.route} ${id} processed after its answer`,
  );
}

describe("hostile input over every public route", () => {
  it(`no 5xx and no row written by a rejected request (${RUNS} requests, seed ${SEED})`, async () => {
    const started = Date.now();
    const samples = fc.sample(anyRequest, { numRuns: RUNS, seed: SEED });
    const serverErrors: string[] = [];
    const partialWrites: string[] = [];
    const byRoute = new Map<string, Map<number, number>>();
    let sent = 0;
    for (const spec of samples) {
      const before = await rowCountsNow();
      const answer = await send(spec);
      sent++;
      const statuses = byRoute.get(spec.route) ?? new Map<number, number>();
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      byRoute.set(spec.route, statuses);
      const describe = () => `${spec.route} → ${answer.status} ${answer.body.slice(0, 160)} | ${spec.method} ${spec.path.slice(0, 120)} ${JSON.stringify(spec.headers).slice(0, 200)} body=${spec.body ? JSON.stringify(spec.body.subarray(0, 200).toString("utf8")) : "-"}`;
      if (answer.status >= 500) {
      serverErrors.push(describe());
      if (process.env.HOSTILE_DEBUG) console.log(`[hostile] 5xx: ${describe()}\n${stack.appOutput().slice(-1_500)}`);
    }
      if (answer.status >= 200 && answer.status < 300) await backgroundWorkDone(spec);
      if (answer.status >= 400) {
        const after = await rowCountsNow();
        const changed = tables.filter((t) => after[t] !== before[t]).map((t) => `${t} ${before[t]}→${after[t]}`);
        if (changed.length) partialWrites.push(`${describe()} | wrote: ${changed.join(", ")}`);
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`[hostile] ${stack.database.kind}: ${sent} requests in ${seconds} s, ${serverErrors.length} answers 5xx, ${partialWrites.length} rejected requests that wrote rows (seed ${SEED})`);
    if (process.env.HOSTILE_DEBUG) {
      const lines = [...byRoute.entries()].sort().map(([r, st]) => `  ${r}: ${[...st.entries()].sort((a, b) => a[0] - b[0]).map(([code, n]) => `${code}×${n}`).join(" ")}`);
      console.log(`[hostile] answers per route:\n${lines.join("\n")}`);
    }
    expect(sent).toBe(RUNS);
    expect(serverErrors.slice(0, 20)).toEqual([]);
    expect(partialWrites.slice(0, 20)).toEqual([]);
  }, 600_000);
});
