/**
 * Reads what the reconciliation needs for one shop (payments with their resolved refunds and captures,
 * Soisy's payout rows, the grace period) and returns the reconciled lines in a period, optionally only
 * those with a difference: all of them (the CSV) or one page of 100 with the totals of all (the page);
 * plus the sync's state per environment.
 */
import { z } from "zod";
import type { Db } from "~/db.server";
import { reconcile, reconTotals, type ReconLine, type ReconPayment, type ReconPayout, type ReconTotals } from "./reconcile";
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

/** Lines per page of the page (the CSV has them all). */
export const PAYOUT_PAGE_SIZE = 100;

/** The page's `page` parameter (1 = newest lines): a bad value is ignored (page 1); past the end is clamped by `pageOfLines`. */
const PageSchema = z
  .string()
  .regex(/^\d{1,9}$/)
  .transform(Number)
  .pipe(z.number().int().min(1))
  .optional()
  .catch(undefined);

export function parsePayoutPage(params: URLSearchParams): number {
  return PageSchema.parse(params.get("page") ?? undefined) ?? 1;
}

export interface PayoutPage {
  /** This page's lines, newest first (at most PAYOUT_PAGE_SIZE). */
  lines: ReconLine[];
  /** The page shown (a page past the end shows the last one) and how many there are (at least 1). */
  page: number;
  pageCount: number;
  /** 1-based position of the page's first line among all the filter's lines (0 when there are none). */
  firstLine: number;
  /** Every line of the filter, not only this page's. */
  totals: ReconTotals;
}

/** One page of the lines (pure): the totals count them all. */
export function pageOfLines(all: ReconLine[], requested: number, size = PAYOUT_PAGE_SIZE): PayoutPage {
  const pageCount = Math.max(1, Math.ceil(all.length / size));
  const page = Math.min(Math.max(1, Math.floor(requested) || 1), pageCount);
  const start = (page - 1) * size;
  const lines = all.slice(start, start + size);
  return { lines, page, pageCount, firstLine: lines.length ? start + 1 : 0, totals: reconTotals(all) };
}

/**
 * Everything the reconciliation reads for one shop, in four flat queries (no nested relations: on a
 * shop with years of orders those cost more than all the rest): the payments with a Soisy token, the
 * resolved refunds summed per payment, the resolved captures, Soisy's payout rows. Refunds and
 * captures carry their payment's shop (they are stored with it), so the shop scopes them directly.
 */
export async function reconciliationInputs(db: Db, shop: string) {
  const [payments, refunds, captures, payouts, settings] = await Promise.all([
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
      },
    }),
    db.refundSession.groupBy({ by: ["paymentSessionId"], where: { shop, state: "resolved" }, _sum: { amountCents: true } }),
    db.settlementSession.findMany({
      where: { shop, kind: "capture", state: "resolved" },
      select: { paymentSessionId: true, amountCents: true, decidedAt: true, updatedAt: true },
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
  const refundedOf = new Map(refunds.map((r) => [r.paymentSessionId, r._sum.amountCents ?? 0]));
  const capturesOf = new Map<string, { cents: number; at: Date }>();
  for (const c of captures) {
    const at = c.decidedAt ?? c.updatedAt;
    const seen = capturesOf.get(c.paymentSessionId);
    capturesOf.set(c.paymentSessionId, { cents: (seen?.cents ?? 0) + (c.amountCents ?? 0), at: seen && seen.at >= at ? seen.at : at });
  }
  const reconPayments: ReconPayment[] = payments.map((p) => {
    const captured = capturesOf.get(p.id);
    return {
      ...p,
      capturedCents: captured ? captured.cents : null,
      capturedAt: captured ? captured.at : null,
      refundedCents: refundedOf.get(p.id) ?? 0,
    };
  });
  return { payments: reconPayments, payouts: payouts as ReconPayout[], graceDays: settings?.payoutGraceDays ?? 7 };
}

function inPeriod(line: ReconLine, filters: PayoutFilters): boolean {
  if (!filters.from && !filters.to) return true;
  const day = romeDay(line.date);
  if (filters.from && day < filters.from) return false;
  if (filters.to && day > filters.to) return false;
  return true;
}

async function filteredLines(db: Db, shop: string, filters: PayoutFilters, now: Date) {
  const input = await reconciliationInputs(db, shop);
  const lines = reconcile({ ...input, now }).filter((l) => inPeriod(l, filters) && (!filters.diff || l.differences.length > 0));
  return { lines, graceDays: input.graceDays };
}

/** Every line of the filter, newest first (the CSV). */
export async function payoutLines(db: Db, shop: string, filters: PayoutFilters, now: Date): Promise<ReconLine[]> {
  return (await filteredLines(db, shop, filters, now)).lines;
}

/** The page's read: every line of the filter is reconciled (the totals count them all), one page of them is kept. */
export async function payoutPage(db: Db, shop: string, filters: PayoutFilters, page: number, now: Date): Promise<PayoutPage & { graceDays: number }> {
  const { lines, graceDays } = await filteredLines(db, shop, filters, now);
  return { ...pageOfLines(lines, page), graceDays };
}

export async function payoutSyncStates(db: Db, shop: string) {
  return db.payoutSync.findMany({
    where: { shop },
    select: { environment: true, lastRunAt: true, lastSuccessAt: true, lastError: true, rowsSeen: true },
    orderBy: { environment: "asc" },
  });
}
