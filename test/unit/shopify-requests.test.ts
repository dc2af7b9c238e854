import { describe, expect, it } from "vitest";
import { cancelUrlOf, illFormedPath, isSafeCancelUrl, jsonDepth, MAX_JSON_DEPTH, parseShopifyPost, paymentSessionRequestSchema, readJsonBody, refundSessionRequestSchema } from "~/payments/shopify-requests";
import { checkAgainstPayment } from "~/payments/session-checks";

const session = {
  id: "u0nwmSrNntjIWozmNslK5Tlq",
  gid: "gid://shopify/PaymentSession/u0nwmSrNntjIWozmNslK5Tlq",
  group: "rZNvy+1jH6Z+BcPqA5U5BSIcnUavBha3C63xBalm+xE=",
  session_id: "4B2dxmle3vGgimS4deUX3+2PgLF2+/0ZWnNsNSZcgdU=",
  amount: "123.00",
  currency: "EUR",
  test: false,
  merchant_locale: "it",
  payment_method: { type: "offsite", data: { cancel_url: "https://shop.example/checkouts/c" } },
  proposed_at: "2026-07-13T00:00:00Z",
  kind: "sale",
  customer: { email: "buyer@example.com" },
};

function post(body: string, headers: Record<string, string> = {}) {
  return new Request("https://app.example/payments/sessions", {
    method: "POST",
    headers: { "content-type": "application/json", "shopify-shop-domain": "a.myshopify.com", ...headers },
    body,
  });
}

describe("payment session requests", () => {
  it("accepts Shopify's documented shape and unknown extra keys", () => {
    const parsed = paymentSessionRequestSchema.parse({ ...session, brand_new_field: 1 });
    expect(cancelUrlOf(parsed)).toBe("https://shop.example/checkouts/c");
  });

  it("falls back to a top-level cancel_url", () => {
    const { payment_method: _pm, ...rest } = session;
    const parsed = paymentSessionRequestSchema.parse({ ...rest, cancel_url: "https://shop.example/c2" });
    expect(cancelUrlOf(parsed)).toBe("https://shop.example/c2");
  });

  it.each([
    [{ amount: "12,50" }, /amount/],
    [{ amount: 12.5 }, /amount/],
    [{ currency: "eur" }, /currency/],
    [{ gid: "gid://shopify/PaymentSession/other" }, /gid does not match/],
    [{ gid: "gid://shopify/RefundSession/u0nwmSrNntjIWozmNslK5Tlq" }, /gid/],
    [{ payment_method: { type: "offsite", data: {} } }, /cancel_url/],
    [{ payment_method: { type: "offsite", data: { cancel_url: "javascript:alert(1)" } } }, /cancel_url|http/],
    [{ proposed_at: "yesterday" }, /proposed_at/],
    [{ test: "false" }, /test/],
  ])("rejects %j", (patch, message) => {
    const result = paymentSessionRequestSchema.safeParse({ ...session, ...patch });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });

  it("reads refund sessions", () => {
    expect(
      refundSessionRequestSchema.safeParse({
        id: "r1",
        gid: "gid://shopify/RefundSession/r1",
        payment_id: session.id,
        amount: "10.00",
        currency: "EUR",
        test: true,
        proposed_at: "2026-07-13T00:00:00Z",
      }).success,
    ).toBe(true);
  });

  it("refuses a refund session whose gid names another session", () => {
    const result = refundSessionRequestSchema.safeParse({
      id: "r1",
      gid: "gid://shopify/RefundSession/r2",
      payment_id: session.id,
      amount: "10.00",
      currency: "EUR",
      test: true,
      proposed_at: "2026-07-13T00:00:00Z",
    });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(/gid does not match id/);
  });
});

describe("request prologue", () => {
  it("parses a good request", async () => {
    const parsed = await parseShopifyPost(post(JSON.stringify(session), { "shopify-request-id": "r-1" }), paymentSessionRequestSchema, "payment session");
    expect(parsed).toMatchObject({ ok: true, shop: "a.myshopify.com", requestId: "r-1" });
  });

  it.each([
    [post("{", {}), 400, /JSON/],
    [post("", {}), 400, /empty/],
    [post(JSON.stringify(session), { "shopify-shop-domain": "evil.example.com" }), 400, /Shop-Domain/],
    [post(JSON.stringify(session), { "content-type": "text/plain" }), 415, /Content-Type/],
    [post(JSON.stringify({ ...session, pad: "x".repeat(70_000) })), 413, /larger/],
    [new Request("https://app.example/x", { method: "PUT", body: "{}" }), 405, /method/],
  ])("refuses %#", async (request, status, message) => {
    const parsed = await parseShopifyPost(request, paymentSessionRequestSchema, "payment session");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.status).toBe(status);
      expect(parsed.error).toMatch(message);
    }
  });

  it("stops reading a body that grows past the limit even without Content-Length", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(16 * 1024).fill(32));
        if (pulled > 100) controller.close();
      },
    });
    const request = new Request("https://app.example/x", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    await expect(readJsonBody(request, 64 * 1024)).rejects.toMatchObject({ status: 413 });
    expect(pulled).toBeLessThan(10);
  });
});

describe("cancel_url", () => {
  it.each([
    ["https://shop.example/checkouts/c", true],
    ["https://shop.example:8443/c?x=1", true],
    ["http://127.0.0.1:4000/c", true],
    ["http://127.9.8.7/c", true],
    ["http://localhost:3000/c", true],
    ["http://[::1]:3000/c", true],
    ["http://shop.example/c", false],
    ["http://128.0.0.1/c", false],
    ["http://127.0.0.1.evil.example/c", false],
    ["http://localhost.evil.example/c", false],
    ["http://[::2]/c", false],
    ["https://user:pass@shop.example/c", false],
    ["javascript:alert(1)", false],
    ["data:text/html,hi", false],
    ["ftp://shop.example/c", false],
    ["//shop.example/c", false],
    ["not a url", false],
  ])("%s → %s", (url, ok) => {
    expect(isSafeCancelUrl(url)).toBe(ok);
    const parsed = paymentSessionRequestSchema.safeParse({ ...session, payment_method: { type: "offsite", data: { cancel_url: url } } });
    expect(parsed.success).toBe(ok);
    const top = paymentSessionRequestSchema.safeParse({ ...session, payment_method: null, cancel_url: url });
    expect(top.success).toBe(ok);
  });

  it("a plain-http cancel_url is answered 400 naming the field", async () => {
    const body = JSON.stringify({ ...session, payment_method: { type: "offsite", data: { cancel_url: "http://shop.example/c" } } });
    const result = await parseShopifyPost(post(body), paymentSessionRequestSchema, "payment session");
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(!result.ok && result.error).toMatch(/payment_method\.data\.cancel_url: must be an https URL/);
  });
});

describe("hostile JSON", () => {
  it("measures nesting outside strings", () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonDepth('"\\"[[["')).toBe(0);
    expect(jsonDepth("[".repeat(10_000) + "]".repeat(10_000))).toBe(10_000);
  });

  it("a body nested deeper than the limit is answered 400 before parsing", async () => {
    // Built as text: JSON.stringify itself overflows the stack on such an object.
    const deep = JSON.stringify({ ...session, customer: "DEEP" }).replace('"DEEP"', `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`);
    const result = await parseShopifyPost(post(deep), paymentSessionRequestSchema, "payment session");
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(!result.ok && result.error).toMatch(/nested deeper than/);
    const atLimit = JSON.parse(`${'{"a":'.repeat(MAX_JSON_DEPTH - 2)}1${"}".repeat(MAX_JSON_DEPTH - 2)}`) as unknown;
    const ok = await parseShopifyPost(post(JSON.stringify({ ...session, customer: atLimit })), paymentSessionRequestSchema, "payment session");
    expect(ok.ok).toBe(true);
  });

  it("a lone surrogate anywhere (value or key) is answered 400 with its path; valid pairs pass", async () => {
    expect(illFormedPath({ a: ["ok", "😀"] })).toBeNull();
    expect(illFormedPath({ a: ["ok", "x\ud800"] })).toBe("body.a.1");
    expect(illFormedPath({ ["k\udc00"]: 1 })).toBe("body (a key)");
    const body = JSON.stringify({ ...session, customer: { email: "a\ud83d@example.com" } });
    expect(body).toContain("\\ud83d");
    const result = await parseShopifyPost(post(body), paymentSessionRequestSchema, "payment session");
    expect(result).toEqual({ ok: false, status: 400, error: "body.customer.email: contains a lone UTF-16 surrogate (not valid Unicode)" });
    const merchant = await parseShopifyPost(post(JSON.stringify({ ...session, merchant_locale: "\udfff" })), paymentSessionRequestSchema, "payment session");
    expect(merchant).toMatchObject({ ok: false, status: 400 });
    const nul = await parseShopifyPost(post(JSON.stringify({ ...session, group: "a\u0000b" })), paymentSessionRequestSchema, "payment session");
    expect(nul).toEqual({ ok: false, status: 400, error: "body.group: contains a NUL character" });
  });
});

describe("refund checks against the payment", () => {
  const payment = { amountCents: 50_000, currency: "EUR", state: "resolved" };
  it("accepts a refund within what remains", () => {
    expect(checkAgainstPayment("refund", payment, { amountCents: 50_000, currency: "EUR" }, 0)).toBeNull();
    expect(checkAgainstPayment("refund", payment, { amountCents: 1, currency: "EUR" }, 49_999)).toBeNull();
  });
  it("refuses more than remains, with the remaining amount in Italian and English", () => {
    const r = checkAgainstPayment("refund", payment, { amountCents: 9_999_900, currency: "EUR" }, 0);
    expect(r).toMatchObject({ code: "exceeds", remainingCents: 50_000 });
    expect(r!.merchantMessage).toBe(
      "Rimborso rifiutato: supera l'importo rimborsabile (€ 500,00 restanti). / Refund rejected: it exceeds the refundable amount (€500.00 left).",
    );
    expect(checkAgainstPayment("refund", payment, { amountCents: 50_000, currency: "EUR" }, 50_000)).toMatchObject({ code: "exceeds", remainingCents: 0 });
  });
  it("refuses another currency, a zero amount, a payment not resolved; capture/void have no state yet", () => {
    expect(checkAgainstPayment("refund", payment, { amountCents: 100, currency: "USD" }, 0)?.code).toBe("currency");
    expect(checkAgainstPayment("refund", payment, { amountCents: 0, currency: "EUR" }, 0)?.code).toBe("amount");
    for (const state of ["received", "redirected", "pending", "rejected", "abandoned", "not_eligible", "preapproval"]) {
      expect(checkAgainstPayment("refund", { ...payment, state }, { amountCents: 100, currency: "EUR" }, 0)?.code).toBe("state");
    }
    expect(checkAgainstPayment("capture", payment, { amountCents: 100, currency: "EUR" }, 0)?.code).toBe("state");
    expect(checkAgainstPayment("refund", payment, { amountCents: 100, currency: "EUR" }, 0)?.merchantMessage.length ?? 0).toBeLessThanOrEqual(255);
  });
});
