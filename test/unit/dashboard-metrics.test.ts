/**
 * The dashboard's pure parts: the period from the query string (Rome days, DST, bad input → this
 * month with a reason), the exact percentages and averages, the Rome-day buckets of UTC hours, the
 * bar heights and the texts the merchant reads.
 */
import { describe, expect, it } from "vitest";
import {
  averageTenths,
  barHeights,
  buildMetrics,
  conversionTenths,
  dailyVolume,
  divideRoundHalfUp,
  formatTenths,
  stateTotals,
  type HourStateGroup,
} from "~/dashboard/metrics";
import { daysBetween, defaultPeriod, MAX_PERIOD_DAYS, parsePeriod, romeDay, romeMidnight } from "~/dashboard/period";
import { dashboardView, formatDay, formatDuration } from "~/dashboard/view";

const NOW = new Date("2026-12-05T14:00:00.000Z");
const params = (s: string) => new URLSearchParams(s);
const hourOf = (iso: string) => Math.floor(Date.parse(iso) / 3_600_000);

describe("Rome days", () => {
  it("midnight in Rome is 23:00 UTC in winter and 22:00 UTC in summer, also on the DST days", () => {
    expect(romeMidnight("2026-12-05").toISOString()).toBe("2026-12-04T23:00:00.000Z");
    expect(romeMidnight("2026-07-01").toISOString()).toBe("2026-06-30T22:00:00.000Z");
    // 29 March 2026: clocks go forward at 02:00 (a 23-hour day); 25 October: back at 03:00 (25 hours).
    expect(romeMidnight("2026-03-29").toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(romeMidnight("2026-03-30").toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(romeMidnight("2026-10-25").toISOString()).toBe("2026-10-24T22:00:00.000Z");
    expect(romeMidnight("2026-10-26").toISOString()).toBe("2026-10-25T23:00:00.000Z");
  });

  it("the Rome day of an instant", () => {
    expect(romeDay(new Date("2026-11-30T22:59:59.999Z"))).toBe("2026-11-30");
    expect(romeDay(new Date("2026-11-30T23:00:00.000Z"))).toBe("2026-12-01");
    expect(romeDay(new Date("2026-06-30T21:59:59.000Z"))).toBe("2026-06-30");
    expect(romeDay(new Date("2026-06-30T22:00:00.000Z"))).toBe("2026-07-01");
  });

  it("lists the days of a period across a month and a year end", () => {
    expect(daysBetween("2026-12-30", "2027-01-02")).toEqual(["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]);
  });
});

describe("the period from the query string", () => {
  it("defaults to this month in Rome, up to today", () => {
    const p = parsePeriod(params(""), NOW, "live");
    expect([p.from, p.to, p.isDefault, p.problem, p.mode]).toEqual(["2026-12-01", "2026-12-05", true, null, "live"]);
    expect(p.start.toISOString()).toBe("2026-11-30T23:00:00.000Z");
    expect(p.endExclusive.toISOString()).toBe("2026-12-05T23:00:00.000Z");
    expect(p.days).toHaveLength(5);
    // 23:30 UTC on 30 November is already 1 December in Rome.
    expect(defaultPeriod(new Date("2026-11-30T23:30:00Z"), "test").from).toBe("2026-12-01");
  });

  it("takes a valid period and mode", () => {
    const p = parsePeriod(params("from=2026-03-01&to=2026-03-31&mode=test"), NOW, "live");
    expect([p.from, p.to, p.isDefault, p.problem, p.mode]).toEqual(["2026-03-01", "2026-03-31", false, null, "test"]);
    // March 2026 has 31 days and one of 23 hours.
    expect(p.endExclusive.getTime() - p.start.getTime()).toBe((31 * 24 - 1) * 3_600_000);
  });

  it.each([
    ["from=2026-02-30&to=2026-03-01", "invalid_date"],
    ["from=yesterday", "invalid_date"],
    ["from=2026-3-1", "invalid_date"],
    ["to=9999-01-01", "invalid_date"],
    ["from=2026-03-02&to=2026-03-01", "from_after_to"],
    ["from=2025-01-01&to=2026-01-02", "too_long"],
  ])("%s → this month, problem %s", (query, problem) => {
    const p = parsePeriod(params(query), NOW, "live");
    expect([p.from, p.to, p.isDefault, p.problem]).toEqual(["2026-12-01", "2026-12-05", true, problem]);
  });

  it(`accepts exactly ${MAX_PERIOD_DAYS} days, and an unknown mode falls back to the default`, () => {
    const p = parsePeriod(params("from=2024-01-01&to=2024-12-31&mode=all"), NOW, "test");
    expect([p.problem, p.days.length, p.mode]).toEqual([null, 366, "test"]);
  });

  it("a missing from means the first of to's month", () => {
    expect(parsePeriod(params("to=2026-02-14"), NOW, "live").from).toBe("2026-02-01");
  });
});

describe("exact arithmetic", () => {
  it("rounds halves up with integers only", () => {
    expect(divideRoundHalfUp(1, 2)).toBe(1);
    expect(divideRoundHalfUp(1, 3)).toBe(0);
    expect(divideRoundHalfUp(2, 3)).toBe(1);
    expect(divideRoundHalfUp(5, 10)).toBe(1);
    expect(() => divideRoundHalfUp(1, 0)).toThrow(RangeError);
    expect(() => divideRoundHalfUp(0.5, 1)).toThrow(RangeError);
  });

  it("conversion in tenths of a percent; null when nothing started", () => {
    expect(conversionTenths(2, 3)).toBe(667);
    expect(conversionTenths(1, 3)).toBe(333);
    expect(conversionTenths(1, 8)).toBe(125);
    expect(conversionTenths(1, 16)).toBe(63); // 6.25 → 6.3
    expect(conversionTenths(3, 3)).toBe(1000);
    expect(conversionTenths(0, 0)).toBeNull();
  });

  it("averages in tenths", () => {
    expect(averageTenths(12 + 10 + 6, 3)).toBe(93);
    expect(averageTenths(0, 0)).toBeNull();
  });

  it("formats tenths per language", () => {
    expect(formatTenths(667, "it")).toBe("66,7");
    expect(formatTenths(1000, "en")).toBe("100.0");
    expect(formatTenths(123456, "it")).toBe("12.345,6");
  });
});

describe("totals and Rome-day buckets", () => {
  const groups: HourStateGroup[] = [
    // 31 Oct 23:30 UTC → 1 Nov 00:30 in Rome (winter time since 25 Oct).
    { hour: hourOf("2026-10-31T23:30:00Z"), state: "resolved", count: 2, valueCents: 30_000 },
    // 25 Oct 22:00 UTC → still 25 Oct (23:00 in Rome, after the clocks went back).
    { hour: hourOf("2026-10-25T22:00:00Z"), state: "rejected", count: 1, valueCents: 5_000 },
    // 25 Oct 23:00 UTC → 26 Oct 00:00 in Rome.
    { hour: hourOf("2026-10-25T23:00:00Z"), state: "abandoned", count: 1, valueCents: 7_000 },
    { hour: hourOf("2026-10-25T23:00:00Z"), state: "resolved", count: 1, valueCents: 12_345 },
    { hour: hourOf("2026-10-26T09:00:00Z"), state: "pending", count: 3, valueCents: 1 },
    // Outside the days asked for: ignored by the buckets.
    { hour: hourOf("2026-12-01T09:00:00Z"), state: "resolved", count: 1, valueCents: 1 },
  ];

  it("sums the outcomes; only approved payments count as financed", () => {
    expect(stateTotals(groups)).toEqual({ started: 9, approved: 4, refused: 1, abandoned: 1, inProgress: 3, financedCents: 42_346 });
  });

  it("buckets UTC hours into Rome days, including DST's 25-hour day", () => {
    const days = daysBetween("2026-10-25", "2026-11-01");
    const daily = dailyVolume(groups, days);
    expect(daily.map((d) => d.day)).toEqual(days);
    expect(daily.find((d) => d.day === "2026-10-25")).toEqual({ day: "2026-10-25", started: 1, approved: 0, financedCents: 0 });
    expect(daily.find((d) => d.day === "2026-10-26")).toEqual({ day: "2026-10-26", started: 5, approved: 1, financedCents: 12_345 });
    expect(daily.find((d) => d.day === "2026-11-01")).toEqual({ day: "2026-11-01", started: 2, approved: 2, financedCents: 30_000 });
    expect(daily.reduce((s, d) => s + d.started, 0)).toBe(8);
  });

  it("builds every figure; none available when nothing was reported", () => {
    const m = buildMetrics({ groups, days: daysBetween("2026-10-25", "2026-11-01"), instalments: { sum: 0, count: 0 }, verification: { totalSeconds: 0, count: 0 } });
    expect(m.conversionTenths).toBe(444);
    expect([m.averageInstalmentsTenths, m.averageVerificationSeconds]).toEqual([null, null]);
    const n = buildMetrics({ groups: [], days: [], instalments: { sum: 21, count: 2 }, verification: { totalSeconds: 7, count: 2 } });
    expect([n.conversionTenths, n.averageInstalmentsTenths, n.averageVerificationSeconds, n.started]).toEqual([null, 105, 4, 0]);
  });
});

describe("chart and texts", () => {
  it("scales bars to the largest; a non-zero day is at least one unit tall", () => {
    expect(barHeights([0, 1, 2, 200], 100)).toEqual([0, 1, 1, 100]);
    expect(barHeights([0, 0], 100)).toEqual([0, 0]);
  });

  it("formats days and durations in both languages", () => {
    expect(formatDay("2026-12-05", "it")).toBe("5 dic 2026");
    expect(formatDay("2026-05-01", "en")).toBe("1 May 2026");
    expect(formatDuration(42, "it")).toBe("42 s");
    expect(formatDuration(3_600 * 2 + 60 * 5 + 9, "en")).toBe("2 h 5 min");
    expect(formatDuration(86_400 * 3 + 3_600 + 60, "it")).toBe("3 g 1 h");
  });

  it("shows '—' for the conversion and 'not available' when there is nothing to average", () => {
    const period = parsePeriod(params("from=2026-11-01&to=2026-11-30"), NOW, "live");
    const empty = buildMetrics({ groups: [], days: period.days, instalments: { sum: 0, count: 0 }, verification: { totalSeconds: 0, count: 0 } });
    const en = dashboardView(empty, period, "en");
    const value = (key: string) => en.figures.find((f) => f.key === key)!.value;
    expect([value("conversion"), value("instalments"), value("verification"), value("financed")]).toEqual(["—", "not available", "not available", "€0.00"]);
    expect(en.title).toBe("Soisy payments from 1 Nov 2026 to 30 Nov 2026");
    expect(en.days).toHaveLength(30);
    const it = dashboardView({ ...empty, started: 3, approved: 2, conversionTenths: 667, financedCents: 123_456 }, period, "it");
    expect(it.figures.find((f) => f.key === "conversion")!.value).toBe("66,7 %");
    expect(it.figures.find((f) => f.key === "financed")!.value).toBe("€ 1.234,56");
  });

  it("says why the asked period was not used", () => {
    const bad = parsePeriod(params("from=2026-03-02&to=2026-03-01"), NOW, "live");
    const view = dashboardView(buildMetrics({ groups: [], days: bad.days, instalments: { sum: 0, count: 0 }, verification: { totalSeconds: 0, count: 0 } }), bad, "en");
    expect(view.problem).toBe("The start date is after the end date: showing this month.");
  });
});
