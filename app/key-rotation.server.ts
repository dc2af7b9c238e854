/**
 * Re-encrypts every value the app stores encrypted under the newest key of APP_ENCRYPTION_KEY, so an
 * older key can be dropped afterwards (`npm run shop -- rotate-keys`, docs/admin-security.md):
 * - the Soisy API keys of both environments (ShopSettings.*ApiKeyEncrypted / *ApiKeyKeyId);
 * - Shopify's access and refresh tokens (Session), including rows older versions stored in clear.
 *
 * Rows are read in batches (keyset pagination) and each one is rewritten only if it still holds the
 * value that was read (a compare-and-set `updateMany`): a value the app rewrote meanwhile is already
 * under the current key and is left alone. Running it again rewrites nothing: it is idempotent.
 *
 * At app/'s root (not in security/) because it reaches into settings and shopify, which themselves
 * use security's encryption.
 */
import type { Db } from "~/db.server";
import { credentialContext, SOISY_ENVIRONMENTS } from "~/settings/settings.server";
import { sessionTokenNeedsRewrite, decryptSessionToken, encryptSessionToken, type SessionTokenField } from "~/shopify/session-storage.server";
import { decrypt, encrypt, needsRotation, type Keyring } from "~/security/encryption.server";

export interface RotationCounts {
  /** rows read */
  scanned: number;
  /** values re-encrypted under the current key (or, for legacy plain-text tokens, encrypted) */
  rotated: number;
  /** values already under the current key */
  current: number;
  /** values changed by someone else between read and write (they are current by then) */
  raced: number;
  /** values that could not be decrypted (missing key, tampered): left as they are */
  failed: number;
}

export interface RotationReport {
  keyId: string;
  dryRun: boolean;
  soisyApiKeys: RotationCounts;
  shopifyTokens: RotationCounts;
  /** "<table>:<row>:<field>" of each value that failed */
  failures: string[];
}

const counts = (): RotationCounts => ({ scanned: 0, rotated: 0, current: 0, raced: 0, failed: 0 });

/** Keyset pagination: the rows in key order, one batch at a time, until a read returns none. */
async function* inBatches<Row>(read: (after: string | undefined) => Promise<Row[]>, keyOf: (row: Row) => string): AsyncGenerator<Row[]> {
  for (let after: string | undefined; ; ) {
    const rows = await read(after);
    if (!rows.length) return;
    after = keyOf(rows[rows.length - 1]!);
    yield rows;
  }
}

export async function rotateEncryptedValues(
  db: Db,
  keyring: Keyring,
  options: { batchSize?: number; dryRun?: boolean; onBatch?: (table: string, rows: number) => void } = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 200;
  const dryRun = options.dryRun ?? false;
  const report: RotationReport = { keyId: keyring.current.id, dryRun, soisyApiKeys: counts(), shopifyTokens: counts(), failures: [] };

  // 1. Soisy API keys.
  const settingsBatches = inBatches(
    (after) =>
      db.shopSettings.findMany({
        where: after === undefined ? {} : { shop: { gt: after } },
        orderBy: { shop: "asc" },
        take: batchSize,
        select: { shop: true, sandboxApiKeyEncrypted: true, productionApiKeyEncrypted: true },
      }),
    (row) => row.shop,
  );
  for await (const rows of settingsBatches) {
    options.onBatch?.("ShopSettings", rows.length);
    const c = report.soisyApiKeys;
    for (const row of rows) {
      c.scanned++;
      for (const environment of SOISY_ENVIRONMENTS) {
        const field = `${environment}ApiKeyEncrypted` as const;
        const stored = row[field];
        if (!stored) continue;
        if (!needsRotation(stored, keyring)) {
          c.current++;
          continue;
        }
        let next: { ciphertext: string; keyId: string };
        try {
          const context = credentialContext(row.shop, environment);
          next = encrypt(decrypt(stored, context, keyring), context, keyring);
        } catch {
          c.failed++;
          report.failures.push(`ShopSettings:${row.shop}:${field}`);
          continue;
        }
        if (dryRun) {
          c.rotated++;
          continue;
        }
        const { count } = await db.shopSettings.updateMany({
          where: { shop: row.shop, [field]: stored },
          data: { [field]: next.ciphertext, [`${environment}ApiKeyKeyId`]: next.keyId },
        });
        if (count) c.rotated++;
        else c.raced++;
      }
    }
  }

  // 2. Shopify tokens.
  const sessionBatches = inBatches(
    (after) =>
      db.session.findMany({
        where: after === undefined ? {} : { id: { gt: after } },
        orderBy: { id: "asc" },
        take: batchSize,
        select: { id: true, accessToken: true, refreshToken: true },
      }),
    (row) => row.id,
  );
  for await (const rows of sessionBatches) {
    options.onBatch?.("Session", rows.length);
    const c = report.shopifyTokens;
    for (const row of rows) {
      c.scanned++;
      const data: Partial<Record<SessionTokenField, string>> = {};
      let broken = false;
      for (const field of ["accessToken", "refreshToken"] as const) {
        const stored = row[field];
        if (!stored) continue;
        if (!sessionTokenNeedsRewrite(stored, keyring)) {
          c.current++;
          continue;
        }
        try {
          data[field] = encryptSessionToken(decryptSessionToken(stored, row.id, field, keyring), row.id, field, keyring);
        } catch {
          broken = true;
          c.failed++;
          report.failures.push(`Session:${row.id}:${field}`);
        }
      }
      const changed = Object.keys(data).length;
      if (!changed || broken) continue;
      if (dryRun) {
        c.rotated += changed;
        continue;
      }
      // Both tokens of a row in one write, only if neither changed since it was read.
      const { count } = await db.session.updateMany({ where: { id: row.id, accessToken: row.accessToken, refreshToken: row.refreshToken }, data });
      if (count) c.rotated += changed;
      else c.raced += changed;
    }
  }
  return report;
}
