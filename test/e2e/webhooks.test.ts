/**
 * Shopify webhooks end to end: signed like Shopify (base64 HMAC-SHA256 of the raw body with the app
 * secret) and POSTed to the built app; effects asserted on the database's raw rows.
 */
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventually, repoRoot, startStack, type Stack, STACK_SETUP_TIMEOUT_MS, printAppOutputIfFailed } from "../helpers/stack";
import { configureShop } from "../../scripts/lib/local-stack";
import { parseKeyring } from "~/security/encryption.server";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  // Processed webhook ids 31 and 29 days old: the first webhook the app handles prunes the first.
  const day = 86_400_000;
  await stack.database.db.processedWebhook.createMany({
    data: [
      { id: "old-31d", topic: "SHOP_REDACT", shop: "old.myshopify.com", receivedAt: new Date(Date.now() - 31 * day) },
      { id: "recent-29d", topic: "SHOP_REDACT", shop: "old.myshopify.com", receivedAt: new Date(Date.now() - 29 * day) },
    ],
  });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
});

afterEach((context) => printAppOutputIfFailed(context, stack));

const db = () => stack.database.db;

interface SendOptions {
  /** the X-Shopify-Hmac-Sha256 header: default = the right signature; null = left out */
  hmac?: string | null;
  secret?: string;
  webhookId?: string;
  /** default: a new random id */
  eventId?: string;
  /** null = the header left out */
  triggeredAt?: string | null;
  /** a different body than the one signed */
  sentBody?: string;
}

function sign(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

async function sendWebhook(path: string, topic: string, shop: string, payload: unknown, options: SendOptions = {}) {
  const body = JSON.stringify(payload);
  const hmac = options.hmac === undefined ? sign(body, options.secret ?? stack.env.SHOPIFY_API_SECRET!) : options.hmac;
  const webhookId = options.webhookId ?? randomUUID();
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": topic,
    "X-Shopify-Shop-Domain": shop,
    "X-Shopify-Webhook-Id": webhookId,
    "X-Shopify-API-Version": "2026-04",
    "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
  };
  if (options.triggeredAt !== null) headers["X-Shopify-Triggered-At"] = options.triggeredAt ?? new Date().toISOString();
  if (hmac !== null) headers["X-Shopify-Hmac-Sha256"] = hmac;
  const res = await fetch(`${stack.appUrl}${path}`, { method: "POST", headers, body: options.sentBody ?? body });
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: res.status, json, webhookId, text };
}

function compliance(topic: string, shop: string, payload: Record<string, unknown>, options: SendOptions = {}) {
  return sendWebhook("/webhooks/compliance", topic, shop, { shop_id: 954889, shop_domain: shop, ...payload }, options);
}

async function pay(amount: string, customer: Record<string, unknown> | null) {
  const result = await stack.shopify.startPayment({ shop: stack.shop, amount, test: true, customer: customer as never });
  expect(result.ok).toBe(true);
  return result.id;
}

interface RawPayment {
  id: string;
  customerJson: string | null;
  customerEmail: string | null;
  customerLocale: string | null;
  amountCents: number;
  state: string;
  soisyToken: string | null;
}

async function rawPayment(id: string): Promise<RawPayment> {
  const rows = await db().$queryRaw<RawPayment[]>`SELECT "id", "customerJson", "customerEmail", "customerLocale", "amountCents", "state", "soisyToken" FROM "PaymentSession" WHERE "id" = ${id}`;
  expect(rows).toHaveLength(1);
  return { ...rows[0]!, amountCents: Number(rows[0]!.amountCents) };
}

async function countWhereTextContains(needle: string): Promise<number> {
  const like = `%${needle}%`;
  const p = await db().$queryRaw<Array<{ n: unknown }>>`SELECT COUNT(*) AS n FROM "PaymentSession" WHERE LOWER("customerJson") LIKE ${like} OR LOWER("customerEmail") LIKE ${like}`;
  const e = await db().$queryRaw<Array<{ n: unknown }>>`SELECT COUNT(*) AS n FROM "TimelineEvent" WHERE LOWER("detailJson") LIKE ${like}`;
  return Number(p[0]!.n) + Number(e[0]!.n);
}

/** A second shop with rows in every table (payments, refunds, timeline, outbox + attempts, group, session, settings). */
async function seedShop(shop: string) {
  await configureShop(db(), parseKeyring(stack.encryptionKey), shop, `shpat_${randomUUID()}`);
  const id = `seed${randomUUID().replace(/-/g, "").slice(0, 20)}`;
  await db().paymentSession.create({
    data: {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      shop,
      group: `group-${id}`,
      amountCents: 25_000,
      currency: "EUR",
      test: true,
      kind: "sale",
      proposedAt: new Date(),
      environment: "sandbox",
      customerJson: JSON.stringify({ email: "seed@example.com" }),
      customerEmail: "seed@example.com",
      state: "resolved",
      callbackSecret: "x",
      events: { create: { shop, source: "app", type: "resolved", detailJson: "{}" } },
      refunds: {
        create: { id: `r${id}`, gid: `gid://shopify/RefundSession/r${id}`, shop, amountCents: 1_000, currency: "EUR", test: true, proposedAt: new Date(), state: "awaiting_merchant" },
      },
      outbox: {
        create: {
          shop,
          mutation: "paymentSessionResolve",
          dedupeKey: `${id}:paymentSessionResolve`,
          variablesJson: "{}",
          status: "dead",
          attemptsLog: { create: { durationMs: 5, outcome: "dead" } },
        },
      },
    },
  });
  await db().groupResolution.create({ data: { group: `group-${id}`, paymentSessionId: id, shop } });
  return id;
}

/** What app/uninstalled leaves behind: uninstalledAt set (installedAt a minute earlier), sessions gone. */
async function uninstall(shop: string) {
  const now = Date.now();
  await db().shopSettings.update({ where: { shop }, data: { installedAt: new Date(now - 60_000), uninstalledAt: new Date(now - 1_000) } });
  await db().session.deleteMany({ where: { shop } });
}

async function shopRowCounts(shop: string) {
  const d = db();
  return {
    settings: await d.shopSettings.count({ where: { shop } }),
    sessions: await d.session.count({ where: { shop } }),
    payments: await d.paymentSession.count({ where: { shop } }),
    refunds: await d.refundSession.count({ where: { shop } }),
    events: await d.timelineEvent.count({ where: { shop } }),
    outbox: await d.outboxMessage.count({ where: { shop } }),
    attempts: await d.outboxAttempt.count({ where: { message: { shop } } }),
    groups: await d.groupResolution.count({ where: { shop } }),
  };
}

describe("shopify.app.toml", () => {
  it("every webhook URI it registers is served: a signed webhook of each of its topics is answered 200, an unsigned one 401", async () => {
    const app = parseToml(readFileSync(`${repoRoot}/shopify.app.toml`, "utf8")) as { webhooks: { subscriptions: Array<{ topics?: string[]; compliance_topics?: string[]; uri: string }> } };
    const shop = "toml-check.myshopify.com";
    const served: string[] = [];
    for (const sub of app.webhooks.subscriptions) {
      for (const topic of [...(sub.topics ?? []), ...(sub.compliance_topics ?? [])]) {
        // A shop the app does not know: every topic is a no-op for it.
        const payload = topic === "app/uninstalled" ? { myshopify_domain: shop } : { shop_id: 1, shop_domain: shop, customer: { id: 1, email: "nobody@example.com" } };
        const signed = await sendWebhook(sub.uri, topic, shop, payload);
        const unsigned = await sendWebhook(sub.uri, topic, shop, payload, { hmac: null });
        expect({ topic, uri: sub.uri, signed: signed.status, unsigned: unsigned.status, ignored: signed.json?.ignored }).toEqual({ topic, uri: sub.uri, signed: 200, unsigned: 401, ignored: undefined });
        served.push(topic);
      }
    }
    expect(served.sort()).toEqual(["app/uninstalled", "customers/data_request", "customers/redact", "shop/redact"]);
  });

  it("processed webhook ids older than 30 days are pruned after a webhook; newer ones are kept", async () => {
    await eventually(async () => (await db().processedWebhook.count({ where: { id: "old-31d" } })) === 0, 10_000, "old id pruned");
    expect(await db().processedWebhook.count({ where: { id: "recent-29d" } })).toBe(1);
    // Every signed webhook of the previous test was recorded.
    expect(await db().processedWebhook.count({ where: { shop: "toml-check.myshopify.com" } })).toBeGreaterThanOrEqual(3);
  });
});

describe("HMAC", () => {
  it("a wrong, missing or other-secret HMAC, or a tampered body → 401 and nothing changed", async () => {
    const before = await db().session.count({ where: { shop: stack.shop } });
    const settingsBefore = await db().shopSettings.findUniqueOrThrow({ where: { shop: stack.shop } });
    const payload = { myshopify_domain: stack.shop };
    const wrong = await sendWebhook("/webhooks/app/uninstalled", "app/uninstalled", stack.shop, payload, { hmac: sign("{}", stack.env.SHOPIFY_API_SECRET!) });
    const missing = await sendWebhook("/webhooks/app/uninstalled", "app/uninstalled", stack.shop, payload, { hmac: null });
    const otherSecret = await sendWebhook("/webhooks/app/uninstalled", "app/uninstalled", stack.shop, payload, { secret: "not-the-app-secret" });
    const tampered = await sendWebhook("/webhooks/app/uninstalled", "app/uninstalled", stack.shop, payload, { sentBody: JSON.stringify({ myshopify_domain: stack.shop, x: 1 }) });
    const redact = await compliance("shop/redact", stack.shop, {}, { hmac: "bm90IGEgc2lnbmF0dXJl" });
    expect([wrong.status, missing.status, otherSecret.status, tampered.status, redact.status]).toEqual([401, 401, 401, 401, 401]);
    expect(await db().session.count({ where: { shop: stack.shop } })).toBe(before);
    expect(before).toBeGreaterThan(0);
    const settingsAfter = await db().shopSettings.findUniqueOrThrow({ where: { shop: stack.shop } });
    expect(settingsAfter).toEqual(settingsBefore);
  });

  it("signed, but the payload's shop is not the header's → 400, nothing changed", async () => {
    const other = "someone-else.myshopify.com";
    const res = await compliance("shop/redact", stack.shop, { shop_domain: other });
    expect(res.status).toBe(400);
    expect(await db().shopSettings.count({ where: { shop: stack.shop } })).toBe(1);
  });

  it("GET → 405", async () => {
    expect((await fetch(`${stack.appUrl}/webhooks/compliance`)).status).toBe(405);
  });
});

describe("customers/data_request and customers/redact", () => {
  const email = "mario.rossi@example.com";
  let mario1: string;
  let mario2: string;
  let marioByPhone: string;
  let luigi: string;

  beforeAll(async () => {
    mario1 = await pay("300.00", { email: "Mario.Rossi@Example.com", phone_number: "3331112222" });
    mario2 = await pay("450.50", { email, phone_number: "3331112222" });
    marioByPhone = await pay("200.00", { email: null, phone_number: "+39 333 111 2222" });
    luigi = await pay("500.00", { email: "luigi@example.com", phone_number: "3339998888" });
    // A timeline detail holding personal data (e.g. a future Soisy payload) must be scrubbed too.
    await db().timelineEvent.create({
      data: { shop: stack.shop, paymentSessionId: mario2, source: "soisy_poll", type: "soisy_status", detailJson: JSON.stringify({ status: "request_received", email, note: `contact ${email}` }) },
    });
    // Level 2 keeps the chosen instalments and the approval's link to the shopper's Soisy application.
    await db().paymentSession.update({ where: { id: mario2 }, data: { preapprovalInstalments: 18, preapprovalRedirectUrl: "https://shop.sandbox.soisy.it/partnershop#/loan-request?token=t-mario2" } });
  });

  it("data_request: answers 200 with the customer's payments (email any case + phone), records one timeline row per payment, once", async () => {
    const payload = { customer: { id: 191167, email: "MARIO.rossi@example.com", phone: "3331112222" }, orders_requested: [299938], data_request: { id: 9999 } };
    const res = await compliance("customers/data_request", stack.shop, payload);
    expect(res.status).toBe(200);
    const payments = res.json!.payments as Array<{ id: string; amount: string; state: string; fieldsStored: string[] }>;
    expect(payments.map((p) => p.id).sort()).toEqual([mario1, mario2, marioByPhone].sort());
    const first = payments.find((p) => p.id === mario2)!;
    expect(first).toMatchObject({ amount: "450.50", state: "redirected" });
    expect(first.fieldsStored).toEqual(expect.arrayContaining(["customerEmail", "customer.email", "customer.billing_address.line1", "preapprovalRedirectUrl"]));
    const rows = await db().timelineEvent.findMany({ where: { type: "customer_data_request" } });
    expect(rows.map((r) => r.paymentSessionId).sort()).toEqual([mario1, mario2, marioByPhone].sort());
    expect(rows.every((r) => !r.detailJson!.includes("@"))).toBe(true);

    const again = await compliance("customers/data_request", stack.shop, payload, { webhookId: res.webhookId });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true });
    expect(await db().timelineEvent.count({ where: { type: "customer_data_request" } })).toBe(3);
    expect(await db().processedWebhook.count({ where: { id: res.webhookId } })).toBe(1);
  });

  it("customers/redact: erases the customer's personal data (raw rows), keeps amounts and states, leaves other customers alone, once", async () => {
    expect(await countWhereTextContains(email)).toBeGreaterThan(0);
    const before = await rawPayment(mario2);
    const luigiBefore = await rawPayment(luigi);
    const payload = { customer: { id: 191167, email, phone: "3331112222" }, orders_to_redact: [299938] };
    const res = await compliance("customers/redact", stack.shop, payload);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ paymentsRedacted: 3, timelineRowsScrubbed: 1 });

    for (const id of [mario1, mario2, marioByPhone]) {
      const row = await rawPayment(id);
      expect(row).toMatchObject({ customerJson: null, customerEmail: null, customerLocale: null });
    }
    const after = await rawPayment(mario2);
    expect(after).toMatchObject({ amountCents: before.amountCents, state: before.state, soisyToken: before.soisyToken });
    // Level 2: the link to the shopper's Soisy application goes, the loan term stays.
    expect(await db().paymentSession.findUniqueOrThrow({ where: { id: mario2 } })).toMatchObject({ preapprovalRedirectUrl: null, preapprovalInstalments: 18 });
    const redactedRow = await db().timelineEvent.findFirstOrThrow({ where: { paymentSessionId: mario2, type: "customer_redacted" } });
    expect(JSON.parse(redactedRow.detailJson!).fieldsErased).toContain("preapprovalRedirectUrl");
    expect(await countWhereTextContains(email)).toBe(0);
    expect(await countWhereTextContains("3331112222")).toBe(0);
    expect(await countWhereTextContains("111 2222")).toBe(0);
    const scrubbed = await db().timelineEvent.findFirstOrThrow({ where: { paymentSessionId: mario2, type: "soisy_status" } });
    expect(JSON.parse(scrubbed.detailJson!)).toEqual({ status: "request_received", email: "[redacted]", note: "[redacted]" });
    expect(await rawPayment(luigi)).toEqual(luigiBefore);
    expect(luigiBefore.customerEmail).toBe("luigi@example.com");
    expect(await db().timelineEvent.count({ where: { type: "customer_redacted" } })).toBe(3);

    const again = await compliance("customers/redact", stack.shop, payload, { webhookId: res.webhookId });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true });
    // A new delivery (new id) finds nothing left to erase.
    const fresh = await compliance("customers/redact", stack.shop, payload);
    expect(fresh.json).toMatchObject({ paymentsRedacted: 0 });
    expect(await db().timelineEvent.count({ where: { type: "customer_redacted" } })).toBe(3);
  });

  it("customers/redact erases only the shop's own data: the same customer at another shop is kept", async () => {
    const mine = "redact-mine.myshopify.com";
    const theirs = "redact-theirs.myshopify.com";
    const minePayment = await seedShop(mine);
    const theirPayment = await seedShop(theirs);
    const payload = { customer: { id: 5, email: "seed@example.com" }, orders_to_redact: [] };
    const res = await compliance("customers/redact", mine, payload);
    expect(res.json).toMatchObject({ paymentsRedacted: 1, paymentIds: [minePayment] });
    expect(await rawPayment(minePayment)).toMatchObject({ customerEmail: null, customerJson: null });
    expect(await rawPayment(theirPayment)).toMatchObject({ customerEmail: "seed@example.com" });
  });

  it("a payment still in flight when redacted goes on to be resolved", async () => {
    const row = await rawPayment(mario1);
    expect(row.state).toBe("redirected");
    await stack.soisy.fireEvent(row.soisyToken!, "LoanWasVerified");
    await eventually(async () => stack.shopify.paymentSessions.get(mario1)?.state.code === "RESOLVED", 10_000, "resolve");
    expect(await rawPayment(mario1)).toMatchObject({ state: "resolved", customerJson: null, customerEmail: null });
  });
});

describe("shop/redact", () => {
  it("erases every row of the shop, no other shop's, once", async () => {
    const gone = "redact-me.myshopify.com";
    const kept = "keep-me.myshopify.com";
    await seedShop(gone);
    await seedShop(kept);
    const keptBefore = await shopRowCounts(kept);
    expect(Object.values(await shopRowCounts(gone)).every((n) => n > 0)).toBe(true);
    await uninstall(gone);

    const res = await compliance("shop/redact", gone, {});
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ applied: true });
    expect(await shopRowCounts(gone)).toEqual({ settings: 0, sessions: 0, payments: 0, refunds: 0, events: 0, outbox: 0, attempts: 0, groups: 0 });
    expect(await shopRowCounts(kept)).toEqual(keptBefore);
    const again = await compliance("shop/redact", gone, {}, { webhookId: res.webhookId });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true });
  });

  it("an INSTALLED shop is never erased: with or without X-Shopify-Triggered-At, replayed or not → 200, nothing changed", async () => {
    const shop = "still-here.myshopify.com";
    await seedShop(shop);
    const before = await shopRowCounts(shop);
    const outboxBefore = await db().outboxMessage.findMany({ where: { shop } });
    const noHeader = await compliance("shop/redact", shop, {}, { triggeredAt: null });
    const withHeader = await compliance("shop/redact", shop, {});
    const replay = await compliance("shop/redact", shop, {}, { triggeredAt: null, webhookId: noHeader.webhookId });
    for (const res of [noHeader, withHeader, replay]) {
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ applied: false, reason: "installed" });
    }
    expect(await shopRowCounts(shop)).toEqual(before);
    expect(await db().outboxMessage.findMany({ where: { shop } })).toEqual(outboxBefore);
    // A refusal is not recorded as processed: a later legitimate delivery is judged again.
    expect(await db().processedWebhook.count({ where: { id: noHeader.webhookId } })).toBe(0);
  });

  it("a shop that reinstalled, or a request older than the uninstall, is not erased", async () => {
    const shop = "came-back.myshopify.com";
    await seedShop(shop);
    const before = await shopRowCounts(shop);
    // Uninstalled an hour ago, then reinstalled (the install flow clears uninstalledAt).
    await db().shopSettings.update({ where: { shop }, data: { uninstalledAt: new Date(Date.now() - 3_600_000) } });
    await db().shopSettings.update({ where: { shop }, data: { installedAt: new Date(), uninstalledAt: null } });
    const reinstalled = await compliance("shop/redact", shop, {}, { triggeredAt: null });
    expect(reinstalled.json).toMatchObject({ applied: false, reason: "installed" });
    // Uninstalled now; a shop/redact triggered before that uninstall is stale.
    await uninstall(shop);
    const older = await compliance("shop/redact", shop, {}, { triggeredAt: new Date(Date.now() - 3_600_000).toISOString() });
    expect(older.status).toBe(200);
    expect(older.json).toMatchObject({ applied: false, reason: "older_than_uninstall" });
    // Only the uninstall's own effect (sessions gone); everything else kept.
    expect(await shopRowCounts(shop)).toEqual({ ...before, sessions: 0 });
    expect(before.payments).toBe(1);
    // Without the header, the uninstall state decides: the shop is uninstalled → erased.
    const applied = await compliance("shop/redact", shop, {}, { triggeredAt: null });
    expect(applied.json).toMatchObject({ applied: true });
    expect((await shopRowCounts(shop)).payments).toBe(0);
  });

  it("the same X-Shopify-Event-Id of the topic under a new webhook id is a duplicate", async () => {
    const shop = "event-dup.myshopify.com";
    await seedShop(shop);
    await uninstall(shop);
    const eventId = randomUUID();
    const first = await compliance("shop/redact", shop, {}, { eventId });
    expect(first.json).toMatchObject({ applied: true });
    await seedShop(shop);
    await uninstall(shop);
    const second = await compliance("shop/redact", shop, {}, { eventId });
    expect(second.json).toMatchObject({ duplicate: true });
    expect((await shopRowCounts(shop)).payments).toBe(1);
  });

  it("concurrent deliveries of one webhook id: applied once, every answer 200", async () => {
    const shop = "concurrent.myshopify.com";
    await seedShop(shop);
    await uninstall(shop);
    const webhookId = randomUUID();
    const answers = await Promise.all([1, 2, 3, 4].map(() => compliance("shop/redact", shop, {}, { webhookId })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.filter((a) => a.json?.applied === true)).toHaveLength(1);
    expect(answers.filter((a) => a.json?.duplicate === true)).toHaveLength(3);
  });

  it("a topic the URL does not serve is acknowledged and ignored", async () => {
    const shop = "wrong-url.myshopify.com";
    await seedShop(shop);
    const res = await compliance("app/uninstalled", shop, {});
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ignored: true });
    expect((await shopRowCounts(shop)).sessions).toBe(1);
  });
});

describe("app/uninstalled", () => {
  it("deletes the shop's sessions, marks it uninstalled and not ready, keeps payments; new payments are refused; a redelivery changes nothing", async () => {
    const paymentsBefore = await db().paymentSession.count({ where: { shop: stack.shop } });
    const eventsBefore = await db().timelineEvent.count({ where: { shop: stack.shop } });
    expect(paymentsBefore).toBeGreaterThan(0);
    // The stack seeded the merchant's admin login: it must not outlive the install.
    expect(await db().adminSession.count({ where: { shop: stack.shop } })).toBeGreaterThan(0);
    const triggeredAt = new Date().toISOString();
    const res = await sendWebhook("/webhooks/app/uninstalled", "app/uninstalled", stack.shop, { id: 1, myshopify_domain: stack.shop }, { triggeredAt });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ applied: true, markedUninstalled: true, sessionsDeleted: 1 });
    expect(await db().session.count({ where: { shop: stack.shop } })).toBe(0);
    expect(await db().adminSession.count({ where: { shop: stack.shop } })).toBe(0);
    const settings = await db().shopSettings.findUniqueOrThrow({ where: { shop: stack.shop } });
    expect(settings.ready).toBe(false);
    expect(settings.uninstalledAt).toBeInstanceOf(Date);
    expect(settings.sandboxApiKeyEncrypted).not.toBeNull();
    expect(await db().paymentSession.count({ where: { shop: stack.shop } })).toBe(paymentsBefore);
    expect(await db().timelineEvent.count({ where: { shop: stack.shop } })).toBe(eventsBefore);

    const refused = await stack.shopify.startPayment({ shop: stack.shop, amount: "300.00", test: true });
    expect(refused.ok).toBe(false);
    expect(refused.attempts.every((a) => a.status === 404)).toBe(true);
    expect(await db().paymentSession.findUnique({ where: { id: refused.id } })).toBeNull();

    const again = await sendWebhook("/webhooks/app/uninstalled", "app/uninstalled", stack.shop, { id: 1, myshopify_domain: stack.shop }, { triggeredAt, webhookId: res.webhookId });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true });
    const otherId = await sendWebhook("/webhooks/app/uninstalled", "app/uninstalled", stack.shop, { id: 1, myshopify_domain: stack.shop }, { triggeredAt });
    expect(otherId.json).toMatchObject({ applied: false });
    expect((await db().shopSettings.findUniqueOrThrow({ where: { shop: stack.shop } })).uninstalledAt).toEqual(settings.uninstalledAt);

    // The shop reinstalls; a late redelivery of the old webhook must not uninstall it again.
    await configureShop(db(), parseKeyring(stack.encryptionKey), stack.shop, stack.accessToken);
    await db().shopSettings.update({ where: { shop: stack.shop }, data: { installedAt: new Date(), uninstalledAt: null } });
    const late = await sendWebhook("/webhooks/app/uninstalled", "app/uninstalled", stack.shop, { id: 1, myshopify_domain: stack.shop }, { triggeredAt });
    expect(late.status).toBe(200);
    expect(late.json).toMatchObject({ applied: false, reason: "reinstalled_since" });
    const lateSameId = await sendWebhook("/webhooks/app/uninstalled", "app/uninstalled", stack.shop, { id: 1, myshopify_domain: stack.shop }, { triggeredAt, webhookId: res.webhookId });
    expect(lateSameId.json).toMatchObject({ duplicate: true });
    expect(await db().session.count({ where: { shop: stack.shop } })).toBe(1);
    expect((await db().shopSettings.findUniqueOrThrow({ where: { shop: stack.shop } })).ready).toBe(true);
  });

  it("is applied even when the shop's expiring offline token cannot be refreshed (revoked)", async () => {
    const shop = "expired-token.myshopify.com";
    await seedShop(shop);
    await db().session.update({
      where: { id: `offline_${shop}` },
      data: { expires: new Date(Date.now() - 3_600_000), refreshToken: "shprt_revoked", refreshTokenExpires: new Date(Date.now() + 86_400_000) },
    });
    const res = await sendWebhook("/webhooks/app/uninstalled", "app/uninstalled", shop, { myshopify_domain: shop });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ applied: true, sessionsDeleted: 1 });
    expect((await db().shopSettings.findUniqueOrThrow({ where: { shop } })).ready).toBe(false);
  });
});
