/**
 * When the daily digest goes out: at DIGEST hour, Europe/Rome time (DST-aware through Intl), the
 * first such instant after the event. Pure.
 */
import { romeDay, romeHourOn } from "~/time/rome";

export { romeDay };

/** The first digest instant strictly after `at`. */
export function nextDigestAt(at: Date, hour: number): Date {
  const today = romeHourOn(romeDay(at), hour);
  if (today.getTime() > at.getTime()) return today;
  const tomorrow = romeDay(new Date(today.getTime() + 26 * 3_600_000));
  return romeHourOn(tomorrow, hour);
}
