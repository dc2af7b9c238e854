/**
 * What Shopify POSTs to the app (payment, refund, capture and void sessions, and the confirmation
 * callback of oversell protection), validated with zod.
 * Shape: docs/shopify-payments-contract.md. Unknown keys are allowed (Shopify adds fields over
 * time); what the app relies on is checked strictly.
 */
import { isIPv4 } from "node:net";
import { z } from "zod";

export const MAX_SESSION_BODY_BYTES = 64 * 1024;
/** Deepest JSON nesting accepted in a request body (Shopify's sessions nest about 4 levels). */
export const MAX_JSON_DEPTH = 32;

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
const currency = z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code");
const merchantLocale = z.string().max(35).nullish();
const proposedAt = z.string().datetime({ offset: true });

/** The amount of a refund or capture session. */
const amountFields = { amount: decimalAmount, currency };
/** What a refund, capture and void session carry after their amount (if any). */
const settlementFields = { test: z.boolean(), merchant_locale: merchantLocale, proposed_at: proposedAt };

/** The gid of a session (checked against the body's `id` by gidMatchesId). */
const sessionGid = (type: "PaymentSession" | "RefundSession" | "CaptureSession" | "VoidSession") =>
  z.string().regex(new RegExp(`^gid://shopify/${type}/[A-Za-z0-9_\\-+/=.:]+$`), `must be a ${type} gid`);

function gidMatchesId(body: { id: string; gid: string }, ctx: z.RefinementCtx): void {
  if (!body.gid.endsWith(`/${body.id}`)) ctx.addIssue({ code: "custom", path: ["gid"], message: "gid does not match id" });
}

/**
 * Where the app sends the shopper back ("cancel"): a redirect from the app's own domain, so it must
 * be https — a plain-http target would let anyone on the path rewrite where shoppers land. http is
 * allowed only on loopback hosts (127.0.0.0/8, localhost, [::1]), which never leave the machine:
 * the Shopify simulator of the tests and the local demo serve http on 127.0.0.1. URLs with
 * credentials (user:pass@) are refused as well.
 */
export function isSafeCancelUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === "https:") return url.hostname.length > 0;
  if (url.protocol !== "http:") return false;
  const host = url.hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || (isIPv4(host) && host.startsWith("127."));
}

const cancelUrl = z.string().max(4096).refine(isSafeCancelUrl, "must be an https URL (http only on a loopback host)");

export const paymentSessionRequestSchema = z
  .object({
    id,
    gid: sessionGid("PaymentSession"),
    group: z.string().min(1).max(255),
    session_id: z.string().max(255).nullish(),
    amount: decimalAmount,
    currency,
    test: z.boolean(),
    merchant_locale: merchantLocale,
    payment_method: z
      .object({
        type: z.string().max(64),
        data: z.object({ cancel_url: cancelUrl.optional() }).passthrough().nullish(),
      })
      .passthrough()
      .nullish(),
    cancel_url: cancelUrl.optional(),
    proposed_at: proposedAt,
    kind: z.string().max(32),
    customer: z.unknown().optional(),
  })
  .passthrough()
  .superRefine((body, ctx) => {
    if (!body.payment_method?.data?.cancel_url && !body.cancel_url) {
      ctx.addIssue({ code: "custom", path: ["payment_method", "data", "cancel_url"], message: "cancel_url is required" });
    }
    gidMatchesId(body, ctx);
  });
export type PaymentSessionRequest = z.infer<typeof paymentSessionRequestSchema>;

export function cancelUrlOf(body: PaymentSessionRequest): string {
  return (body.payment_method?.data?.cancel_url ?? body.cancel_url)!;
}

/** Refund session (`refund_session_url`): `payment_id` is the refunded payment session's id. */
export const refundSessionRequestSchema = z
  .object({ id, gid: sessionGid("RefundSession"), payment_id: id, ...amountFields, ...settlementFields })
  .passthrough()
  .superRefine(gidMatchesId);
export type RefundSessionRequest = z.infer<typeof refundSessionRequestSchema>;

/**
 * Capture session (`capture_session_url`): the merchant captures (part of) an authorization. Same
 * fields as a refund; `payment_id` is the authorized payment session's id. Answered 201.
 */
export const captureSessionRequestSchema = z
  .object({ id, gid: sessionGid("CaptureSession"), payment_id: id, ...amountFields, ...settlementFields })
  .passthrough()
  .superRefine(gidMatchesId);
export type CaptureSessionRequest = z.infer<typeof captureSessionRequestSchema>;

/** Void session (`void_session_url`): the merchant cancels an authorization; no amount. Answered 201. */
export const voidSessionRequestSchema = z
  .object({ id, gid: sessionGid("VoidSession"), payment_id: id, ...settlementFields })
  .passthrough()
  .superRefine(gidMatchesId);
export type VoidSessionRequest = z.infer<typeof voidSessionRequestSchema>;

/**
 * The confirmation callback (`confirmation_callback_url`), Shopify's answer to `paymentSessionConfirm`:
 * `confirmation_result` true = inventory still reserved, resolve or mark pending; false = reject with
 * `CONFIRMATION_REJECTED`. `id`/`gid` are the PAYMENT session's. Shopify documents the callback only by
 * example (`id`, `gid`, `confirmation_result`); `proposed_at` is accepted when present, and unknown keys
 * are allowed like on every other request (docs/shopify-payments-contract.md).
 */
export const confirmationCallbackRequestSchema = z
  .object({
    id,
    gid: sessionGid("PaymentSession"),
    confirmation_result: z.boolean(),
    proposed_at: proposedAt.optional(),
  })
  .passthrough()
  .superRefine(gidMatchesId);
export type ConfirmationCallbackRequest = z.infer<typeof confirmationCallbackRequestSchema>;

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
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new BodyError(400, `body nested deeper than ${MAX_JSON_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BodyError(400, "body is not valid JSON");
  }
  const bad = unstorableString(value);
  if (bad !== null) throw new BodyError(400, `${bad.path.slice(0, 200)}: ${bad.problem}`);
  return value;
}

/**
 * The deepest nesting of [ and { in JSON text, outside strings. Scanned before JSON.parse so a body
 * nested 10,000 levels deep is refused before anything recurses over it (zod, JSON.stringify). A
 * single pass over at most MAX_SESSION_BODY_BYTES characters; no library does only this.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Unpaired surrogates: with the u flag a valid pair is one code point and does not match. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** True when the string is well-formed Unicode (what String.prototype.isWellFormed checks). */
export function isWellFormedString(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

const NUL = "\u0000";

/**
 * The first string (value or key) PostgreSQL cannot store — a lone UTF-16 surrogate, or a NUL
 * character (U+0000, refused in text columns) — with its path, or null. Answered 400 at the
 * boundary instead of failing in the database (SQLite would store them; both answer alike).
 */
export function unstorableString(value: unknown): { path: string; problem: string } | null {
  const path = illFormedPath(value);
  if (path !== null) return { path, problem: "contains a lone UTF-16 surrogate (not valid Unicode)" };
  const nul = pathOfString(value, (s) => s.includes(NUL));
  if (nul !== null) return { path: nul, problem: "contains a NUL character" };
  return null;
}

/**
 * The path of the first string (value or key) holding a lone UTF-16 surrogate, or null. PostgreSQL
 * refuses such text, so it is answered 400 at the boundary instead of failing in the database.
 */
export function illFormedPath(value: unknown): string | null {
  return pathOfString(value, (s) => !isWellFormedString(s));
}

/** The path of the first string (value or key) matching `bad`, or null. Iterative (the depth is bounded anyway). */
function pathOfString(value: unknown, bad: (s: string) => boolean): string | null {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: "body" }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (bad(v)) return path;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ value: item, path: `${path}.${i}` }));
    } else if (v && typeof v === "object") {
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        if (bad(k)) return `${path} (a key)`;
        stack.push({ value: item, path: `${path}.${k}` });
      }
    }
  }
  return null;
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
