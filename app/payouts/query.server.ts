/**
 * Reads what the reconciliation needs for one shop (payments with their resolved refunds and captures,
 * Soisy's payout rows, the grace period) and returns the reconciled lines in a period, optionally only
 * those with a difference; plus the sync's state per environment. The page and the CSV share it.
 */
import { z } from "zod";
import type { Db } from "~/db.server";
import { reconcile, type ReconLine, type ReconPayment, type ReconPayout } from "./reconcile";
import { romeDay } from "~/time/rome";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)));

/** Query parameters of the page and the CSV: `from` / `to` (Italian calendar days, inclusive, as the dashboard's), `diff=1`. Bad values are ignored. */
export const PayoutFiltersSchema = z.object({
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
  diff: z.enum(["1"]).optional().catch(undefined),
});
export type PayoutFilters = z.infer<typeof PayoutFiltersSchema>;

export function parsePayoutFilters(params: URLSearchParams): PayoutFilters {
  return PayoutFiltersSchema.parse({
    from: params.get("from") ?? undefined,
    to: params.get("to") ?? undefined,
    diff: params.get("diff") ?? undefined,
  });
}

export async function reconciliationInputs(db: Db, shop: string) {
  const [payments, payouts, settings] = await Promise.all([
    db.paymentSession.findMany({
      where: { shop, soisyToken: { not: null } },
      select: {
        id: true,
        state: true,
        kind: true,
        environment: true,
        amountCents: true,
        currency: true,
        soisyToken: true,
        createdAt: true,
        resolvedAt: true,
        refunds: { where: { state: "resolved" }, select: { amountCents: true } },
        settlements: { where: { kind: "capture", state: "resolved" }, select: { amountCents: true, decidedAt: true, updatedAt: true } },
      },
    }),
    db.soisyPayout.findMany({
      where: { shop },
      select: {
        environment: true,
        soisyOrderReference: true,
        orderReference: true,
        status: true,
        loanAmountCents: true,
        loanNetAmountCents: true,
        feeCents: true,
        disbursedAt: true,
        requestedAt: true,
      },
    }),
    db.shopSettings.findUnique({ where: { shop }, select: { payoutGraceDays: true } }),
  ]);
  const reconPayments: ReconPayment[] = payments.map((p) => {
    const captures = p.settlements;
    const capturedAt = captures.reduce<Date | null>((max, c) => {
      const at = c.decidedAt ?? c.updatedAt;
      return !max || at > max ? at : max;
    }, null);
    return {
      id: p.id,
      state: p.state,
      kind: p.kind,
      environment: p.environment,
      amountCents: p.amountCents,
      currency: p.currency,
      soisyToken: p.soisyToken,
      createdAt: p.createdAt,
      resolvedAt: p.resolvedAt,
      capturedCents: captures.length ? captures.reduce((s, c) => s + (c.amountCents ?? 0), 0) : null,
      capturedAt,
      refundedCents: p.refunds.reduce((s, r) => s + r.amountCents, 0),
    };
  });
  return { payments: reconPayments, payouts: payouts as ReconPayout[], graceDays: settings?.payoutGraceDays ?? 7 };
}

function inPeriod(line: ReconLine, filters: PayoutFilters): boolean {
  const day = romeDay(line.date);
  if (filters.from && day < filters.from) return false;
  if (filters.to && day > filters.to) return false;
  return true;
}

export async function payoutLines(db: Db, shop: string, filters: PayoutFilters, now: Date): Promise<ReconLine[]> {
  const input = await reconciliationInputs(db, shop);
  return reconcile({ ...input, now }).filter((l) => inPeriod(l, filters) && (!filters.diff || l.differences.length > 0));
}

export async function payoutSyncStates(db: Db, shop: string) {
  return db.payoutSync.findMany({
    where: { shop },
    select: { environment: true, lastRunAt: true, lastSuccessAt: true, lastError: true, rowsSeen: true },
    orderBy: { environment: "asc" },
  });
}
