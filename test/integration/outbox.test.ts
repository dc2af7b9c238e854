/**
 * The durable outbox against a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL) and the
 * Shopify simulator over HTTP. Payment sessions are started in the simulator against a tiny node:http
 * "app" answering {redirect_url} (refunds: 201), so Shopify accepts mutations for them.
 * Time is an injected clock (real time + an offset the tests advance); jitter is fixed.
 * The harness (database, simulator, app, clock, logger, second process) is test/helpers/outbox-harness.ts.
 */
import { describe, expect, it } from "vitest";
import { createDb } from "~/db.server";
import { enqueueMutation, nudgeDueMessages } from "~/payments/outbox.server";
import { createOutboxWorker } from "~/payments/outbox-worker.server";
import { callPaymentsApi } from "~/shopify/payments-api.server";
import { newLockHolder, PROCESS_HOLDER_PREFIX, releaseProcessCreationLeases } from "~/payments/creation-lease.server";
import {
  callsFor,
  clock,
  db,
  enqueue,
  everythingStored,
  extraClients,
  HOUR,
  logger,
  logLines,
  message,
  ON_POSTGRES,
  payment,
  refund,
  resolveOf,
  restartSimulator,
  sameProcessClient,
  secondClient,
  SHOP,
  sim,
  startChild,
  t,
  TOKEN,
  useOutboxHarness,
  waitFor,
  worker,
  WRONG_TOKEN,
} from "../helpers/outbox-harness";
import { SHOPIFY_USER_ERROR_MESSAGES as MSG } from "../simulators/shopify";

useOutboxHarness();

describe(`outbox delivery (${process.env.TEST_DATABASE_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("delivers a resolve, records the attempt and stores Shopify's nextAction URL", async () => {
    const p = await payment();
    const { id, created } = await enqueue(resolveOf(p));
    expect(created).toBe(true);

    const report = await worker().runOnce();
    expect(report).toEqual({ claimed: 1, delivered: 1, retried: 0, dead: 0 });

    const m = await message(id);
    expect(m).toMatchObject({ status: "delivered", attempts: 1, lockedBy: null, lockedUntil: null, lastError: null });
    expect(m.deliveredAt).toBeInstanceOf(Date);
    expect(JSON.parse(m.resultJson ?? "{}")).toMatchObject({
      kind: "ok",
      data: { paymentSession: { id: p.gid, state: { code: "RESOLVED" } } },
    });
    expect(m.attemptsLog).toHaveLength(1);
    expect(m.attemptsLog[0]).toMatchObject({ outcome: "delivered", httpStatus: 200, error: null });
    expect(m.attemptsLog[0]?.durationMs).toBeGreaterThanOrEqual(0);

    const session = await db.paymentSession.findUniqueOrThrow({ where: { id: p.id } });
    expect(session.nextActionUrl).toBe(sim.orderStatusUrl(SHOP, p.id));
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("RESOLVED");
    expect(callsFor(p.gid, "paymentSessionResolve")).toHaveLength(1);
    expect(callsFor(p.gid, "paymentSessionResolve")[0]?.tokenOk).toBe(true);

    // Nothing left to do.
    expect(await worker().runOnce()).toEqual({ claimed: 0, delivered: 0, retried: 0, dead: 0 });
    expect(sim.calls).toHaveLength(1);
  });

  it("delivers pending and reject with their variables (nextAction: order status / cancel page)", async () => {
    const pend = await payment();
    const rej = await payment();
    const pendingExpiresAt = new Date(Date.now() + 3 * 24 * HOUR).toISOString();
    await enqueue({
      shop: SHOP,
      paymentSessionId: pend.id,
      mutation: "paymentSessionPending",
      variables: { id: pend.gid, pendingExpiresAt, reason: "PARTNER_ACTION_REQUIRED" },
    });
    await enqueue({
      shop: SHOP,
      paymentSessionId: rej.id,
      mutation: "paymentSessionReject",
      variables: { id: rej.gid, reason: { code: "INSTRUMENT_DECLINED", merchantMessage: "Finanziamento rifiutato da Soisy" } },
    });
    expect(await worker().runOnce()).toMatchObject({ claimed: 2, delivered: 2 });
    expect(sim.paymentSessions.get(pend.id)?.state).toEqual({ code: "PENDING", reason: "PARTNER_ACTION_REQUIRED" });
    expect(sim.paymentSessions.get(rej.id)?.state).toMatchObject({ code: "REJECTED", reason: "INSTRUMENT_DECLINED", merchantMessage: "Finanziamento rifiutato da Soisy" });
    const sessions = await db.paymentSession.findMany({ where: { id: { in: [pend.id, rej.id] } } });
    expect(sessions.find((s) => s.id === pend.id)?.nextActionUrl).toBe(sim.orderStatusUrl(SHOP, pend.id));
    expect(sessions.find((s) => s.id === rej.id)?.nextActionUrl).toBe(sim.cancelUrl(rej.id));
  });

  it("enqueue twice (separate transactions and within one) → one message, one delivery", async () => {
    const p = await payment();
    const first = await enqueue(resolveOf(p));
    const second = await enqueue(resolveOf(p));
    const [third, fourth] = await db.$transaction(async (tx) => [
      await enqueueMutation(tx, resolveOf(p)),
      await enqueueMutation(tx, resolveOf(p)),
    ]);
    expect(first.created).toBe(true);
    for (const again of [second, third, fourth]) expect(again).toEqual({ id: first.id, created: false });
    expect(await db.outboxMessage.count()).toBe(1);
    expect((await db.outboxMessage.findFirstOrThrow()).dedupeKey).toBe(`${p.id}:paymentSessionResolve`);

    await worker().runOnce();
    // Enqueuing again after delivery is still a no-op (the message is not re-sent).
    expect(await enqueue(resolveOf(p))).toEqual({ id: first.id, created: false });
    await worker().runOnce();
    expect(callsFor(p.gid, "paymentSessionResolve")).toHaveLength(1);
    expect((await message(first.id)).status).toBe("delivered");
  });

  it.runIf(ON_POSTGRES)("a duplicate enqueue in an overlapping transaction on another connection neither fails nor aborts that transaction", async () => {
    const p = await payment();
    const other = secondClient();
    let signalADone!: () => void;
    let signalBStarted!: () => void;
    const aDone = new Promise<void>((r) => (signalADone = r));
    const bStarted = new Promise<void>((r) => (signalBStarted = r));

    const txA = db.$transaction(
      async (tx) => {
        const result = await enqueueMutation(tx, resolveOf(p));
        signalADone();
        await bStarted;
        await new Promise((r) => setTimeout(r, 150)); // B is now blocked on A's uncommitted row / write lock
        await tx.timelineEvent.create({ data: { shop: SHOP, paymentSessionId: p.id, source: "app", type: "tx_a" } });
        return result;
      },
      { timeout: 10_000 },
    );
    const txB = (async () => {
      await aDone;
      return other.$transaction(
        async (tx) => {
          signalBStarted();
          const result = await enqueueMutation(tx, resolveOf(p));
          // The transaction is still usable after the duplicate (PostgreSQL would reject this if aborted).
          await tx.timelineEvent.create({ data: { shop: SHOP, paymentSessionId: p.id, source: "app", type: "tx_b" } });
          return result;
        },
        { timeout: 10_000, maxWait: 10_000 },
      );
    })();
    const [a, b] = await Promise.all([txA, txB]);
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
    expect(await db.outboxMessage.count()).toBe(1);
    expect((await db.timelineEvent.findMany({ orderBy: { type: "asc" } })).map((e) => e.type)).toEqual(["tx_a", "tx_b"]);
  });

  it("many concurrent enqueues of one key → exactly one message", async () => {
    const p = await payment();
    const other = sameProcessClient();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => enqueue(resolveOf(p), i % 2 ? other : db)),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await db.outboxMessage.count()).toBe(1);
  });

  it("enqueue refuses messages that could settle the wrong session, and the caller's transaction rolls back", async () => {
    const p = await payment();
    const q = await payment();
    await expect(
      db.$transaction(async (tx) => {
        await tx.timelineEvent.create({ data: { shop: SHOP, paymentSessionId: p.id, source: "app", type: "should_roll_back" } });
        await enqueueMutation(tx, { shop: SHOP, paymentSessionId: p.id, mutation: "paymentSessionResolve", variables: { id: q.gid } });
      }),
    ).rejects.toThrow(/is not the gid of/);
    await expect(
      enqueue({ shop: SHOP, refundSessionId: "r1", mutation: "paymentSessionResolve", variables: { id: p.gid } }),
    ).rejects.toThrow(/needs paymentSessionId/);
    await expect(
      enqueue({ shop: SHOP, paymentSessionId: p.id, mutation: "paymentSessionReject", variables: { id: p.gid, reason: { code: "SOMETHING" } } }),
    ).rejects.toThrow(/invalid variables/);
    expect(await db.outboxMessage.count()).toBe(0);
    expect(await db.timelineEvent.count()).toBe(0);
  });

  it("500 then success: each attempt recorded, exponential backoff with jitter respected", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    const w = worker({ backoff: { baseMs: 1_000, maxMs: 600_000 }, random: () => 0.5 });
    sim.setFaults({ failNext: { count: 2, status: 500 } });

    let before = clock.now().getTime();
    expect(await w.runOnce()).toEqual({ claimed: 1, delivered: 0, retried: 1, dead: 0 });
    let after = clock.now().getTime();
    let m = await message(id);
    expect(m).toMatchObject({ status: "pending", attempts: 1, lockedBy: null, lockedUntil: null });
    expect(m.lastError).toMatch(/HTTP 500/);
    // attempt 1: full jitter over [0, 1000) with random 0.5 → 500 ms
    expect(m.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 500);
    expect(m.nextAttemptAt.getTime()).toBeLessThanOrEqual(after + 500);

    clock.offset = m.nextAttemptAt.getTime() - Date.now() - 1_000; // 1 s early (real time runs on: a margin for a busy machine)
    expect((await w.runOnce()).claimed).toBe(0);
    clock.advance(1_100);
    before = clock.now().getTime();
    expect(await w.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    after = clock.now().getTime();
    m = await message(id);
    // attempt 2: [0, 2000) → 1000 ms
    expect(m.attempts).toBe(2);
    expect(m.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 1_000);
    expect(m.nextAttemptAt.getTime()).toBeLessThanOrEqual(after + 1_000);

    clock.advance(1_100);
    expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    m = await message(id);
    expect(m.status).toBe("delivered");
    expect(m.attempts).toBe(3);
    expect(m.attemptsLog.map((a) => [a.outcome, a.httpStatus])).toEqual([
      ["retry", 500],
      ["retry", 500],
      ["delivered", 200],
    ]);
    expect(callsFor(p.gid, "paymentSessionResolve").map((c) => c.status)).toEqual([500, 500, 200]);
    expect(sim.paymentSessions.get(p.id)?.mutations.map((x) => x.outcome)).toEqual(["applied"]);
  });

  it("backoff is capped at maxMs", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    await db.outboxMessage.update({ where: { id }, data: { attempts: 30 } });
    sim.setFaults({ failNext: { count: 1, status: 503 } });
    const before = clock.now().getTime();
    await worker({ backoff: { baseMs: 1_000, maxMs: 60_000 }, random: () => 0.999 }).runOnce();
    const m = await message(id);
    expect(m.nextAttemptAt.getTime() - before).toBeLessThanOrEqual(60_000 + 1_000);
    expect(m.nextAttemptAt.getTime() - before).toBeGreaterThanOrEqual(59_000);
  });

  it("429 with Retry-After is honoured (nextAttemptAt ≥ Retry-After even when the backoff is shorter)", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    sim.setFaults({ throttleNext: { count: 1, retryAfterSeconds: 30 } });
    const w = worker({ random: () => 0.5 });
    const before = clock.now().getTime();
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    const m = await message(id);
    expect(m.attemptsLog[0]).toMatchObject({ outcome: "retry", httpStatus: 429 });
    expect(m.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 30_000);

    clock.offset = m.nextAttemptAt.getTime() - Date.now() - 1_000;
    expect((await w.runOnce()).claimed).toBe(0);
    clock.advance(1_100);
    expect(await w.runOnce()).toMatchObject({ delivered: 1 });
    expect(callsFor(p.gid, "paymentSessionResolve").map((c) => c.status)).toEqual([429, 200]);
  });

  it("a hung request times out and is retried", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    sim.setFaults({ hangNext: 1 });
    const w = worker({ timeoutMs: 300, lockMs: 5_000 });
    const started = performance.now();
    expect(await w.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    let m = await message(id);
    expect(m.attemptsLog[0]).toMatchObject({ outcome: "retry", httpStatus: null });
    expect(m.attemptsLog[0]?.error).toMatch(/timeout/);
    expect(m.attemptsLog[0]?.durationMs).toBeGreaterThanOrEqual(290);
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("REDIRECTING"); // the hung call was not applied

    clock.advance(10_000);
    expect(await w.runOnce()).toMatchObject({ delivered: 1 });
    m = await message(id);
    expect(m.status).toBe("delivered");
    expect(sim.paymentSessions.get(p.id)?.mutations.map((x) => x.outcome)).toEqual(["applied"]);
  });

  it("a lost response (applied at Shopify, answer lost) is retried and the repeat counts as delivered, once at Shopify", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    sim.setFaults({ failAfterApplyNext: { count: 1, status: 502 } });
    const w = worker();
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("RESOLVED"); // applied although we saw a 502
    expect((await db.paymentSession.findUniqueOrThrow({ where: { id: p.id } })).nextActionUrl).toBeNull();

    clock.advance(10_000);
    expect(await w.runOnce()).toMatchObject({ delivered: 1 });
    const m = await message(id);
    expect(m.status).toBe("delivered");
    expect(m.attemptsLog.map((a) => [a.outcome, a.httpStatus])).toEqual([
      ["retry", 502],
      ["delivered", 200],
    ]);
    const sessionAtShopify = sim.paymentSessions.get(p.id);
    expect(sessionAtShopify?.mutations.map((x) => [x.name, x.outcome])).toEqual([
      ["paymentSessionResolve", "applied"],
      ["paymentSessionResolve", "repeated"],
    ]);
    expect(sessionAtShopify?.mutations.filter((x) => x.outcome === "applied")).toHaveLength(1);
    expect((await db.paymentSession.findUniqueOrThrow({ where: { id: p.id } })).nextActionUrl).toBe(sim.orderStatusUrl(SHOP, p.id));
  });

  it("reject after resolve → conflict → dead at once, a timeline row for the merchant and an error log", async () => {
    const p = await payment();
    await enqueue(resolveOf(p));
    const w = worker();
    await w.runOnce();
    const { id } = await enqueue({
      shop: SHOP,
      paymentSessionId: p.id,
      mutation: "paymentSessionReject",
      variables: { id: p.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: "late rejection" } },
    });
    expect(await w.runOnce()).toEqual({ claimed: 1, delivered: 0, retried: 0, dead: 1 });

    const m = await message(id);
    expect(m.status).toBe("dead");
    expect(m.deadAt).toBeInstanceOf(Date);
    expect(m.lastError).toContain(MSG.rejectInvalidState);
    expect(m.attemptsLog.map((a) => a.outcome)).toEqual(["user_error"]);
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("RESOLVED");

    const events = await db.timelineEvent.findMany({ where: { paymentSessionId: p.id, type: "outbox_dead_letter" } });
    expect(events).toHaveLength(1);
    expect(events[0]?.source).toBe("app");
    const detail = JSON.parse(events[0]?.detailJson ?? "{}") as Record<string, unknown>;
    expect(detail).toMatchObject({ messageId: id, mutation: "paymentSessionReject", reason: "conflict", attempts: 1 });
    expect(String(detail.lastError)).toContain(MSG.rejectInvalidState);

    const errors = logLines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ messageId: id, mutation: "paymentSessionReject", reason: "conflict" });

    // Never retried.
    clock.advance(24 * HOUR);
    expect((await w.runOnce()).claimed).toBe(0);
    expect(callsFor(p.gid, "paymentSessionReject")).toHaveLength(1);
  });

  it("resolve before Shopify has the app's answer (ambiguous userError) → retried; delivered once Shopify has it", async () => {
    const p = await payment({ answered: false });
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("APP_FAILED");
    const { id } = await enqueue(resolveOf(p));
    const w = worker({ ambiguousGraceMs: 15 * 60_000 });
    expect(await w.runOnce()).toMatchObject({ retried: 1, dead: 0 });
    let m = await message(id);
    expect(m.status).toBe("pending");
    expect(m.lastError).toContain(MSG.resolveInvalidState);

    // Shopify retries the session request and this time gets the answer.
    expect((await sim.startPayment({ shop: SHOP, amount: "123.00", id: p.id })).ok).toBe(true);
    clock.advance(60_000);
    expect(await w.runOnce()).toMatchObject({ delivered: 1 });
    m = await message(id);
    expect(m.attemptsLog.map((a) => a.outcome)).toEqual(["retry", "delivered"]);
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("RESOLVED");
  });

  it("…and when Shopify never gets the answer, the ambiguous userError is dead-lettered after the grace period", async () => {
    const p = await payment({ answered: false });
    const { id } = await enqueue(resolveOf(p));
    const w = worker({ ambiguousGraceMs: 5 * 60_000 });
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    clock.advance(5 * 60_000);
    expect(await w.runOnce()).toMatchObject({ dead: 1 });
    const m = await message(id);
    expect(m.attemptsLog.map((a) => a.outcome)).toEqual(["retry", "user_error"]);
    expect(await db.timelineEvent.count({ where: { paymentSessionId: p.id, type: "outbox_dead_letter" } })).toBe(1);
  });

  it("pending before Shopify has the answer (unambiguous 'not received') → retried, then delivered", async () => {
    const p = await payment({ answered: false });
    const { id } = await enqueue({
      shop: SHOP,
      paymentSessionId: p.id,
      mutation: "paymentSessionPending",
      variables: { id: p.gid, pendingExpiresAt: new Date(Date.now() + 2 * 24 * HOUR).toISOString(), reason: "PARTNER_ACTION_REQUIRED" },
    });
    const w = worker({ ambiguousGraceMs: 0 });
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    expect((await message(id)).lastError).toContain(MSG.pendingNotReceived);
    await sim.startPayment({ shop: SHOP, amount: "123.00", id: p.id });
    clock.advance(60_000);
    expect(await w.runOnce()).toMatchObject({ delivered: 1 });
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("PENDING");
  });

  const pendingOf = (p: { id: string; gid: string }) =>
    ({
      shop: SHOP,
      paymentSessionId: p.id,
      mutation: "paymentSessionPending",
      variables: { id: p.gid, pendingExpiresAt: new Date(Date.now() + 2 * 24 * HOUR).toISOString(), reason: "PARTNER_ACTION_REQUIRED" },
    }) as const;

  it("a pending superseded by a delivered resolve is closed as superseded, never sent", async () => {
    const p = await payment();
    const w = worker();
    const resolve = await enqueue(resolveOf(p));
    await w.runOnce();
    const { id } = await enqueue(pendingOf(p));
    expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1, dead: 0 });
    const m = await message(id);
    expect(m).toMatchObject({ status: "delivered", attempts: 0, lockedBy: null, lastError: null });
    expect(m.attemptsLog.map((a) => [a.outcome, a.httpStatus])).toEqual([["superseded", null]]);
    expect(JSON.parse(m.resultJson ?? "{}")).toEqual({ kind: "superseded", by: { messageId: resolve.id, mutation: "paymentSessionResolve" } });
    expect(callsFor(p.gid, "paymentSessionPending")).toHaveLength(0);
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("RESOLVED");
    expect(logLines.some((l) => l.level === 30 && /superseded/.test(l.msg) && l.messageId === id)).toBe(true);
    expect(await db.timelineEvent.count({ where: { type: "outbox_dead_letter" } })).toBe(0);
  });

  it("oversell protection: a confirm is delivered (CONFIRMING at Shopify), then the resolve passes Shopify's check", async () => {
    await restartSimulator({ shops: [{ domain: SHOP, accessToken: TOKEN, oversellProtection: true }] });
    const p = await payment();
    const w = worker();
    await enqueue({ shop: SHOP, paymentSessionId: p.id, mutation: "paymentSessionConfirm", variables: { id: p.gid } });
    expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1, dead: 0 });
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("CONFIRMING");
    expect(callsFor(p.gid, "paymentSessionConfirm")).toHaveLength(1);
    await enqueue(resolveOf(p));
    expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1, dead: 0 });
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("RESOLVED");
    expect(sim.violations).toEqual([]);
  });

  it("a queued confirm that a queued reject supersedes (Soisy refused meanwhile) is not sent; the reject is", async () => {
    await restartSimulator({ shops: [{ domain: SHOP, accessToken: TOKEN, oversellProtection: true }] });
    const p = await payment();
    const confirm = await enqueue({ shop: SHOP, paymentSessionId: p.id, mutation: "paymentSessionConfirm", variables: { id: p.gid } });
    const reject = await enqueue({ shop: SHOP, paymentSessionId: p.id, mutation: "paymentSessionReject", variables: { id: p.gid, reason: { code: "INSTRUMENT_DECLINED" } } });
    expect(await worker({ concurrency: 1 }).runOnce()).toMatchObject({ claimed: 2, delivered: 2, dead: 0 });
    const m = await message(confirm.id);
    expect(m.attemptsLog.map((a) => a.outcome)).toEqual(["superseded"]);
    expect(JSON.parse(m.resultJson ?? "{}")).toMatchObject({ kind: "superseded", by: { messageId: reject.id, mutation: "paymentSessionReject" } });
    expect(callsFor(p.gid, "paymentSessionConfirm")).toHaveLength(0);
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("REJECTED");
  });

  it("a confirm still retrying after Shopify answered it (answer lost on the wire, callback came) is closed once the resolve is queued", async () => {
    await restartSimulator({ shops: [{ domain: SHOP, accessToken: TOKEN, oversellProtection: true }] });
    const p = await payment();
    const confirm = await enqueue({ shop: SHOP, paymentSessionId: p.id, mutation: "paymentSessionConfirm", variables: { id: p.gid } });
    // Shopify applied the confirm but the app never saw the answer; the confirmation callback then queued the resolve.
    const direct = await callPaymentsApi({ endpoint: sim.graphqlUrl(SHOP), accessToken: TOKEN, mutation: "paymentSessionConfirm", variables: { id: p.gid } });
    expect(direct.kind).toBe("ok");
    const resolve = await enqueue(resolveOf(p));
    expect(await worker({ concurrency: 1 }).runOnce()).toMatchObject({ claimed: 2, delivered: 2, dead: 0 });
    const m = await message(confirm.id);
    expect(m.attemptsLog.map((a) => a.outcome)).toEqual(["superseded"]);
    expect(JSON.parse(m.resultJson ?? "{}")).toMatchObject({ kind: "superseded", by: { messageId: resolve.id, mutation: "paymentSessionResolve" } });
    expect(callsFor(p.gid, "paymentSessionConfirm")).toHaveLength(1);
    expect(callsFor(p.gid, "paymentSessionResolve")).toHaveLength(1);
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("RESOLVED");
    expect(sim.violations).toEqual([]);
  });

  it("a queued pending that a queued reject supersedes (after an outage) is not sent; the reject is", async () => {
    const p = await payment();
    const pending = await enqueue(pendingOf(p));
    const reject = await enqueue({ shop: SHOP, paymentSessionId: p.id, mutation: "paymentSessionReject", variables: { id: p.gid, reason: { code: "RISKY" } } });
    // One lane: the older pending is looked at first, while the reject is still queued.
    expect(await worker({ concurrency: 1 }).runOnce()).toMatchObject({ claimed: 2, delivered: 2, dead: 0 });
    const m = await message(pending.id);
    expect(m.attemptsLog.map((a) => a.outcome)).toEqual(["superseded"]);
    expect(JSON.parse(m.resultJson ?? "{}")).toMatchObject({ kind: "superseded", by: { messageId: reject.id } });
    expect(callsFor(p.gid, "paymentSessionPending")).toHaveLength(0);
    expect(callsFor(p.gid, "paymentSessionReject")).toHaveLength(1);
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("REJECTED");
  });

  it("a pending Shopify refuses with PENDING_INVALID_STATE (already resolved) is closed at info, without a merchant alert", async () => {
    const p = await payment();
    // Resolved at Shopify by a call that did not go through this outbox: nothing here supersedes the pending.
    const direct = await callPaymentsApi({ endpoint: sim.graphqlUrl(SHOP), accessToken: TOKEN, mutation: "paymentSessionResolve", variables: { id: p.gid } });
    expect(direct.kind).toBe("ok");
    const { id } = await enqueue(pendingOf(p));
    expect(await worker().runOnce()).toMatchObject({ delivered: 1, dead: 0 });
    const m = await message(id);
    expect(m.attemptsLog.map((a) => a.outcome)).toEqual(["already_done"]);
    expect(JSON.parse(m.resultJson ?? "{}")).toMatchObject({ kind: "already_done", userErrors: [{ code: "PENDING_INVALID_STATE" }] });
    expect(callsFor(p.gid, "paymentSessionPending")).toHaveLength(1);
    expect(await db.timelineEvent.count({ where: { type: "outbox_dead_letter" } })).toBe(0);
    const line = logLines.find((l) => l.messageId === id && /already resolved or rejected/.test(l.msg));
    expect(line?.level).toBe(30);
    expect(logLines.some((l) => l.messageId === id && l.level >= 40)).toBe(false);
  });

  it("an invalid token is retried (a refreshed one may come), then dead after maxAgeMs; the token is never stored or logged", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    const w = worker({ tokenProvider: async () => WRONG_TOKEN, maxAgeMs: 10 * 60_000 });
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    clock.advance(5 * 60_000);
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    clock.advance(5 * 60_000);
    expect(await w.runOnce()).toMatchObject({ dead: 1 });

    const m = await message(id);
    expect(m.status).toBe("dead");
    expect(m.attemptsLog.map((a) => [a.outcome, a.httpStatus])).toEqual([
      ["retry", 401],
      ["retry", 401],
      ["dead", 401],
    ]);
    expect(m.lastError).toMatch(/HTTP 401/);
    expect(sim.calls.map((c) => c.tokenOk)).toEqual([false, false, false]);
    expect(sim.paymentSessions.get(p.id)?.state.code).toBe("REDIRECTING");
    const events = await db.timelineEvent.findMany({ where: { type: "outbox_dead_letter" } });
    expect(JSON.parse(events[0]?.detailJson ?? "{}")).toMatchObject({ reason: "max_age", mutation: "paymentSessionResolve" });

    const stored = await everythingStored();
    expect(stored).toContain("HTTP 401"); // the probe sees the errors…
    expect(stored).not.toContain(WRONG_TOKEN); // …but never the token
    expect(stored).not.toContain(TOKEN);
  });

  it("a 401 followed by a refreshed token is delivered", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    const tokens = [WRONG_TOKEN, TOKEN];
    const w = worker({ tokenProvider: async () => tokens.shift() ?? TOKEN });
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    clock.advance(60_000);
    expect(await w.runOnce()).toMatchObject({ delivered: 1 });
    expect((await message(id)).attemptsLog.map((a) => a.httpStatus)).toEqual([401, 200]);
    expect(await everythingStored()).not.toContain(TOKEN);
  });

  it("max age: a message still failing after maxAgeMs is dead-lettered; an old one that gets through is delivered", async () => {
    const failing = await payment();
    const late = await payment();
    const a = await enqueue(resolveOf(failing));
    const w = worker({ maxAgeMs: 72 * HOUR });
    sim.setFaults({ failNext: { count: 1, status: 503 } });
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    clock.advance(72 * HOUR);
    sim.setFaults({ failNext: { count: 1, status: 503 } });
    expect(await w.runOnce()).toMatchObject({ claimed: 1, dead: 1 });
    const m = await message(a.id);
    expect(m.status).toBe("dead");
    expect(m.attemptsLog.map((x) => x.outcome)).toEqual(["retry", "dead"]);
    expect(m.lastError).toMatch(/HTTP 503.*gave up after/);
    expect(await db.timelineEvent.count({ where: { paymentSessionId: failing.id, type: "outbox_dead_letter" } })).toBe(1);

    // A message enqueued long ago (e.g. every instance was down) still gets its attempt.
    const b = await enqueue(resolveOf(late));
    await db.outboxMessage.update({ where: { id: b.id }, data: { createdAt: new Date(Date.now() - 100 * HOUR) } });
    expect(await w.runOnce()).toMatchObject({ delivered: 1 });
    expect(sim.paymentSessions.get(late.id)?.state.code).toBe("RESOLVED");
  });

  it("a 4xx other than 401/403/429 (unknown shop → 404) is fatal: dead at once, never retried", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    const w = worker({ endpointFor: () => sim.graphqlUrl("not-installed.myshopify.com") });
    expect(await w.runOnce()).toMatchObject({ dead: 1 });
    const m = await message(id);
    expect(m.attemptsLog.map((a) => [a.outcome, a.httpStatus])).toEqual([["dead", 404]]);
    expect(JSON.parse((await db.timelineEvent.findFirstOrThrow({ where: { type: "outbox_dead_letter" } })).detailJson ?? "{}")).toMatchObject({
      reason: "fatal",
    });
  });

  it("a token provider that fails is a retry (no request sent)", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    const w = worker({
      tokenProvider: async () => {
        throw new Error("no offline session for shop");
      },
    });
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    expect((await message(id)).lastError).toMatch(/no offline session/);
    expect(sim.calls).toHaveLength(0);
  });

  it("refund resolve / reject update the RefundSession; a refund Shopify has not confirmed yet is retried", async () => {
    const p = await payment();
    await enqueue(resolveOf(p));
    await worker().runOnce();
    const toResolve = await refund(p.id);
    const toReject = await refund(p.id);
    await db.refundSession.update({ where: { id: toReject.id }, data: { state: "rejecting", decidedAt: null } });
    await enqueue({ shop: SHOP, refundSessionId: toResolve.id, mutation: "refundSessionResolve", variables: { id: toResolve.gid } });
    await enqueue({
      shop: SHOP,
      refundSessionId: toReject.id,
      mutation: "refundSessionReject",
      variables: { id: toReject.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: "Declined by the merchant" } },
    });
    const before = clock.now();
    expect(await worker().runOnce()).toMatchObject({ claimed: 2, delivered: 2 });
    const resolved = await db.refundSession.findUniqueOrThrow({ where: { id: toResolve.id } });
    const rejected = await db.refundSession.findUniqueOrThrow({ where: { id: toReject.id } });
    expect(resolved.state).toBe("resolved");
    expect(resolved.decidedAt).toBeInstanceOf(Date);
    expect(rejected.state).toBe("rejected");
    expect(rejected.decidedAt?.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(sim.refundSessions.get(toResolve.id)?.state.code).toBe("RESOLVED");
    expect(sim.refundSessions.get(toReject.id)?.state).toMatchObject({ code: "REJECTED", merchantMessage: "Declined by the merchant" });

    // Before Shopify has our 201 the refund mutation is refused as "not received": retried, not dead.
    const early = await refund(p.id, { answered: false });
    const { id } = await enqueue({ shop: SHOP, refundSessionId: early.id, mutation: "refundSessionResolve", variables: { id: early.gid } });
    expect(await worker().runOnce()).toMatchObject({ retried: 1 });
    expect((await db.refundSession.findUniqueOrThrow({ where: { id: early.id } })).state).toBe("resolving");
    await sim.startRefund({ shop: SHOP, paymentId: p.id, amount: "23.00", id: early.id });
    clock.advance(60_000);
    expect(await worker().runOnce()).toMatchObject({ delivered: 1 });
    expect((await message(id)).attemptsLog.map((a) => a.outcome)).toEqual(["retry", "delivered"]);
    expect((await db.refundSession.findUniqueOrThrow({ where: { id: early.id } })).state).toBe("resolved");
  });

  it("a refund conflict is dead-lettered onto its payment's timeline", async () => {
    const p = await payment();
    const r = await refund(p.id);
    const w = worker();
    await enqueue({ shop: SHOP, refundSessionId: r.id, mutation: "refundSessionResolve", variables: { id: r.gid } });
    await w.runOnce();
    const { id } = await enqueue({
      shop: SHOP,
      refundSessionId: r.id,
      mutation: "refundSessionReject",
      variables: { id: r.gid, reason: { code: "PROCESSING_ERROR" } },
    });
    expect(await w.runOnce()).toMatchObject({ dead: 1 });
    const event = await db.timelineEvent.findFirstOrThrow({ where: { paymentSessionId: p.id, type: "outbox_dead_letter" } });
    expect(JSON.parse(event.detailJson ?? "{}")).toMatchObject({ messageId: id, mutation: "refundSessionReject", refundSessionId: r.id });
    expect((await db.refundSession.findUniqueOrThrow({ where: { id: r.id } })).state).toBe("resolved");
  });
});

describe("deliverNow", () => {
  it("pushes a fresh message right away and reports the state of messages it cannot take", async () => {
    const p = await payment();
    const w = worker();
    const { id } = await enqueue(resolveOf(p));
    expect(await w.deliverNow(id)).toBe("delivered");
    expect((await db.paymentSession.findUniqueOrThrow({ where: { id: p.id } })).nextActionUrl).toBe(sim.orderStatusUrl(SHOP, p.id));
    expect(await w.deliverNow(id)).toBe("delivered"); // already delivered: no second call
    expect(callsFor(p.gid, "paymentSessionResolve")).toHaveLength(1);

    const q = await payment();
    const later = await enqueue({ ...resolveOf(q), paymentSessionId: q.id, variables: { id: q.gid }, notBefore: new Date(Date.now() + 60_000) });
    expect(await w.deliverNow(later.id)).toBe("not_due");

    const r = await payment();
    const locked = await enqueue(resolveOf(r));
    sim.setFaults({ hangNext: 1 });
    // 2 s: the hung call must still hold its claim while the other worker tries (a busy machine can stall).
    const slow = worker({ timeoutMs: 2_000 });
    const inFlight = slow.deliverNow(locked.id);
    await waitFor(() => callsFor(r.gid, "paymentSessionResolve").length === 1, "the hung call");
    expect(await w.deliverNow(locked.id)).toBe("locked");
    expect(await inFlight).toBe("retry");

    const s = await payment();
    await enqueue(resolveOf(s));
    await w.runOnce();
    const dead = await enqueue({ shop: SHOP, paymentSessionId: s.id, mutation: "paymentSessionReject", variables: { id: s.gid, reason: { code: "RISKY" } } });
    expect(await w.deliverNow(dead.id)).toBe("dead");
    expect(await w.deliverNow(dead.id)).toBe("dead");
    await expect(w.deliverNow("obx_missing")).rejects.toThrow(/not found/);
  });
});

describe("several workers, restarts, the loop", () => {
  it("a restarted worker (new client) delivers pending messages and takes over an expired lock; the old worker's late outcome is discarded", async () => {
    const stuck = await payment();
    const waiting = await payment();
    const a = await enqueue(resolveOf(stuck));
    sim.setFaults({ hangNext: 1 });
    // Worker A claims the message and hangs on Shopify (as if the process froze / crashed mid-request).
    // 5 s: A must still be hanging while B and C (new clients) run, even on a busy machine.
    const workerA = worker({ workerId: "A", timeoutMs: 5_000, lockMs: 10_000 });
    const runA = workerA.runOnce();
    await waitFor(() => callsFor(stuck.gid, "paymentSessionResolve").length === 1, "A's request");
    const b = await enqueue(resolveOf(waiting));
    const claimed = await message(a.id);
    expect(claimed.lockedBy).toMatch(/^A#/);

    // A new instance: another Prisma client on the same database, its clock past A's lock.
    const restarted = createOutboxWorker({
      db: secondClient(),
      workerId: "B",
      tokenProvider: async () => TOKEN,
      endpointFor: (shop) => sim.graphqlUrl(shop),
      now: () => new Date(Date.now() + 500),
      random: () => 0.5,
      timeoutMs: 1_000,
      logger,
    });
    // A's lock is still valid: only the waiting message is taken.
    expect(await restarted.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect((await message(b.id)).status).toBe("delivered");
    expect((await message(a.id)).status).toBe("pending");

    const takeover = createOutboxWorker({
      db: secondClient(),
      workerId: "C",
      tokenProvider: async () => TOKEN,
      endpointFor: (shop) => sim.graphqlUrl(shop),
      now: () => new Date(Date.now() + 10_100),
      random: () => 0.5,
      timeoutMs: 1_000,
      logger,
    });
    expect(await takeover.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });

    // A wakes up (timeout), but its claim is gone: it must not overwrite the delivered state.
    expect(await runA).toEqual({ claimed: 1, delivered: 0, retried: 0, dead: 0 });
    const m = await message(a.id);
    expect(m).toMatchObject({ status: "delivered", lockedBy: null });
    expect(m.attemptsLog.map((x) => x.outcome).sort()).toEqual(["delivered", "retry"]);
    expect(m.attemptsLog.find((x) => x.outcome === "retry")?.error).toMatch(/claim expired/);
    expect(sim.paymentSessions.get(stuck.id)?.mutations.filter((x) => x.outcome === "applied")).toHaveLength(1);
    expect(logLines.some((l) => l.level === 40 && /claim expired/.test(l.msg))).toBe(true);
  });

  it(`two workers (${ON_POSTGRES ? "two clients" : "one shared client"}) racing over 30 messages deliver each exactly once`, async () => {
    const sessions = await Promise.all(Array.from({ length: 30 }, () => payment()));
    for (const p of sessions) await enqueue(resolveOf(p));
    sim.setFaults({ latencyMs: 3 });
    const other = sameProcessClient();
    await other.outboxMessage.count(); // connected before the race starts
    const workers = [
      // Calls get a generous timeout: this race is about claims, and a call timed out on a busy
      // machine would be retried (a 31st claim) without anything being wrong.
      worker({ workerId: "w1", batchSize: 7, concurrency: 3, timeoutMs: 10_000 }),
      worker({ workerId: "w2", batchSize: 7, concurrency: 3, db: other, timeoutMs: 10_000 }),
    ];
    const totals = workers.map(() => ({ claimed: 0, delivered: 0, retried: 0, dead: 0 }));
    await Promise.all(
      workers.map(async (w, i) => {
        for (let round = 0; round < 40; round++) {
          const r = await w.runOnce();
          const total = totals[i]!;
          total.claimed += r.claimed;
          total.delivered += r.delivered;
          total.retried += r.retried;
          total.dead += r.dead;
          if ((await db.outboxMessage.count({ where: { status: "pending" } })) === 0) break;
        }
      }),
    );
    expect(await db.outboxMessage.count({ where: { status: "delivered" } })).toBe(30);
    expect(totals.reduce((n, x) => n + x.claimed, 0)).toBe(30);
    expect(totals.reduce((n, x) => n + x.delivered, 0)).toBe(30);
    expect(totals.every((x) => x.claimed > 0)).toBe(true); // both really worked
    expect(await db.outboxAttempt.count()).toBe(30);
    for (const p of sessions) {
      expect(callsFor(p.gid, "paymentSessionResolve")).toHaveLength(1);
      expect(sim.paymentSessions.get(p.id)?.mutations.map((x) => x.outcome)).toEqual(["applied"]);
    }
    expect(sim.calls).toHaveLength(30);
  });

  it("two app processes racing over 30 messages deliver each exactly once", async () => {
    const sessions = await Promise.all(Array.from({ length: 30 }, () => payment()));
    for (const p of sessions) await enqueue(resolveOf(p));
    sim.setFaults({ latencyMs: 3 });
    // Generous call timeouts, as in the race above: a timed-out call's retry is not a double claim.
    const child = await startChild({ mode: "work", token: TOKEN, endpoint: sim.graphqlUrl(SHOP), timeoutMs: 10_000 });
    const here = worker({ workerId: "parent", batchSize: 7, concurrency: 3, timeoutMs: 10_000 });
    const mine = { claimed: 0, delivered: 0, retried: 0, dead: 0 };
    child.go();
    for (let round = 0; round < 60; round++) {
      const r = await here.runOnce();
      mine.claimed += r.claimed;
      mine.delivered += r.delivered;
      if ((await db.outboxMessage.count({ where: { status: "pending" } })) === 0) break;
    }
    const theirs = (await child.report) as typeof mine;
    expect(await db.outboxMessage.count({ where: { status: "delivered" } })).toBe(30);
    expect(mine.claimed + theirs.claimed).toBe(30);
    expect(mine.delivered + theirs.delivered).toBe(30);
    expect(theirs.retried + theirs.dead + mine.retried + mine.dead).toBe(0);
    expect(await db.outboxAttempt.count()).toBe(30);
    for (const p of sessions) {
      expect(callsFor(p.gid, "paymentSessionResolve")).toHaveLength(1);
      expect(sim.paymentSessions.get(p.id)?.mutations.map((x) => x.outcome)).toEqual(["applied"]);
    }
    expect(sim.calls).toHaveLength(30);
    // Who delivered what is visible in the claim owners' attempts (both processes took part, usually).
    console.log(`[outbox] parent delivered ${mine.delivered}, child delivered ${theirs.delivered}`);
  });

  it("another process enqueuing the same keys while our transaction is open: no-op, no error, its transaction commits", async () => {
    const sessions = await Promise.all(Array.from({ length: 10 }, () => payment()));
    const messages = sessions.map((p) => resolveOf(p));
    const child = await startChild({ mode: "enqueue", messages });
    const mine = await db.$transaction(
      async (tx) => {
        const results = [];
        for (const m of messages) results.push(await enqueueMutation(tx, m));
        child.go();
        // The child's transactions now wait on our uncommitted rows (PostgreSQL) / write lock (SQLite).
        await new Promise((r) => setTimeout(r, 400));
        await tx.timelineEvent.create({ data: { shop: SHOP, paymentSessionId: sessions[0]!.id, source: "app", type: "parent_tx" } });
        return results;
      },
      { timeout: 20_000 },
    );
    const theirs = (await child.report) as Array<{ id: string; created: boolean }>;
    expect(mine.every((r) => r.created)).toBe(true);
    expect(theirs.map((r) => r.created)).toEqual(Array(10).fill(false));
    expect(theirs.map((r) => r.id)).toEqual(mine.map((r) => r.id));
    expect(await db.outboxMessage.count()).toBe(10);
    expect(await db.timelineEvent.count({ where: { type: "parent_tx" } })).toBe(1);
    expect(await db.timelineEvent.count({ where: { type: "child_tx" } })).toBe(10); // every child transaction committed
  });

  it("start(): the loop delivers with no overlapping passes, and stop() waits for the pass in flight", async () => {
    const sessions = await Promise.all(Array.from({ length: 3 }, () => payment()));
    for (const p of sessions) await enqueue(resolveOf(p));
    sim.setFaults({ latencyMs: 120 });
    const w = worker({ batchSize: 1, concurrency: 1 });
    w.start(5);
    w.start(5); // idempotent
    await waitFor(async () => (await db.outboxMessage.count({ where: { status: "delivered" } })) === 3, "3 deliveries");
    const calls = [...sim.calls].sort((x, y) => x.seq - y.seq);
    expect(calls).toHaveLength(3);
    for (let i = 1; i < calls.length; i++) {
      const prev = calls[i - 1]!;
      const next = calls[i]!;
      expect(Date.parse(next.at)).toBeGreaterThanOrEqual(Date.parse(prev.at) + (prev.durationMs ?? 0) - 5);
    }

    const last = await payment();
    const { id } = await enqueue(resolveOf(last));
    await waitFor(() => callsFor(last.gid, "paymentSessionResolve").length === 1, "the 4th request");
    await w.stop();
    expect((await message(id)).status).toBe("delivered"); // stop() waited for it

    const after = await payment();
    const untouched = await enqueue(resolveOf(after));
    await new Promise((r) => setTimeout(r, 100));
    expect((await message(untouched.id)).status).toBe("pending");
    expect(callsFor(after.gid, "paymentSessionResolve")).toHaveLength(0);
  });

  it("explicit runOnce calls on one worker never overlap", async () => {
    const sessions = await Promise.all(Array.from({ length: 2 }, () => payment()));
    for (const p of sessions) await enqueue(resolveOf(p));
    sim.setFaults({ latencyMs: 100 });
    const w = worker({ batchSize: 1, concurrency: 1 });
    const reports = await Promise.all([w.runOnce(), w.runOnce()]);
    expect(reports.map((r) => r.delivered)).toEqual([1, 1]);
    const [first, second] = [...sim.calls].sort((x, y) => x.seq - y.seq);
    expect(Date.parse(second!.at)).toBeGreaterThanOrEqual(Date.parse(first!.at) + (first!.durationMs ?? 0) - 5);
  });

  it("the loop survives failing passes (database unreachable) and stop() still returns", async () => {
    const broken =
      t.kind === "sqlite"
        ? createDb("file:/nonexistent-dir-for-outbox-test/db.sqlite")
        : createDb(t.url.replace(/\/[^/?]+(\?|$)/, "/no_such_database_for_outbox_test$1"));
    extraClients.push(broken);
    const w = worker({ db: broken });
    w.start(5);
    await waitFor(() => logLines.filter((l) => l.level === 50 && /outbox pass failed/.test(l.msg)).length >= 3, "3 failed passes");
    await w.stop();
    const count = logLines.filter((l) => /outbox pass failed/.test(l.msg)).length;
    await new Promise((r) => setTimeout(r, 50));
    expect(logLines.filter((l) => /outbox pass failed/.test(l.msg)).length).toBe(count);
  });

  it("a heartbeat longer than a third of the lease, or a lease under 1 s, is refused", () => {
    expect(() => worker({ lockMs: 6_000, heartbeatMs: 2_500 })).toThrow(/heartbeatMs/);
    expect(() => worker({ lockMs: 500 })).toThrow(/lockMs/);
    expect(() => worker({ lockMs: 6_000, heartbeatMs: 2_000 })).not.toThrow();
  });
});

describe("claims are leases renewed while the call runs (default 8 s lease, 10 s per request)", () => {
  it("a holder killed -9 mid-request stops renewing: another worker delivers within seconds, once", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    sim.setFaults({ hangNext: 1 });
    // Another app process with the production lease and request timeout claims it and hangs on Shopify.
    const child = await startChild({ mode: "work", token: TOKEN, endpoint: sim.graphqlUrl(SHOP), timeoutMs: 10_000 });
    child.go();
    await waitFor(() => callsFor(p.gid, "paymentSessionResolve").length === 1, "the child's request", 20_000);
    expect((await message(id)).lockedBy).toMatch(/^child#/);
    await child.kill();
    const killedAt = Date.now();
    const survivor = worker({ workerId: "survivor", now: () => new Date(), timeoutMs: 10_000, lockMs: undefined });
    survivor.start(100);
    try {
      await waitFor(async () => (await message(id)).status === "delivered", "the survivor's delivery", 30_000);
    } finally {
      await survivor.stop();
    }
    const recoveredMs = Date.now() - killedAt;
    console.log(`[outbox] holder killed -9 → delivered by another worker after ${recoveredMs} ms (lease 8 s)`);
    // The lease (8 s) plus a generous margin for a loaded machine; the old 30 s claim could not pass this.
    expect(recoveredMs).toBeLessThan(14_000);
    const m = await message(id);
    expect(m.attemptsLog.map((a) => a.outcome)).toEqual(["delivered"]);
    expect(sim.paymentSessions.get(p.id)?.mutations.filter((x) => x.outcome === "applied")).toHaveLength(1);
  }, 60_000);

  it("a live slow delivery (9 s, longer than the lease) keeps its claim: no other worker takes it", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    sim.setFaults({ latencyMs: 9_000 });
    const realClock = () => new Date();
    const slow = worker({ workerId: "slow", now: realClock, timeoutMs: 10_000, lockMs: undefined });
    const slowRun = slow.runOnce();
    await waitFor(() => callsFor(p.gid, "paymentSessionResolve").length === 1, "the slow request");
    const firstLease = (await message(id)).lockedUntil!;
    const other = worker({ workerId: "other", db: sameProcessClient(), now: realClock, timeoutMs: 10_000, lockMs: undefined });
    let otherPasses = 0;
    let otherClaims = 0;
    let latestLease = firstLease.getTime();
    let done = false;
    void slowRun.finally(() => (done = true));
    while (!done) {
      const r = await other.runOnce();
      otherPasses += 1;
      otherClaims += r.claimed;
      const lease = (await message(id)).lockedUntil;
      if (lease) latestLease = Math.max(latestLease, lease.getTime());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await slowRun).toMatchObject({ claimed: 1, delivered: 1 });
    const m = await message(id);
    expect(m).toMatchObject({ status: "delivered", lockedBy: null });
    expect(m.attemptsLog.map((a) => a.outcome)).toEqual(["delivered"]);
    expect(m.attemptsLog[0]!.durationMs).toBeGreaterThanOrEqual(8_500);
    expect(otherPasses).toBeGreaterThan(10); // the other worker really kept trying past the first lease
    expect(otherClaims).toBe(0);
    expect(callsFor(p.gid, "paymentSessionResolve")).toHaveLength(1);
    // Renewed by the heartbeat: the lease seen during the call moved well past the first one.
    expect(latestLease - firstLease.getTime()).toBeGreaterThan(4_000);
    expect(logLines.some((l) => /abandon/.test(l.msg))).toBe(false);
  }, 60_000);

  it("a holder whose claim was taken over abandons its call at the next renewal; its late outcome is discarded", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    sim.setFaults({ hangNext: 1 });
    const holder = worker({ workerId: "holder", now: () => new Date(), timeoutMs: 10_000, lockMs: 2_000 });
    const run = holder.runOnce();
    await waitFor(() => callsFor(p.gid, "paymentSessionResolve").length === 1, "the holder's request");
    // Someone else takes the message over (as after a stall longer than the lease).
    await db.outboxMessage.update({ where: { id }, data: { lockedBy: "intruder#1", lockedUntil: new Date(Date.now() + 60_000) } });
    const started = Date.now();
    expect(await run).toEqual({ claimed: 1, delivered: 0, retried: 0, dead: 0 });
    expect(Date.now() - started).toBeLessThan(5_000); // well before the 10 s request timeout
    const m = await message(id);
    expect(m).toMatchObject({ status: "pending", lockedBy: "intruder#1", attempts: 0 });
    expect(m.attemptsLog.map((a) => a.outcome)).toEqual(["retry"]);
    expect(m.attemptsLog[0]!.error).toMatch(/abandoned.*claim expired before the outcome was written/);
    expect(logLines.some((l) => l.level === 40 && /taken over/.test(l.msg))).toBe(true);
  }, 30_000);
});

describe("a lease that cannot be renewed", () => {
  // A row lock held by another PostgreSQL transaction makes the renewals wait (on SQLite the wait would
  // block the whole event loop, see sameProcessClient).
  it.skipIf(!ON_POSTGRES)("the holder abandons its call before the lease lapses; with no other owner its retry is recorded", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    sim.setFaults({ hangNext: 1 });
    const holder = worker({ workerId: "holder", db: secondClient(), now: () => new Date(), timeoutMs: 10_000, lockMs: 2_000 });
    const locker = secondClient();
    let unlock!: () => void;
    const unlocked = new Promise<void>((resolve) => (unlock = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const run = holder.runOnce();
    await waitFor(() => callsFor(p.gid, "paymentSessionResolve").length === 1, "the holder's request");
    let leaseEnd = 0;
    const lockTx = locker.$transaction(
      async (tx) => {
        // The lease as it stands from now on (renewals wait for this lock).
        const rows = await tx.$queryRaw<Array<{ lockedUntil: Date }>>`SELECT "lockedUntil" FROM "OutboxMessage" WHERE "id" = ${id} FOR UPDATE`;
        leaseEnd = new Date(rows[0]!.lockedUntil).getTime();
        locked();
        await unlocked;
      },
      { timeout: 20_000 },
    );
    try {
      await isLocked;
      const line = await waitFor(() => logLines.find((l) => /could not be renewed/.test(l.msg)), "the holder to give up its call", 10_000);
      expect(line.level).toBe(40);
      expect(Number(line.time)).toBeLessThan(leaseEnd); // before anyone else could claim the message
    } finally {
      unlock();
      await lockTx;
    }
    expect(await run).toEqual({ claimed: 1, delivered: 0, retried: 1, dead: 0 });
    const m = await message(id);
    expect(m).toMatchObject({ status: "pending", attempts: 1, lockedBy: null });
    expect(m.attemptsLog.map((a) => a.outcome)).toEqual(["retry"]);
    expect(m.attemptsLog[0]!.error).toMatch(/call abandoned/);
    expect(m.attemptsLog[0]!.error).not.toMatch(/claim expired/);
  }, 30_000);
});

describe("pending expiry within Shopify's limit", () => {
  it("OUT_OF_RANGE_PENDING_EXPIRES_AT → asked again with a shorter expiry; the pending is delivered and the app stores what Shopify holds", async () => {
    await restartSimulator({ pendingExpiryLimitMs: 2 * 24 * HOUR });
    const p = await payment();
    // Enqueued before the cap (10 days): Shopify refuses it, then the 3-day maximum, then takes one day.
    const { id } = await enqueue({
      shop: SHOP,
      paymentSessionId: p.id,
      mutation: "paymentSessionPending",
      variables: { id: p.gid, pendingExpiresAt: new Date(Date.now() + 10 * 24 * HOUR).toISOString(), reason: "PARTNER_ACTION_REQUIRED" },
    });
    const before = Date.now();
    expect(await worker().runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    const simSession = sim.paymentSessions.get(p.id)!;
    expect(simSession.state).toEqual({ code: "PENDING", reason: "PARTNER_ACTION_REQUIRED" });
    const held = Date.parse(simSession.pendingExpiresAt!);
    expect(held).toBeGreaterThanOrEqual(before + 24 * HOUR - 2_000);
    expect(held).toBeLessThanOrEqual(Date.now() + 24 * HOUR + 2_000);
    const calls = callsFor(p.gid, "paymentSessionPending");
    expect(calls).toHaveLength(3);
    const m = await message(id);
    expect(m.status).toBe("delivered");
    expect(Date.parse((JSON.parse(m.variablesJson) as { pendingExpiresAt: string }).pendingExpiresAt)).toBe(held);
    const row = await db.paymentSession.findUniqueOrThrow({ where: { id: p.id } });
    expect(row.pendingExpiresAt?.getTime()).toBe(held);
  });

  it("an expiry within the limit is sent once, as it is", async () => {
    await restartSimulator({ pendingExpiryLimitMs: 3 * 24 * HOUR });
    const p = await payment();
    const pendingExpiresAt = new Date(Date.now() + 3 * 24 * HOUR - 60_000).toISOString();
    await enqueue({ shop: SHOP, paymentSessionId: p.id, mutation: "paymentSessionPending", variables: { id: p.gid, pendingExpiresAt, reason: "PARTNER_ACTION_REQUIRED" } });
    expect(await worker().runOnce()).toMatchObject({ delivered: 1 });
    expect(callsFor(p.gid, "paymentSessionPending")).toHaveLength(1);
    expect(Date.parse(sim.paymentSessions.get(p.id)!.pendingExpiresAt!)).toBe(Date.parse(pendingExpiresAt));
  });
});

describe("shoppers polling never bring a delivery forward (nudgeDueMessages)", () => {
  it("with Shopify answering 429 Retry-After: 20, fifty polls make one attempt; the next waits for Retry-After", async () => {
    const p = await payment();
    const { id } = await enqueue(resolveOf(p));
    sim.setFaults({ throttleNext: { count: 1_000, retryAfterSeconds: 20 } });
    const w = worker();
    const polls: Array<{ pending: number; nudged: number }> = [];
    for (let i = 0; i < 50; i++) polls.push(await nudgeDueMessages(db, w.deliverNow, p.id, clock.now()));
    expect(polls[0]).toEqual({ pending: 1, nudged: 1 });
    expect(polls.slice(1).every((r) => r.pending === 1 && r.nudged === 0)).toBe(true);
    expect(callsFor(p.gid, "paymentSessionResolve").map((c) => c.status)).toEqual([429]);
    const m = await message(id);
    expect(m.attempts).toBe(1);
    expect(m.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(m.attemptsLog[0]!.startedAt.getTime() + 20_000);

    // Shopify is back, but Retry-After has not passed: polls still wait.
    sim.clearFaults();
    clock.offset = m.nextAttemptAt.getTime() - Date.now() - 1_000;
    expect(await nudgeDueMessages(db, w.deliverNow, p.id, clock.now())).toEqual({ pending: 1, nudged: 0 });
    clock.advance(1_100);
    expect(await nudgeDueMessages(db, w.deliverNow, p.id, clock.now())).toEqual({ pending: 1, nudged: 1 });
    expect((await message(id)).status).toBe("delivered");
    expect(callsFor(p.gid, "paymentSessionResolve").map((c) => c.status)).toEqual([429, 200]);
    expect(await nudgeDueMessages(db, w.deliverNow, p.id, clock.now())).toEqual({ pending: 0, nudged: 0 });
  });
});

describe("shutdown: releaseClaims", () => {
  it("frees the pending messages this worker still claims, and only those", async () => {
    const mine = await payment();
    const theirs = await payment();
    const { id: mineId } = await enqueue(resolveOf(mine));
    const { id: theirsId } = await enqueue(resolveOf(theirs));
    const w = worker({ workerId: "shutting-down" });
    const until = new Date(clock.now().getTime() + 60_000);
    await db.outboxMessage.update({ where: { id: mineId }, data: { lockedBy: "shutting-down#abc", lockedUntil: until } });
    await db.outboxMessage.update({ where: { id: theirsId }, data: { lockedBy: "other-worker#def", lockedUntil: until } });
    expect(await w.releaseClaims()).toBe(1);
    expect(await message(mineId)).toMatchObject({ lockedBy: null, lockedUntil: null, status: "pending" });
    expect(await message(theirsId)).toMatchObject({ lockedBy: "other-worker#def" });
    // Another instance delivers the released one at once (no waiting for the claim to expire).
    expect(await worker({ workerId: "next" }).runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect((await message(mineId)).status).toBe("delivered");
  });

  it("releaseProcessCreationLeases expires this process's Soisy-order creation leases (holder kept for the takeover note), and only those", async () => {
    const mine = await payment();
    const theirs = await payment();
    const until = new Date(Date.now() + 60_000);
    await db.paymentSession.update({ where: { id: mine.id }, data: { creationLockedBy: newLockHolder(), creationLockedUntil: until } });
    await db.paymentSession.update({ where: { id: theirs.id }, data: { creationLockedBy: "p1-otherhost:0000", creationLockedUntil: until } });
    expect(newLockHolder().startsWith(PROCESS_HOLDER_PREFIX)).toBe(true);
    expect(await releaseProcessCreationLeases(db)).toBe(1);
    const released = await db.paymentSession.findUniqueOrThrow({ where: { id: mine.id } });
    expect(released.creationLockedBy?.startsWith(PROCESS_HOLDER_PREFIX)).toBe(true);
    expect(released.creationLockedUntil!.getTime()).toBeLessThan(Date.now());
    const kept = await db.paymentSession.findUniqueOrThrow({ where: { id: theirs.id } });
    expect(kept).toMatchObject({ creationLockedBy: "p1-otherhost:0000", creationLockedUntil: until });
  });
});
