/**
 * Readiness at Shopify: `paymentsAppConfigure(ready, externalHandle)` tells Shopify whether the
 * merchant finished setting the app up; only then can the payment method be activated.
 *
 * The shop is ready exactly when its PRODUCTION Soisy credentials are stored and verified. The
 * `ready` column holds what Shopify last ACCEPTED: it changes only after Shopify answered ok, so a
 * failed call leaves it different from the wanted state and the settings page offers a retry
 * (never pretends). The external handle is the merchant's Soisy shop id.
 */
import { paymentsApiEndpoint } from "~/config.server";
import type { Db } from "~/db.server";
import { logger as defaultLogger, type Logger } from "~/logger.server";
import { getShopSettings, setReady, type ShopSettingsView } from "~/settings/settings.server";
import { shopAccessToken } from "./access-token.server";
import { callPaymentsApi, describePaymentsApiResult } from "./payments-api.server";

export type ReadinessMissing = "production_credentials" | "production_unverified";

export interface Readiness {
  /** What Shopify should know. */
  wanted: boolean;
  /** What Shopify last accepted. */
  ready: boolean;
  /** Why the shop is not ready (empty when wanted). */
  missing: ReadinessMissing[];
  inSync: boolean;
  externalHandle: string | null;
}

export function readinessOf(view: Pick<ShopSettingsView, "ready" | "credentials">): Readiness {
  const production = view.credentials.production;
  const missing: ReadinessMissing[] = [];
  if (!production.soisyShopId || !production.apiKeySet) missing.push("production_credentials");
  else if (!production.verifiedAt) missing.push("production_unverified");
  const wanted = missing.length === 0;
  return { wanted, ready: view.ready, missing, inSync: wanted === view.ready, externalHandle: production.soisyShopId ?? null };
}

export type ConfigureOutcome =
  | { kind: "updated"; ready: boolean }
  /** Shopify could not be reached or answered with a transient error: try again. */
  | { kind: "unreachable"; ready: boolean }
  /** Shopify answered with an error that a retry will not fix by itself. */
  | { kind: "refused"; ready: boolean };

export interface ConfigureDeps {
  tokenProvider?: (shop: string) => Promise<string>;
  endpointFor?: (shop: string) => string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  logger?: Logger;
  now?: () => Date;
}

/**
 * Tells Shopify the shop's current readiness (always sends, so a changed Soisy shop id reaches
 * Shopify too) and persists it once Shopify accepted it.
 */
export async function syncReadiness(db: Db, shop: string, deps: ConfigureDeps = {}): Promise<ConfigureOutcome> {
  const log = (deps.logger ?? defaultLogger).child({ component: "payments-app-configure", shop });
  const row = await getShopSettings(db, shop);
  if (!row) throw new Error(`no settings for ${shop}`);
  const readiness = readinessOf(row);
  let accessToken: string;
  try {
    accessToken = await (deps.tokenProvider ?? shopAccessToken)(shop);
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, "no access token for paymentsAppConfigure");
    return { kind: "refused", ready: row.ready };
  }
  const result = await callPaymentsApi({
    endpoint: (deps.endpointFor ?? ((s: string) => paymentsApiEndpoint(s)))(shop),
    accessToken,
    mutation: "paymentsAppConfigure",
    variables: { externalHandle: readiness.externalHandle, ready: readiness.wanted },
    timeoutMs: deps.timeoutMs ?? 10_000,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const confirmed = result.kind === "ok" && result.data.paymentsAppConfiguration?.ready === readiness.wanted;
  if (confirmed) {
    await setReady(db, shop, readiness.wanted, deps.now?.() ?? new Date());
    log.info({ ready: readiness.wanted }, "paymentsAppConfigure accepted");
    return { kind: "updated", ready: readiness.wanted };
  }
  const description = result.kind === "ok" ? "answer without the expected configuration" : describePaymentsApiResult(result);
  log.warn({ wanted: readiness.wanted, result: result.kind, description }, "paymentsAppConfigure failed");
  return { kind: result.kind === "retry" ? "unreachable" : "refused", ready: row.ready };
}
