/** One payment with its timeline, outbox messages (with attempts), refunds, captures and voids — scoped to a shop. */
import type { Db } from "~/db.server";

export async function getTransaction(db: Db, shop: string, id: string) {
  const payment = await db.paymentSession.findFirst({
    where: { id, shop },
    include: {
      events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      refunds: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      settlements: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
    },
  });
  if (!payment) return null;
  const refundIds = payment.refunds.map((r) => r.id);
  const settlementIds = payment.settlements.map((s) => s.id);
  const messages = await db.outboxMessage.findMany({
    where: {
      shop,
      OR: [
        { paymentSessionId: payment.id },
        ...(refundIds.length ? [{ refundSessionId: { in: refundIds } }] : []),
        ...(settlementIds.length ? [{ settlementSessionId: { in: settlementIds } }] : []),
      ],
    },
    include: { attemptsLog: { orderBy: [{ startedAt: "asc" }, { id: "asc" }] } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return { payment, messages };
}
