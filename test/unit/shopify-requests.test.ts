import { describe, expect, it } from "vitest";
import { cancelUrlOf, parseShopifyPost, paymentSessionRequestSchema, readJsonBody, refundSessionRequestSchema } from "~/payments/shopify-requests";

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
