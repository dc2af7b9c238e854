/**
 * The transition store (app/payments/transition-store.server.ts) against a real database (SQLite, or
 * PostgreSQL with TEST_DATABASE_URL): two writers of the same session version (one wins, the other
 * gets `version_conflict` and nothing of it is written), two sessions of one Shopify group resolving
 * at once (one GroupResolution, the other `group_conflict`, then rejected by applyInput), and the same
 * effects stored twice (one outbox row, one timeline row, one alert). Transitions come from the real
 * lifecycle. On PostgreSQL the racing writers use two clients, so the database decides the race; on
 * SQLite one process shares one client (see the note in test/integration/outbox.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "~/db.server";
import { createLogger } from "~/logger.server";
import { applyInput } from "~/payments/apply-input.server";
import { parseDeferred, transition, type LifecycleInput, type PaymentState, type Transition } from "~/payments/lifecycle";
import { outboxDedupeKey } from "~/payments/outbox.server";
import type { PaymentDeps, PaymentRow } from "~/payments/payment-deps.server";
import { storeTransition, type SessionColumns, type StoreOutcome, type TimelineEntry } from "~/payments/transition-store.server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const SHOP = "transition-store.myshopify.com";
const logger = createLogger({ level: "silent" });
let t: TestDatabase;
let db: Db;
/** A second client for the racing writer (PostgreSQL); SQLite shares the one client. */
let other: Db;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  other = t.kind === "postgres" ? createDb(t.url) : db;
});

afterAll(async () => {
  if (other !== db) await other.$disconnect();
  await t?.cleanup();
});

let counter = 0;
/**
 * A session row. Confirmed by Shopify unless told otherwise (oversell protection): most tests here are
 * about storing resolves, which come only after Shopify's confirmation.
 */
async function session(options: { group?: string; state?: PaymentState; confirmed?: boolean } = {}): Promise<PaymentRow> {
  const id = `ts-${++counter}-${Date.now().toString(36)}`;
  return db.paymentSession.create({
    data: {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      shop: SHOP,
      group: options.group ?? `group-${id}`,
      amountCents: 50_000,
      currency: "EUR",
      test: true,
      kind: "sale",
      proposedAt: new Date(),
      environment: "sandbox",
      state: options.state ?? "redirected",
      callbackSecret: `secret-${id}`,
      soisyToken: `tok-${id}`,
      confirmationResult: options.confirmed === false ? null : true,
    },
  });
}

const reread = (row: PaymentRow) => db.paymentSession.findUniqueOrThrow({ where: { id: row.id } });

function decide(row: PaymentRow, input: LifecycleInput, groupAlreadyResolved = false): Transition {
  return transition(
    {
      state: row.state as PaymentState,
      amountCents: row.amountCents,
      flagReason: row.flagReason,
      pendingExpiresAt: row.pendingExpiresAt,
      groupAlreadyResolved,
      settings: { resolveOn: "verified", pendingExpiryDays: 3, authorizationDays: 30 },
      now: new Date(),
      kind: "sale",
      confirmed: row.confirmationResult === true,
      deferred: parseDeferred(row.deferredJson),
      confirmationRequestedAt: row.confirmationRequestedAt,
    },
    input,
  );
}

const verified: LifecycleInput = { kind: "reconciled", soisy: { status: "waiting_for_disbursement", loanAmountCents: 50_000 } };
const cancelled: LifecycleInput = { kind: "reconciled", soisy: { status: "cancelled", loanAmountCents: null } };
const unknownStatus: LifecycleInput = { kind: "reconciled", soisy: { status: "a_status_soisy_never_had", loanAmountCents: null } };

/** Stores what the lifecycle decides for `input` on `row` as read (its version guards the write). */
function store(client: Db, row: PaymentRow, input: LifecycleInput, timeline?: TimelineEntry): Promise<StoreOutcome> {
  const decided = decide(row, input);
  const columns: SessionColumns = { state: decided.state, ...decided.patch };
  return storeTransition({ db: client, logger }, { session: row, transition: decided, columns, ...(timeline ? { timeline: [timeline] } : {}) });
}

const outboxOf = (row: PaymentRow) => db.outboxMessage.findMany({ where: { paymentSessionId: row.id }, orderBy: { createdAt: "asc" } });
const timelineOf = (row: PaymentRow) => db.timelineEvent.findMany({ where: { paymentSessionId: row.id }, orderBy: { createdAt: "asc" } });

describe("two writers of the same session version", () => {
  it("with mutations (one transaction each): one is stored, the other is a version conflict that wrote nothing", async () => {
    const row = await session();
    expect(decide(row, verified).effects).toContainEqual({ type: "mutation", mutation: "paymentSessionResolve" });
    expect(decide(row, cancelled).effects).toContainEqual(expect.objectContaining({ type: "mutation", mutation: "paymentSessionReject" }));

    const outcomes = await Promise.all([
      store(db, row, verified, { source: "test", type: "writer_resolve", dedupeKey: `writer:${row.id}:resolve` }),
      store(other, row, cancelled, { source: "test", type: "writer_reject", dedupeKey: `writer:${row.id}:reject` }),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["stored", "version_conflict"]);
    const resolveWon = outcomes[0]!.kind === "stored";
    const winner = resolveWon
      ? { state: "resolved", mutation: "paymentSessionResolve" as const, entry: "writer_resolve" }
      : { state: "rejected", mutation: "paymentSessionReject" as const, entry: "writer_reject" };
    expect(outcomes[resolveWon ? 0 : 1]).toEqual({ kind: "stored", outboxKeys: [outboxDedupeKey(row.id, winner.mutation)] });

    const stored = await reread(row);
    expect(stored.version).toBe(row.version + 1);
    expect(stored.state).toBe(winner.state);
    // Nothing half-written by the loser: no message, no timeline row, no group claim of its own.
    expect((await outboxOf(row)).map((m) => m.mutation)).toEqual([winner.mutation]);
    const types = (await timelineOf(row)).map((e) => e.type);
    expect(types).toEqual([winner.entry, winner.state]);
    expect(await db.groupResolution.count({ where: { group: row.group } })).toBe(resolveWon ? 1 : 0);
  });

  it("without mutations (one statement each): one is stored, the other is a version conflict that wrote nothing", async () => {
    const row = await session({ state: "received" });
    const created: LifecycleInput = { kind: "order_created" };
    expect(decide(row, created).effects.every((e) => e.type === "timeline")).toBe(true);

    const outcomes = await Promise.all([
      store(db, row, created, { source: "test", type: "writer_a" }),
      store(other, row, created, { source: "test", type: "writer_b" }),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["stored", "version_conflict"]);
    const winner = outcomes[0]!.kind === "stored" ? "writer_a" : "writer_b";

    const stored = await reread(row);
    expect(stored.version).toBe(row.version + 1);
    expect(stored.state).toBe("redirected");
    expect((await timelineOf(row)).map((e) => e.type)).toEqual([winner, "order_created"]);
    expect(await outboxOf(row)).toEqual([]);
  });

  it("a writer holding a stale row loses even when nobody races it", async () => {
    const row = await session();
    expect((await store(db, row, unknownStatus)).kind).toBe("stored");
    const before = await timelineOf(row);
    expect(await store(db, row, verified, { source: "test", type: "stale_writer", dedupeKey: `stale:${row.id}` })).toEqual({ kind: "version_conflict" });
    expect(await timelineOf(row)).toEqual(before);
    expect(await outboxOf(row)).toEqual([]);
    expect(await db.groupResolution.count({ where: { group: row.group } })).toBe(0);
    expect((await reread(row)).state).toBe("redirected");
  });
});

describe("two sessions of one Shopify group resolving at once", () => {
  it("one claims the group; the other is a group conflict that wrote nothing", async () => {
    const group = `group-race-${Date.now()}`;
    const first = await session({ group });
    const second = await session({ group });

    const outcomes = await Promise.all([store(db, first, verified), store(other, second, verified)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["group_conflict", "stored"]);
    const [winner, loser] = outcomes[0]!.kind === "stored" ? [first, second] : [second, first];

    const claims = await db.groupResolution.findMany({ where: { group } });
    expect(claims.map((c) => c.paymentSessionId)).toEqual([winner.id]);
    expect((await reread(winner)).state).toBe("resolved");
    expect((await outboxOf(winner)).map((m) => m.mutation)).toEqual(["paymentSessionResolve"]);
    // The loser's transaction rolled back whole: state, version, outbox and timeline untouched.
    const unchanged = await reread(loser);
    expect(unchanged.state).toBe("redirected");
    expect(unchanged.version).toBe(loser.version);
    expect(await outboxOf(loser)).toEqual([]);
    expect(await timelineOf(loser)).toEqual([]);
  });

  it("applyInput decides the loser again with the group rule: rejected, flagged, never a second resolve", async () => {
    const group = `group-apply-${Date.now()}`;
    const first = await session({ group });
    const second = await session({ group });
    const deps: PaymentDeps = {
      db,
      keyring: undefined as never,
      appUrl: "http://127.0.0.1:1",
      soisyClient: () => Promise.reject(new Error("no Soisy call expected")),
      now: () => new Date(),
      logger,
    };
    const applied = await Promise.all([applyInput(deps, first.id, verified), applyInput({ ...deps, db: other }, second.id, verified)]);
    const states = applied.map((a) => a.session.state).sort();
    expect(states).toEqual(["rejected", "resolved"]);
    const [winner, loser] = applied[0]!.session.state === "resolved" ? [first, second] : [second, first];

    expect((await db.groupResolution.findMany({ where: { group } })).map((c) => c.paymentSessionId)).toEqual([winner.id]);
    const resolves = await db.outboxMessage.count({ where: { paymentSessionId: { in: [first.id, second.id] }, mutation: "paymentSessionResolve" } });
    expect(resolves).toBe(1);
    expect((await outboxOf(loser)).map((m) => m.mutation)).toEqual(["paymentSessionReject"]);
    const lost = await reread(loser);
    expect(lost.state).toBe("rejected");
    expect(lost.flagReason).toBe("duplicate_loan_in_group");
    expect((await timelineOf(loser)).map((e) => e.type)).toEqual(expect.arrayContaining(["alert:duplicate_loan_in_group", "rejected"]));
  });
});

describe("the same effects stored twice", () => {
  it("one outbox message and one group claim for a mutation stored twice", async () => {
    const row = await session();
    const resolve = decide(row, verified);
    const columns: SessionColumns = { state: resolve.state, ...resolve.patch };
    const key = outboxDedupeKey(row.id, "paymentSessionResolve");
    expect(await storeTransition({ db, logger }, { session: row, transition: resolve, columns })).toEqual({ kind: "stored", outboxKeys: [key] });
    // The very same transition again, on the fresh row (e.g. a caller that decided twice).
    const again = await reread(row);
    expect(await storeTransition({ db, logger }, { session: again, transition: resolve, columns })).toEqual({ kind: "stored", outboxKeys: [key] });

    const messages = await outboxOf(row);
    expect(messages.map((m) => m.dedupeKey)).toEqual([key]);
    expect(await db.groupResolution.count({ where: { group: row.group } })).toBe(1);
    expect((await reread(row)).version).toBe(row.version + 2);
  });

  it("one timeline row for an entry stored twice under one dedupe key", async () => {
    const row = await session();
    const entry: TimelineEntry = { source: "soisy_callback", type: "evt-1", dedupeKey: `callback:${row.soisyToken}:evt-1`, detail: { soisyStatus: "request_received" } };
    const waiting: LifecycleInput = { kind: "soisy_callback", eventId: "evt-1", soisy: { status: "request_received", loanAmountCents: null } };
    expect((await store(db, row, waiting, entry)).kind).toBe("stored");
    expect((await store(db, await reread(row), waiting, entry)).kind).toBe("stored");

    const rows = (await timelineOf(row)).filter((e) => e.dedupeKey === entry.dedupeKey);
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.detailJson!)).toEqual(entry.detail);
    expect(await outboxOf(row)).toEqual([]);
  });

  it("one alert row for an alert raised twice", async () => {
    const row = await session();
    expect(decide(row, unknownStatus).effects).toContainEqual(expect.objectContaining({ type: "alert", code: "unknown_soisy_status" }));
    expect((await store(db, row, unknownStatus)).kind).toBe("stored");
    expect((await store(db, await reread(row), unknownStatus)).kind).toBe("stored");

    const alerts = (await timelineOf(row)).filter((e) => e.type === "alert:unknown_soisy_status");
    expect(alerts.map((e) => e.dedupeKey)).toEqual([`alert:${row.id}:unknown_soisy_status`]);
    // "no_change" decisions are not timeline rows: the alert is all this input left.
    expect((await timelineOf(row)).map((e) => e.type)).toEqual(["alert:unknown_soisy_status"]);
  });
});

describe("oversell protection and authorizations in the store", () => {
  it("an unconfirmed session's first resolve is stored as a confirm: its outbox message, the deferred outcome, no group claim", async () => {
    const row = await session({ confirmed: false });
    expect((await store(db, row, verified)).kind).toBe("stored");
    const stored = await reread(row);
    expect(stored.state).toBe("confirming");
    expect(parseDeferred(stored.deferredJson)).toEqual({ outcome: "resolve" });
    expect(stored.confirmationRequestedAt).not.toBeNull();
    const [message] = await outboxOf(row);
    expect(message?.mutation).toBe("paymentSessionConfirm");
    expect(JSON.parse(message!.variablesJson)).toEqual({ id: row.gid });
    expect(message?.dedupeKey).toBe(outboxDedupeKey(row.id, "paymentSessionConfirm"));
    expect(await db.groupResolution.count({ where: { group: row.group } })).toBe(0);

    // Shopify's answer: the deferred resolve, claiming the group; the deferred outcome cleared.
    expect((await store(db, stored, { kind: "confirmation", result: true })).kind).toBe("stored");
    const after = await reread(row);
    expect([after.state, after.deferredJson, after.confirmationResult]).toEqual(["resolved", null, true]);
    expect((await outboxOf(row)).map((m) => m.mutation)).toEqual(["paymentSessionConfirm", "paymentSessionResolve"]);
    expect(await db.groupResolution.count({ where: { group: row.group } })).toBe(1);
  });

  it("an authorization's resolve carries authorizationExpiresAt in its variables and on the row", async () => {
    const row = await db.paymentSession.update({ where: { id: (await session()).id }, data: { kind: "authorization" } });
    const decided = transition(
      {
        state: "redirected",
        amountCents: row.amountCents,
        flagReason: null,
        pendingExpiresAt: null,
        groupAlreadyResolved: false,
        settings: { resolveOn: "verified", pendingExpiryDays: 3, authorizationDays: 30 },
        now: new Date(),
        kind: "authorization",
        confirmed: true,
        deferred: null,
        confirmationRequestedAt: null,
      },
      verified,
    );
    const outcome = await storeTransition({ db, logger }, { session: row, transition: decided, columns: { state: decided.state, ...decided.patch } });
    expect(outcome.kind).toBe("stored");
    const expiry = decided.patch.authorizationExpiresAt!;
    expect((await reread(row)).authorizationExpiresAt?.toISOString()).toBe(expiry.toISOString());
    const [message] = await outboxOf(row);
    expect(JSON.parse(message!.variablesJson)).toEqual({ id: row.gid, authorizationExpiresAt: expiry.toISOString() });
  });
});
