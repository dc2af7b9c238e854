/**
 * Refund sessions. Soisy has no refund API: a refund is stored, answered 201, and shown to the
 * merchant with what to do at Soisy (cancel or reduce the loan). The merchant confirms ("refunded at
 * Soisy" → refundSessionResolve) or declines (refundSessionReject); shops that settle refunds with
 * Soisy offline can have them resolved automatically. Partial refunds keep their own amount.
 */
import type { Db } from "~/db.server";
import { parseDecimalToCents, InvalidAmountError } from "~/money/cents";
import { enqueueMutation } from "./outbox.server";
import type { PaymentDeps } from "./payment-deps.server";
import { checkAgainstPayment, COMMITTED_REFUND_STATES, type RefusalCode } from "./session-checks";
import type { RefundSessionRequest } from "./shopify-requests";

export const REFUND_STATES = ["awaiting_merchant", "resolving", "resolved", "rejecting", "rejected"] as const;
export type RefundState = (typeof REFUND_STATES)[number];

export type RefundReceiveResult =
  | { ok: true; created: boolean; refused?: RefusalCode }
  | { ok: false; status: 400 | 404 | 409; message: string };

/**
 * A refund session from Shopify. Checked against its payment (session-checks.ts): a refund that
 * fails the checks is still answered 201 (Shopify expects 201 for every refund session it sends;
 * anything else makes it retry and then mark the refund failed without a reason) and rejected
 * through the outbox (refundSessionReject with a merchant message in Italian and English); it is
 * never put to the merchant as a task. Replaying the same refund id with the same data gets the
 * same answer; the same id with other data, or a gid already used by another refund → 409.
 */
export async function receiveRefundSession(deps: PaymentDeps, shop: string, body: RefundSessionRequest): Promise<RefundReceiveResult> {
  const { db } = deps;
  let amountCents: number;
  try {
    amountCents = parseDecimalToCents(body.amount);
  } catch (error) {
    if (error instanceof InvalidAmountError) return { ok: false, status: 400, message: `amount: ${error.message}` };
    throw error;
  }
  const replay = await replayAnswer(db, shop, body, amountCents);
  if (replay) return replay;
  const payment = await db.paymentSession.findUnique({ where: { id: body.payment_id } });
  if (!payment || payment.shop !== shop) return { ok: false, status: 404, message: `payment ${body.payment_id} is not known for ${shop}` };
  const settings = await db.shopSettings.findUnique({ where: { shop } });
  const auto = settings?.autoResolveRefunds === true;
  let refused: RefusalCode | undefined;
  try {
    await db.$transaction(async (tx) => {
      // Touching the payment row first serialises concurrent refunds of one payment (a row lock on
      // PostgreSQL, the write lock on SQLite), so two refunds cannot both take the last euro.
      await tx.paymentSession.updateMany({ where: { id: payment.id }, data: { updatedAt: deps.now() } });
      const committed = await tx.refundSession.aggregate({
        where: { paymentSessionId: payment.id, state: { in: [...COMMITTED_REFUND_STATES] } },
        _sum: { amountCents: true },
      });
      const refusal = checkAgainstPayment("refund", payment, { amountCents, currency: body.currency }, committed._sum.amountCents ?? 0);
      refused = refusal?.code;
      const state: RefundState = refusal ? "rejecting" : auto ? "resolving" : "awaiting_merchant";
      await tx.refundSession.create({
        data: {
          id: body.id,
          gid: body.gid,
          shop,
          paymentSessionId: payment.id,
          amountCents,
          currency: body.currency,
          test: body.test,
          merchantLocale: body.merchant_locale ?? null,
          proposedAt: new Date(body.proposed_at),
          state,
          ...(refusal ? { decidedBy: "app", decidedAt: deps.now(), rejectReason: refusal.merchantMessage } : auto ? { decidedBy: "auto", decidedAt: deps.now() } : {}),
        },
      });
      await tx.timelineEvent.create({
        data: {
          shop,
          paymentSessionId: payment.id,
          source: "shopify",
          type: "refund_session_received",
          dedupeKey: `shopify-refund:${body.id}`,
          detailJson: JSON.stringify({ refundId: body.id, amountCents, auto, ...(refusal ? { refused: refusal.code, remainingCents: refusal.remainingCents } : {}) }),
        },
      });
      if (refusal) {
        await tx.timelineEvent.create({
          data: {
            shop,
            paymentSessionId: payment.id,
            source: "app",
            type: "refund_refused",
            detailJson: JSON.stringify({ refundId: body.id, amountCents, code: refusal.code, remainingCents: refusal.remainingCents }),
          },
        });
      }
      if (refusal || auto) {
        await enqueueMutation(tx, {
          shop,
          refundSessionId: body.id,
          mutation: refusal ? "refundSessionReject" : "refundSessionResolve",
          variables: refusal
            ? { id: body.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: refusal.merchantMessage } }
            : { id: body.gid },
          // Shopify accepts the mutation only after it has our 201.
          notBefore: new Date(deps.now().getTime() + 2_000),
        });
      }
    });
  } catch (error) {
    // A concurrent delivery of the same refund won the insert, or the gid is another refund's.
    const again = await replayAnswer(db, shop, body, amountCents);
    if (again) return again;
    throw error;
  }
  if (refused) deps.logger.warn({ shop, refundId: body.id, paymentId: payment.id, refused }, "refund session refused (rejected through the outbox)");
  return { ok: true, created: true, ...(refused ? { refused } : {}) };
}

/** The answer to a refund id (or gid) already stored, or null when both are new. */
async function replayAnswer(db: Db, shop: string, body: RefundSessionRequest, amountCents: number): Promise<RefundReceiveResult | null> {
  const existing = await db.refundSession.findUnique({ where: { id: body.id } });
  if (existing) {
    const same =
      existing.shop === shop &&
      existing.gid === body.gid &&
      existing.paymentSessionId === body.payment_id &&
      existing.amountCents === amountCents &&
      existing.currency === body.currency;
    return same ? { ok: true, created: false } : { ok: false, status: 409, message: "a refund session with this id exists with different data" };
  }
  const gidTaken = await db.refundSession.findUnique({ where: { gid: body.gid }, select: { id: true } });
  if (gidTaken) return { ok: false, status: 409, message: "this refund session gid belongs to another refund session" };
  return null;
}

export type RefundDecision = "resolve" | "reject";
export type RefundDecisionResult =
  | { ok: true; state: RefundState }
  | { ok: false; status: 404 | 409; message: string };

/** The timeline row a decision writes (default: the merchant's refund_confirmed / refund_declined). */
export interface DecisionRecord {
  source: string;
  type: string;
  detail: Record<string, unknown>;
}

/**
 * A decision on a refund awaiting the merchant: the merchant's (the admin's buttons) or the app's
 * from Soisy's data (refund-settle.server.ts, decidedBy "soisy", with its evidence as `record`).
 * Idempotent: repeating the same decision is fine; the conditional update lets exactly one of
 * several concurrent deciders queue the Shopify mutation.
 */
export async function decideRefund(
  deps: PaymentDeps,
  shop: string,
  refundId: string,
  decision: RefundDecision,
  decidedBy: string,
  reason?: string,
  record?: DecisionRecord,
): Promise<RefundDecisionResult> {
  const { db } = deps;
  const refund = await db.refundSession.findUnique({ where: { id: refundId } });
  if (!refund || refund.shop !== shop) return { ok: false, status: 404, message: "refund not found" };
  const target: RefundState = decision === "resolve" ? "resolving" : "rejecting";
  const done: RefundState = decision === "resolve" ? "resolved" : "rejected";
  if (refund.state === target || refund.state === done) return { ok: true, state: refund.state as RefundState };
  if (refund.state !== "awaiting_merchant") {
    // Refused by the app's checks when Shopify sent it: never the merchant's to decide.
    if (refund.decidedBy === "app") return { ok: false, status: 409, message: refund.rejectReason ?? "the app rejected this refund" };
    return { ok: false, status: 409, message: `refund already ${refund.state}` };
  }
  const changed = await db.$transaction(async (tx) => {
    const updated = await tx.refundSession.updateMany({
      where: { id: refund.id, state: "awaiting_merchant" },
      data: { state: target, decidedBy, decidedAt: deps.now(), rejectReason: decision === "reject" ? (reason ?? null) : null },
    });
    if (updated.count !== 1) return false;
    await enqueueMutation(tx, {
      shop,
      refundSessionId: refund.id,
      mutation: decision === "resolve" ? "refundSessionResolve" : "refundSessionReject",
      variables:
        decision === "resolve"
          ? { id: refund.gid }
          : { id: refund.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: (reason ?? "Refund declined by the merchant").slice(0, 255) } },
    });
    await tx.timelineEvent.create({
      data: {
        shop,
        paymentSessionId: refund.paymentSessionId,
        source: record?.source ?? "merchant",
        type: record?.type ?? (decision === "resolve" ? "refund_confirmed" : "refund_declined"),
        detailJson: JSON.stringify({ refundId: refund.id, amountCents: refund.amountCents, by: decidedBy, ...record?.detail }),
      },
    });
    return true;
  });
  if (!changed) return decideRefund(deps, shop, refundId, decision, decidedBy, reason, record);
  const message = await db.outboxMessage.findUnique({
    where: { dedupeKey: `${refund.id}:${decision === "resolve" ? "refundSessionResolve" : "refundSessionReject"}` },
  });
  if (message && deps.deliverNow) await deps.deliverNow(message.id).catch(() => undefined);
  const after = await db.refundSession.findUniqueOrThrow({ where: { id: refund.id } });
  return { ok: true, state: after.state as RefundState };
}
