/**
 * Capture, void and confirmation-callback requests (issue 15): the schemas and the common prologue
 * (parseShopifyPost) with valid, invalid and hostile bodies.
 */
import { describe, expect, it } from "vitest";
import {
  captureSessionRequestSchema,
  confirmationCallbackRequestSchema,
  MAX_SESSION_BODY_BYTES,
  parseShopifyPost,
  voidSessionRequestSchema,
} from "~/payments/shopify-requests";

const capture = {
  id: "c0nwmSrNntjIWozmNslK5Tlq",
  gid: "gid://shopify/CaptureSession/c0nwmSrNntjIWozmNslK5Tlq",
  payment_id: "u0nwmSrNntjIWozmNslK5Tlq",
  amount: "1234.50",
  currency: "EUR",
  test: false,
  merchant_locale: "it",
  proposed_at: "2026-07-13T00:00:00Z",
};
const { amount: _amount, currency: _currency, ...voidBase } = capture;
const voidSession = { ...voidBase, id: "v0nwmSrNntjIWozmNslK5Tlq", gid: "gid://shopify/VoidSession/v0nwmSrNntjIWozmNslK5Tlq" };
const confirmation = {
  id: "u0nwmSrNntjIWozmNslK5Tlq",
  gid: "gid://shopify/PaymentSession/u0nwmSrNntjIWozmNslK5Tlq",
  confirmation_result: true,
};

function post(body: string, headers: Record<string, string> = {}) {
  return new Request("https://app.example/payments/captures", {
    method: "POST",
    headers: { "content-type": "application/json", "shopify-shop-domain": "a.myshopify.com", ...headers },
    body,
  });
}

describe("capture session requests", () => {
  it("accept Shopify's fields, a missing merchant_locale and unknown extra keys", () => {
    expect(captureSessionRequestSchema.parse({ ...capture, brand_new_field: 1 }).amount).toBe("1234.50");
    const { merchant_locale: _l, ...noLocale } = capture;
    expect(captureSessionRequestSchema.safeParse(noLocale).success).toBe(true);
  });

  it.each([
    [{ amount: "12,50" }, /amount/],
    [{ amount: 12.5 }, /amount/],
    [{ amount: "-1.00" }, /amount/],
    [{ amount: "1e3" }, /amount/],
    [{ currency: "eur" }, /currency/],
    [{ gid: "gid://shopify/CaptureSession/other" }, /gid does not match/],
    [{ gid: "gid://shopify/RefundSession/c0nwmSrNntjIWozmNslK5Tlq" }, /CaptureSession gid/],
    [{ payment_id: "" }, /payment_id/],
    [{ payment_id: "a b" }, /payment_id/],
    [{ proposed_at: "yesterday" }, /proposed_at/],
    [{ test: "false" }, /test/],
    [{ id: "x".repeat(256) }, /id/],
  ])("refuse %j", (patch, message) => {
    const result = captureSessionRequestSchema.safeParse({ ...capture, ...patch });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });

  it("refuse a body without amount (that is a void, not a capture)", () => {
    expect(captureSessionRequestSchema.safeParse(voidSession).success).toBe(false);
  });
});

describe("void session requests", () => {
  it("accept Shopify's fields (no amount) and ignore an amount if one is ever sent", () => {
    expect(voidSessionRequestSchema.parse(voidSession).payment_id).toBe("u0nwmSrNntjIWozmNslK5Tlq");
    expect(voidSessionRequestSchema.safeParse({ ...voidSession, amount: "1.00" }).success).toBe(true);
  });

  it.each([
    [{ gid: "gid://shopify/CaptureSession/v0nwmSrNntjIWozmNslK5Tlq" }, /VoidSession gid/],
    [{ gid: "gid://shopify/VoidSession/v0nwmSrNntjIWozmNslK5Tlq/extra" }, /gid does not match/],
    [{ payment_id: undefined }, /payment_id/],
    [{ proposed_at: "2026-07-13" }, /proposed_at/],
  ])("refuse %j", (patch, message) => {
    const result = voidSessionRequestSchema.safeParse({ ...voidSession, ...patch });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});

describe("confirmation callback", () => {
  it("accepts both results, with or without proposed_at, and unknown keys", () => {
    expect(confirmationCallbackRequestSchema.parse(confirmation).confirmation_result).toBe(true);
    expect(confirmationCallbackRequestSchema.parse({ ...confirmation, confirmation_result: false }).confirmation_result).toBe(false);
    expect(confirmationCallbackRequestSchema.safeParse({ ...confirmation, proposed_at: "2026-07-13T00:00:00Z", extra: [1] }).success).toBe(true);
  });

  it.each([
    [{ confirmation_result: "true" }, /confirmation_result/],
    [{ confirmation_result: 1 }, /confirmation_result/],
    [{ confirmation_result: null }, /confirmation_result/],
    [{ confirmation_result: undefined }, /confirmation_result/],
    [{ gid: "gid://shopify/PaymentSession/someone-else" }, /gid does not match/],
    [{ gid: "gid://shopify/CaptureSession/u0nwmSrNntjIWozmNslK5Tlq" }, /PaymentSession gid/],
    [{ proposed_at: "now" }, /proposed_at/],
  ])("refuses %j", (patch, message) => {
    const result = confirmationCallbackRequestSchema.safeParse({ ...confirmation, ...patch });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});

describe("hostile bodies through the common prologue", () => {
  it("a good capture request parses, with the shop from the header", async () => {
    const parsed = await parseShopifyPost(post(JSON.stringify(capture)), captureSessionRequestSchema, "capture session");
    expect(parsed).toMatchObject({ ok: true, shop: "a.myshopify.com", body: { id: capture.id } });
  });

  it.each([
    ["a JSON array", "[]", 400, /invalid capture session/],
    ["JSON null", "null", 400, /invalid capture session/],
    ["broken JSON", '{"id":', 400, /not valid JSON/],
    ["nesting past the limit", `{"x":${"[".repeat(40)}${"]".repeat(40)}}`, 400, /nested deeper/],
    ["a NUL character", JSON.stringify({ ...capture, merchant_locale: "it\u0000" }), 400, /NUL/],
    ["a lone surrogate in a key", `{${JSON.stringify(capture).slice(1, -1)},"\\ud800":1}`, 400, /surrogate/],
    ["a body over the size limit", JSON.stringify({ ...capture, pad: "x".repeat(MAX_SESSION_BODY_BYTES) }), 413, /larger than/],
  ])("%s → %i", async (_label, body, status, message) => {
    const parsed = await parseShopifyPost(post(body), captureSessionRequestSchema, "capture session");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.status).toBe(status);
    expect(parsed.error).toMatch(message);
  });

  it("a __proto__ key neither pollutes objects nor sneaks a field in", async () => {
    const body = `{"__proto__":{"confirmation_result":true},"id":"${confirmation.id}","gid":"${confirmation.gid}"}`;
    const parsed = await parseShopifyPost(post(body), confirmationCallbackRequestSchema, "confirmation");
    expect(parsed).toMatchObject({ ok: false, status: 400, error: expect.stringMatching(/confirmation_result/) });
    expect(({} as Record<string, unknown>).confirmation_result).toBeUndefined();
  });

  it("a foreign shop domain header is refused before the body counts", async () => {
    const parsed = await parseShopifyPost(post(JSON.stringify(voidSession), { "shopify-shop-domain": "evil.example.com" }), voidSessionRequestSchema, "void session");
    expect(parsed).toMatchObject({ ok: false, status: 400, error: expect.stringMatching(/Shopify-Shop-Domain/) });
  });
});
