/**
 * The dashboard's figures from the database: three grouped queries, whatever the number of payments
 * (no payment row is loaded). Each filters PaymentSession on shop + createdAt range first, so it runs
 * on the `@@index([shop, createdAt])`:
 *  1. started payments grouped by UTC hour of creation and state (count, Σ loan) — the totals and the
 *     Rome-day buckets are summed from these groups (app/dashboard/metrics.ts);
 *  2. Σ / count of Soisy's instalments (SoisyPayout joined on orderReference = payment id) of the
 *     approved ones;
 *  3. per started payment, the first Soisy observation saying the loan is verified (or further), and
 *     the seconds from the payment's creation to it: Σ and count.
 * The joins are written `p CROSS JOIN x WHERE …`: SQLite then keeps the payments (the period, on
 * the index) as the outer loop instead of reading all the shop's payouts; PostgreSQL plans as usual.
 * Raw SQL because Prisma cannot group by an expression; one expression per database flavour (dates
 * are TEXT in ISO 8601 on SQLite, timestamp(3) in UTC on PostgreSQL).
 */
import { z } from "zod";
import type { Db, DatabaseKind } from "~/db.server";
import { Prisma } from "~/generated/prisma-sqlite/client";
import { buildMetrics, NOT_STARTED_STATES, type DashboardMetrics } from "./metrics";
import type { DashboardPeriod } from "./period";

/**
 * Soisy statuses meaning the loan was verified (or went further): `waiting_for_disbursement` and
 * `waiting_for_trigger` follow Soisy's `LoanWasVerified`, `disbursed` follows it too. The app writes
 * what Soisy said on the payment's timeline: callbacks (`type` = Soisy's eventId, detail.soisyStatus),
 * polls (`soisy_status`, detail.status) and shopper returns (detail.soisyStatus).
 */
export const VERIFIED_STATUSES = ["waiting_for_disbursement", "waiting_for_trigger", "disbursed"] as const;
export const VERIFICATION_SOURCES = ["soisy_callback", "soisy_poll", "shopper_return"] as const;

/** COUNT and SUM come back as bigint (or a decimal on PostgreSQL's SUM of bigint): whole numbers only. */
const wholeNumber = z
  .union([z.bigint(), z.number(), z.string(), z.custom<object>((v) => typeof v === "object" && v !== null)])
  .nullable()
  .transform((v, ctx) => {
    const n = v === null ? 0 : Number(String(v));
    if (!Number.isSafeInteger(n)) {
      ctx.addIssue({ code: "custom", message: `not a whole number: ${String(v)}` });
      return z.NEVER;
    }
    return n;
  });

const hourRows = z.array(z.object({ hour: wholeNumber, state: z.string(), n: wholeNumber, v: wholeNumber }));
const sumRows = z.array(z.object({ s: wholeNumber, n: wholeNumber })).length(1);

function epochSeconds(kind: DatabaseKind, column: string): Prisma.Sql {
  return kind === "postgres"
    ? Prisma.raw(`FLOOR(EXTRACT(EPOCH FROM ${column}))::bigint`)
    : Prisma.raw(`CAST(strftime('%s', ${column}) AS INTEGER)`);
}

function hourOf(kind: DatabaseKind, column: string): Prisma.Sql {
  return kind === "postgres"
    ? Prisma.raw(`FLOOR(EXTRACT(EPOCH FROM ${column}) / 3600)::bigint`)
    : Prisma.raw(`(CAST(strftime('%s', ${column}) AS INTEGER) / 3600)`);
}

/** The period's payments of the shop and mode that started (alias p). */
function startedWhere(shop: string, period: DashboardPeriod): Prisma.Sql {
  return Prisma.sql`p."shop" = ${shop} AND p."createdAt" >= ${period.start} AND p."createdAt" < ${period.endExclusive}
    AND p."test" = ${period.mode === "test"} AND p."state" NOT IN (${Prisma.join([...NOT_STARTED_STATES])})`;
}

/** The three queries (exported so a test can read their plans). */
export function dashboardQueries(kind: DatabaseKind, shop: string, period: DashboardPeriod): Record<"hours" | "instalments" | "verification", Prisma.Sql> {
  const where = startedWhere(shop, period);
  const verifiedLike = Prisma.join(
    VERIFIED_STATUSES.map((s) => Prisma.sql`e."detailJson" LIKE ${`%"${s}"%`}`),
    " OR ",
  );
  return {
    hours: Prisma.sql`SELECT ${hourOf(kind, 'p."createdAt"')} AS "hour", p."state" AS "state", COUNT(*) AS "n",
        SUM(COALESCE(p."soisyLoanAmountCents", p."amountCents")) AS "v"
      FROM "PaymentSession" p WHERE ${where} GROUP BY 1, 2`,
    instalments: Prisma.sql`SELECT SUM(sp."instalments") AS "s", COUNT(sp."instalments") AS "n"
      FROM "PaymentSession" p CROSS JOIN "SoisyPayout" sp
      WHERE ${where} AND p."state" = 'resolved'
        AND sp."shop" = p."shop" AND sp."orderReference" = p."id" AND sp."environment" = p."environment" AND sp."instalments" IS NOT NULL`,
    verification: Prisma.sql`SELECT SUM(f."seconds") AS "s", COUNT(*) AS "n" FROM (
        SELECT ${epochSeconds(kind, 'MIN(e."createdAt")')} - ${epochSeconds(kind, 'p."createdAt"')} AS "seconds"
        FROM "PaymentSession" p CROSS JOIN "TimelineEvent" e
        WHERE ${where} AND e."paymentSessionId" = p."id" AND e."source" IN (${Prisma.join([...VERIFICATION_SOURCES])})
          AND (e."type" = 'LoanWasVerified' OR ${verifiedLike})
        GROUP BY p."id", p."createdAt") f`,
  };
}

export async function dashboardMetrics(db: Db, kind: DatabaseKind, shop: string, period: DashboardPeriod): Promise<DashboardMetrics> {
  const q = dashboardQueries(kind, shop, period);
  const [groups, instalments, verification] = await Promise.all([db.$queryRaw(q.hours), db.$queryRaw(q.instalments), db.$queryRaw(q.verification)]);
  const hours = hourRows.parse(groups);
  const [inst] = sumRows.parse(instalments);
  const [verified] = sumRows.parse(verification);
  return buildMetrics({
    groups: hours.map((g) => ({ hour: g.hour, state: g.state, count: g.n, valueCents: g.v })),
    days: period.days,
    instalments: { sum: inst!.s, count: inst!.n },
    verification: { totalSeconds: verified!.s, count: verified!.n },
  });
}
