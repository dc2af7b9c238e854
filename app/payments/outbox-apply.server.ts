/**
 * The worker's database side (outbox-worker.server.ts): the reads a delivery needs (is this pending
 * superseded? did Shopify already have the session's answer?) and the writes of its outcome.
 *
 * An outcome is written with a conditional update on the claim token (a worker that lost its lease cannot
 * overwrite what the new owner wrote), in ONE transaction with the OutboxAttempt row and the effects
 * (outbox-effects.server.ts). A pending superseded by its payment's resolve / reject, and a confirm superseded
 * by its payment's reject (Soisy refused the loan before the confirm went out) or by a resolve / pending queued
 * after Shopify's confirmation callback, are closed without a call.
 */
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";
import { applyDeliveredEffects, writeDeadLetter, type OutboxMessageRow } from "./outbox-effects.server";
import type { SendResult } from "./outbox-send.server";
import type { OutboxVerdict } from "./outbox-verdict";

/** What a finished attempt did to its message ("locked": the claim expired meanwhile; nothing written). */
export type AttemptVerdict = OutboxVerdict["kind"] | "locked";

/** The attempt being recorded: its timing and what Shopify took besides the verdict. */
export interface RecordedAttempt {
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  adjustedPendingExpiry: SendResult["adjustedPendingExpiry"];
}

const CLAIM_EXPIRED = "claim expired before the outcome was written";

/** The message row's new fields (the claim released in every case). */
function messageUpdate(verdict: OutboxVerdict, finishedAt: Date): Parameters<Db["outboxMessage"]["updateMany"]>[0]["data"] {
  const common = { lockedBy: null, lockedUntil: null, attempts: verdict.attempts };
  switch (verdict.kind) {
    case "delivered":
      return { ...common, status: "delivered", deliveredAt: finishedAt, resultJson: verdict.resultJson };
    case "retry":
      return { ...common, nextAttemptAt: verdict.nextAttemptAt, lastError: verdict.resultText };
    case "dead":
      return { ...common, status: "dead", deadAt: finishedAt, lastError: verdict.lastError };
  }
}

/** The OutboxAttempt row's error: the answer, and whether the claim expired before it was written. */
function attemptError(verdict: OutboxVerdict, written: boolean): string | null {
  if (verdict.outcome === "delivered") return written ? null : CLAIM_EXPIRED;
  return written ? verdict.resultText : `${verdict.resultText} (${CLAIM_EXPIRED})`;
}

export function createOutboxApply(options: { db: Db; now: () => Date; log: Logger }) {
  const { db, now, log } = options;

  /**
   * The message of the same payment that makes a queued pending (its resolve / reject) or confirm pointless,
   * if any. A confirm is pointless once the payment is rejected, and once a resolve or pending is queued: those
   * are queued only after Shopify answered the confirm on the confirmation callback, which proves Shopify had
   * it (a confirm whose answer was lost on the wire would otherwise keep retrying beside the resolve).
   */
  async function supersedingMessage(message: OutboxMessageRow): Promise<{ id: string; mutation: string } | null> {
    if (!message.paymentSessionId) return null;
    const by =
      message.mutation === "paymentSessionPending"
        ? ["paymentSessionResolve", "paymentSessionReject"]
        : message.mutation === "paymentSessionConfirm"
          ? ["paymentSessionReject", "paymentSessionResolve", "paymentSessionPending"]
          : null;
    if (!by) return null;
    return db.outboxMessage.findFirst({
      where: { paymentSessionId: message.paymentSessionId, mutation: { in: by }, status: { in: ["pending", "delivered"] } },
      select: { id: true, mutation: true },
    });
  }

  /** Did Shopify already accept a mutation for this payment session (so it surely had the app's answer)? */
  async function shopifyHadTheAnswer(message: OutboxMessageRow): Promise<boolean> {
    if (!message.paymentSessionId) return false;
    const delivered = await db.outboxMessage.findFirst({
      where: { paymentSessionId: message.paymentSessionId, status: "delivered", id: { not: message.id } },
      select: { id: true },
    });
    if (delivered) return true;
    const session = await db.paymentSession.findUnique({
      where: { id: message.paymentSessionId },
      select: { nextActionUrl: true },
    });
    return Boolean(session?.nextActionUrl);
  }

  /** Closes a pending that a resolve / reject of the same payment superseded (no HTTP call). */
  async function closeSuperseded(
    message: OutboxMessageRow,
    claimToken: string,
    by: { id: string; mutation: string },
  ): Promise<AttemptVerdict> {
    const at = now();
    const closed = await db.$transaction(async (tx) => {
      const { count } = await tx.outboxMessage.updateMany({
        where: { id: message.id, lockedBy: claimToken, status: "pending" },
        data: {
          lockedBy: null,
          lockedUntil: null,
          status: "delivered",
          deliveredAt: at,
          resultJson: JSON.stringify({ kind: "superseded", by: { messageId: by.id, mutation: by.mutation } }),
        },
      });
      if (count !== 1) return false;
      await tx.outboxAttempt.create({
        data: { outboxMessageId: message.id, startedAt: at, durationMs: 0, httpStatus: null, outcome: "superseded", error: null },
      });
      return true;
    });
    if (!closed) return "locked";
    log.info(
      { messageId: message.id, mutation: message.mutation, paymentSessionId: message.paymentSessionId, supersededBy: by.mutation, supersedingMessageId: by.id },
      "not sent: superseded by the payment's final answer",
    );
    return "delivered";
  }

  /** Writes the verdict if the claim still holds; "locked" when it no longer did (then only the attempt row is written). */
  async function recordVerdict(
    message: OutboxMessageRow,
    claimToken: string,
    verdict: OutboxVerdict,
    attempt: RecordedAttempt,
  ): Promise<AttemptVerdict> {
    const lockLost = await db.$transaction(async (tx) => {
      // Write first (SQLite then waits for its write lock instead of failing on a stale snapshot).
      const { count } = await tx.outboxMessage.updateMany({
        where: { id: message.id, lockedBy: claimToken, status: "pending" },
        data: messageUpdate(verdict, attempt.finishedAt),
      });
      await tx.outboxAttempt.create({
        data: {
          outboxMessageId: message.id,
          startedAt: attempt.startedAt,
          durationMs: attempt.durationMs,
          httpStatus: verdict.httpStatus,
          outcome: verdict.outcome,
          error: attemptError(verdict, count === 1),
        },
      });
      if (count !== 1) return true;
      if (verdict.kind === "delivered") {
        await applyDeliveredEffects(tx, message, verdict, attempt.adjustedPendingExpiry, attempt.finishedAt);
      }
      if (verdict.kind === "dead") await writeDeadLetter(tx, message, verdict);
      return false;
    });

    const fields = {
      messageId: message.id,
      mutation: message.mutation,
      shop: message.shop,
      paymentSessionId: message.paymentSessionId,
      refundSessionId: message.refundSessionId,
      settlementSessionId: message.settlementSessionId,
      attempt: verdict.attempts,
      httpStatus: verdict.httpStatus,
      durationMs: attempt.durationMs,
    };
    const { outcome, resultText } = verdict;
    if (lockLost) {
      log.warn({ ...fields, result: resultText }, "outbox claim expired during delivery; the new owner's outcome stands");
      return "locked";
    }
    if (verdict.kind === "delivered" && message.mutation === "paymentSessionPending" && outcome === "already_done") {
      // PENDING_INVALID_STATE "already resolved or rejected": the final answer reached Shopify first.
      log.info({ ...fields, outcome }, "pending refused by Shopify: the payment is already resolved or rejected; closed, nothing to do");
    } else if (verdict.kind === "delivered") log.info({ ...fields, outcome }, "Shopify mutation delivered");
    else if (verdict.kind === "retry") {
      log.warn({ ...fields, error: resultText, nextAttemptAt: verdict.nextAttemptAt.toISOString() }, "Shopify mutation failed; will retry");
    } else {
      log.error({ ...fields, reason: verdict.reason, error: resultText }, "Shopify mutation dead-lettered: the merchant must act");
    }
    return verdict.kind;
  }

  return { supersedingMessage, shopifyHadTheAnswer, closeSuperseded, recordVerdict };
}
