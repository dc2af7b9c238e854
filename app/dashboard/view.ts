/**
 * The dashboard's figures as the merchant reads them, built on the server (no formatting drift
 * between the server's HTML and the browser): texts in Italian or English, amounts through
 * app/i18n/money.ts, days written by hand (not Intl, whose data differ between Node and browsers).
 */
import { translator, type Locale } from "~/i18n/i18n";
import { formatEuro } from "~/i18n/money";
import { durationParts, formatTenths, type DashboardMetrics } from "./metrics";
import { MAX_PERIOD_DAYS, type DashboardPeriod, type Day } from "./period";

const MONTHS: Record<Locale, string[]> = {
  it: ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"],
  en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
};

/** "2026-12-05" → "5 dic 2026" / "5 Dec 2026". */
export function formatDay(day: Day, locale: Locale, withYear = true): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return `${d} ${MONTHS[locale][m - 1]}${withYear ? ` ${y}` : ""}`;
}

export function formatDuration(seconds: number, locale: Locale): string {
  const t = translator(locale);
  const p = durationParts(seconds);
  if (p.days === 0 && p.hours === 0 && p.minutes === 0) return t("metrics.duration.seconds", { count: p.seconds });
  const parts: string[] = [];
  if (p.days) parts.push(t("metrics.duration.days", { count: p.days }));
  if (p.hours) parts.push(t("metrics.duration.hours", { count: p.hours }));
  if (p.minutes && !p.days) parts.push(t("metrics.duration.minutes", { count: p.minutes }));
  return parts.join(" ");
}

export type FigureKey = "started" | "approved" | "refused" | "abandoned" | "inProgress" | "conversion" | "financed" | "instalments" | "verification";

export interface FigureView {
  key: FigureKey;
  label: string;
  value: string;
  note?: string;
}

export interface DayView {
  day: Day;
  label: string;
  shortLabel: string;
  /** "1 dic" / "1 Dec": the axis label of a month's first day on long periods. */
  monthLabel: string;
  started: number;
  approved: number;
  financed: string;
  /** The bar's accessible text. */
  description: string;
}

export interface DashboardView {
  title: string;
  from: Day;
  to: Day;
  mode: DashboardPeriod["mode"];
  isDefault: boolean;
  problem: string | null;
  figures: FigureView[];
  days: DayView[];
}

export function dashboardView(metrics: DashboardMetrics, period: DashboardPeriod, locale: Locale): DashboardView {
  const t = translator(locale);
  const figures: FigureView[] = [
    { key: "started", label: t("metrics.started"), value: String(metrics.started) },
    { key: "approved", label: t("metrics.approved"), value: String(metrics.approved) },
    { key: "refused", label: t("metrics.refused"), value: String(metrics.refused) },
    { key: "abandoned", label: t("metrics.abandoned"), value: String(metrics.abandoned) },
    { key: "inProgress", label: t("metrics.inProgress"), value: String(metrics.inProgress) },
    {
      key: "conversion",
      label: t("metrics.conversion"),
      value: metrics.conversionTenths === null ? t("metrics.none") : `${formatTenths(metrics.conversionTenths, locale)}${locale === "it" ? " %" : "%"}`,
    },
    { key: "financed", label: t("metrics.financed"), value: formatEuro(metrics.financedCents, locale) },
    metrics.averageInstalmentsTenths === null
      ? { key: "instalments", label: t("metrics.instalments"), value: t("metrics.notAvailable") }
      : {
          key: "instalments",
          label: t("metrics.instalments"),
          value: formatTenths(metrics.averageInstalmentsTenths, locale),
          note: t("metrics.instalmentsBasis", { count: metrics.instalmentsBasis }),
        },
    metrics.averageVerificationSeconds === null
      ? { key: "verification", label: t("metrics.verification"), value: t("metrics.notAvailable") }
      : {
          key: "verification",
          label: t("metrics.verification"),
          value: formatDuration(metrics.averageVerificationSeconds, locale),
          note: t("metrics.verificationBasis", { count: metrics.verificationBasis }),
        },
  ];
  const days = metrics.daily.map((d) => {
    const label = formatDay(d.day, locale);
    const financed = formatEuro(d.financedCents, locale);
    return {
      day: d.day,
      label,
      shortLabel: String(Number(d.day.slice(8))),
      monthLabel: formatDay(d.day, locale, false),
      started: d.started,
      approved: d.approved,
      financed,
      description: t("metrics.chart.bar", { day: label, started: d.started, approved: d.approved, financed }),
    };
  });
  return {
    title: t("metrics.title", { from: formatDay(period.from, locale), to: formatDay(period.to, locale) }),
    from: period.from,
    to: period.to,
    mode: period.mode,
    isDefault: period.isDefault,
    problem: period.problem ? t(`metrics.problem.${period.problem}`, { max: MAX_PERIOD_DAYS }) : null,
    figures,
    days,
  };
}
