/**
 * The durable transactional outbox for Shopify Payments Apps mutations (docs/lifecycle.md,
 * "Every Shopify mutation goes through a durable outbox").
 *
 * A state change that needs Shopify to hear about it calls `enqueueMutation(tx, …)` INSIDE its own
 * transaction: the OutboxMessage is committed together with the state change or not at all. The worker
 * (outbox-worker.server.ts) then delivers it with retries and backoff, in any app instance.
 *
 * One message per (session, mutation): `dedupeKey = "<paymentSessionId ?? refundSessionId ?? settlementSessionId>:<mutation>"`,
 * the pair Shopify de-duplicates on. A second enqueue of the same key is a no-op — also when two
 * transactions race: the row is written with `INSERT … ON CONFLICT ("dedupeKey") DO NOTHING`, which
 * SQLite and PostgreSQL both speak, so a duplicate never raises a unique violation (on PostgreSQL that
 * would abort the caller's whole transaction).
 *
 * Also here, so routes and the operator CLI stay adapters: nudging a payment's messages from request
 * handlers, and moving a dead letter back to pending (`retryDeadLetter`, the CLI's `retry-dead`).
 */
import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import {
  CAPTURE_SESSION_MUTATIONS,
  isPaymentSessionMutation,
  isRefundSessionMutation,
  PAYMENTS_API_VARIABLE_SCHEMAS,
  VOID_SESSION_MUTATIONS,
  type CaptureSessionMutation,
  type PaymentSessionMutation,
  type PaymentsApiVariables,
  type RefundSessionMutation,
  type VoidSessionMutation,
} from "~/shopify/payments-api.server";
import { deadLetterDedupeKey } from "./outbox-keys";

/** The Prisma client handed to a `$transaction(async (tx) => …)` callback (a plain client works too). */
export type OutboxTx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** Capture and void sessions' mutations (issue 15): their target is a SettlementSession. */
export type SettlementSessionMutation = CaptureSessionMutation | VoidSessionMutation;

export function isSettlementSessionMutation(name: string): name is SettlementSessionMutation {
  return (CAPTURE_SESSION_MUTATIONS as readonly string[]).includes(name) || (VOID_SESSION_MUTATIONS as readonly string[]).includes(name);
}

/** Mutations that go through the outbox (paymentsAppConfigure is called directly by the settings page). */
export type OutboxMutation = PaymentSessionMutation | RefundSessionMutation | SettlementSessionMutation;

export function isOutboxMutation(name: string): name is OutboxMutation {
  return isPaymentSessionMutation(name) || isRefundSessionMutation(name) || isSettlementSessionMutation(name);
}

type TargetField = "paymentSessionId" | "refundSessionId" | "settlementSessionId";
const TARGET_FIELDS: readonly TargetField[] = ["paymentSessionId", "refundSessionId", "settlementSessionId"];

/** Which id an outbox mutation targets, and the gid type Shopify names it with. */
function targetOf(mutation: OutboxMutation): { field: TargetField; gidType: string } {
  if (isPaymentSessionMutation(mutation)) return { field: "paymentSessionId", gidType: "PaymentSession" };
  if (isRefundSessionMutation(mutation)) return { field: "refundSessionId", gidType: "RefundSession" };
  return { field: "settlementSessionId", gidType: mutation.startsWith("capture") ? "CaptureSession" : "VoidSession" };
}

export const OUTBOX_STATUSES = ["pending", "delivered", "dead"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** OutboxAttempt.outcome values ("superseded": a pending closed unsent, its payment's resolve/reject is queued or delivered). */
export type OutboxAttemptOutcome = "delivered" | "already_done" | "superseded" | "retry" | "user_error" | "dead";

export interface EnqueueMutationInput<M extends OutboxMutation = OutboxMutation> {
  shop: string;
  /** For paymentSession* mutations. */
  paymentSessionId?: string;
  /** For refundSession* mutations. */
  refundSessionId?: string;
  /** For captureSession* / voidSession* mutations. */
  settlementSessionId?: string;
  mutation: M;
  /**
   * `PaymentsApiVariables[M]`; typed loosely so callers can build them generically, and checked at
   * runtime (an invalid message throws here, inside the caller's transaction, instead of dying later).
   */
  variables: PaymentsApiVariables[M] | Record<string, unknown>;
  /** Earliest delivery (default: now). */
  notBefore?: Date;
}

export class OutboxEnqueueError extends Error {
  override name = "OutboxEnqueueError";
}

export function outboxDedupeKey(targetId: string, mutation: OutboxMutation): string {
  return `${targetId}:${mutation}`;
}

/** Validates an enqueue request and returns what is written (throws OutboxEnqueueError). */
export function prepareOutboxMessage(input: EnqueueMutationInput): {
  targetId: string;
  dedupeKey: string;
  variablesJson: string;
} {
  const { mutation } = input;
  if (!isOutboxMutation(mutation)) throw new OutboxEnqueueError(`${String(mutation)} does not go through the outbox`);
  const schema = PAYMENTS_API_VARIABLE_SCHEMAS[mutation];
  if (!input.shop) throw new OutboxEnqueueError("shop is required");
  const { field, gidType } = targetOf(mutation);
  const targetId = input[field];
  if (!targetId) throw new OutboxEnqueueError(`${mutation} needs ${field}`);
  if (TARGET_FIELDS.some((other) => other !== field && input[other])) {
    throw new OutboxEnqueueError(`${mutation} takes only ${field}`);
  }
  const parsed = schema.safeParse(input.variables);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new OutboxEnqueueError(`invalid variables for ${mutation}: ${issues}`);
  }
  // The gid must name the very session the message belongs to (a wrong one would settle another payment).
  const gidSuffix = `/${gidType}/${targetId}`;
  if (!parsed.data.id.endsWith(gidSuffix)) {
    throw new OutboxEnqueueError(`${mutation}: variables.id ${parsed.data.id} is not the gid of ${targetId}`);
  }
  return { targetId, dedupeKey: outboxDedupeKey(targetId, mutation), variablesJson: JSON.stringify(parsed.data) };
}

/**
 * Writes one OutboxMessage inside the caller's transaction; a no-op when the (session, mutation) pair is
 * already there (whatever its status). Returns the message id and whether this call created it.
 */
export async function enqueueMutation<M extends OutboxMutation>(
  tx: OutboxTx,
  input: EnqueueMutationInput<M>,
): Promise<{ id: string; created: boolean }> {
  const { dedupeKey, variablesJson } = prepareOutboxMessage(input);
  const now = new Date();
  const nextAttemptAt = input.notBefore ?? now;
  const id = `obx_${randomUUID()}`;
  // Written first (a write as the first statement also lets SQLite wait for its lock instead of failing
  // on a stale snapshot); the conflict target is the unique dedupeKey.
  const inserted = await tx.$executeRaw`
    INSERT INTO "OutboxMessage"
      ("id", "shop", "paymentSessionId", "refundSessionId", "settlementSessionId", "mutation", "dedupeKey", "variablesJson",
       "status", "attempts", "nextAttemptAt", "createdAt", "updatedAt")
    VALUES
      (${id}, ${input.shop}, ${input.paymentSessionId ?? null}, ${input.refundSessionId ?? null}, ${input.settlementSessionId ?? null}, ${input.mutation},
       ${dedupeKey}, ${variablesJson}, ${"pending"}, ${0}, ${nextAttemptAt}, ${now}, ${now})
    ON CONFLICT ("dedupeKey") DO NOTHING`;
  if (inserted === 1) return { id, created: true };
  const existing = await tx.outboxMessage.findUnique({ where: { dedupeKey }, select: { id: true } });
  if (!existing) throw new Error(`outbox message ${dedupeKey} was neither inserted nor found`);
  return { id: existing.id, created: false };
}

// ---------------------------------------------------------------------------------------------
// Backoff
// ---------------------------------------------------------------------------------------------

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 600_000 };

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(maxMs, baseMs·2^(attempts−1))),
 * where `attempts` counts the failed attempts so far (≥ 1).
 */
export function backoffDelayMs(attempts: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 52));
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * cap);
}

/** When to try again: the later of Retry-After and the jittered backoff. */
export function nextAttemptDelayMs(
  attempts: number,
  policy: BackoffPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  return Math.max(retryAfterMs ?? 0, backoffDelayMs(attempts, policy, random));
}

// ---------------------------------------------------------------------------------------------
// Nudging from request handlers
// ---------------------------------------------------------------------------------------------

/**
 * Delivers, right away, a payment's outbox messages that are ALREADY due (the shopper's waiting page
 * polls this: it saves the worker's poll interval). It never brings a delivery forward: a message
 * waiting for its backoff or for Shopify's Retry-After stays where it is, however many shoppers poll.
 * Returns how many messages were handed to `deliverNow`.
 */
export async function nudgeDueMessages(
  db: Db,
  deliverNow: ((messageId: string) => Promise<unknown>) | undefined,
  paymentSessionId: string,
  now: Date,
): Promise<{ pending: number; nudged: number }> {
  const pending = await db.outboxMessage.findMany({
    where: { paymentSessionId, status: "pending" },
    select: { id: true, nextAttemptAt: true, lockedUntil: true },
  });
  const due = pending.filter((m) => m.nextAttemptAt <= now && (!m.lockedUntil || m.lockedUntil <= now));
  if (deliverNow) for (const m of due) await deliverNow(m.id).catch(() => undefined);
  return { pending: pending.length, nudged: deliverNow ? due.length : 0 };
}

/**
 * Pushes a payment's queued message for one mutation right away, if it is still pending: made due now
 * (whatever its backoff) and handed to `deliverNow`. The not-eligible page does this with the reject
 * queued when the session arrived, so the shopper goes back to checkout without waiting for the worker.
 * Returns whether a pending message was there (and pushed).
 */
export async function pushPendingMessage(
  db: Db,
  deliverNow: ((messageId: string) => Promise<unknown>) | undefined,
  paymentSessionId: string,
  mutation: PaymentSessionMutation,
  now: Date,
): Promise<boolean> {
  const message = await db.outboxMessage.findUnique({ where: { dedupeKey: outboxDedupeKey(paymentSessionId, mutation) }, select: { id: true, status: true } });
  if (message?.status !== "pending") return false;
  await db.outboxMessage.updateMany({ where: { id: message.id, status: "pending" }, data: { nextAttemptAt: now } });
  await deliverNow?.(message.id).catch(() => undefined);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Dead letters
// ---------------------------------------------------------------------------------------------

export type OutboxMessageRow = NonNullable<Awaited<ReturnType<Db["outboxMessage"]["findUnique"]>>>;

/** Dead-lettered messages, oldest death first: all of them, a shop's, or the one with that id. */
export async function findDeadLetters(db: Db, filter: { shop?: string; id?: string } = {}): Promise<OutboxMessageRow[]> {
  return db.outboxMessage.findMany({
    where: { status: "dead", ...(filter.shop ? { shop: filter.shop } : {}), ...(filter.id !== undefined ? { id: filter.id } : {}) },
    orderBy: { deadAt: "asc" },
  });
}

/**
 * Moves one dead message back to pending (attempts 0, due `now`, retry window restarted) so the worker
 * delivers it again, and notes it on the payment's timeline (`outbox_retried`, with `by`). Returns
 * false when the message was no longer dead (nothing written).
 */
export async function retryDeadLetter(
  db: Db,
  message: Pick<OutboxMessageRow, "id" | "shop" | "mutation" | "paymentSessionId" | "refundSessionId" | "settlementSessionId" | "attempts" | "deadAt" | "lastError">,
  now: Date,
  by = "operator",
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    // The worker dead-letters a message once it is older than OUTBOX_MAX_AGE_MS (from createdAt):
    // createdAt restarts so the worker has a whole retry window again.
    const updated = await tx.outboxMessage.updateMany({
      where: { id: message.id, status: "dead" },
      data: { status: "pending", attempts: 0, nextAttemptAt: now, createdAt: now, deadAt: null, lockedBy: null, lockedUntil: null },
    });
    if (updated.count === 0) return false;
    const paymentSessionId = await paymentOfMessage(tx, message);
    // The worker records a dead letter once per message (dedupe key): free that key so a second
    // death is recorded too, and note the retry on the payment's timeline.
    const deadKey = deadLetterDedupeKey(message.id);
    await tx.timelineEvent.updateMany({ where: { dedupeKey: deadKey }, data: { dedupeKey: `${deadKey}:retried:${now.getTime()}` } });
    if (paymentSessionId) {
      await tx.timelineEvent.create({
        data: {
          shop: message.shop,
          paymentSessionId,
          source: "app",
          type: "outbox_retried",
          detailJson: JSON.stringify({ messageId: message.id, mutation: message.mutation, by, previousAttempts: message.attempts, deadAt: message.deadAt?.toISOString() ?? null, lastError: message.lastError }),
        },
      });
    }
    return true;
  });
}

/** The payment a message is about: its own, or its refund's or settlement's (dead letters go on that timeline). */
export async function paymentOfMessage(
  tx: OutboxTx,
  message: Pick<OutboxMessageRow, "paymentSessionId" | "refundSessionId" | "settlementSessionId">,
): Promise<string | null> {
  if (message.paymentSessionId) return message.paymentSessionId;
  if (message.refundSessionId) {
    return (await tx.refundSession.findUnique({ where: { id: message.refundSessionId }, select: { paymentSessionId: true } }))?.paymentSessionId ?? null;
  }
  if (message.settlementSessionId) {
    return (await tx.settlementSession.findUnique({ where: { id: message.settlementSessionId }, select: { paymentSessionId: true } }))?.paymentSessionId ?? null;
  }
  return null;
}
