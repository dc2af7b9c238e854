/**
 * What a settled outbox message changes outside the outbox, written by the worker's apply step
 * (outbox-apply.server.ts) in the same transaction as the message's outcome:
 * - delivered: the payment session's nextActionUrl (and the pending expiry Shopify actually took), the
 *   refund session's state and decision time, the capture / void session's state (resolving → resolved,
 *   rejecting → rejected);
 * - dead: the `outbox_dead_letter` timeline row that tells the merchant to act (once per message), on the
 *   payment's timeline also for a refund's, capture's or void's message.
 */
import type { Db } from "~/db.server";
import { isRefundSessionMutation } from "~/shopify/payments-api.server";
import { deadLetterDedupeKey, OUTBOX_DEAD_LETTER_EVENT } from "./outbox-keys";
import { isSettlementSessionMutation, paymentOfMessage, type OutboxTx } from "./outbox.server";
import type { OutboxVerdict } from "./outbox-verdict";
import type { SendResult } from "./outbox-send.server";

export type OutboxMessageRow = NonNullable<Awaited<ReturnType<Db["outboxMessage"]["findUnique"]>>>;

export async function applyDeliveredEffects(
  tx: OutboxTx,
  message: OutboxMessageRow,
  verdict: Extract<OutboxVerdict, { kind: "delivered" }>,
  adjusted: SendResult["adjustedPendingExpiry"],
  finishedAt: Date,
): Promise<void> {
  if (adjusted) {
    // What Shopify holds now: the message's variables and the session's expiry follow it.
    await tx.outboxMessage.updateMany({ where: { id: message.id }, data: { variablesJson: adjusted.variablesJson } });
    if (message.paymentSessionId) {
      await tx.paymentSession.updateMany({ where: { id: message.paymentSessionId }, data: { pendingExpiresAt: adjusted.at } });
    }
  }
  if (message.paymentSessionId && verdict.nextActionUrl) {
    await tx.paymentSession.updateMany({
      where: { id: message.paymentSessionId },
      data: { nextActionUrl: verdict.nextActionUrl },
    });
  }
  if (message.refundSessionId && isRefundSessionMutation(message.mutation)) {
    await tx.refundSession.updateMany({
      where: { id: message.refundSessionId },
      data: { state: message.mutation === "refundSessionResolve" ? "resolved" : "rejected" },
    });
    await tx.refundSession.updateMany({
      where: { id: message.refundSessionId, decidedAt: null },
      data: { decidedAt: finishedAt },
    });
  }
  if (message.settlementSessionId && isSettlementSessionMutation(message.mutation)) {
    const resolve = message.mutation.endsWith("Resolve");
    await tx.settlementSession.updateMany({
      where: { id: message.settlementSessionId, state: resolve ? "resolving" : "rejecting" },
      data: { state: resolve ? "resolved" : "rejected", nextAttemptAt: null, version: { increment: 1 } },
    });
    await tx.settlementSession.updateMany({
      where: { id: message.settlementSessionId, decidedAt: null },
      data: { decidedAt: finishedAt },
    });
  }
}

/** The merchant's timeline row for a dead message (on its payment, also for a refund's message). */
export async function writeDeadLetter(
  tx: OutboxTx,
  message: OutboxMessageRow,
  verdict: Extract<OutboxVerdict, { kind: "dead" }>,
): Promise<void> {
  const paymentSessionId = await paymentOfMessage(tx, message);
  const dedupeKey = deadLetterDedupeKey(message.id);
  if (!paymentSessionId || (await tx.timelineEvent.findUnique({ where: { dedupeKey }, select: { id: true } }))) return;
  await tx.timelineEvent.create({
    data: {
      shop: message.shop,
      paymentSessionId,
      source: "app",
      type: OUTBOX_DEAD_LETTER_EVENT,
      dedupeKey,
      detailJson: JSON.stringify({
        messageId: message.id,
        mutation: message.mutation,
        ...(message.refundSessionId ? { refundSessionId: message.refundSessionId } : {}),
        ...(message.settlementSessionId ? { settlementSessionId: message.settlementSessionId } : {}),
        reason: verdict.reason,
        attempts: verdict.attempts,
        lastError: verdict.resultText,
        ...(verdict.userErrors ? { userErrors: verdict.userErrors } : {}),
      }),
    },
  });
}
