/**
 * The dashboard's period: whole days in Europe/Rome (the merchants' time zone), from `from` to `to`
 * inclusive, read from the query string (`?from=2026-11-01&to=2026-11-30&mode=live`) with zod. Bad
 * input never fails the page: the default period (this month, Rome time) is used and `problem` says
 * why. Pure: `now` is passed in.
 */
import { z } from "zod";
import { ROME_TIME_ZONE, romeDay, romeMidnight } from "~/time/rome";

export const DASHBOARD_TIME_ZONE = ROME_TIME_ZONE;
/** The longest period the dashboard computes (a leap year). */
export const MAX_PERIOD_DAYS = 366;

export type DashboardMode = "live" | "test";
export type PeriodProblem = "invalid_date" | "from_after_to" | "too_long";

/** A calendar day, "YYYY-MM-DD". */
export type Day = string;

export interface DashboardPeriod {
  from: Day;
  to: Day;
  /** The first instant of `from` in Rome. */
  start: Date;
  /** The first instant of the day after `to` in Rome (exclusive end). */
  endExclusive: Date;
  /** Every day of the period, in order. */
  days: Day[];
  /** Whether this is the default period (this month so far). */
  isDefault: boolean;
  mode: DashboardMode;
  /** Why the query's period was not used, when it was not. */
  problem: PeriodProblem | null;
}

const dayText = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => {
    const [y, m, d] = s.split("-").map(Number) as [number, number, number];
    const t = new Date(Date.UTC(y, m - 1, d));
    return y >= 2000 && y <= 2100 && t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
  });

const querySchema = z.object({
  from: dayText.optional(),
  to: dayText.optional(),
});

const modeSchema = z.enum(["live", "test"]);

export { romeDay, romeMidnight };

/** The calendar day after `day`. */
export function nextDay(day: Day): Day {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Days from `from` to `to` inclusive (calendar arithmetic, independent of DST). */
export function daysBetween(from: Day, to: Day): Day[] {
  const days: Day[] = [];
  for (let day = from; day <= to; day = nextDay(day)) days.push(day);
  return days;
}

function spanDays(from: Day, to: Day): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

function build(from: Day, to: Day, mode: DashboardMode, isDefault: boolean, problem: PeriodProblem | null): DashboardPeriod {
  return { from, to, start: romeMidnight(from), endExclusive: romeMidnight(nextDay(to)), days: daysBetween(from, to), isDefault, mode, problem };
}

/** This month in Rome, from its first day to today. */
export function defaultPeriod(now: Date, mode: DashboardMode): DashboardPeriod {
  const today = romeDay(now);
  return build(`${today.slice(0, 7)}-01`, today, mode, true, null);
}

/**
 * The period asked for by the query string. `defaultMode` applies when `mode` is missing or unknown.
 * A missing `to` means today; a missing `from`, the first day of `to`'s month.
 */
export function parsePeriod(params: URLSearchParams, now: Date, defaultMode: DashboardMode): DashboardPeriod {
  const parsedMode = modeSchema.safeParse(params.get("mode"));
  const mode = parsedMode.success ? parsedMode.data : defaultMode;
  const rawFrom = params.get("from") || undefined;
  const rawTo = params.get("to") || undefined;
  if (!rawFrom && !rawTo) return defaultPeriod(now, mode);
  const parsed = querySchema.safeParse({ from: rawFrom, to: rawTo });
  if (!parsed.success) return { ...defaultPeriod(now, mode), problem: "invalid_date" };
  const to = parsed.data.to ?? romeDay(now);
  const from = parsed.data.from ?? `${to.slice(0, 7)}-01`;
  if (from > to) return { ...defaultPeriod(now, mode), problem: "from_after_to" };
  if (spanDays(from, to) > MAX_PERIOD_DAYS) return { ...defaultPeriod(now, mode), problem: "too_long" };
  return build(from, to, mode, false, null);
}
