/**
 * When the daily digest goes out: at DIGEST hour, Europe/Rome time (DST-aware through Intl), the
 * first such instant after the event. Pure.
 */
const ROME = "Europe/Rome";

/** Rome's offset from UTC, in minutes, at `at` (e.g. 60 in winter, 120 in summer). */
function romeOffsetMinutes(at: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: ROME, timeZoneName: "longOffset" }).formatToParts(at);
  const name = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === "-" ? -minutes : minutes;
}

/** The calendar day in Rome of `at`, as "YYYY-MM-DD". */
export function romeDay(at: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ROME, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** The UTC instant of `hour`:00 in Rome on the Rome day `day` ("YYYY-MM-DD"). */
function romeHourOn(day: string, hour: number): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const guess = new Date(Date.UTC(y, m - 1, d, hour));
  const first = new Date(guess.getTime() - romeOffsetMinutes(guess) * 60_000);
  // Across a DST change the offset at the result may differ from the guess's: correct once.
  return new Date(guess.getTime() - romeOffsetMinutes(first) * 60_000);
}

/** The first digest instant strictly after `at`. */
export function nextDigestAt(at: Date, hour: number): Date {
  const today = romeHourOn(romeDay(at), hour);
  if (today.getTime() > at.getTime()) return today;
  const tomorrow = romeDay(new Date(today.getTime() + 26 * 3_600_000));
  return romeHourOn(tomorrow, hour);
}
