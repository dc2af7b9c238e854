/**
 * Italian civil time (Europe/Rome), the one clock merchants and Soisy read: calendar days for the
 * dashboard and Soisy's list filters, wall-clock times in Soisy's CSV, the digest hour of the alerts.
 * Pure, DST-aware through Intl (Node ships the time-zone data). Kept here, one copy, rather than a
 * date library: four functions over Intl are all the app needs.
 */
export const ROME_TIME_ZONE = "Europe/Rome";

/** "YYYY-MM-DD" */
export type RomeDay = string;

const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: ROME_TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" });
const partsFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: ROME_TIME_ZONE,
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** The Rome calendar day of an instant. */
export function romeDay(at: Date | number): RomeDay {
  return dayFormat.format(typeof at === "number" ? new Date(at) : at);
}

/** How far Rome is ahead of UTC at this instant, in ms (1 h in winter, 2 h in summer). */
export function romeOffsetMs(utcMs: number): number {
  const p = Object.fromEntries(partsFormat.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in Rome (month 1–12). Across a DST change the offset at the
 * result may differ from the first guess's: corrected once. A time in the spring gap (02:00–03:00)
 * lands an hour later, one in the autumn overlap on its first occurrence's offset.
 */
export function romeWallTime(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const guess = wall - romeOffsetMs(wall);
  return new Date(wall - romeOffsetMs(guess));
}

/** The instant `hour`:00 begins in Rome on that day. */
export function romeHourOn(day: RomeDay, hour: number): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return romeWallTime(y, m, d, hour);
}

/** The first instant of a Rome calendar day (midnight never falls in Rome's DST gap, at 02:00). */
export function romeMidnight(day: RomeDay): Date {
  return romeHourOn(day, 0);
}
