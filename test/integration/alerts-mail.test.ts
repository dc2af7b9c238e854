/**
 * Merchant e-mail alerts (app/notifications/) against a real SMTP server (the mail simulator,
 * smtp-server + mailparser) and a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL): one
 * mail per event, also with two instances passing at once; nothing from before the lookback; the
 * daily digest (each event in exactly one); no shopper's personal data in any mail; SMTP down then
 * back → sent once after the retry; given up (dead) after the last attempt.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "~/db.server";
import { createLogger } from "~/logger.server";
import { createAlertJob, type AlertJobConfig } from "~/notifications/jobs.server";
import { produceNotifications } from "~/notifications/producer.server";
import { nextDigestAt } from "~/notifications/schedule";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createPaymentRow } from "../helpers/payment-rows";
import { startMailSimulator, type MailSimulator } from "../simulators/mail/simulator";

const logger = createLogger({ level: "silent" });
const APP_URL = "https://soisy-app.example.com";
const SHOPPER = { name: "Mario", surname: "Rossi", email: "mario.rossi@example.com", phone: "+393331234567", fiscalCode: "RSSMRA80A01H501U", street: "Via Roma 1" };
let t: TestDatabase;
let db: Db;
let other: Db;
let mail: MailSimulator;
let jobs: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  other = t.kind === "postgres" ? createDb(t.url) : db;
  mail = await startMailSimulator();
});
afterEach(async () => {
  await Promise.all(jobs.map((j) => j.stop()));
  jobs = [];
  mail.setDown(false);
});
afterAll(async () => {
  await mail?.close();
  if (other !== db) await other.$disconnect();
  await t?.cleanup();
});

function config(overrides: Partial<AlertJobConfig> = {}): AlertJobConfig {
  return {
    SMTP_URL: mail.smtpUrl,
    ALERT_FROM: "Soisy per Shopify <avvisi@soisy-app.example.com>",
    ALERT_POLL_MS: 3_600_000,
    ALERT_LOOKBACK_HOURS: 24,
    ALERT_DIGEST_HOUR: 8,
    ALERT_BACKOFF_BASE_MS: 60_000,
    ALERT_MAX_ATTEMPTS: 3,
    SHOPIFY_APP_URL: APP_URL,
    ...overrides,
  };
}

function job(options: { db?: Db; now?: () => Date; workerId?: string; config?: Partial<AlertJobConfig> } = {}) {
  const j = createAlertJob({ db: options.db ?? db, logger, config: config(options.config), workerId: options.workerId ?? "test", ...(options.now ? { now: options.now } : {}) })!;
  jobs.push(j);
  return j;
}

let counter = 0;
/** A shop with an alert address, and a payment of it carrying the shopper's personal data. */
async function shopWithPayment(settings: { alertDigest?: boolean; alertLocale?: string } = {}) {
  const shop = `alerts-${++counter}-${Date.now().toString(36)}.myshopify.com`;
  await db.shopSettings.create({ data: { shop, shopName: `Negozio ${counter}`, alertEmail: `owner${counter}@shop.example`, alertLocale: settings.alertLocale ?? "it", alertDigest: settings.alertDigest ?? false } });
  const paymentId = await createPaymentRow(db, `pay-${counter}-${Date.now().toString(36)}`, shop, "resolved", {
    amountCents: 123_456,
    soisyLoanAmountCents: 120_000,
    customerEmail: SHOPPER.email,
    customerJson: JSON.stringify({ billing_address: { given_name: SHOPPER.name, family_name: SHOPPER.surname, line1: SHOPPER.street, phone: SHOPPER.phone }, email: SHOPPER.email }),
  });
  return { shop, paymentId, to: `owner${counter}@shop.example` };
}

async function timelineRow(shop: string, paymentId: string, type: string, createdAt = new Date()) {
  return db.timelineEvent.create({ data: { shop, paymentSessionId: paymentId, source: "app", type, dedupeKey: `${type}:${paymentId}:${createdAt.getTime()}`, detailJson: JSON.stringify({ message: `about ${SHOPPER.name}` }), createdAt } });
}

function mailsTo(to: string) {
  return mail.mails.filter((m) => m.to.includes(to));
}

function expectNoPersonalData(text: string) {
  for (const value of Object.values(SHOPPER)) expect(text).not.toContain(value);
}

describe("one mail per event", () => {
  it("mails each event once, even when two instances pass at the same time, and nothing older than the lookback", async () => {
    const { shop, paymentId, to } = await shopWithPayment();
    await timelineRow(shop, paymentId, "alert:amount_mismatch");
    await timelineRow(shop, paymentId, "outbox_dead_letter");
    await timelineRow(shop, paymentId, "alert:confirmation_overdue"); // not mailed: settles by itself
    await timelineRow(shop, paymentId, "alert:pending_past_expiry", new Date(Date.now() - 48 * 3_600_000)); // too old
    await db.refundSession.create({
      data: { id: `rf-${counter}`, gid: `gid://shopify/RefundSession/rf-${counter}`, shop, paymentSessionId: paymentId, amountCents: 2_500, currency: "EUR", test: true, proposedAt: new Date(), state: "awaiting_merchant" },
    });
    await db.shopSettings.update({ where: { shop }, data: { productionRejectedAt: new Date() } });

    const a = job({ workerId: "instance-a" });
    const b = job({ db: other, workerId: "instance-b" });
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    await Promise.all([a.tick(), b.tick()]);

    const mine = mailsTo(to);
    expect(mine.map((m) => m.subject).sort()).toEqual(
      [
        "[Negozio 1] Importo diverso tra Soisy e l'ordine",
        "[Negozio 1] Rimborso da fare su Soisy",
        "[Negozio 1] Shopify non ha accettato un aggiornamento",
        "[Negozio 1] Soisy ha rifiutato le credenziali",
      ].sort(),
    );
    expect(new Set(mine.map((m) => m.messageId)).size).toBe(4);
    const rows = await db.notification.findMany({ where: { shop } });
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.status === "sent" && r.messageId && r.attempts === 1)).toBe(true);
    for (const m of mine) {
      expect(m.messageId).toMatch(/^<notification-[a-z0-9]+@soisy-app\.example\.com>$/);
      expect(m.from).toContain("avvisi@soisy-app.example.com");
      expectNoPersonalData(m.raw);
    }
    const refund = mine.find((m) => m.subject.includes("Rimborso"))!;
    expect(refund.text).toContain(`${APP_URL}/app/transactions/${paymentId}`);
    expect(refund.text).toMatch(/rimborso di €\s25,00 su un pagamento di €\s1\.234,56/);
    expect(refund.html).toContain(`href="${APP_URL}/app/transactions/${paymentId}"`);
    const mismatch = mine.find((m) => m.subject.includes("Importo"))!;
    expect(mismatch.text).toMatch(/\(€\s1\.200,00\) non corrisponde all.importo dell.ordine \(€\s1\.234,56\)/);
    expect(mine.find((m) => m.subject.includes("credenziali"))!.text).toContain(`${APP_URL}/app/settings`);
  });

  it("writes English when the shop's alert language is English, and escapes the shop's name in the HTML", async () => {
    const { shop, paymentId, to } = await shopWithPayment({ alertLocale: "en" });
    await db.shopSettings.update({ where: { shop }, data: { shopName: "Bob & <Co>" } });
    await timelineRow(shop, paymentId, "alert:void_requested");
    await job().tick();
    const [m] = mailsTo(to);
    expect(m!.subject).toBe("[Bob & <Co>] Void to do at Soisy");
    expect(m!.text).toContain("Cancel the loan at Soisy, then confirm the void in the app.");
    expect(m!.html).toContain("Bob &amp; &lt;Co&gt;");
    expect(m!.html).not.toContain("<Co>");
  });
});

describe("daily digest", () => {
  it("sends one mail per shop at the digest hour with every event of the day, each event in exactly one digest", async () => {
    const { shop, paymentId, to } = await shopWithPayment({ alertDigest: true });
    const start = new Date();
    let clock = start;
    const now = () => clock;
    await timelineRow(shop, paymentId, "alert:amount_mismatch");
    await timelineRow(shop, paymentId, "alert:loan_after_reject");
    const a = job({ now, workerId: "a" });
    const b = job({ db: other, now, workerId: "b" });
    await Promise.all([a.tick(), b.tick()]);
    expect(mailsTo(to)).toHaveLength(0);
    const due = await db.notification.findMany({ where: { shop } });
    expect(due).toHaveLength(2);
    expect(due.every((n) => n.status === "pending" && n.nextAttemptAt.getTime() === nextDigestAt(start, 8).getTime())).toBe(true);

    clock = new Date(nextDigestAt(start, 8).getTime() + 1_000);
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.tick(), b.tick()]);
    const first = mailsTo(to);
    expect(first).toHaveLength(1);
    expect(first[0]!.subject).toMatch(/^\[Negozio \d+\] Riepilogo Soisy del \d{4}-\d{2}-\d{2}: 2 avvisi$/);
    expect(first[0]!.text).toContain("Importo diverso tra Soisy e l'ordine");
    expect(first[0]!.text).toContain("Soisy ha concesso un prestito dopo il rifiuto");
    expect(first[0]!.messageId).toMatch(/^<digest-/);
    expectNoPersonalData(first[0]!.raw);

    // A later event goes into the next day's digest, alone.
    await timelineRow(shop, paymentId, "alert:pending_past_expiry", clock);
    await a.tick();
    clock = new Date(nextDigestAt(clock, 8).getTime() + 1_000);
    await Promise.all([a.tick(), b.tick()]);
    const all = mailsTo(to);
    expect(all).toHaveLength(2);
    expect(all[1]!.subject).toMatch(/: 1 avvisi$/);
    expect(all[1]!.text).toContain("in attesa della decisione di Soisy");
    expect(all[1]!.text).not.toContain("Importo diverso");
  });
});

describe("SMTP failures", () => {
  it("retries with backoff while the SMTP server refuses, then sends the mail once", async () => {
    const { shop, paymentId, to } = await shopWithPayment();
    await timelineRow(shop, paymentId, "alert:cancelled_after_resolve");
    let clock = new Date();
    const j = job({ now: () => clock });
    mail.setDown(true);
    await j.tick();
    expect(mail.refused()).toBeGreaterThan(0);
    let [row] = await db.notification.findMany({ where: { shop } });
    expect(row).toMatchObject({ status: "pending", attempts: 1, lockedBy: null });
    expect(row!.lastError).toContain("451");
    expect(row!.nextAttemptAt.getTime()).toBe(clock.getTime() + 60_000);
    // Not due yet: nothing is tried again before the backoff.
    const refusedBefore = mail.refused();
    await j.tick();
    expect(mail.refused()).toBe(refusedBefore);
    mail.setDown(false);
    clock = new Date(clock.getTime() + 60_001);
    await j.tick();
    await j.tick();
    expect(mailsTo(to)).toHaveLength(1);
    [row] = await db.notification.findMany({ where: { shop } });
    expect(row).toMatchObject({ status: "sent", attempts: 2, lastError: null });
  });

  it("gives up after the last attempt: the notification is dead", async () => {
    const { shop, paymentId, to } = await shopWithPayment();
    await timelineRow(shop, paymentId, "alert:duplicate_loan_in_group");
    let clock = new Date();
    const j = job({ now: () => clock, config: { ALERT_MAX_ATTEMPTS: 2, ALERT_BACKOFF_BASE_MS: 10 } });
    mail.setDown(true);
    await j.tick();
    clock = new Date(clock.getTime() + 1_000);
    await j.tick();
    const [row] = await db.notification.findMany({ where: { shop } });
    expect(row).toMatchObject({ status: "dead", attempts: 2 });
    mail.setDown(false);
    clock = new Date(clock.getTime() + 3_600_000);
    await j.tick();
    expect(mailsTo(to)).toHaveLength(0);
  });

  it("skips the notifications of a shop that removed its address", async () => {
    const { shop, paymentId, to } = await shopWithPayment();
    await timelineRow(shop, paymentId, "alert:amount_mismatch");
    let clock = new Date();
    const j = job({ now: () => clock });
    mail.setDown(true);
    await j.tick();
    await db.shopSettings.update({ where: { shop }, data: { alertEmail: null } });
    mail.setDown(false);
    clock = new Date(clock.getTime() + 120_000);
    await j.tick();
    expect(mailsTo(to)).toHaveLength(0);
    expect((await db.notification.findFirstOrThrow({ where: { shop } })).status).toBe("skipped");
  });
});

describe("producer bounds", () => {
  it("reads a busy window page by page: every one of 1,234 events gets its notification, once", async () => {
    const { shop, paymentId } = await shopWithPayment();
    const at = Date.now() - 3_600_000;
    await db.timelineEvent.createMany({
      data: Array.from({ length: 1_234 }, (_, i) => ({ shop, paymentSessionId: paymentId, source: "app", type: "outbox_dead_letter", dedupeKey: `bulk:${shop}:${i}`, createdAt: new Date(at + i) })),
    });
    const options = { db, logger, now: new Date(), lookbackMs: 24 * 3_600_000, digestHour: 8 };
    const [a, b] = await Promise.all([produceNotifications(options), produceNotifications({ ...options, db: other })]);
    expect(a.created + b.created).toBe(1_234);
    expect((await produceNotifications(options)).created).toBe(0);
    expect(await db.notification.count({ where: { shop } })).toBe(1_234);
  });
});
