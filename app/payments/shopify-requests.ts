/**
 * What Shopify POSTs to the app (payment and refund sessions), validated with zod.
 * Shape: ../shared/spec/shopify-payments.md. Unknown keys are allowed (Shopify adds fields over
 * time); what the app relies on is checked strictly.
 */
import { z } from "zod";

export const MAX_SESSION_BODY_BYTES = 64 * 1024;

const shopDomain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a shop's myshopify.com domain");

export const shopifyRequestHeadersSchema = z.object({
  shop: shopDomain,
  requestId: z.string().max(255).nullable(),
  apiVersion: z.string().max(32).nullable(),
});

export function readShopifyHeaders(headers: Headers) {
  return shopifyRequestHeadersSchema.safeParse({
    shop: headers.get("shopify-shop-domain") ?? "",
    requestId: headers.get("shopify-request-id"),
    apiVersion: headers.get("shopify-api-version"),
  });
}

const id = z.string().min(1).max(255).regex(/^[A-Za-z0-9_\-+/=.:]+$/, "unexpected characters");
const decimalAmount = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal string with a dot, e.g. "123.00"');
const httpUrl = z.string().url().max(4096).refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL");

export const paymentSessionRequestSchema = z
  .object({
    id,
    gid: z.string().regex(/^gid:\/\/shopify\/PaymentSession\/[A-Za-z0-9_\-+/=.:]+$/, "must be a PaymentSession gid"),
    group: z.string().min(1).max(255),
    session_id: z.string().max(255).nullish(),
    amount: decimalAmount,
    currency: z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code"),
    test: z.boolean(),
    merchant_locale: z.string().max(35).nullish(),
    payment_method: z
      .object({
        type: z.string().max(64),
        data: z.object({ cancel_url: httpUrl.optional() }).passthrough().nullish(),
      })
      .passthrough()
      .nullish(),
    cancel_url: httpUrl.optional(),
    proposed_at: z.string().datetime({ offset: true }),
    kind: z.string().max(32),
    customer: z.unknown().optional(),
  })
  .passthrough()
  .superRefine((body, ctx) => {
    if (!body.payment_method?.data?.cancel_url && !body.cancel_url) {
      ctx.addIssue({ code: "custom", path: ["payment_method", "data", "cancel_url"], message: "cancel_url is required" });
    }
    if (!body.gid.endsWith(`/${body.id}`)) {
      ctx.addIssue({ code: "custom", path: ["gid"], message: "gid does not match id" });
    }
  });
export type PaymentSessionRequest = z.infer<typeof paymentSessionRequestSchema>;

export function cancelUrlOf(body: PaymentSessionRequest): string {
  return (body.payment_method?.data?.cancel_url ?? body.cancel_url)!;
}

export const refundSessionRequestSchema = z
  .object({
    id,
    gid: z.string().regex(/^gid:\/\/shopify\/RefundSession\/[A-Za-z0-9_\-+/=.:]+$/, "must be a RefundSession gid"),
    payment_id: id,
    amount: decimalAmount,
    currency: z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code"),
    test: z.boolean(),
    merchant_locale: z.string().max(35).nullish(),
    proposed_at: z.string().datetime({ offset: true }),
  })
  .passthrough();
export type RefundSessionRequest = z.infer<typeof refundSessionRequestSchema>;

/** A readable one-line summary of zod issues for a 400 answer (no input values echoed). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`)
    .join("; ");
}

/**
 * Reads a request body as JSON with a hard size limit (the limit also applies when the client
 * lies about or omits Content-Length). Errors carry the HTTP status to answer.
 */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

export async function readJsonBody(request: Request, maxBytes = MAX_SESSION_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new BodyError(413, `body larger than ${maxBytes} bytes`);
  const type = request.headers.get("content-type") ?? "";
  if (type && !/^application\/json\b/i.test(type)) throw new BodyError(415, "Content-Type must be application/json");
  const reader = request.body?.getReader();
  if (!reader) throw new BodyError(400, "empty body");
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyError(413, `body larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) throw new BodyError(400, "empty body");
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError(400, "body is not valid JSON");
  }
}

export type ParsedShopifyPost<T> =
  | { ok: true; shop: string; requestId: string | null; body: T }
  | { ok: false; status: 400 | 405 | 413 | 415; error: string };

/** The common prologue of Shopify's session requests: POST, headers, size-limited JSON, schema. */
export async function parseShopifyPost<T>(request: Request, schema: z.ZodType<T>, what: string): Promise<ParsedShopifyPost<T>> {
  if (request.method !== "POST") return { ok: false, status: 405, error: "method not allowed" };
  const headers = readShopifyHeaders(request.headers);
  if (!headers.success) return { ok: false, status: 400, error: `Shopify-Shop-Domain header: ${describeIssues(headers.error)}` };
  let raw: unknown;
  try {
    raw = await readJsonBody(request);
  } catch (error) {
    if (error instanceof BodyError) return { ok: false, status: error.status, error: error.message };
    throw error;
  }
  const body = schema.safeParse(raw);
  if (!body.success) return { ok: false, status: 400, error: `invalid ${what}: ${describeIssues(body.error)}` };
  return { ok: true, shop: headers.data.shop, requestId: headers.data.requestId, body: body.data };
}
