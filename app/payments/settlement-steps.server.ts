/**
 * The settlement service's writes (settlement-service.server.ts): storing Shopify's capture or void
 * session idempotently, and persisting one lifecycle step (settlement-lifecycle.ts) — the new state,
 * its timeline rows, alerts and Shopify mutation — in ONE transaction guarded by the settlement's
 * version, so of two instances taking the same step only one writes it (and only that one then calls
 * Soisy). The payment row is touched first: it serialises the captures and voids of one payment, so
 * two captures cannot both pass the "not captured yet" check.
 */
import type { Db } from "~/db.server";
import { enqueueMutation, type OutboxTx } from "./outbox.server";
import type { PaymentDeps } from "./payment-deps.server";
import {
  isSettlementState,
  settlementTransition,
  type PaymentFacts,
  type SettlementEffect,
  type SettlementInput,
  type SettlementKind,
  type SettlementState,
} from "./settlement-lifecycle";

export type SettlementRow = NonNullable<Awaited<ReturnType<Db["settlementSession"]["findUnique"]>>>;

/** Shopify accepts a capture's or void's mutation only after it has our 201. */
const AFTER_OUR_ANSWER_MS = 2_000;

/** Captures that hold the payment's one trigger (a second capture is refused while one of these exists). */
const CAPTURING: SettlementState[] = ["triggering", "checking", "resolving", "resolved"];
const VOIDED: SettlementState[] = ["resolving", "resolved"];

export interface NewSettlement {
  kind: SettlementKind;
  id: string;
  gid: string;
  paymentId: string;
  amountCents: number | null;
  currency: string | null;
  test: boolean;
  merchantLocale: string | null;
  proposedAt: Date;
}

export type StoreResult = { ok: true; created: boolean; settlementId: string } | { ok: false; status: 404 | 409; message: string };

/**
 * Stores a capture or void session in state "received" (due now for the retry loop) with its
 * `capture_session_received` / `void_session_received` timeline row. The same id with the same data
 * answers the same; other data, or a gid already used → 409; an unknown payment → 404.
 */
export async function storeSettlement(deps: PaymentDeps, shop: string, s: NewSettlement): Promise<StoreResult> {
  const { db } = deps;
  const replay = await replayAnswer(db, shop, s);
  if (replay) return replay;
  const payment = await db.paymentSession.findUnique({ where: { id: s.paymentId }, select: { id: true, shop: true } });
  if (!payment || payment.shop !== shop) return { ok: false, status: 404, message: `payment ${s.paymentId} is not known for ${shop}` };
  const now = deps.now();
  try {
    await db.$transaction(async (tx) => {
      await tx.settlementSession.create({
        data: {
          id: s.id,
          gid: s.gid,
          shop,
          paymentSessionId: payment.id,
          kind: s.kind,
          amountCents: s.amountCents,
          currency: s.currency,
          test: s.test,
          merchantLocale: s.merchantLocale,
          proposedAt: s.proposedAt,
          state: "received",
          nextAttemptAt: now,
        },
      });
      await tx.timelineEvent.create({
        data: {
          shop,
          paymentSessionId: payment.id,
          source: "shopify",
          type: s.kind === "capture" ? "capture_session_received" : "void_session_received",
          dedupeKey: `shopify-${s.kind}:${s.id}`,
          detailJson: JSON.stringify(s.kind === "capture" ? { captureId: s.id, amountCents: s.amountCents } : { voidId: s.id }),
        },
      });
    });
  } catch (error) {
    // A concurrent delivery of the same session won the insert, or the gid is another session's.
    const again = await replayAnswer(db, shop, s);
    if (again) return again;
    throw error;
  }
  return { ok: true, created: true, settlementId: s.id };
}

async function replayAnswer(db: Db, shop: string, s: NewSettlement): Promise<StoreResult | null> {
  const existing = await db.settlementSession.findUnique({ where: { id: s.id } });
  if (existing) {
    const same =
      existing.shop === shop &&
      existing.kind === s.kind &&
      existing.gid === s.gid &&
      existing.paymentSessionId === s.paymentId &&
      existing.amountCents === s.amountCents &&
      existing.currency === s.currency;
    return same ? { ok: true, created: false, settlementId: existing.id } : { ok: false, status: 409, message: `a ${s.kind} session with this id exists with different data` };
  }
  const gidTaken = await db.settlementSession.findUnique({ where: { gid: s.gid }, select: { id: true } });
  if (gidTaken) return { ok: false, status: 409, message: `this ${s.kind} session gid belongs to another session` };
  return null;
}

/** What the payment looks like to its settlement (read inside the step's transaction). */
async function paymentFacts(tx: OutboxTx, row: SettlementRow): Promise<PaymentFacts> {
  const payment = await tx.paymentSession.findUniqueOrThrow({ where: { id: row.paymentSessionId } });
  const others = await tx.settlementSession.findMany({
    where: { paymentSessionId: row.paymentSessionId, id: { not: row.id } },
    select: { kind: true, state: true },
  });
  return {
    kind: payment.kind,
    // A resolved authorization always has its Soisy order; one without cannot be captured.
    state: payment.soisyToken ? payment.state : `${payment.state} without a Soisy order`,
    authorizationExpiresAt: payment.authorizationExpiresAt,
    amountCents: payment.amountCents,
    currency: payment.currency,
    captured: others.some((o) => o.kind === "capture" && isSettlementState(o.state) && CAPTURING.includes(o.state)),
    voided: others.some((o) => o.kind === "void" && isSettlementState(o.state) && VOIDED.includes(o.state)),
  };
}

type SoisyEffect = Extract<SettlementEffect, { type: "soisy_trigger" | "soisy_read_order" }>;

export interface StepOptions {
  /** How long the Soisy call this step starts may take before another instance takes over. */
  leaseMs: number;
  retryDelayMs(attempts: number): number;
}

/**
 * Applies one input to the settlement as read (`row`): null when another instance changed it first
 * (nothing written). Otherwise the written row and the Soisy call to make now, if any.
 */
export async function advanceSettlement(
  deps: PaymentDeps,
  row: SettlementRow,
  input: SettlementInput,
  options: StepOptions,
): Promise<{ row: SettlementRow; soisy: SoisyEffect | null } | null> {
  const { db } = deps;
  const now = deps.now();
  return db.$transaction(async (tx) => {
    await tx.paymentSession.updateMany({ where: { id: row.paymentSessionId }, data: { updatedAt: now } });
    const current = await tx.settlementSession.findUnique({ where: { id: row.id } });
    if (!current || current.version !== row.version || !isSettlementState(current.state)) return null;
    const payment = await paymentFacts(tx, current);
    const kind = current.kind === "void" ? "void" : "capture";
    const t = settlementTransition({ kind, state: current.state, amountCents: current.amountCents, currency: current.currency }, input, { now, payment });
    if (t.ignored) return { row: current, soisy: null };
    const soisy = t.effects.find((e): e is SoisyEffect => e.type === "soisy_trigger" || e.type === "soisy_read_order") ?? null;
    const retry = t.effects.some((e) => e.type === "retry_later");
    const attempts = retry ? current.attempts + 1 : current.attempts;
    const nextAttemptAt = soisy
      ? new Date(now.getTime() + options.leaseMs)
      : retry
        ? new Date(now.getTime() + options.retryDelayMs(attempts))
        : null;
    const updated = await tx.settlementSession.updateMany({
      where: { id: current.id, version: current.version },
      data: {
        state: t.state,
        ...t.patch,
        ...(t.patch.decidedBy || t.state === "rejecting" ? { decidedAt: now } : {}),
        ...(t.state === "rejecting" && !t.patch.decidedBy ? { decidedBy: "app" } : {}),
        attempts,
        nextAttemptAt,
        version: { increment: 1 },
      },
    });
    if (updated.count !== 1) return null;
    const notBefore = new Date(Math.max(now.getTime(), current.createdAt.getTime() + AFTER_OUR_ANSWER_MS));
    for (const effect of t.effects) await persistEffect(tx, current, effect, notBefore);
    return { row: await tx.settlementSession.findUniqueOrThrow({ where: { id: current.id } }), soisy };
  });
}

async function persistEffect(tx: OutboxTx, row: SettlementRow, effect: SettlementEffect, notBefore: Date): Promise<void> {
  const idKey = row.kind === "capture" ? "captureId" : "voidId";
  if (effect.type === "timeline") {
    await tx.timelineEvent.create({
      data: { shop: row.shop, paymentSessionId: row.paymentSessionId, source: effect.source, type: effect.event, detailJson: JSON.stringify({ [idKey]: row.id, ...effect.detail }) },
    });
  } else if (effect.type === "alert") {
    // Recorded once per payment and kind, like the payment lifecycle's alerts.
    const dedupeKey = `alert:${row.paymentSessionId}:${effect.code}`;
    if (await tx.timelineEvent.findUnique({ where: { dedupeKey }, select: { id: true } })) return;
    await tx.timelineEvent.create({
      data: { shop: row.shop, paymentSessionId: row.paymentSessionId, source: "app", type: `alert:${effect.code}`, dedupeKey, detailJson: JSON.stringify({ message: effect.message, [idKey]: row.id }) },
    });
  } else if (effect.type === "mutation") {
    await enqueueMutation(tx, {
      shop: row.shop,
      settlementSessionId: row.id,
      mutation: effect.mutation,
      variables: "code" in effect ? { id: row.gid, reason: { code: effect.code, merchantMessage: effect.merchantMessage } } : { id: row.gid },
      notBefore,
    });
  }
}
