/**
 * Reconciliation: polls Soisy (GET /orders/{token}) for payments still open after a delay and
 * feeds what it sees into the same lifecycle as callbacks do — so a lost or never-sent callback,
 * or a shopper who never came back, still settles the Shopify payment session.
 */
import type { PaymentState } from "./lifecycle";
import { applyInput } from "./apply-input.server";
import { observeSoisy } from "./inputs.server";
import type { PaymentDeps } from "./payment-deps.server";

const RECONCILE_SOISY_DEADLINE_MS = 15_000;

// "confirming" too: a poll settles a loan Soisy cancelled meanwhile and notices a confirmation answer that never comes.
const OPEN_STATES: PaymentState[] = ["preapproval", "redirected", "abandoned", "confirming", "pending"];

export interface ReconcileReport {
  checked: number;
  changed: number;
  failed: number;
}

export async function reconcileOpenPayments(deps: PaymentDeps, options: { olderThanMs: number; limit?: number }): Promise<ReconcileReport> {
  const now = deps.now();
  const cutoff = new Date(now.getTime() - options.olderThanMs);
  const candidates = await deps.db.paymentSession.findMany({
    where: {
      state: { in: OPEN_STATES },
      soisyToken: { not: null },
      createdAt: { lte: cutoff },
      OR: [{ lastCheckedAt: null }, { lastCheckedAt: { lte: cutoff } }],
    },
    orderBy: [{ lastCheckedAt: { sort: "asc", nulls: "first" } }],
    take: options.limit ?? 100,
  });
  const report: ReconcileReport = { checked: 0, changed: 0, failed: 0 };
  for (const session of candidates) {
    report.checked++;
    try {
      // Bounded per order, so one hanging order cannot hold up the whole pass.
      const { observation, order } = await observeSoisy(deps, session, { deadlineAt: Date.now() + RECONCILE_SOISY_DEADLINE_MS });
      const statusChanged = order.status !== session.soisyStatus;
      const applied = await applyInput(deps, session.id, { kind: "reconciled", soisy: observation }, {
        soisy: order,
        ...(statusChanged ? { timeline: { source: "soisy_poll", type: "soisy_status", detail: { status: order.status } } } : {}),
      });
      if (applied.session.state !== session.state) report.changed++;
    } catch (error) {
      report.failed++;
      await deps.db.paymentSession.updateMany({ where: { id: session.id }, data: { lastCheckedAt: now } });
      deps.logger.warn({ sessionId: session.id, err: error }, "reconciliation could not read the Soisy order");
    }
  }
  return report;
}
