/**
 * The domain helpers the secret-URL routes and the operator CLI call, against a real database:
 * `sessionFromUrl` (bad secret / not found / found, nothing read on a bad secret), `pushPendingMessage`
 * (the not-eligible page's push of its queued reject) and `findDeadLetters` / `retryDeadLetter` (the
 * CLI's `retry-dead`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { deadLetterDedupeKey } from "~/payments/outbox-keys";
import { enqueueMutation, findDeadLetters, pushPendingMessage, retryDeadLetter } from "~/payments/outbox.server";
import { foundSession, sessionAtUrl, sessionFromUrl, verifyUrlSecret } from "~/payments/session-from-url.server";
import { sessionSecret } from "~/payments/url-secrets.server";
import { generateKeyMaterial, parseKeyring } from "~/security/encryption.server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createPaymentRow } from "../helpers/payment-rows";

const SHOP = "helpers-shop.myshopify.com";
const OTHER = "helpers-other.myshopify.com";
const HOUR = 3_600_000;
const keyring = parseKeyring(generateKeyMaterial());

let database: TestDatabase;
const db = () => database.db;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.cleanup();
});

let seq = 0;
async function payment(shop = SHOP, state = "not_eligible") {
  return createPaymentRow(db(), `hlp${Date.now().toString(36)}${(seq++).toString().padStart(4, "0")}`, shop, state);
}

function rejectFor(id: string) {
  return {
    shop: SHOP,
    paymentSessionId: id,
    mutation: "paymentSessionReject" as const,
    variables: { id: `gid://shopify/PaymentSession/${id}`, reason: { code: "RISKY", merchantMessage: "not eligible" } },
  };
}

async function deadMessage(shop: string, target: { paymentSessionId?: string; refundSessionId?: string }, deadAt: Date) {
  const targetId = target.paymentSessionId ?? target.refundSessionId!;
  const mutation = target.paymentSessionId ? "paymentSessionResolve" : "refundSessionResolve";
  const message = await db().outboxMessage.create({
    data: {
      shop,
      ...target,
      mutation,
      dedupeKey: `${targetId}:${mutation}`,
      variablesJson: "{}",
      status: "dead",
      attempts: 9,
      nextAttemptAt: deadAt,
      lockedBy: "worker-1",
      lockedUntil: deadAt,
      lastError: "HTTP 503",
      deadAt,
      createdAt: new Date(deadAt.getTime() - 72 * HOUR),
    },
  });
  return message;
}

/** A client that fails the test on any use: proves that nothing was read. */
const untouchable = new Proxy({} as Db, {
  get(_target, property) {
    throw new Error(`the database was used (${String(property)})`);
  },
});

describe("sessionFromUrl", () => {
  it("a wrong, missing or other session's secret is bad_secret, with nothing read", async () => {
    const id = await payment();
    const other = await payment();
    const deps = { db: untouchable, keyring };
    expect(await sessionFromUrl(deps, { id, secret: sessionSecret(other, keyring) })).toEqual({ kind: "bad_secret" });
    expect(await sessionFromUrl(deps, { id, secret: "A".repeat(43) })).toEqual({ kind: "bad_secret" });
    expect(await sessionFromUrl(deps, { id })).toEqual({ kind: "bad_secret" });
    expect(await sessionFromUrl(deps, {})).toEqual({ kind: "bad_secret" });
    expect(verifyUrlSecret({ id, secret: sessionSecret(id, parseKeyring(generateKeyMaterial())) }, keyring)).toBeNull();
  });

  it("a good secret finds the session, or says not found when there is no such row", async () => {
    const id = await payment();
    const secret = sessionSecret(id, keyring);
    const found = await sessionFromUrl({ db: db(), keyring }, { id, secret, outcome: "success" });
    expect(found).toMatchObject({ kind: "found", id, secret, session: { id, shop: SHOP, state: "not_eligible" } });
    expect(foundSession(found)?.id).toBe(id);

    const gone = "hlp-never-stored";
    const missing = await sessionFromUrl({ db: db(), keyring }, { id: gone, secret: sessionSecret(gone, keyring) });
    expect(missing).toEqual({ kind: "not_found", id: gone, secret: sessionSecret(gone, keyring) });
    expect(foundSession(missing)).toBeNull();
    expect(foundSession({ kind: "bad_secret" })).toBeNull();
  });

  it("verifyUrlSecret + sessionAtUrl is the same check in two steps (the callback reads its body between them)", async () => {
    const id = await payment();
    const url = verifyUrlSecret({ id, secret: sessionSecret(id, keyring) }, keyring);
    expect(url).toEqual({ id, secret: sessionSecret(id, keyring) });
    expect(await sessionAtUrl(db(), url!)).toMatchObject({ kind: "found", session: { id } });
  });
});

describe("pushPendingMessage", () => {
  it("brings a pending message forward to now and hands it to deliverNow; says whether there was one", async () => {
    const id = await payment();
    const later = new Date(Date.now() + HOUR);
    const { id: messageId } = await db().$transaction((tx) => enqueueMutation(tx, { ...rejectFor(id), notBefore: later }));
    const now = new Date(Date.now() + 1_000);
    const delivered: string[] = [];
    expect(await pushPendingMessage(db(), async (m) => delivered.push(m), id, "paymentSessionReject", now)).toBe(true);
    expect(delivered).toEqual([messageId]);
    expect((await db().outboxMessage.findUniqueOrThrow({ where: { id: messageId } })).nextAttemptAt.getTime()).toBe(now.getTime());

    // Another mutation of the same session is not there; a failing deliverNow is swallowed.
    expect(await pushPendingMessage(db(), async (m) => delivered.push(m), id, "paymentSessionResolve", now)).toBe(false);
    expect(await pushPendingMessage(db(), () => Promise.reject(new Error("Shopify down")), id, "paymentSessionReject", now)).toBe(true);
    expect(await pushPendingMessage(db(), undefined, id, "paymentSessionReject", now)).toBe(true);
    expect(delivered).toEqual([messageId]);
  });

  it("leaves a message that is no longer pending alone", async () => {
    const id = await payment();
    const { id: messageId } = await db().$transaction((tx) => enqueueMutation(tx, rejectFor(id)));
    const before = await db().outboxMessage.update({ where: { id: messageId }, data: { status: "delivered", nextAttemptAt: new Date(Date.now() - HOUR) } });
    const delivered: string[] = [];
    expect(await pushPendingMessage(db(), async (m) => delivered.push(m), id, "paymentSessionReject", new Date())).toBe(false);
    expect(delivered).toEqual([]);
    expect((await db().outboxMessage.findUniqueOrThrow({ where: { id: messageId } })).nextAttemptAt).toEqual(before.nextAttemptAt);
  });
});

describe("dead letters", () => {
  it("findDeadLetters lists dead messages oldest first, by shop or id", async () => {
    const [p1, p2, p3] = [await payment(SHOP, "resolved"), await payment(SHOP, "resolved"), await payment(OTHER, "resolved")];
    const newer = await deadMessage(SHOP, { paymentSessionId: p1 }, new Date(Date.now() - HOUR));
    const older = await deadMessage(SHOP, { paymentSessionId: p2 }, new Date(Date.now() - 2 * HOUR));
    const other = await deadMessage(OTHER, { paymentSessionId: p3 }, new Date(Date.now() - 3 * HOUR));
    await db().$transaction((tx) => enqueueMutation(tx, rejectFor(p1)));

    expect((await findDeadLetters(db(), { shop: SHOP })).map((m) => m.id)).toEqual([older.id, newer.id]);
    expect((await findDeadLetters(db(), { id: other.id })).map((m) => m.id)).toEqual([other.id]);
    expect((await findDeadLetters(db(), { shop: SHOP, id: other.id })).map((m) => m.id)).toEqual([]);
    const all = (await findDeadLetters(db())).map((m) => m.id);
    expect(all.indexOf(other.id)).toBeLessThan(all.indexOf(older.id));
    expect(all.indexOf(older.id)).toBeLessThan(all.indexOf(newer.id));
    await db().outboxMessage.deleteMany({ where: { id: { in: [newer.id, older.id, other.id] } } });
  });

  it("retryDeadLetter moves a message back to pending with a new retry window, frees its dead-letter key and notes the retry", async () => {
    const p = await payment(SHOP, "resolved");
    const deadAt = new Date(Date.now() - HOUR);
    const message = await deadMessage(SHOP, { paymentSessionId: p }, deadAt);
    await db().timelineEvent.create({ data: { shop: SHOP, paymentSessionId: p, source: "app", type: "outbox_dead_letter", dedupeKey: deadLetterDedupeKey(message.id) } });
    const now = new Date(Date.now() + 5_000);

    expect(await retryDeadLetter(db(), message, now, "operator")).toBe(true);
    expect(await db().outboxMessage.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({
      status: "pending",
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      deadAt: null,
      lockedBy: null,
      lockedUntil: null,
    });
    const timeline = await db().timelineEvent.findMany({ where: { paymentSessionId: p }, orderBy: { createdAt: "asc" } });
    expect(timeline.map((e) => [e.type, e.dedupeKey])).toEqual([
      ["outbox_dead_letter", `${deadLetterDedupeKey(message.id)}:retried:${now.getTime()}`],
      ["outbox_retried", null],
    ]);
    expect(JSON.parse(timeline[1]!.detailJson ?? "{}")).toEqual({
      messageId: message.id,
      mutation: "paymentSessionResolve",
      by: "operator",
      previousAttempts: 9,
      deadAt: deadAt.toISOString(),
      lastError: "HTTP 503",
    });

    // No longer dead: nothing is written a second time.
    expect(await retryDeadLetter(db(), message, new Date(), "operator")).toBe(false);
    expect(await db().timelineEvent.count({ where: { paymentSessionId: p } })).toBe(2);
  });

  it("a refund's dead message is noted on its payment's timeline", async () => {
    const p = await payment(SHOP, "resolved");
    const refundId = `r-${p}`;
    await db().refundSession.create({
      data: { id: refundId, gid: `gid://shopify/RefundSession/${refundId}`, shop: SHOP, paymentSessionId: p, amountCents: 100, currency: "EUR", test: true, proposedAt: new Date(), state: "resolving" },
    });
    const message = await deadMessage(SHOP, { refundSessionId: refundId }, new Date(Date.now() - HOUR));
    expect(await retryDeadLetter(db(), message, new Date(), "support")).toBe(true);
    const retried = await db().timelineEvent.findFirstOrThrow({ where: { paymentSessionId: p, type: "outbox_retried" } });
    expect(JSON.parse(retried.detailJson ?? "{}")).toMatchObject({ messageId: message.id, mutation: "refundSessionResolve", by: "support" });
  });
});
