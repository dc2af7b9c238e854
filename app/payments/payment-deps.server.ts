/**
 * What the payment service's files share: the dependencies they are handed (database, keyring, Soisy
 * clients, clock, logger), the row types they pass around, and reading one payment session.
 * The service itself is split by job: start-session.server.ts (Shopify's payment session request),
 * transition-store.server.ts (persisting a transition), apply-input.server.ts (feeding the lifecycle)
 * and inputs.server.ts (the shopper's return, Soisy's callbacks, the merchant's decision).
 */
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";
import type { Keyring } from "~/security/encryption.server";
import { createSoisyClient, type SoisyClient } from "~/soisy/client.server";
import { credentialsFromRow, soisyCredentials, type SoisyEnvironment } from "~/settings/settings.server";

export interface PaymentDeps {
  db: Db;
  keyring: Keyring;
  /** Public base URL of this app (for the URLs given to Soisy and shoppers). */
  appUrl: string;
  /** A Soisy client with the shop's credentials for one environment (null when not configured). */
  soisyClient(shop: string, environment: SoisyEnvironment, settings?: SettingsRow | null): Promise<SoisyClient | null>;
  /** Pushes one freshly enqueued outbox message to Shopify right away (best effort). */
  deliverNow?(messageId: string): Promise<unknown>;
  now(): Date;
  logger: Logger;
}

export type PaymentRow = NonNullable<Awaited<ReturnType<Db["paymentSession"]["findUnique"]>>>;
export type SettingsRow = NonNullable<Awaited<ReturnType<Db["shopSettings"]["findUnique"]>>>;

export function defaultSoisyClientFactory(db: Db, keyring: Keyring, logger: Logger) {
  return async (shop: string, environment: SoisyEnvironment, settings?: SettingsRow | null): Promise<SoisyClient | null> => {
    const credentials = settings ? credentialsFromRow(settings, environment, keyring) : await soisyCredentials(db, shop, environment, keyring);
    if (!credentials) return null;
    return createSoisyClient({ environment, shopId: credentials.soisyShopId, apiKey: credentials.apiKey, logger });
  };
}

export async function findSession(db: Db, sessionId: string): Promise<PaymentRow | null> {
  return db.paymentSession.findUnique({ where: { id: sessionId } });
}
