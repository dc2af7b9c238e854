/**
 * Issue 16's shop settings, stored in ShopSettings: where alerts are e-mailed (alertEmail, null: no
 * mail), in which language, one mail per event or a daily digest; refunds settled from Soisy's data
 * (settleRefundsFromSoisy); the days before a missing Soisy payout is reported (payoutGraceDays).
 */
import { z } from "zod";
import type { Db } from "~/db.server";

export const PAYOUT_GRACE_DAYS = { min: 1, max: 60 } as const;

export const alertSettingsSchema = z.object({
  alertEmail: z.email().max(254).nullable(),
  alertLocale: z.enum(["it", "en"]),
  alertDigest: z.boolean(),
  settleRefundsFromSoisy: z.boolean(),
  payoutGraceDays: z.number().int().min(PAYOUT_GRACE_DAYS.min).max(PAYOUT_GRACE_DAYS.max),
});
export type AlertSettings = z.infer<typeof alertSettingsSchema>;

export async function getAlertSettings(db: Db, shop: string): Promise<AlertSettings | null> {
  const row = await db.shopSettings.findUnique({
    where: { shop },
    select: { alertEmail: true, alertLocale: true, alertDigest: true, settleRefundsFromSoisy: true, payoutGraceDays: true },
  });
  if (!row) return null;
  return { ...row, alertLocale: row.alertLocale === "en" ? "en" : "it" };
}

export async function saveAlertSettings(db: Db, shop: string, value: AlertSettings): Promise<void> {
  const data = alertSettingsSchema.parse(value);
  await db.shopSettings.update({ where: { shop }, data });
}
