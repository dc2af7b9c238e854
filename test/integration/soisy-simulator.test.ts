/**
 * The Soisy simulator itself, over real HTTP: webapp page, shopper actions, callbacks (with the
 * duplicate / out-of-order faults), operator events, the sandbox approval rule, raw validation.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSoisyClient } from "~/soisy/client.server";
import { parseSoisyCallback } from "~/soisy/types";
import { startCallbackReceiver, type CallbackReceiver } from "../simulators/soisy/callback-receiver";
import { startSoisySimulator, type SoisySimulator } from "../simulators/soisy";

const SHOP = "partnershop";
const KEY = "partnerkey";

let sim: SoisySimulator;
let receiver: CallbackReceiver;

beforeAll(async () => {
  [sim, receiver] = await Promise.all([startSoisySimulator(), startCallbackReceiver()]);
});

afterAll(async () => {
  await Promise.all([sim?.close(), receiver?.close()]);
});

beforeEach(() => {
  sim.clearFaults();
  receiver.received.length = 0;
  receiver.respondWith(200);
  receiver.hang(false);
});

const client = () =>
  createSoisyClient({ environment: "sandbox", shopId: SHOP, apiKey: KEY, baseUrl: sim.url, retryBaseDelayMs: 5 });

async function newOrder(amount = 250000, extra: Record<string, unknown> = {}) {
  const ref = `ref-${Math.random().toString(36).slice(2)}`;
  const { token } = await client().createOrder({
    amount,
    orderReference: ref,
    successUrl: "https://merchant.example/ok",
    errorUrl: "https://merchant.example/ko",
    callbackUrl: `${receiver.url}/callbacks/secret-abc?x=1`,
    ...extra,
  });
  return { token, ref };
}

async function post(pathname: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}${pathname}`, {
    method: "POST",
    headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("webapp page", () => {
  it("serves the shopper page with the three buttons", async () => {
    const res = await fetch(`${sim.url}/${SHOP}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<html lang="it">');
    for (const label of ["Completa la richiesta", "Rifiuta", "Abbandona"]) {
      expect(html).toMatch(new RegExp(`<button[^>]*>${label}</button>`));
    }
    expect(html).toContain('<label for="instalments">');
    // The token travels in the fragment (#/loan-request?token=...), read client-side.
    expect(html).toContain("location.hash");
  });

  it("answers 404 for unknown shops", async () => {
    const res = await fetch(`${sim.url}/nosuchshop`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Negozio non trovato");
  });

  it("the redirectUrl of an order points at the page, and the page's data endpoint knows the order", async () => {
    const { token } = await newOrder(123456, { instalments: 6 });
    const res = await fetch(`${sim.url}/_sim/orders/${token}`);
    expect(await res.json()).toMatchObject({
      token,
      shopId: SHOP,
      status: "quote",
      amount: 123456,
      instalments: 6,
      instalmentsLocked: true,
      maxInstalments: 60,
    });
    const quotes = (await (await fetch(`${sim.url}/_sim/orders/${token}/quotes?instalments=6`)).json()) as {
      median: { instalmentAmount: number };
    };
    expect(quotes.median.instalmentAmount).toBeGreaterThan(Math.ceil(123456 / 6));
  });
});

describe("shopper completes the request", () => {
  it("sends LoanWasApproved then RequestCompleted (form-encoded) before answering, and redirects to successUrl", async () => {
    const { token, ref } = await newOrder(250000);
    const { status, body } = await post(`/_sim/orders/${token}/complete`, { instalments: 10 });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "waiting_for_verification", redirectUrl: "https://merchant.example/ok" });
    // Callbacks were delivered before the answer: no waiting needed.
    expect(receiver.received.map((r) => r.form.eventId)).toEqual(["LoanWasApproved", "RequestCompleted"]);
    for (const cb of receiver.received) {
      expect(cb.method).toBe("POST");
      expect(cb.path).toBe("/callbacks/secret-abc?x=1");
      expect(cb.contentType).toBe("application/x-www-form-urlencoded");
      expect(Object.keys(cb.form).sort()).toEqual(["eventDate", "eventId", "eventMessage", "orderReference", "orderToken"]);
      expect(cb.form).toMatchObject({ orderToken: token, orderReference: ref });
      expect(Date.parse(cb.form.eventDate ?? "")).not.toBeNaN();
      expect(parseSoisyCallback(cb.rawBody).success).toBe(true);
    }
    expect(receiver.received[0]?.form.eventMessage).toBe("loan approved");
    expect(receiver.received[1]?.form.eventMessage).toBe("waiting for verification");

    const order = await client().getOrder(token);
    expect(order).toMatchObject({ status: "waiting_for_verification", instalmentsNumber: 10 });
    expect(order.loanSignedAt).not.toBeNull();
    expect(sim.callbacks.filter((c) => c.orderToken === token).map((c) => c.status)).toEqual([200, 200]);
  });

  it("duplicateCallbacks: each callback arrives twice", async () => {
    const { token } = await newOrder();
    sim.setFaults({ duplicateCallbacks: true });
    await post(`/_sim/orders/${token}/complete`, {});
    expect(receiver.received.map((r) => r.form.eventId)).toEqual([
      "LoanWasApproved",
      "LoanWasApproved",
      "RequestCompleted",
      "RequestCompleted",
    ]);
    expect(receiver.received[0]?.rawBody).toBe(receiver.received[1]?.rawBody);
  });

  it("outOfOrderCallbacks: RequestCompleted arrives before LoanWasApproved", async () => {
    const { token } = await newOrder();
    sim.setFaults({ outOfOrderCallbacks: true });
    await post(`/_sim/orders/${token}/complete`, {});
    expect(receiver.received.map((r) => r.form.eventId)).toEqual(["RequestCompleted", "LoanWasApproved"]);
    // The order's state is final regardless of the delivery order.
    expect((await client().getOrder(token)).status).toBe("waiting_for_verification");
  });

  it("both faults together, set through the HTTP faults endpoint", async () => {
    const { token } = await newOrder();
    const set = await post("/_sim/faults", { duplicateCallbacks: true, outOfOrderCallbacks: true });
    expect(set.status).toBe(200);
    await post(`/_sim/orders/${token}/complete`, {});
    expect(receiver.received.map((r) => r.form.eventId)).toEqual([
      "RequestCompleted",
      "RequestCompleted",
      "LoanWasApproved",
      "LoanWasApproved",
    ]);
    const cleared = await fetch(`${sim.url}/_sim/faults`, { method: "DELETE" });
    expect(await cleared.json()).toEqual({});
    expect(sim.faults).toEqual({});
  });

  it("a completed request cannot be completed again", async () => {
    const { token } = await newOrder();
    await post(`/_sim/orders/${token}/complete`, {});
    const again = await post(`/_sim/orders/${token}/complete`, {});
    expect(again.status).toBe(409);
    expect(receiver.received).toHaveLength(2);
  });

  it("a failing or unreachable callback receiver is recorded, not fatal", async () => {
    const { token } = await newOrder();
    receiver.respondWith(500);
    const res = await post(`/_sim/orders/${token}/complete`, {});
    expect(res.body.redirectUrl).toBe("https://merchant.example/ok");
    expect(sim.callbacks.filter((c) => c.orderToken === token).map((c) => c.status)).toEqual([500, 500]);

    const { token: t2 } = await newOrder(1000, { callbackUrl: "http://127.0.0.1:9/cb" });
    const res2 = await post(`/_sim/orders/${t2}/complete`, {});
    expect(res2.status).toBe(200);
    const failed = sim.callbacks.filter((c) => c.orderToken === t2);
    expect(failed).toHaveLength(2);
    expect(failed.every((c) => c.status === null && c.error !== null)).toBe(true);
  });

  it("a receiver that never answers is cut off by the callback timeout", async () => {
    const quick = await startSoisySimulator({ callbackTimeoutMs: 150 });
    try {
      const c = createSoisyClient({ environment: "sandbox", shopId: SHOP, apiKey: KEY, baseUrl: quick.url });
      const { token } = await c.createOrder({ amount: 1000, callbackUrl: `${receiver.url}/slow` });
      receiver.hang(true);
      const started = Date.now();
      const result = await quick.completeOrder(token);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(result.callbacks.map((r) => r.error !== null)).toEqual([true, true]);
      expect(receiver.received).toHaveLength(2);
    } finally {
      await quick.close();
    }
  });
});

describe("sandbox approval rule (≤ €10,000 approved, above rejected)", () => {
  it("exactly €10,000 is approved", async () => {
    const { token } = await newOrder(1_000_000);
    const res = await post(`/_sim/orders/${token}/complete`, {});
    expect(res.body).toMatchObject({ status: "waiting_for_verification", redirectUrl: "https://merchant.example/ok" });
    expect(receiver.received.map((r) => r.form.eventId)).toEqual(["LoanWasApproved", "RequestCompleted"]);
  });

  it("€10,000.01 is rejected: UserWasRejected, cancelled, errorUrl", async () => {
    const { token } = await newOrder(1_000_001);
    const res = await post(`/_sim/orders/${token}/complete`, {});
    expect(res.body).toMatchObject({ status: "cancelled", redirectUrl: "https://merchant.example/ko" });
    expect(receiver.received.map((r) => r.form.eventId)).toEqual(["UserWasRejected"]);
    expect(receiver.received[0]?.form.eventMessage).toBe("payment failed");
    expect((await client().getOrder(token)).status).toBe("cancelled");
  });
});

describe("reject and abandon", () => {
  it("Rifiuta: UserWasRejected and errorUrl", async () => {
    const { token } = await newOrder();
    const res = await post(`/_sim/orders/${token}/reject`);
    expect(res.body).toMatchObject({ status: "cancelled", redirectUrl: "https://merchant.example/ko" });
    expect(receiver.received.map((r) => r.form.eventId)).toEqual(["UserWasRejected"]);
  });

  it("Abbandona: errorUrl, no callback, status unchanged", async () => {
    const { token } = await newOrder();
    const res = await post(`/_sim/orders/${token}/abandon`);
    expect(res.body).toMatchObject({ status: "quote", redirectUrl: "https://merchant.example/ko" });
    await sim.idle();
    expect(receiver.received).toEqual([]);
    expect((await client().getOrder(token)).status).toBe("quote");
  });

  it("unknown tokens → 404", async () => {
    expect((await post("/_sim/orders/nope/complete", {})).status).toBe(404);
  });
});

describe("operator events", () => {
  it("LoanWasVerified then LoanWasDisbursed (with amount) update the order and call back", async () => {
    const { token, ref } = await newOrder(345678);
    await post(`/_sim/orders/${token}/complete`, {});
    receiver.received.length = 0;

    const verified = await post(`/_sim/orders/${token}/events`, { eventId: "LoanWasVerified" });
    expect(verified.status).toBe(200);
    expect(verified.body.order).toMatchObject({ status: "waiting_for_disbursement" });
    let order = await client().getOrder(token);
    expect(order.status).toBe("waiting_for_disbursement");
    expect(order.loanVerifiedAt).not.toBeNull();
    expect(order.loanDisbursedAt).toBeNull();

    await post(`/_sim/orders/${token}/events`, { eventId: "LoanWasDisbursed" });
    order = await client().getOrder(token);
    expect(order.status).toBe("disbursed");
    expect(order.loanDisbursedAt).not.toBeNull();

    expect(receiver.received.map((r) => r.form)).toEqual([
      expect.objectContaining({ eventId: "LoanWasVerified", eventMessage: "waiting for disbursement", orderToken: token, orderReference: ref }),
      expect.objectContaining({ eventId: "LoanWasDisbursed", eventMessage: "payment received", amount: "345678" }),
    ]);
    expect(receiver.received[0]?.form.amount).toBeUndefined();
  });

  it("never moves a status backwards, but still sends the (late) callback", async () => {
    const { token } = await newOrder();
    await sim.completeOrder(token);
    await sim.fireEvent(token, "LoanWasVerified");
    receiver.received.length = 0;
    await sim.fireEvent(token, "LoanWasApproved");
    expect(sim.orders.get(token)?.status).toBe("waiting_for_disbursement");
    await sim.fireEvent(token, "LoanWasDisbursed");
    await sim.fireEvent(token, "UserWasRejected");
    expect(sim.orders.get(token)?.status).toBe("disbursed");
    expect(receiver.received.map((r) => r.form.eventId)).toEqual(["LoanWasApproved", "LoanWasDisbursed", "UserWasRejected"]);
  });

  it("operator events honour the duplicate fault; unknown events are refused", async () => {
    const { token } = await newOrder();
    sim.setFaults({ duplicateCallbacks: true });
    await post(`/_sim/orders/${token}/events`, { eventId: "LoanWasVerified" });
    expect(receiver.received.map((r) => r.form.eventId)).toEqual(["LoanWasVerified", "LoanWasVerified"]);
    const bad = await post(`/_sim/orders/${token}/events`, { eventId: "MoneyWasStolen" });
    expect(bad.status).toBe(400);
    expect(bad.body).toHaveProperty("errors.eventId");
  });
});

describe("raw API behaviour", () => {
  const ordersPath = `/api/shops/${SHOP}/orders`;

  it("400 in Soisy's shape for every malformed field (form-encoded)", async () => {
    const body = new URLSearchParams({
      amount: "12.50",
      instalments: "61",
      email: "mario@",
      mobilePhone: "+393331234567",
      countryCallingCode: "39",
      fiscalCode: "RSSMRA80",
      vatId: "123",
      vatCountry: "it",
      province: "mi",
      postalCode: "2012",
      zeroInterestRate: "maybe",
      successUrl: "not a url",
      errorUrl: "ftp://merchant.example/ko",
      callbackUrl: "javascript:alert(1)",
    });
    const res = await fetch(`${sim.url}${ordersPath}`, {
      method: "POST",
      headers: { "X-Auth-Token": KEY, "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { errors: Record<string, string[]> };
    expect(Object.keys(json.errors).sort()).toEqual([...body.keys()].sort());
    for (const messages of Object.values(json.errors)) {
      expect(messages.length).toBeGreaterThan(0);
      for (const m of messages) expect(typeof m).toBe("string");
    }
    expect(json.errors.mobilePhone).toEqual(["The mobile phone must contain only digits, without the +39 prefix."]);
  });

  it("JSON bodies: typed values are checked too", async () => {
    const res = await post(ordersPath, { amount: 12.5, instalments: "x", zeroInterestRate: "yes-ish" }, { "X-Auth-Token": KEY });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors as object).sort()).toEqual(["amount", "instalments", "zeroInterestRate"]);
    const ok = await post(ordersPath, { amount: 5000, zeroInterestRate: true }, { "X-Auth-Token": KEY });
    expect(ok.status).toBe(201);
    expect(sim.orders.get(String(ok.body.token))).toMatchObject({ amount: 5000, zeroInterestRate: true, bodyEncoding: "json" });
  });

  it("malformed JSON and unsupported content types → 400 with a top-level error", async () => {
    const bad = await fetch(`${sim.url}${ordersPath}`, {
      method: "POST",
      headers: { "X-Auth-Token": KEY, "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "Invalid JSON body" });
    const xml = await fetch(`${sim.url}${ordersPath}`, {
      method: "POST",
      headers: { "X-Auth-Token": KEY, "Content-Type": "application/xml" },
      body: "<a/>",
    });
    expect(xml.status).toBe(400);
  });

  it("403 without / with a wrong key / for an unknown shop; the webapp and no-auth endpoints need none", async () => {
    for (const headers of [{}, { "X-Auth-Token": "nope" }, { "X-Auth-Token": "" }] as Array<Record<string, string>>) {
      const res = await post(ordersPath, { amount: 1000 }, headers);
      expect(res.status).toBe(403);
      expect(typeof res.body.error).toBe("string");
    }
    expect((await post(`/api/shops/ghost/orders`, { amount: 1000 }, { "X-Auth-Token": KEY })).status).toBe(403);
    expect((await fetch(`${sim.url}/api/shops/${SHOP}/loan-quotes?amount=10000&instalments=3`)).status).toBe(200);
  });

  it("loan-quotes validates its parameters in Soisy's shape", async () => {
    const res = await fetch(`${sim.url}/api/shops/${SHOP}/loan-quotes?amount=-5&instalments=100&zeroInterestRate=perhaps`);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { errors: Record<string, string[]> };
    expect(Object.keys(json.errors).sort()).toEqual(["amount", "instalments", "zeroInterestRate"]);
    const missing = await fetch(`${sim.url}/api/shops/${SHOP}/loan-quotes`);
    expect(((await missing.json()) as { errors: Record<string, string[]> }).errors).toEqual({
      amount: ["This value should not be blank."],
      instalments: ["This value should not be blank."],
    });
  });

  it("step 2 validation: privacy must be accepted, job enum, fixed-term end date", async () => {
    const res = await post(
      `/api/shops/${SHOP}/requests`,
      { amount: 5000, instalments: 3, privacy: false, fiscalCode: "RSSMRA80A01F205X", jobDescription: "pilot" },
      { "X-Auth-Token": KEY },
    );
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors as object).sort()).toEqual(["jobDescription", "privacy"]);
    const fixed = await post(
      `/api/shops/${SHOP}/requests`,
      { amount: 5000, instalments: 3, privacy: "1", fiscalCode: "RSSMRA80A01F205X", jobDescription: "employee_fixed_term_contract" },
      { "X-Auth-Token": KEY },
    );
    expect(fixed.body).toEqual({ errors: { actualJobEndingDate: ["This value is required for fixed-term contracts."] } });
  });

  it("step 2 checks the fiscal code's check character by default (omocodia as written); strictFiscalCodes: false checks the shape only", async () => {
    const auth = { "X-Auth-Token": KEY };
    const request = (fiscalCode: string) => ({ amount: 5000, instalments: 3, privacy: true, fiscalCode, jobDescription: "student" });
    const wrong = await post(`/api/shops/${SHOP}/requests`, request("RSSMRA80A01F205Y"), auth);
    expect(wrong).toEqual({ status: 400, body: { errors: { fiscalCode: ["The fiscal code is not valid."] } } });
    for (const valid of ["RSSMRA80A01F205X", "rssmra80a01f205x", "RSSMRA80A01F2LRD" /* omocodia: 0→L, 5→R */]) {
      const ok = await post(`/api/shops/${SHOP}/requests`, request(valid), auth);
      expect(ok.status, valid).toBe(201);
      expect(ok.body.fiscalCode).toBe(valid.toUpperCase());
    }
    const lax = await startSoisySimulator({ strictFiscalCodes: false });
    try {
      const res = await fetch(`${lax.url}/api/shops/${SHOP}/requests`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...auth },
        body: JSON.stringify(request("RSSMRA80A01F205Y")),
      });
      expect(res.status).toBe(201);
    } finally {
      await lax.close();
    }
  });

  it("step-2 approval accepts streetNumber for civicNumber and checks the amount against the order", async () => {
    const { token } = await newOrder(70000);
    const auth = { "X-Auth-Token": KEY };
    await post(`/api/shops/${SHOP}/requests`, { amount: 70000, instalments: 5, privacy: true, fiscalCode: "STRGLI85M41L219L", jobDescription: "student" }, auth);
    const approval = {
      amount: 70001, instalments: 5, loanFinality: "ecommerce_shop", orderToken: token, email: "a@b.it",
      firstname: "A", lastname: "B", mobilePhone: "3331234567", city: "Roma", province: "RM", address: "Via X",
      streetNumber: "3", postalCode: "00100", citizenship: "italian",
    };
    const mismatch = await post(`/api/shops/${SHOP}/requests/STRGLI85M41L219L`, approval, auth);
    expect(mismatch.body).toEqual({ errors: { amount: ["The amount does not match the order."] } });
    const ok = await post(`/api/shops/${SHOP}/requests/STRGLI85M41L219L`, { ...approval, amount: 70000 }, auth);
    expect(ok.body).toEqual({ approved: true, status: "approved", redirectUrl: sim.webappUrl(SHOP, token) });
    expect(sim.orders.get(token)?.civicNumber).toBe("3");
    await sim.idle();
    expect(receiver.received.map((r) => r.form.eventId)).toEqual(["LoanWasApproved"]);
    // A pre-approved order completes with RequestCompleted only.
    receiver.received.length = 0;
    await post(`/_sim/orders/${token}/complete`, {});
    expect(receiver.received.map((r) => r.form.eventId)).toEqual(["RequestCompleted"]);
  });

  it("records every request: method, path, query, headers, parsed body", async () => {
    const before = sim.requests.length;
    await client().loanQuotes({ amount: 20000, instalments: 4 });
    await client().createOrder({ amount: 4321, orderReference: "rec" });
    const [quotes, create] = sim.requests.slice(before);
    expect(quotes).toMatchObject({ method: "GET", path: `/api/shops/${SHOP}/loan-quotes`, query: { amount: "20000", instalments: "4" }, status: 200 });
    expect(create).toMatchObject({ method: "POST", path: ordersPath, body: { amount: "4321", orderReference: "rec" }, status: 201 });
    expect(create?.headers["x-auth-token"]).toBe(KEY);
  });

  it("faults never apply to the webapp or the internal endpoints", async () => {
    sim.setFaults({ failNext: { count: 5, status: 500 }, hangNext: 0 });
    expect((await fetch(`${sim.url}/${SHOP}`)).status).toBe(200);
    expect((await fetch(`${sim.url}/_sim/health`)).status).toBe(200);
    expect(sim.faults.failNext?.count).toBe(5);
    const invalid = await post("/_sim/faults", { failNext: { count: 1, status: 200 } });
    expect(invalid.status).toBe(400);
  });
});

describe("CLI entry (main.ts)", () => {
  it("starts on the requested port, serves, and stops on SIGTERM", async () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const tsxCli = path.join(root, "node_modules/tsx/dist/cli.mjs");
    const child = spawn(process.execPath, [tsxCli, "test/simulators/soisy/main.ts", "--port", "0"], {
      cwd: root,
      env: { ...process.env, SOISY_SIM_SHOPS: JSON.stringify([{ shopId: "clishop", apiKey: "clikey" }]) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /SOISY_SIMULATOR_URL=(\S+)/.exec(out);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
      });
      const info = await fetch(`${url}/api/shops/clishop`);
      expect(await info.json()).toEqual({ active: true, maxLoanInstalmentsNumber: 60, zeroInterestRate: true });
      const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
