/**
 * The "Alerts and Soisy data" form (app/components/settings/AlertsCard.tsx): typed strings →
 * AlertSettings, or field errors as message keys. Pure.
 */
import { z } from "zod";
import type { MessageKey } from "~/i18n/messages";
import { alertSettingsSchema, PAYOUT_GRACE_DAYS, type AlertSettings } from "./alert-settings.server";
import type { FieldErrors, FormResult } from "./settings-form";

export const ALERT_FIELDS = ["alertEmail", "alertLocale", "alertDigest", "settleRefundsFromSoisy", "payoutGraceDays"] as const;
export type AlertField = (typeof ALERT_FIELDS)[number];
export type AlertFormValues = Record<AlertField, string>;

export function alertsToForm(value: AlertSettings): AlertFormValues {
  return {
    alertEmail: value.alertEmail ?? "",
    alertLocale: value.alertLocale,
    alertDigest: value.alertDigest ? "daily" : "each",
    settleRefundsFromSoisy: value.settleRefundsFromSoisy ? "on" : "",
    payoutGraceDays: String(value.payoutGraceDays),
  };
}

const text = (raw: Record<string, unknown>, field: AlertField) => (typeof raw[field] === "string" ? (raw[field] as string) : "");

const formSchema = z.object({
  alertEmail: z
    .string()
    .trim()
    .max(254, "settings.error.email")
    .transform((v) => v || null)
    .pipe(z.email("settings.error.email").nullable()),
  alertLocale: z.enum(["it", "en"], { error: () => ({ message: "settings.error.choice" }) }),
  alertDigest: z.enum(["each", "daily"], { error: () => ({ message: "settings.error.choice" }) }).transform((v) => v === "daily"),
  settleRefundsFromSoisy: z.string().transform((v) => v === "on" || v === "true" || v === "1"),
  payoutGraceDays: z
    .string()
    .trim()
    .regex(/^\d{1,3}$/, "settings.error.graceDays")
    .transform(Number)
    .pipe(z.number().min(PAYOUT_GRACE_DAYS.min, "settings.error.graceDays").max(PAYOUT_GRACE_DAYS.max, "settings.error.graceDays")),
});

export function parseAlertForm(raw: Record<string, unknown>): FormResult<AlertSettings, AlertField> {
  const input = Object.fromEntries(ALERT_FIELDS.map((f) => [f, text(raw, f)]));
  const parsed = formSchema.pipe(alertSettingsSchema).safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: FieldErrors<AlertField> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "") as AlertField;
    if (!ALERT_FIELDS.includes(field) || errors[field]) continue;
    const key = (issue.message.startsWith("settings.error.") ? issue.message : field === "alertEmail" ? "settings.error.email" : "settings.error.choice") as MessageKey;
    errors[field] = { key };
  }
  return { ok: false, errors };
}

export function alertFormEcho(raw: Record<string, unknown>): AlertFormValues {
  return Object.fromEntries(ALERT_FIELDS.map((f) => [f, text(raw, f).slice(0, 300)])) as AlertFormValues;
}
