/**
 * Shopify webhooks into the app (routes webhooks.app.uninstalled.ts and webhooks.compliance.ts).
 *
 *   1. HMAC: `shopify().authenticate.webhook(request)` (base64 HMAC-SHA256 of the raw body with the
 *      app secret) → 401 when wrong; a missing X-Shopify-Hmac-Sha256 is answered 401 as well.
 *   2. The payload's shop (compliance: shop_domain; app/uninstalled: myshopify_domain) must be the
 *      X-Shopify-Shop-Domain header's: the headers are not signed, the body is.
 *   3. Exactly once: the topic's work (app/webhooks/*.server.ts) and a ProcessedWebhook row (the
 *      X-Shopify-Webhook-Id, plus X-Shopify-Event-Id when sent) are written in ONE transaction. A
 *      redelivery of a webhook id (or of an event id for the same topic) already processed is
 *      answered 200 {duplicate: true} and changes nothing; two concurrent deliveries of one id:
 *      the second waits for the first's transaction and then fails on the primary key → duplicate.
 *      The ids are not covered by the HMAC (only the body is), so this is a guard against Shopify's
 *      own redeliveries; the effects stay idempotent on their own as well.
 *   4. shop/redact is refused (200, logged, nothing erased) for a shop that is installed, reinstalled
 *      since, or uninstalled after the webhook was triggered (shop-data.server.ts); such a refusal is
 *      not recorded, so a later legitimate delivery is judged again.
 * Work that fails answers 500, so Shopify redelivers. Rows older than 30 days are pruned (at most
 * once an hour per process, after a processed webhook).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { appConfig } from "~/config.server";
import { db } from "~/db.server";
import { logger } from "~/logger.server";
import { shopify } from "~/shopify.server";
import { hasIdentity, identityFrom } from "./customer-data";
import { recordDataRequest, redactCustomer } from "./customer-data.server";
import { redactShop, uninstallShop, type Tx } from "./shop-data.server";

/** How long processed webhook ids are kept (Shopify retries a failed delivery for about 48 hours). */
export const PROCESSED_WEBHOOK_RETENTION_MS = 30 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;
let lastPruneAt = 0;

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
  eventId: string | null;
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
    return { topic: ctx.topic, shop: ctx.shop, webhookId: ctx.webhookId, eventId: eventIdOf(copy.headers), triggeredAt: ctx.triggeredAt, payload: ctx.payload };
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
    return { topic: check.topic, shop: check.domain, webhookId: check.webhookId, eventId: eventIdOf(copy.headers), triggeredAt: check.triggeredAt, payload };
  }
}

function eventIdOf(headers: Headers): string | null {
  const value = headers.get("x-shopify-event-id")?.trim();
  return value ? value.slice(0, 255) : null;
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
  const database = db();
  const eventId = verified.eventId;

  try {
    if (await alreadyProcessed(database, webhookId, eventId, topic)) {
      log.info("webhook: already processed (redelivery); nothing changed");
      return json({ duplicate: true, topic: WEBHOOK_TOPICS[key] });
    }
    const result = await database.$transaction(
      async (tx) => {
        // First, so a concurrent delivery of the same id blocks here until this one commits.
        await tx.processedWebhook.create({ data: { id: webhookId.slice(0, 255), eventId, topic, shop } });
        const outcome = await run(tx, key, shop, webhookId, triggeredAt, parsed.data);
        // A refused shop/redact changed nothing and is not recorded: a later delivery is judged again.
        if ("reason" in outcome && key === "SHOP_REDACT") await tx.processedWebhook.delete({ where: { id: webhookId.slice(0, 255) } });
        return outcome;
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
    if (key === "SHOP_REDACT" && "reason" in result) log.warn({ reason: result.reason }, "webhook: shop/redact refused; nothing erased");
    else log.info({ result: summary(result) }, "webhook handled");
    void pruneProcessedWebhooks(database, log);
    return json(result);
  } catch (error) {
    if (isUniqueViolation(error) && (await alreadyProcessed(database, webhookId, eventId, topic))) {
      log.info("webhook: processed concurrently by another delivery; nothing changed");
      return json({ duplicate: true, topic: WEBHOOK_TOPICS[key] });
    }
    log.error({ err: error }, "webhook failed; Shopify will redeliver");
    return json({ error: "internal error" }, 500);
  }
}

async function alreadyProcessed(database: Tx, webhookId: string, eventId: string | null, topic: string): Promise<boolean> {
  const row = await database.processedWebhook.findFirst({
    where: { OR: [{ id: webhookId.slice(0, 255) }, ...(eventId ? [{ eventId, topic }] : [])] },
    select: { id: true },
  });
  return row !== null;
}

/** Prisma's unique-constraint error (P2002), also through the driver adapters. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

async function pruneProcessedWebhooks(database: Tx, log: typeof logger) {
  const now = Date.now();
  if (now - lastPruneAt < PRUNE_EVERY_MS) return;
  lastPruneAt = now;
  try {
    const { count } = await database.processedWebhook.deleteMany({ where: { receivedAt: { lt: new Date(now - PROCESSED_WEBHOOK_RETENTION_MS) } } });
    if (count) log.info({ count }, "webhook: pruned old processed webhook ids");
  } catch (error) {
    log.warn({ err: error }, "webhook: pruning processed webhook ids failed");
  }
}

async function run(tx: Tx, key: WebhookTopicKey, shop: string, webhookId: string, triggeredAt: Date | null, payload: unknown) {
  switch (key) {
    case "APP_UNINSTALLED":
      return uninstallShop(tx, shop, { triggeredAt });
    case "SHOP_REDACT":
      return redactShop(tx, shop, { triggeredAt });
    case "CUSTOMERS_DATA_REQUEST": {
      const p = payload as z.infer<(typeof payloadSchemas)["CUSTOMERS_DATA_REQUEST"]>;
      const who = identityFrom(p.customer);
      if (!hasIdentity(who)) return { topic: WEBHOOK_TOPICS[key], recorded: 0, payments: [] };
      return recordDataRequest(tx, shop, who, {
        webhookId,
        dataRequestId: p.data_request?.id ?? null,
        ordersRequested: p.orders_requested ?? [],
      });
    }
    case "CUSTOMERS_REDACT": {
      const p = payload as z.infer<(typeof payloadSchemas)["CUSTOMERS_REDACT"]>;
      const who = identityFrom(p.customer);
      if (!hasIdentity(who)) return { topic: WEBHOOK_TOPICS[key], paymentsRedacted: 0, timelineRowsScrubbed: 0, paymentIds: [] };
      return redactCustomer(tx, shop, who, { webhookId });
    }
  }
}

/** What the log line keeps of a result: counts and ids, never personal data. */
function summary(result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result)) out[k] = Array.isArray(v) ? v.length : v;
  return out;
}
