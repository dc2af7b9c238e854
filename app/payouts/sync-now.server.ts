/**
 * The payouts page's "sync now": syncs the shop's environments that have credentials at once (the
 * same sync as the schedule, same lease) and sums up the outcome for the page.
 */
import { SOISY_ENVIRONMENTS } from "~/soisy/types";
import { syncShopPayouts, type PayoutSyncDeps } from "./sync.server";

export type SyncNowOutcome = { outcome: "synced"; rows: number } | { outcome: "busy" } | { outcome: "failed" } | { outcome: "no_credentials" };

export async function syncShopNow(deps: PayoutSyncDeps, shop: string): Promise<SyncNowOutcome> {
  let rows = 0;
  let synced = 0;
  let busy = false;
  let failed = false;
  for (const environment of SOISY_ENVIRONMENTS) {
    const result = await syncShopPayouts(deps, shop, environment);
    if (result.outcome === "synced") {
      synced++;
      rows += result.rowsRead;
    } else if (result.outcome === "busy") busy = true;
    else if (result.outcome === "failed") failed = true;
  }
  if (failed) return { outcome: "failed" };
  if (busy && !synced) return { outcome: "busy" };
  if (!synced) return { outcome: "no_credentials" };
  return { outcome: "synced", rows };
}
