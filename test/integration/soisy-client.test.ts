/**
 * The Soisy client against the Soisy simulator, over real HTTP.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSoisyClient, type SoisyClientOptions } from "~/soisy/client.server";
import {
  SoisyError,
  SoisyValidationError,
  type SoisyErrorKind,
} from "~/soisy/errors";
import { simulatorClient, useSoisySimulator } from "../helpers/soisy-sim";
import { computeQuotes } from "../simulators/soisy";

const SHOP = "partnershop";
const KEY = "partnerkey";
const OTHER_SHOP = "othershop";
const OTHER_KEY = "other-Key/With+Special=Chars";
const LIMITED_SHOP = "limitedshop";
const LIMITED_KEY = "limited-key-123";

const sim = useSoisySimulator([
  { shopId: SHOP, apiKey: KEY },
  { shopId: OTHER_SHOP, apiKey: OTHER_KEY },
  { shopId: LIMITED_SHOP, apiKey: LIMITED_KEY, zeroInterestRate: false, maxLoanInstalmentsNumber: 24 },
]);

const client = (overrides: Partial<SoisyClientOptions> = {}) => simulatorClient(sim, { shopId: SHOP, apiKey: KEY }, overrides);

async function catchError(promise: Promise<unknown>): Promise<SoisyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SoisyError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

function requestsTo(pathPart: string, method?: string) {
  return sim.requests.filter((r) => r.path.includes(pathPart) && (!method || r.method === method));
}

const fullOrder = {
  amount: 123456,
  email: "mario.rossi@example.it",
  firstname: "Mario",
  lastname: "Rossi",
  mobilePhone: "3331234567",
  fiscalCode: "RSSMRA80A01F205X",
  city: "Milano",
  province: "MI",
  address: "Via Roma",
  civicNumber: "10",
  postalCode: "20121",
  zeroInterestRate: true,
  successUrl: "https://merchant.example/return/ok?s=1",
  errorUrl: "https://merchant.example/return/ko?s=1",
  // Port 9 (discard) refuses connections at once: callbacks fail fast and are only recorded.
  callbackUrl: "http://127.0.0.1:9/callback/secret123",
  orderReference: "session-1",
};

describe("createOrder", () => {
  it("sends a form-encoded, authenticated POST and stores the order in the simulator", async () => {
    const before = sim.requests.length;
    const res = await client().createOrder(fullOrder);
    expect(res.token).toMatch(/^[0-9a-f]{32}$/);
    expect(res.redirectUrl).toBe(`${sim.url}/${SHOP}#/loan-request?token=${res.token}`);
    expect(res.redirectUrlSource).toBe("soisy");

    const req = sim.requests.slice(before).find((r) => r.path === `/api/shops/${SHOP}/orders`);
    expect(req?.method).toBe("POST");
    expect(req?.headers["x-auth-token"]).toBe(KEY);
    expect(req?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req?.rawBody).toContain("zeroInterestRate=1");
    expect(req?.rawBody).toContain("amount=123456");
    expect(req?.rawBody).not.toContain("instalments");

    const stored = sim.orders.get(res.token);
    expect(stored).toMatchObject({
      shopId: SHOP,
      status: "quote",
      amount: 123456,
      instalments: null,
      instalmentsLocked: false,
      zeroInterestRate: true,
      email: fullOrder.email,
      firstname: "Mario",
      mobilePhone: "3331234567",
      countryCallingCode: "+39",
      fiscalCode: "RSSMRA80A01F205X",
      province: "MI",
      postalCode: "20121",
      successUrl: fullOrder.successUrl,
      callbackUrl: fullOrder.callbackUrl,
      orderReference: "session-1",
      bodyEncoding: "form",
    });
  });

  it("can send JSON bodies too (the simulator accepts both)", async () => {
    const res = await client({ bodyEncoding: "json" }).createOrder({ ...fullOrder, instalments: 10, zeroInterestRate: false });
    const stored = sim.orders.get(res.token);
    expect(stored).toMatchObject({ bodyEncoding: "json", amount: 123456, instalments: 10, instalmentsLocked: true, zeroInterestRate: false });
    const req = requestsTo(`/orders`, "POST").at(-1);
    expect(req?.contentType).toBe("application/json");
    expect(JSON.parse(req?.rawBody ?? "")).toMatchObject({ amount: 123456, zeroInterestRate: false });
  });

  it("rejects invalid input without any network call", async () => {
    const before = sim.requests.length;
    const err = await catchError(
      client().createOrder({ amount: 19.99, email: "nope", province: "mi", extra: 1 } as never),
    );
    expect(err).toBeInstanceOf(SoisyValidationError);
    const v = err as SoisyValidationError;
    expect(v.origin).toBe("client");
    expect(Object.keys(v.fields).sort()).toEqual(["amount", "email", "extra", "province"]);
    expect(sim.requests.length).toBe(before);
  });

  it("maps Soisy's per-field 400 to a validation error with its messages", async () => {
    const limited = client({ shopId: LIMITED_SHOP, apiKey: LIMITED_KEY });
    const err = await catchError(limited.createOrder({ amount: 50000, instalments: 36, zeroInterestRate: true }));
    expect(err.kind).toBe("validation");
    const v = err as SoisyValidationError;
    expect(v.origin).toBe("soisy");
    expect(v.status).toBe(400);
    expect(v.fields).toEqual({
      instalments: ["The number of instalments must be an integer between 3 and 24."],
      zeroInterestRate: ["Zero interest rate is not enabled for this shop."],
    });
  });

  it("is never retried: a 5xx is a server error after exactly one request", async () => {
    sim.setFaults({ failNext: { count: 1, status: 503 }, match: "/orders" });
    const before = requestsTo("/orders", "POST").length;
    const ordersBefore = sim.orders.size;
    const err = await catchError(client().createOrder({ amount: 1000 }));
    expect(err.kind).toBe("server");
    expect(err.status).toBe(503);
    expect(err.retryable).toBe(true);
    expect(requestsTo("/orders", "POST").length).toBe(before + 1);
    expect(sim.orders.size).toBe(ordersBefore);
  });

  it("times out on a hanging POST without retrying", async () => {
    sim.setFaults({ hangNext: 1, match: "/orders" });
    const before = requestsTo("/orders", "POST").length;
    const started = Date.now();
    const err = await catchError(client({ timeoutMs: 150 }).createOrder({ amount: 1000 }));
    expect(err.kind).toBe("timeout");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(requestsTo("/orders", "POST").length).toBe(before + 1);
  });
});

describe("getOrder", () => {
  it("returns every field of the order", async () => {
    const c = client();
    const { token } = await c.createOrder(fullOrder);
    const order = await c.getOrder(token);
    expect(order).toMatchObject({
      token,
      status: "quote",
      orderReference: "session-1",
      loanAmount: 123456,
      loanNetAmount: 123456 - Math.floor((123456 * 6) / 100),
      instalmentsNumber: null,
      zeroInterestRate: true,
      firstname: "Mario",
      lastname: "Rossi",
      email: fullOrder.email,
      loanSignedAt: null,
      loanVerifiedAt: null,
      loanDisbursedAt: null,
      successUrl: fullOrder.successUrl,
      errorUrl: fullOrder.errorUrl,
      callbackUrl: fullOrder.callbackUrl,
    });
    expect(Date.parse(order.createdAt ?? "")).not.toBeNaN();
    const req = requestsTo(`/orders/${token}`, "GET").at(-1);
    expect(req?.headers["x-auth-token"]).toBe(KEY);
  });

  it("404 for an unknown token → not_found; the token is URL-encoded", async () => {
    const err = await catchError(client().getOrder("no/such token?"));
    expect(err.kind).toBe("not_found");
    expect(err.status).toBe(404);
    expect(sim.requests.at(-1)?.path).toBe(`/api/shops/${SHOP}/orders/no%2Fsuch%20token%3F`);
  });

  it("403 for another shop's order → auth", async () => {
    const { token } = await client().createOrder({ amount: 1000 });
    const err = await catchError(client({ shopId: OTHER_SHOP, apiKey: OTHER_KEY }).getOrder(token));
    expect(err.kind).toBe("auth");
  });

  it("is retried on 5xx and succeeds when the failure is transient", async () => {
    const c = client();
    const { token } = await c.createOrder({ amount: 1000 });
    sim.setFaults({ failNext: { count: 1, status: 500 }, match: `/orders/${token}` });
    const order = await c.getOrder(token);
    expect(order.status).toBe("quote");
    const reqs = requestsTo(`/orders/${token}`, "GET");
    expect(reqs.map((r) => r.status)).toEqual([500, 200]);
    expect(reqs.map((r) => r.fault)).toEqual(["fail", null]);
  });

  it("gives up after 1 + getRetries attempts on persistent 5xx", async () => {
    const c = client({ getRetries: 2 });
    const { token } = await c.createOrder({ amount: 1000 });
    sim.setFaults({ failNext: { count: 10, status: 502 }, match: `/orders/${token}` });
    const err = await catchError(c.getOrder(token));
    expect(err.kind).toBe("server");
    expect(err.status).toBe(502);
    expect(requestsTo(`/orders/${token}`, "GET").length).toBe(3);
    expect(sim.faults.failNext?.count).toBe(7);
  });

  it("getRetries: 0 disables retries", async () => {
    const c = client({ getRetries: 0 });
    const { token } = await c.createOrder({ amount: 1000 });
    sim.setFaults({ failNext: { count: 1, status: 500 }, match: `/orders/${token}` });
    expect((await catchError(c.getOrder(token))).kind).toBe("server");
    expect(requestsTo(`/orders/${token}`, "GET").length).toBe(1);
  });

  it("retries a timed-out GET, then times out for good when every attempt hangs", async () => {
    // Generous enough that the non-hanging attempt never times out on a loaded CI machine.
    const c = client({ timeoutMs: 300, getRetries: 2 });
    const { token } = await c.createOrder({ amount: 1000 });
    sim.setFaults({ hangNext: 1, match: `/orders/${token}` });
    expect((await c.getOrder(token)).token).toBe(token);
    expect(requestsTo(`/orders/${token}`, "GET").map((r) => r.fault)).toEqual(["hang", null]);

    sim.setFaults({ hangNext: 3, match: `/orders/${token}` });
    const err = await catchError(c.getOrder(token));
    expect(err.kind).toBe("timeout");
    expect(requestsTo(`/orders/${token}`, "GET").length).toBe(2 + 3);
  });

  it("getOrder with an overall deadline: attempts and backoff together stop at it (default 10 s attempts, 2 retries)", async () => {
    const c = client({ timeoutMs: 10_000, getRetries: 2, retryBaseDelayMs: 200 });
    const { token } = await c.createOrder({ amount: 1000 });
    sim.setFaults({ hangNext: 10, match: `/orders/${token}` });
    const started = Date.now();
    const err = await catchError(c.getOrder(token, { deadlineAt: Date.now() + 800 }));
    const took = Date.now() - started;
    expect(err.kind).toBe("timeout");
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(5_000);
  });

  it("a response body above maxResponseBytes is refused (bad_response), not buffered", async () => {
    const { token } = await client().createOrder({ amount: 1000 });
    const err = await catchError(client({ maxResponseBytes: 64 }).getOrder(token));
    expect(err.kind).toBe("bad_response");
    expect(err.message).toMatch(/larger than 64 bytes/);
  });

  it("still succeeds under latency below the timeout", async () => {
    const c = client({ timeoutMs: 1000 });
    const { token } = await c.createOrder({ amount: 1000 });
    sim.setFaults({ latencyMs: 150 });
    const started = Date.now();
    expect((await c.getOrder(token)).status).toBe("quote");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(requestsTo(`/orders/${token}`, "GET").length).toBe(1);
  });

  it("faults with `match` leave other paths alone", async () => {
    const c = client({ getRetries: 0 });
    const { token } = await c.createOrder({ amount: 1000 });
    sim.setFaults({ failNext: { count: 1, status: 500 }, match: "loan-quotes" });
    expect((await c.getOrder(token)).status).toBe("quote");
    expect(sim.faults.failNext?.count).toBe(1);
    expect((await catchError(c.loanQuotes({ amount: 1000, instalments: 3 }))).kind).toBe("server");
  });

  it("rejects an empty token without a call", async () => {
    const before = sim.requests.length;
    expect((await catchError(client().getOrder(""))).kind).toBe("validation");
    expect(sim.requests.length).toBe(before);
  });
});

describe("loanQuotes and shopInfo (no auth)", () => {
  it("returns the simulator's quotes, without sending the API key", async () => {
    const quotes = await client().loanQuotes({ amount: 150000, instalments: 12 });
    expect(quotes).toEqual(computeQuotes(150000, 12, false));
    expect(quotes.min.interestRate).toBeLessThan(quotes.max.interestRate);
    expect(quotes.median.apr).toBeGreaterThan(quotes.median.interestRate);
    for (const q of [quotes.min, quotes.median, quotes.max]) {
      expect(Number.isInteger(q.instalmentAmount)).toBe(true);
      expect(q.totalRepaid).toBe(150000 + q.interest + q.fee);
    }
    const req = requestsTo("/loan-quotes").at(-1);
    expect(req?.headers["x-auth-token"]).toBeUndefined();
    expect(req?.query).toEqual({ amount: "150000", instalments: "12" });
  });

  it("zero interest: no interest, TAN and TAEG 0", async () => {
    const quotes = await client().loanQuotes({ amount: 100000, instalments: 10, zeroInterestRate: true });
    expect(quotes.median).toMatchObject({ instalmentAmount: 10000, totalRepaid: 100000, interest: 0, interestRate: 0, apr: 0 });
    expect(requestsTo("/loan-quotes").at(-1)?.query.zeroInterestRate).toBe("true");
  });

  it("validates the query before sending, and maps the simulator's 400", async () => {
    const before = sim.requests.length;
    expect((await catchError(client().loanQuotes({ amount: 1000, instalments: 2 }))).kind).toBe("validation");
    expect(sim.requests.length).toBe(before);
    const limited = client({ shopId: LIMITED_SHOP, apiKey: LIMITED_KEY });
    const err = (await catchError(limited.loanQuotes({ amount: 1000, instalments: 36 }))) as SoisyValidationError;
    expect(err.origin).toBe("soisy");
    expect(err.fields.instalments).toEqual(["The number of instalments must be an integer between 3 and 24."]);
  });

  it("shopInfo returns the shop's settings without the API key", async () => {
    expect(await client().shopInfo()).toEqual({ active: true, maxLoanInstalmentsNumber: 60, zeroInterestRate: true });
    expect(await client({ shopId: LIMITED_SHOP, apiKey: "wrong" }).shopInfo()).toEqual({
      active: true,
      maxLoanInstalmentsNumber: 24,
      zeroInterestRate: false,
    });
    expect(requestsTo(`/api/shops/${LIMITED_SHOP}`).at(-1)?.headers["x-auth-token"]).toBeUndefined();
    expect((await catchError(client({ shopId: "nosuchshop" }).shopInfo())).kind).toBe("not_found");
  });

  it("shopInfo is retried on a transient 5xx", async () => {
    sim.setFaults({ failNext: { count: 2, status: 503 }, match: `/api/shops/${SHOP}` });
    expect((await client().shopInfo()).active).toBe(true);
    expect(sim.faults.failNext?.count).toBe(0);
  });
});

describe("step 2: createRequest + approveRequest", () => {
  const person = {
    email: "giulia.bianchi@example.it",
    firstname: "Giulia",
    lastname: "Bianchi",
    mobilePhone: "3471234567",
    city: "Torino",
    province: "TO",
    address: "Corso Francia",
    civicNumber: "5",
    postalCode: "10138",
    citizenship: "italian" as const,
  };

  async function newOrder(amount = 80000) {
    return client().createOrder({
      amount,
      callbackUrl: "http://127.0.0.1:9/unreachable",
      errorUrl: "https://merchant.example/ko",
    });
  }

  it("approves: decision approved, redirect to the webapp, order pre-approved", async () => {
    const c = client();
    const { token } = await newOrder();
    const req = await c.createRequest({
      amount: 80000,
      instalments: 10,
      privacy: true,
      marketing: false,
      fiscalCode: "BNCGLI85M41L219Q",
      jobDescription: "employee_open_ended_contract",
    });
    expect(req).toEqual({
      apr: computeQuotes(80000, 10, false).median.apr,
      fiscalCode: "BNCGLI85M41L219Q",
      totalRepayment: computeQuotes(80000, 10, false).median.totalRepaid,
      instalmentAmount: computeQuotes(80000, 10, false).median.instalmentAmount,
      zeroInterestRate: false,
      additionalDataNeeded: false,
    });
    expect(requestsTo("/requests", "POST").at(-1)?.rawBody).toContain("privacy=1&marketing=0");

    const result = await c.approveRequest("BNCGLI85M41L219Q", { ...person, amount: 80000, instalments: 10, orderToken: token });
    expect(result.decision).toBe("approved");
    expect(result.redirectUrl).toBe(sim.webappUrl(SHOP, token));
    expect(result.redirectUrlSource).toBe("soisy");
    expect(requestsTo("/requests/BNCGLI85M41L219Q").at(-1)?.rawBody).toContain("loanFinality=ecommerce_shop");
    expect((await c.getOrder(token)).status).toBe("request_accepted");
    expect(sim.orders.get(token)).toMatchObject({ instalments: 10, instalmentsLocked: true, firstname: "Giulia" });
  });

  it("refuses fiscal codes starting with RFS: decision rejected, order cancelled", async () => {
    const c = client();
    const { token } = await newOrder();
    await c.createRequest({ amount: 80000, instalments: 6, privacy: true, fiscalCode: "RFSGLI85M41L219X", jobDescription: "retired" });
    const result = await c.approveRequest("RFSGLI85M41L219X", { ...person, amount: 80000, instalments: 6, orderToken: token });
    expect(result.decision).toBe("rejected");
    expect(result.redirectUrl).toBe("https://merchant.example/ko");
    expect((await c.getOrder(token)).status).toBe("cancelled");
    await sim.idle();
    expect(sim.callbacks.filter((cb) => cb.orderToken === token).map((cb) => cb.eventId)).toEqual(["UserWasRejected"]);
  });

  it("ADD fiscal codes need the additional data", async () => {
    const c = client();
    const { token } = await newOrder();
    const req = await c.createRequest({
      amount: 80000,
      instalments: 12,
      privacy: true,
      fiscalCode: "ADDGLI85M41L219J",
      jobDescription: "employee_fixed_term_contract",
      actualJobEndingDate: "06/2027",
    });
    expect(req.additionalDataNeeded).toBe(true);
    const input = { ...person, amount: 80000, instalments: 12, orderToken: token };
    const err = (await catchError(c.approveRequest("ADDGLI85M41L219J", input))) as SoisyValidationError;
    expect(err.origin).toBe("soisy");
    expect(Object.keys(err.fields).sort()).toEqual(
      ["children", "educationalQualification", "residence", "residenceStartDate", "salaryType"],
    );
    const ok = await c.approveRequest("ADDGLI85M41L219J", {
      ...input,
      residence: "owner",
      residenceStartDate: "01/2015",
      educationalQualification: "degree",
      children: 1,
      salaryType: "monthly",
    });
    expect(ok.decision).toBe("approved");
  });

  it("an unknown orderToken is a per-field validation error; no prior request is a 404", async () => {
    const c = client();
    await c.createRequest({ amount: 5000, instalments: 3, privacy: true, fiscalCode: "XYZGLI85M41L219S", jobDescription: "student" });
    const err = (await catchError(
      c.approveRequest("XYZGLI85M41L219S", { ...person, amount: 5000, instalments: 3, orderToken: "missing" }),
    )) as SoisyValidationError;
    expect(err.fields).toEqual({ orderToken: ["Order not found."] });
    const nf = await catchError(
      c.approveRequest("NNNGLI85M41L219K", { ...person, amount: 5000, instalments: 3, orderToken: "missing" }),
    );
    expect(nf.kind).toBe("not_found");
  });

  it("validates step-2 input locally", async () => {
    const before = sim.requests.length;
    const c = client();
    const e1 = (await catchError(
      c.createRequest({ amount: 5000, instalments: 3, privacy: false as true, fiscalCode: "short", jobDescription: "pilot" as "student" }),
    )) as SoisyValidationError;
    expect(Object.keys(e1.fields).sort()).toEqual(["fiscalCode", "jobDescription", "privacy"]);
    const e2 = await catchError(c.approveRequest("bad", { ...person, amount: 5000, instalments: 3, orderToken: "t" }));
    expect((e2 as SoisyValidationError).fields.fiscalCode).toBeDefined();
    const e3 = (await catchError(
      c.approveRequest("BNCGLI85M41L219Q", { ...person, citizenship: "martian" as "eu", amount: 5000, instalments: 3, orderToken: "t" }),
    )) as SoisyValidationError;
    expect(Object.keys(e3.fields)).toEqual(["citizenship"]);
    expect(sim.requests.length).toBe(before);
  });

  it("POST /requests is never retried", async () => {
    sim.setFaults({ failNext: { count: 1, status: 500 }, match: "/requests" });
    const before = requestsTo("/requests", "POST").length;
    const err = await catchError(
      client().createRequest({ amount: 5000, instalments: 3, privacy: true, fiscalCode: "BNCGLI85M41L219Q", jobDescription: "student" }),
    );
    expect(err.kind).toBe("server");
    expect(requestsTo("/requests", "POST").length).toBe(before + 1);
  });
});

describe("authentication", () => {
  it("a wrong key → auth error whose message names the problem but never the key", async () => {
    const wrongKey = "wrong-Key/123+abc";
    const c = client({ apiKey: wrongKey });
    for (const call of [() => c.createOrder({ amount: 1000 }), () => c.getOrder("abc"), () => c.createRequest({
      amount: 5000, instalments: 3, privacy: true, fiscalCode: "BNCGLI85M41L219Q", jobDescription: "student",
    })]) {
      const err = await catchError(call());
      expect(err.kind).toBe("auth");
      expect(err.status).toBe(403);
      expect(err.message).toMatch(/shop id or the API key is wrong/);
      for (const text of [err.message, JSON.stringify(err), inspect(err, { showHidden: true, depth: Infinity })]) {
        expect(text).not.toContain(wrongKey);
        expect(text).not.toContain(encodeURIComponent(wrongKey));
      }
    }
    // The simulator did see the wrong key: the request really was made with it.
    expect(sim.requests.at(-1)?.headers["x-auth-token"]).toBe(wrongKey);
  });

  it("an unknown shop → auth", async () => {
    expect((await catchError(client({ shopId: "ghost" }).createOrder({ amount: 1000 }))).kind).toBe("auth");
  });
});

/* ------------------------------------------------------------------------------------------------
 * A misbehaving "Soisy": returns whatever the test asks, to reach bad_response, missing
 * redirectUrl, redirects, and bodies that echo the key back.
 * ---------------------------------------------------------------------------------------------- */

type Responder = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function startRawServer(): Promise<{ url: string; respond: (r: Responder) => void; hits: string[]; close: () => Promise<void> }> {
  let responder: Responder = (_req, _body, res) => res.end("{}");
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hits.push(`${req.method} ${req.url} key=${String(req.headers["x-auth-token"])}`);
      responder(req, Buffer.concat(chunks).toString(), res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    respond: (r) => {
      responder = r;
    },
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("bad responses, fallbacks and secrets", () => {
  const SECRET = "Top/Secret+Key=99&z";
  let raw: Awaited<ReturnType<typeof startRawServer>>;

  beforeAll(async () => {
    raw = await startRawServer();
  });
  afterAll(async () => {
    await raw?.close();
  });

  const rawClient = (overrides: Partial<SoisyClientOptions> = {}) =>
    client({ baseUrl: raw.url, apiKey: SECRET, env: {}, ...overrides });

  const json = (status: number, body: unknown): Responder => (_req, _b, res) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };

  it("non-JSON 200 → bad_response (no body in the error)", async () => {
    raw.respond((_req, _b, res) => res.end("<html>maintenance page with secret stuff</html>"));
    const err = await catchError(rawClient().createOrder({ amount: 1000 }));
    expect(err.kind).toBe("bad_response");
    expect(err.message).toContain("not JSON");
    expect(err.message).not.toContain("maintenance");
  });

  it("schema mismatch → bad_response with the zod issue summary (not values)", async () => {
    raw.respond(json(200, { redirectUrl: "https://x.test", token: 12345 }));
    const err = await catchError(rawClient().createOrder({ amount: 1000 }));
    expect(err.kind).toBe("bad_response");
    expect(err.message).toMatch(/token: /);
    expect(err.message).not.toContain("12345");
  });

  it("a getOrder answer for another token is rejected", async () => {
    raw.respond(json(200, { token: "other", status: "disbursed" }));
    const err = await catchError(rawClient().getOrder("mine"));
    expect(err.kind).toBe("bad_response");
    expect(err.message).toContain("different token");
  });

  it("missing redirectUrl → the webapp fallback URL", async () => {
    raw.respond(json(201, { token: "tok-1" }));
    const res = await rawClient({ env: { SOISY_WEBAPP_URL: "https://webapp.example" } }).createOrder({ amount: 1000 });
    expect(res).toEqual({
      token: "tok-1",
      redirectUrl: "https://webapp.example/partnershop#/loan-request?token=tok-1",
      redirectUrlSource: "fallback",
    });
    raw.respond(json(201, { token: "tok-2", redirectUrl: "not a url" }));
    const res2 = await rawClient({ environment: "production" }).createOrder({ amount: 1000 });
    expect(res2.redirectUrl).toBe("https://shop.soisy.it/partnershop#/loan-request?token=tok-2");
  });

  it("approval with an unknown outcome and no redirectUrl", async () => {
    raw.respond(json(200, { somethingElse: true }));
    const res = await rawClient().approveRequest("BNCGLI85M41L219Q", {
      amount: 5000, instalments: 3, orderToken: "tok", email: "a@b.it", firstname: "A", lastname: "B",
      mobilePhone: "3331234567", city: "Roma", province: "RM", address: "Via X", civicNumber: "1",
      postalCode: "00100", citizenship: "eu",
    });
    expect(res).toEqual({ decision: "unknown", redirectUrl: null, redirectUrlSource: null, response: { somethingElse: true, approved: null, status: null, redirectUrl: null } });
    raw.respond(json(200, { approved: true }));
    const res2 = await rawClient({ env: {} }).approveRequest("BNCGLI85M41L219Q", {
      amount: 5000, instalments: 3, orderToken: "tok", email: "a@b.it", firstname: "A", lastname: "B",
      mobilePhone: "3331234567", city: "Roma", province: "RM", address: "Via X", civicNumber: "1",
      postalCode: "00100", citizenship: "eu",
    });
    expect(res2.decision).toBe("approved");
    expect(res2.redirectUrl).toBe("https://shop.sandbox.soisy.it/partnershop#/loan-request?token=tok");
    expect(res2.redirectUrlSource).toBe("fallback");
  });

  it("redirects are not followed (the key is not carried to another host)", async () => {
    const elsewhere = await startRawServer();
    try {
      raw.respond((_req, _b, res) => {
        res.writeHead(302, { Location: `${elsewhere.url}/steal` });
        res.end();
      });
      const err = await catchError(rawClient().getOrder("tok"));
      expect(err.kind).toBe("bad_response");
      expect(err.status).toBe(302);
      expect(elsewhere.hits).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it("no error kind carries the key, even when the server echoes it back", async () => {
    const echo = (status: number): Responder => (req, _b, res) => {
      const key = String(req.headers["x-auth-token"]);
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: `bad key ${key}`, errors: { [key]: [`value ${key} ${encodeURIComponent(key)}`] } }));
    };
    const collected = new Map<SoisyErrorKind, SoisyError>();
    const record = async (p: Promise<unknown>) => {
      const e = await catchError(p);
      collected.set(e.kind, e);
    };
    raw.respond(echo(400));
    await record(rawClient().createOrder({ amount: 1000 }));
    raw.respond(echo(403));
    await record(rawClient().createOrder({ amount: 1000 }));
    raw.respond(echo(404));
    await record(rawClient().getOrder("t"));
    raw.respond(echo(500));
    await record(rawClient({ getRetries: 0 }).getOrder("t"));
    raw.respond((req, _b, res) => res.end(`not json ${String(req.headers["x-auth-token"])}`));
    await record(rawClient().getOrder("t"));
    raw.respond(() => {
      /* never answers */
    });
    await record(rawClient({ timeoutMs: 100, getRetries: 0 }).getOrder("t"));
    const closedPort = await (async () => {
      const s = await startRawServer();
      await s.close();
      return s.url;
    })();
    await record(rawClient({ baseUrl: closedPort, getRetries: 0 }).getOrder("t"));

    expect([...collected.keys()].sort()).toEqual(
      ["auth", "bad_response", "network", "not_found", "server", "timeout", "validation"],
    );
    // The 400 did carry the echoed key in its field messages: it must be scrubbed, not lost.
    const validation = collected.get("validation") as SoisyValidationError;
    expect(JSON.stringify(validation.fields)).toContain("[redacted]");
    for (const [kind, err] of collected) {
      const views = [
        err.message,
        String(err.stack),
        JSON.stringify(err),
        inspect(err, { showHidden: true, depth: Infinity }),
        err.cause ? inspect(err.cause, { showHidden: true, depth: Infinity }) : "",
      ];
      for (const view of views) {
        expect(view, `${kind} leaks the key`).not.toContain(SECRET);
        expect(view, `${kind} leaks the encoded key`).not.toContain(encodeURIComponent(SECRET));
      }
    }
    // And the server did receive the key (so the echo test is meaningful).
    expect(raw.hits.some((h) => h.endsWith(`key=${SECRET}`))).toBe(true);
  });
});

describe("logging", () => {
  it("logs each call at debug with method, path, status and duration, and never the key or personal data", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = pino({ level: "debug" }, sink);
    const secretKey = "Logged/Key+Never=1";
    const c = createSoisyClient({
      environment: "sandbox",
      shopId: OTHER_SHOP,
      apiKey: OTHER_KEY,
      baseUrl: sim.url,
      logger: log,
      retryBaseDelayMs: 5,
    });
    const { token } = await c.createOrder({ ...fullOrder, zeroInterestRate: false });
    await c.getOrder(token);
    await c.createRequest({ amount: 123456, instalments: 6, privacy: true, fiscalCode: "BNCGLI85M41L219Q", jobDescription: "student" });
    await c.approveRequest("BNCGLI85M41L219Q", {
      amount: 123456, instalments: 6, orderToken: token, email: "giulia@example.it", firstname: "Giulia",
      lastname: "Bianchi", mobilePhone: "3471234567", city: "Torino", province: "TO", address: "Corso Francia",
      civicNumber: "5", postalCode: "10138", citizenship: "italian",
    });
    const bad = createSoisyClient({ environment: "sandbox", shopId: OTHER_SHOP, apiKey: secretKey, baseUrl: sim.url, logger: log });
    await catchError(bad.getOrder(token));

    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const calls = entries.filter((e) => e.msg === "soisy call");
    expect(calls.map((e) => `${String(e.method)} ${String(e.status)}`)).toEqual([
      "POST 201",
      "GET 200",
      "POST 201",
      "POST 200",
      "GET 403",
    ]);
    for (const e of calls) {
      expect(typeof e.durationMs).toBe("number");
      expect(e.level).toBe(20);
      expect(String(e.path)).toMatch(/^\/api\/shops\/othershop/);
    }
    expect(calls[3]?.path).toBe("/api/shops/othershop/requests/[fiscalCode]");
    const all = lines.join("\n");
    for (const secret of [OTHER_KEY, encodeURIComponent(OTHER_KEY), secretKey, encodeURIComponent(secretKey)]) {
      expect(all).not.toContain(secret);
    }
    for (const personal of ["BNCGLI85M41L219Q", "giulia@example.it", "mario.rossi", "3331234567", "Rossi"]) {
      expect(all).not.toContain(personal);
    }
  });
});

describe("client options", () => {
  it("validates its options", () => {
    const base = { environment: "sandbox" as const, shopId: SHOP, apiKey: KEY };
    expect(() => createSoisyClient({ ...base, shopId: " " })).toThrow(/shopId/);
    expect(() => createSoisyClient({ ...base, apiKey: "" })).toThrow(/apiKey/);
    expect(() => createSoisyClient({ ...base, apiKey: "a\nb" })).toThrow(/apiKey/);
    expect(() => createSoisyClient({ ...base, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createSoisyClient({ ...base, getRetries: -1 })).toThrow(/getRetries/);
    expect(() => createSoisyClient({ ...base, environment: "live" as "production" })).toThrow(/environment/);
    expect(createSoisyClient({ ...base, baseUrl: "http://127.0.0.1:1/" }).baseUrl).toBe("http://127.0.0.1:1");
  });
});
