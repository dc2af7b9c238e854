/**
 * Per-shop settings and Soisy credentials. API keys are write-only: they are encrypted before they
 * reach the database and only `soisyCredentials` (used by the server to call Soisy) decrypts them.
 */
import { z } from "zod";
import type { Db } from "~/db.server";
import { FUND_ON_VALUES, MAX_AUTHORIZATION_DAYS } from "./authorization-days";
import { fundOnOf, type FundOn } from "./fund-on";
import { MAX_PENDING_EXPIRY_DAYS } from "./pending-expiry";
import { appKeyring, decrypt, encrypt, type Keyring } from "~/security/encryption.server";
import { SOISY_ENVIRONMENTS, SOISY_MAX_INSTALMENTS, SOISY_MIN_INSTALMENTS, type SoisyEnvironment } from "~/soisy/types";

// Defined with Soisy (app/soisy/types.ts); exported here too for the callers that read credentials by environment.
export { SOISY_ENVIRONMENTS, type SoisyEnvironment };

/** Amount bounds the settings accept (euro cents). A new shop's values (€100–€15,000, as Soisy's plugins) are in ./shop-defaults.ts. */
export const AMOUNT_LIMITS = { minCents: 100, maxCents: 3_000_000 } as const;

const countryCode = z.string().regex(/^[A-Z]{2}$/, "country codes are two upper-case letters (ISO 3166-1)");

export const shopOptionsSchema = z
  .object({
    minAmountCents: z.number().int().min(AMOUNT_LIMITS.minCents).max(AMOUNT_LIMITS.maxCents),
    maxAmountCents: z.number().int().min(AMOUNT_LIMITS.minCents).max(AMOUNT_LIMITS.maxCents),
    integrationLevel: z.enum(["redirect", "preapproval"]),
    resolveOn: z.enum(["verified", "disbursed"]),
    pendingExpiryDays: z.number().int().min(1).max(MAX_PENDING_EXPIRY_DAYS),
    zeroInterest: z.boolean(),
    widgetInstalments: z.number().int().min(SOISY_MIN_INSTALMENTS).max(SOISY_MAX_INSTALMENTS),
    excludedProductTags: z.array(z.string().trim().min(1).max(255)).max(100),
    excludeGiftCards: z.boolean(),
    allowedCountries: z.array(countryCode).min(1).max(50),
    autoResolveRefunds: z.boolean(),
    /** "approval": sale sessions only, funded when Soisy approves; "fulfilment": authorizations too (docs/fund-on-fulfilment.md). */
    fundOn: z.enum(FUND_ON_VALUES),
    authorizationDays: z.number().int().min(1).max(MAX_AUTHORIZATION_DAYS),
  })
  .refine((o) => o.minAmountCents < o.maxAmountCents, {
    message: "the minimum amount must be lower than the maximum",
    path: ["minAmountCents"],
  });
export type ShopOptions = z.infer<typeof shopOptionsSchema>;

export const soisyCredentialsSchema = z.object({
  soisyShopId: z
    .string()
    .trim()
    .min(1, "the Soisy shop id is required")
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/, "the Soisy shop id holds only letters, digits, - and _"),
  apiKey: z.string().trim().min(1, "the API key is required").max(500),
});
export type SoisyCredentials = z.infer<typeof soisyCredentialsSchema>;

const stringArray = z.array(z.string());

/** The encryption context (AAD) of a shop's API key for one environment (also used by key rotation). */
export function credentialContext(shop: string, environment: SoisyEnvironment): string {
  return `shop-settings:${shop}:${environment}:apiKey`;
}

/** Settings as the app uses them (JSON columns parsed); never holds an API key. */
export interface ShopSettingsView extends ShopOptions {
  shop: string;
  fundOn: FundOn;
  authorizationDays: number;
  ready: boolean;
  credentials: Record<SoisyEnvironment, StoredCredentialsView>;
}

/** One environment's stored credentials as the app shows them (never the key). */
export interface StoredCredentialsView {
  soisyShopId: string | null;
  apiKeySet: boolean;
  /** Soisy accepted them (the last check passed); null when not (yet) verified or rejected. */
  verifiedAt: Date | null;
  /** Soisy refused them (403 to the last check); present only when the stored credentials are rejected. */
  rejectedAt?: Date;
}

export type CredentialStatus = "missing" | "rejected" | "unverified" | "verified";

/**
 * The state of one environment's credentials: "verified" only when Soisy accepted them and has
 * not refused them since. Readiness needs the production ones "verified" (see readinessOf).
 */
export function credentialStatus(c: Pick<StoredCredentialsView, "soisyShopId" | "apiKeySet" | "verifiedAt" | "rejectedAt">): CredentialStatus {
  if (!c.soisyShopId || !c.apiKeySet) return "missing";
  if (c.rejectedAt) return "rejected";
  return c.verifiedAt ? "verified" : "unverified";
}

export async function ensureShopSettings(db: Db, shop: string) {
  return db.shopSettings.upsert({ where: { shop }, create: { shop }, update: {} });
}

export async function getShopSettings(db: Db, shop: string): Promise<ShopSettingsView | null> {
  const row = await db.shopSettings.findUnique({ where: { shop } });
  if (!row) return null;
  return {
    shop: row.shop,
    ready: row.ready,
    minAmountCents: row.minAmountCents,
    maxAmountCents: row.maxAmountCents,
    integrationLevel: row.integrationLevel as ShopOptions["integrationLevel"],
    resolveOn: row.resolveOn as ShopOptions["resolveOn"],
    pendingExpiryDays: row.pendingExpiryDays,
    zeroInterest: row.zeroInterest,
    widgetInstalments: row.widgetInstalments,
    excludedProductTags: stringArray.parse(JSON.parse(row.excludedProductTags)),
    excludeGiftCards: row.excludeGiftCards,
    allowedCountries: stringArray.parse(JSON.parse(row.allowedCountries)),
    autoResolveRefunds: row.autoResolveRefunds,
    fundOn: fundOnOf(row.fundOn),
    authorizationDays: row.authorizationDays,
    credentials: {
      sandbox: {
        soisyShopId: row.sandboxSoisyShopId,
        apiKeySet: row.sandboxApiKeyEncrypted !== null,
        // Rejected credentials are never verified, whatever an older check said.
        verifiedAt: row.sandboxRejectedAt ? null : row.sandboxVerifiedAt,
        ...(row.sandboxRejectedAt ? { rejectedAt: row.sandboxRejectedAt } : {}),
      },
      production: {
        soisyShopId: row.productionSoisyShopId,
        apiKeySet: row.productionApiKeyEncrypted !== null,
        verifiedAt: row.productionRejectedAt ? null : row.productionVerifiedAt,
        ...(row.productionRejectedAt ? { rejectedAt: row.productionRejectedAt } : {}),
      },
    },
  };
}

export async function saveShopOptions(db: Db, shop: string, input: unknown): Promise<ShopOptions> {
  const options = shopOptionsSchema.parse(input);
  const data = {
    ...options,
    excludedProductTags: JSON.stringify(options.excludedProductTags),
    allowedCountries: JSON.stringify(options.allowedCountries),
  };
  await db.shopSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  return options;
}

/**
 * Stores a Soisy shop id + API key for one environment, the key encrypted. A blank apiKey keeps
 * the stored one (the settings form never shows it back); saving clears "verified" and "rejected"
 * (the new credentials are unchecked until the next check).
 */
export async function saveSoisyCredentials(
  db: Db,
  shop: string,
  environment: SoisyEnvironment,
  input: { soisyShopId: string; apiKey?: string | null },
  keyring: Keyring = appKeyring(),
): Promise<void> {
  const soisyShopId = soisyCredentialsSchema.shape.soisyShopId.parse(input.soisyShopId);
  const apiKey = input.apiKey?.trim() ? soisyCredentialsSchema.shape.apiKey.parse(input.apiKey) : null;
  const prefix = environment;
  const data: Record<string, unknown> = { [`${prefix}SoisyShopId`]: soisyShopId, [`${prefix}VerifiedAt`]: null, [`${prefix}RejectedAt`]: null };
  if (apiKey) {
    const { ciphertext, keyId } = encrypt(apiKey, credentialContext(shop, environment), keyring);
    data[`${prefix}ApiKeyEncrypted`] = ciphertext;
    data[`${prefix}ApiKeyKeyId`] = keyId;
  } else {
    const existing = await db.shopSettings.findUnique({ where: { shop } });
    const stored = existing?.[`${prefix}ApiKeyEncrypted`];
    if (!stored) throw new z.ZodError([{ code: "custom", path: ["apiKey"], message: "the API key is required", input: "" }]);
  }
  await db.shopSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
}

export async function removeSoisyCredentials(db: Db, shop: string, environment: SoisyEnvironment): Promise<void> {
  const prefix = environment;
  await db.shopSettings.updateMany({
    where: { shop },
    data: {
      [`${prefix}SoisyShopId`]: null,
      [`${prefix}ApiKeyEncrypted`]: null,
      [`${prefix}ApiKeyKeyId`]: null,
      [`${prefix}VerifiedAt`]: null,
      [`${prefix}RejectedAt`]: null,
    },
  });
}

type SettingsRow = NonNullable<Awaited<ReturnType<Db["shopSettings"]["findUnique"]>>>;

/** Decrypts one environment's credentials from a settings row already read (null when not set). */
export function credentialsFromRow(row: SettingsRow, environment: SoisyEnvironment, keyring: Keyring = appKeyring()): SoisyCredentials | null {
  const soisyShopId = environment === "sandbox" ? row.sandboxSoisyShopId : row.productionSoisyShopId;
  const stored = environment === "sandbox" ? row.sandboxApiKeyEncrypted : row.productionApiKeyEncrypted;
  if (!soisyShopId || !stored) return null;
  return { soisyShopId, apiKey: decrypt(stored, credentialContext(row.shop, environment), keyring) };
}

/** The decrypted credentials for calling Soisy, or null when the environment is not configured. */
export async function soisyCredentials(
  db: Db,
  shop: string,
  environment: SoisyEnvironment,
  keyring: Keyring = appKeyring(),
): Promise<SoisyCredentials | null> {
  const row = await db.shopSettings.findUnique({ where: { shop } });
  return row ? credentialsFromRow(row, environment, keyring) : null;
}

/** Soisy accepted the stored credentials (a passed check): verified, no longer rejected. */
export async function markCredentialsVerified(db: Db, shop: string, environment: SoisyEnvironment, at = new Date()) {
  await db.shopSettings.update({ where: { shop }, data: { [`${environment}VerifiedAt`]: at, [`${environment}RejectedAt`]: null } });
}

export async function setReady(db: Db, shop: string, ready: boolean, at = new Date()) {
  await db.shopSettings.update({ where: { shop }, data: { ready, readyChangedAt: at } });
}

/**
 * Credentials Soisy refused (403: wrong shop id or key): rejected and no longer verified, so the
 * shop is not ready with them. The stored key stays until the merchant changes it.
 */
export async function markCredentialsRejected(db: Db, shop: string, environment: SoisyEnvironment, at = new Date()) {
  await db.shopSettings.updateMany({ where: { shop }, data: { [`${environment}VerifiedAt`]: null, [`${environment}RejectedAt`]: at } });
}
