/**
 * Shopify webhooks into the app (routes webhooks.app.uninstalled.ts and webhooks.compliance.ts).
 *
 *   1. HMAC: `shopify().authenticate.webhook(request)` (base64 HMAC-SHA256 of the raw body with the
 *      app secret) → 401 when wrong; a missing X-Shopify-Hmac-Sha256 is answered 401 as well.
 *   2. The payload's shop (compliance: shop_domain; app/uninstalled: myshopify_domain) must be the
 *      X-Shopify-Shop-Domain header's: the headers are not signed, the body is.
 *   3. The topic's work (app/webhooks/*.server.ts), idempotent by construction; answered 200 JSON.
 * Work that fails answers 500, so Shopify redelivers.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { appConfig } from "~/config.server";
import { db } from "~/db.server";
import { logger } from "~/logger.server";
import { shopify } from "~/shopify.server";
import { hasIdentity, identityFrom } from "./customer-data";
import { recordDataRequest, redactCustomer } from "./customer-data.server";
import { redactShop, uninstallShop } from "./shop-data.server";

export const MAX_WEBHOOK_BYTES = 1_000_000;

/** Topics as the Shopify library names them (X-Shopify-Topic upper-cased, "/" → "_"). */
export const WEBHOOK_TOPICS = {
  APP_UNINSTALLED: "app/uninstalled",
  CUSTOMERS_DATA_REQUEST: "customers/data_request",
  CUSTOMERS_REDACT: "customers/redact",
  SHOP_REDACT: "shop/redact",
} as const;
export type WebhookTopicKey = keyof typeof WEBHOOK_TOPICS;

const id = z.union([z.number(), z.string()]).transform((v) => String(v));
const customerSchema = z.object({
  id: id.nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
});
const complianceBase = z.object({ shop_id: id.nullish(), shop_domain: z.string().min(1) });
const payloadSchemas = {
  APP_UNINSTALLED: z.object({ myshopify_domain: z.string().nullish() }).passthrough(),
  CUSTOMERS_DATA_REQUEST: complianceBase.extend({
    customer: customerSchema,
    orders_requested: z.array(id).nullish(),
    data_request: z.object({ id: id.nullish() }).nullish(),
  }),
  CUSTOMERS_REDACT: complianceBase.extend({ customer: customerSchema, orders_to_redact: z.array(id).nullish() }),
  SHOP_REDACT: complianceBase,
};

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

interface VerifiedWebhook {
  topic: string;
  shop: string;
  webhookId: string;
  triggeredAt: string | undefined;
  payload: unknown;
}

/**
 * HMAC and headers through the Shopify library. authenticate.webhook also loads (and, for expiring
 * offline tokens, refreshes) the shop's offline session; when that fails AFTER the HMAC was valid —
 * e.g. refreshing the revoked token of a shop that just uninstalled — the webhook is verified again
 * without the session, so the uninstall is still applied.
 */
async function verify(request: Request): Promise<VerifiedWebhook | Response> {
  const copy = request.clone();
  try {
    const ctx = await shopify().authenticate.webhook(request);
    return { topic: ctx.topic, shop: ctx.shop, webhookId: ctx.webhookId, triggeredAt: ctx.triggeredAt, payload: ctx.payload };
  } catch (error) {
    // 401 (bad HMAC), 400 (missing headers), 405: the library's answer stands. A 5xx Response is
    // what it throws when refreshing an expiring offline token failed.
    if (error instanceof Response && error.status < 500) return error;
    if (error instanceof SyntaxError) return json({ error: "the webhook body is not JSON" }, 400);
    const rawBody = await copy.text();
    if (!validHmac(rawBody, copy.headers.get("x-shopify-hmac-sha256") ?? "")) return new Response(null, { status: 401 });
    const header = (name: string) => copy.headers.get(name) ?? "";
    const check = {
      topic: header("x-shopify-topic").toUpperCase().replace(/[/.]/g, "_"),
      domain: header("x-shopify-shop-domain"),
      webhookId: header("x-shopify-webhook-id"),
      triggeredAt: copy.headers.get("x-shopify-triggered-at") ?? undefined,
    };
    if (!check.topic || !check.domain || !check.webhookId) return new Response(null, { status: 400 });
    logger.warn({ err: error instanceof Response ? { status: error.status } : error, shop: check.domain, topic: check.topic }, "webhook: loading the shop's offline session failed; handled without it");
    let payload: unknown;
    try {
      payload = JSON.parse(rawBody);
    } catch {
      return json({ error: "the webhook body is not JSON" }, 400);
    }
    return { topic: check.topic, shop: check.domain, webhookId: check.webhookId, triggeredAt: check.triggeredAt, payload };
  }
}

/** Shopify's webhook signature: base64 HMAC-SHA256 of the raw body with the app secret. */
function validHmac(rawBody: string, given: string): boolean {
  const expected = createHmac("sha256", appConfig().SHOPIFY_API_SECRET).update(rawBody, "utf8").digest();
  const actual = Buffer.from(given, "base64");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function parseDate(value: string | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export async function handleWebhook(request: Request, accepted: readonly WebhookTopicKey[]): Promise<Response> {
  if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_WEBHOOK_BYTES) return json({ error: "webhook body too large" }, 413);
  if (!request.headers.get("x-shopify-hmac-sha256")) return new Response(null, { status: 401 });

  const verified = await verify(request);
  if (verified instanceof Response) return verified;
  const { topic, shop, webhookId } = verified;
  const log = logger.child({ webhook: { topic, shop, webhookId } });
  if (!(accepted as readonly string[]).includes(topic)) {
    // Answer 2xx so Shopify does not redeliver a subscription this URL does not serve.
    log.warn("webhook: topic not served by this URL; ignored");
    return json({ ignored: true, topic });
  }
  const key = topic as WebhookTopicKey;
  const parsed = payloadSchemas[key].safeParse(verified.payload);
  if (!parsed.success) {
    log.warn({ issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) }, "webhook: unexpected payload");
    return json({ error: "unexpected payload" }, 400);
  }
  const payload = parsed.data as Record<string, unknown>;
  const payloadShop = key === "APP_UNINSTALLED" ? payload.myshopify_domain : payload.shop_domain;
  if (typeof payloadShop === "string" && payloadShop.toLowerCase() !== shop.toLowerCase()) {
    log.warn("webhook: the payload's shop is not the X-Shopify-Shop-Domain header's");
    return json({ error: "shop mismatch" }, 400);
  }
  const triggeredAt = parseDate(verified.triggeredAt);

  try {
    const result = await run(key, shop, webhookId, triggeredAt, parsed.data);
    log.info({ result: summary(result) }, "webhook handled");
    return json(result);
  } catch (error) {
    log.error({ err: error }, "webhook failed; Shopify will redeliver");
    return json({ error: "internal error" }, 500);
  }
}

async function run(key: WebhookTopicKey, shop: string, webhookId: string, triggeredAt: Date | null, payload: unknown) {
  const database = db();
  switch (key) {
    case "APP_UNINSTALLED":
      return uninstallShop(database, shop, { triggeredAt });
    case "SHOP_REDACT":
      return redactShop(database, shop, { triggeredAt });
    case "CUSTOMERS_DATA_REQUEST": {
      const p = payload as z.infer<(typeof payloadSchemas)["CUSTOMERS_DATA_REQUEST"]>;
      const who = identityFrom(p.customer);
      if (!hasIdentity(who)) return { topic: WEBHOOK_TOPICS[key], recorded: 0, payments: [] };
      return recordDataRequest(database, shop, who, {
        webhookId,
        dataRequestId: p.data_request?.id ?? null,
        ordersRequested: p.orders_requested ?? [],
      });
    }
    case "CUSTOMERS_REDACT": {
      const p = payload as z.infer<(typeof payloadSchemas)["CUSTOMERS_REDACT"]>;
      const who = identityFrom(p.customer);
      if (!hasIdentity(who)) return { topic: WEBHOOK_TOPICS[key], paymentsRedacted: 0, timelineRowsScrubbed: 0, paymentIds: [] };
      return redactCustomer(database, shop, who, { webhookId });
    }
  }
}

/** What the log line keeps of a result: counts and ids, never personal data. */
function summary(result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result)) out[k] = Array.isArray(v) ? v.length : v;
  return out;
}
