/**
 * Captures and voids end to end with the real simulators and a real database (SQLite, or PostgreSQL
 * with TEST_DATABASE_URL): Shopify's capture session → our 201 → Soisy's match-trigger exactly once
 * → captureSessionResolve exactly once; Soisy's refusals, the expiry, an unknown outcome, a crash
 * between the call and the write, two instances, replays; voids confirmed by the merchant.
 */
import { describe, expect, it } from "vitest";
import { createDb } from "~/db.server";
import { decideVoid, processDueSettlements, processSettlement, SOISY_CALL_LEASE_MS } from "~/payments/settlement-service.server";
import { storeSettlement } from "~/payments/settlement-steps.server";
import { createSoisyClient } from "~/soisy/client.server";
import {
  clock,
  h,
  resolvedAuthorization,
  settlementState,
  SHOP,
  SOISY_TIMEOUT_MS,
  SUSPENDED,
  timelineTypes,
  triggerRequestsOf,
  triggersOf,
  until,
  useSettlementHarness,
} from "../helpers/settlement-harness";

useSettlementHarness();

const applied = (map: Map<string, { mutations: Array<{ name: string; outcome: string }> }>, id: string) =>
  (map.get(id)?.mutations ?? []).filter((m) => m.outcome === "applied").map((m) => m.name);

/** Shopify's mutation waits for our 201 (2 s after the capture arrived): the tests' clock skips that wait. */
async function settle(id: string, state: "resolved" | "rejected"): Promise<void> {
  const sending = state === "resolved" ? "resolving" : "rejecting";
  await until(async () => {
    const now = await settlementState(id);
    if (now === sending) clock.advance(2_500);
    return now === state;
  }, `${id} ${state}`);
}

describe("capture", () => {
  it("triggers Soisy once with the capture's cents (partial) and resolves once in Shopify; a replay changes nothing", async () => {
    const auth = await resolvedAuthorization({ amountCents: 150_000 });
    const capture = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "900.00" });
    expect(capture).toMatchObject({ ok: true, status: 201 });
    await settle(capture.id, "resolved");
    expect(triggersOf(auth.token).map((t) => t.amount)).toEqual([90_000]);
    expect(applied(h.shopify.captureSessions, capture.id)).toEqual(["captureSessionResolve"]);
    expect(h.soisy.orders.get(auth.token)?.status).toBe("disbursed");
    const row = await h.t.db.settlementSession.findUniqueOrThrow({ where: { id: capture.id } });
    expect(row).toMatchObject({ kind: "capture", amountCents: 90_000, soisyResult: "triggered", paymentSessionId: auth.id });
    expect(await timelineTypes(auth.id)).toEqual(["capture_session_received", "capture_triggered"]);

    const replay = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "900.00", id: capture.id });
    expect(replay).toMatchObject({ ok: true, status: 201 });
    expect(await processDueSettlements(h.deps)).toEqual({ checked: 0, failed: 0 });
    expect(triggerRequestsOf(auth.token)).toHaveLength(1);
    expect(await h.t.db.settlementSession.count()).toBeGreaterThan(0);
    expect(await h.t.db.outboxMessage.count({ where: { settlementSessionId: capture.id } })).toBe(1);
  });

  it("a second capture of the same payment is rejected without calling Soisy", async () => {
    const auth = await resolvedAuthorization();
    const first = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "1500.00" });
    await settle(first.id, "resolved");
    const second = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "1.00" });
    await settle(second.id, "rejected");
    expect(triggerRequestsOf(auth.token)).toHaveLength(1);
    expect(applied(h.shopify.captureSessions, second.id)).toEqual(["captureSessionReject"]);
    expect(await h.t.db.settlementSession.findUnique({ where: { id: second.id } })).toMatchObject({ rejectCode: "PROCESSING_ERROR", rejectReason: expect.stringMatching(/already captured/) });
  });

  it.each([
    ["the order is not suspended", { soisyShop: "plain" as const }, "1500.00", /not_suspended/],
    ["the amount is above the loan", { loanCents: 100_000 }, "1200.00", /amount_exceeds_loan.*exceeds the loan amount/],
  ])("Soisy refuses (%s) → captureSessionReject PROCESSING_ERROR with Soisy's reason", async (_name, options, amount, reason) => {
    const auth = await resolvedAuthorization(options);
    const capture = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount });
    await settle(capture.id, "rejected");
    expect(triggersOf(auth.token)).toEqual([]);
    expect(applied(h.shopify.captureSessions, capture.id)).toEqual(["captureSessionReject"]);
    const row = await h.t.db.settlementSession.findUniqueOrThrow({ where: { id: capture.id } });
    expect(row.rejectCode).toBe("PROCESSING_ERROR");
    expect(row.rejectReason).toMatch(reason);
    expect(await timelineTypes(auth.id)).toEqual(["capture_refused", "capture_rejected", "capture_session_received"]);
  });

  it("after the authorization's expiry → AUTHORIZATION_EXPIRED, and Soisy is never called", async () => {
    const auth = await resolvedAuthorization({ expiresAt: new Date(Date.now() - 60_000) });
    const capture = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "1500.00" });
    await settle(capture.id, "rejected");
    expect(triggerRequestsOf(auth.token)).toEqual([]);
    expect(h.soisy.requests.filter((r) => r.path.includes(auth.token) && r.method === "GET")).toEqual([]);
    expect(await h.t.db.settlementSession.findUnique({ where: { id: capture.id } })).toMatchObject({ rejectCode: "AUTHORIZATION_EXPIRED" });
    const sent = h.shopify.calls.filter((c) => c.operationName === "CaptureSessionReject").map((c) => c.variables);
    expect(sent).toEqual([{ id: capture.gid, reason: { code: "AUTHORIZATION_EXPIRED", merchantMessage: expect.stringMatching(/expired/) } }]);
    expect(await timelineTypes(auth.id)).toContain("authorization_expired");
  });

  it("Soisy answers the trigger too late (timeout): the order is read, disbursed → resolved; one trigger", async () => {
    const auth = await resolvedAuthorization();
    h.soisy.setFaults({ latencyMs: SOISY_TIMEOUT_MS * 2, match: "match-trigger" });
    const capture = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "1500.00" });
    await settle(capture.id, "resolved");
    // The read may come before the slow trigger lands (then a second trigger is sent, and refused by
    // Soisy as already triggered): Soisy funds the order once either way.
    expect(triggersOf(auth.token)).toEqual([expect.objectContaining({ amount: 150_000 })]);
    expect(triggerRequestsOf(auth.token).length).toBeLessThanOrEqual(2);
    expect(applied(h.shopify.captureSessions, capture.id)).toEqual(["captureSessionResolve"]);
    const types = await timelineTypes(auth.id);
    expect(types).toContain("capture_unknown");
    expect(types.filter((t) => t === "capture_triggered")).toHaveLength(1);
  });

  it("Soisy fails the trigger with a 503: the order is read (still waiting) and triggered again → resolved; one trigger", async () => {
    const auth = await resolvedAuthorization();
    h.soisy.setFaults({ failNext: { count: 1, status: 503 }, match: "match-trigger" });
    const capture = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "1500.00" });
    await settle(capture.id, "resolved");
    expect(triggersOf(auth.token)).toHaveLength(1);
    expect(triggerRequestsOf(auth.token)).toHaveLength(2);
    expect(applied(h.shopify.captureSessions, capture.id)).toEqual(["captureSessionResolve"]);
  });

  it("the order cannot be read: retried later with backoff by the durable loop", async () => {
    const auth = await resolvedAuthorization();
    // The trigger and every read of the order answer 503 (the client retries its GETs a few times).
    h.soisy.setFaults({ failNext: { count: 50, status: 503 } });
    const capture = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "1500.00" });
    await until(async () => (await h.t.db.settlementSession.findUnique({ where: { id: capture.id } }))?.attempts === 1, "a postponed read");
    const row = await h.t.db.settlementSession.findUniqueOrThrow({ where: { id: capture.id } });
    expect(row.state).toBe("checking");
    expect(row.nextAttemptAt!.getTime()).toBeGreaterThan(clock.now().getTime());
    expect(await processDueSettlements(h.deps)).toEqual({ checked: 0, failed: 0 });
    h.soisy.clearFaults();
    clock.advance(row.nextAttemptAt!.getTime() - clock.now().getTime() + 1);
    expect((await processDueSettlements(h.deps)).checked).toBe(1);
    await settle(capture.id, "resolved");
    expect(triggersOf(auth.token)).toHaveLength(1);
  });

  it("a crash between Soisy's answer and our write: after the lease the loop reads the order and resolves; one trigger", async () => {
    const auth = await resolvedAuthorization();
    h.appMode = "ack";
    const capture = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "1500.00" });
    h.appMode = "service";
    // What the dead process left: the settlement written "triggering" (lease running), the trigger made at Soisy.
    const stored = await storeSettlement(h.deps, SHOP, { kind: "capture", id: capture.id, gid: capture.gid, paymentId: auth.id, amountCents: 150_000, currency: "EUR", test: true, merchantLocale: null, proposedAt: new Date() });
    expect(stored.ok).toBe(true);
    await h.t.db.settlementSession.update({ where: { id: capture.id }, data: { state: "triggering", version: 1, nextAttemptAt: new Date(clock.now().getTime() + SOISY_CALL_LEASE_MS) } });
    const client = createSoisyClient({ environment: "sandbox", ...SUSPENDED, baseUrl: h.soisy.url });
    expect((await client.matchTrigger(auth.token, 150_000)).outcome).toBe("triggered");

    expect(await processDueSettlements(h.deps)).toEqual({ checked: 0, failed: 0 }); // within the lease: left alone
    expect(await processSettlement(h.deps, capture.id)).toBe("triggering");
    clock.advance(SOISY_CALL_LEASE_MS + 1);
    expect(await processDueSettlements(h.deps)).toEqual({ checked: 1, failed: 0 });
    await settle(capture.id, "resolved");
    expect(triggerRequestsOf(auth.token)).toHaveLength(1);
    expect(applied(h.shopify.captureSessions, capture.id)).toEqual(["captureSessionResolve"]);
  });

  it("two instances process the same capture at once: one trigger, one resolve", async () => {
    const auth = await resolvedAuthorization();
    h.appMode = "ack";
    const capture = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "1500.00" });
    h.appMode = "service";
    await storeSettlement(h.deps, SHOP, { kind: "capture", id: capture.id, gid: capture.gid, paymentId: auth.id, amountCents: 150_000, currency: "EUR", test: true, merchantLocale: null, proposedAt: new Date() });
    // PostgreSQL: a real second client. SQLite: one client per process (its adapter serialises transactions).
    const other = h.t.kind === "postgres" ? createDb(h.t.url) : h.t.db;
    try {
      // Three contenders: the two instances and the due-settlements loop. Whichever claims the capture first
      // does the work (which one wins is up to the database); the others see it taken and stop. What must
      // hold whoever wins is checked below: one trigger at Soisy, one resolve at Shopify, one timeline row each.
      await Promise.all([processSettlement(h.deps, capture.id), processSettlement({ ...h.deps, db: other }, capture.id), processDueSettlements(h.deps)]);
    } finally {
      if (other !== h.t.db) await other.$disconnect();
    }
    await settle(capture.id, "resolved");
    expect(triggerRequestsOf(auth.token)).toHaveLength(1);
    expect(applied(h.shopify.captureSessions, capture.id)).toEqual(["captureSessionResolve"]);
    expect(await timelineTypes(auth.id)).toEqual(["capture_session_received", "capture_triggered"]);
  });

  it("an unknown payment → 404; the same id with the same data → the same answer; with other data → 409", async () => {
    const auth = await resolvedAuthorization();
    const capture = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "10.00" });
    await settle(capture.id, "resolved");
    const stored = await storeSettlement(h.deps, SHOP, { kind: "capture", id: "nope", gid: "gid://shopify/CaptureSession/nope", paymentId: "missing", amountCents: 1, currency: "EUR", test: true, merchantLocale: null, proposedAt: new Date() });
    expect(stored).toMatchObject({ ok: false, status: 404 });
    const same = await storeSettlement(h.deps, SHOP, { kind: "capture", id: capture.id, gid: capture.gid, paymentId: auth.id, amountCents: 1_000, currency: "EUR", test: true, merchantLocale: null, proposedAt: new Date() });
    expect(same).toEqual({ ok: true, created: false, settlementId: capture.id });
    const again = await storeSettlement(h.deps, SHOP, { kind: "capture", id: capture.id, gid: capture.gid, paymentId: auth.id, amountCents: 999, currency: "EUR", test: true, merchantLocale: null, proposedAt: new Date() });
    expect(again).toMatchObject({ ok: false, status: 409 });
  });
});

describe("outbox", () => {
  it("a capture Shopify does not know: its message dies and the dead letter lands on the payment's timeline", async () => {
    const auth = await resolvedAuthorization();
    await storeSettlement(h.deps, SHOP, { kind: "capture", id: "ghost", gid: "gid://shopify/CaptureSession/ghost", paymentId: auth.id, amountCents: 150_000, currency: "EUR", test: true, merchantLocale: null, proposedAt: new Date() });
    expect(await processSettlement(h.deps, "ghost")).toBe("resolving");
    clock.advance(2_500);
    await until(async () => (await h.t.db.outboxMessage.findUnique({ where: { dedupeKey: "ghost:captureSessionResolve" } }))?.status === "dead", "a dead capture message");
    const dead = await h.t.db.timelineEvent.findMany({ where: { paymentSessionId: auth.id, type: "outbox_dead_letter" } });
    expect(dead.map((e) => JSON.parse(e.detailJson ?? "{}") as Record<string, unknown>)).toEqual([expect.objectContaining({ mutation: "captureSessionResolve", settlementSessionId: "ghost" })]);
    expect(await settlementState("ghost")).toBe("resolving");
  });
});

describe("void", () => {
  it("waits for the merchant; decideVoid → voidSessionResolve once; repeating it is harmless", async () => {
    const auth = await resolvedAuthorization();
    const voided = await h.shopify.startVoid({ shop: SHOP, paymentId: auth.id });
    expect(voided).toMatchObject({ ok: true, status: 201 });
    await until(async () => (await settlementState(voided.id)) === "awaiting_merchant", "void awaiting the merchant");
    expect(await timelineTypes(auth.id)).toEqual(["alert:void_requested", "void_session_received"]);
    expect(applied(h.shopify.voidSessions, voided.id)).toEqual([]);
    expect(await decideVoid(h.deps, "other.myshopify.com", voided.id, "anna@shop.it")).toMatchObject({ ok: false, status: 404 });

    clock.advance(2_500);
    const decided = await decideVoid(h.deps, SHOP, voided.id, "anna@shop.it");
    expect(decided).toMatchObject({ ok: true });
    expect(await decideVoid(h.deps, SHOP, voided.id, "anna@shop.it")).toMatchObject({ ok: true });
    await settle(voided.id, "resolved");
    expect(applied(h.shopify.voidSessions, voided.id)).toEqual(["voidSessionResolve"]);
    expect(await h.t.db.settlementSession.findUnique({ where: { id: voided.id } })).toMatchObject({ decidedBy: "anna@shop.it" });
    expect(triggerRequestsOf(auth.token)).toEqual([]);
    const confirmed = await h.t.db.timelineEvent.findMany({ where: { paymentSessionId: auth.id, type: "void_confirmed" } });
    expect(confirmed.map((e) => JSON.parse(e.detailJson ?? "{}") as unknown)).toEqual([{ voidId: voided.id, by: "anna@shop.it" }]);
  });

  it("a void of a captured payment is refused (voidSessionReject), and the merchant cannot confirm it", async () => {
    const auth = await resolvedAuthorization();
    const capture = await h.shopify.startCapture({ shop: SHOP, paymentId: auth.id, amount: "1500.00" });
    await settle(capture.id, "resolved");
    const voided = await h.shopify.startVoid({ shop: SHOP, paymentId: auth.id });
    await settle(voided.id, "rejected");
    expect(applied(h.shopify.voidSessions, voided.id)).toEqual(["voidSessionReject"]);
    expect(await decideVoid(h.deps, SHOP, voided.id, "anna@shop.it")).toMatchObject({ ok: false, status: 409, message: expect.stringMatching(/already captured/) });
  });
});
