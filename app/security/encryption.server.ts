/**
 * Encryption at rest for merchants' Soisy API keys: AES-256-GCM (node:crypto, no hand-rolled
 * crypto) under APP_ENCRYPTION_KEY.
 *
 * APP_ENCRYPTION_KEY holds one or more keys, newest first, separated by commas:
 *   "k2:<base64 32 bytes>,k1:<base64 32 bytes>"      (a bare "<base64>" means id "k1")
 * New values are encrypted with the first key; values encrypted under an older key still decrypt
 * and `needsRotation` tells which rows to re-encrypt (see rotateEncryptedValue).
 *
 * Stored format: "v1.<keyId>.<iv b64url>.<ciphertext b64url>.<tag b64url>". The caller's context
 * (e.g. "shop-settings:<shop>:sandbox") is bound as additional authenticated data, so a value
 * copied to another shop's row or field fails to decrypt instead of leaking a key across shops.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";
const IV_BYTES = 12;
const KEY_BYTES = 32;

export class EncryptionConfigError extends Error {
  override name = "EncryptionConfigError";
}
export class DecryptionError extends Error {
  override name = "DecryptionError";
}

export interface Keyring {
  current: { id: string; key: Buffer };
  byId: Map<string, Buffer>;
}

export function parseKeyring(value: string | undefined): Keyring {
  if (!value || !value.trim()) {
    throw new EncryptionConfigError(
      "APP_ENCRYPTION_KEY is not set: generate one with `openssl rand -base64 32` (see README)",
    );
  }
  const entries = value.split(",").map((part, index) => {
    const trimmed = part.trim();
    const colon = trimmed.indexOf(":");
    const id = colon > 0 ? trimmed.slice(0, colon) : `k${index + 1}`;
    const material = colon > 0 ? trimmed.slice(colon + 1) : trimmed;
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new EncryptionConfigError(`APP_ENCRYPTION_KEY: key id "${id}" must be 1-32 letters, digits, _ or -`);
    }
    const key = Buffer.from(material, "base64");
    if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/]+={0,2}$/.test(material)) {
      throw new EncryptionConfigError(
        `APP_ENCRYPTION_KEY: key "${id}" must be ${KEY_BYTES} bytes in base64 (got ${key.length} bytes)`,
      );
    }
    return { id, key };
  });
  const byId = new Map<string, Buffer>();
  for (const { id, key } of entries) {
    if (byId.has(id)) throw new EncryptionConfigError(`APP_ENCRYPTION_KEY: key id "${id}" appears twice`);
    byId.set(id, key);
  }
  return { current: entries[0]!, byId };
}

export interface EncryptedValue {
  ciphertext: string;
  keyId: string;
}

export function encrypt(plaintext: string, context: string, keyring: Keyring): EncryptedValue {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyring.current.key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  const ciphertext = [VERSION, keyring.current.id, iv.toString("base64url"), body.toString("base64url"), tag.toString("base64url")].join(".");
  return { ciphertext, keyId: keyring.current.id };
}

export function decrypt(stored: string, context: string, keyring: Keyring): string {
  const parts = stored.split(".");
  if (parts.length !== 5 || parts[0] !== VERSION) throw new DecryptionError("unrecognised encrypted value format");
  const [, keyId, ivText, bodyText, tagText] = parts as [string, string, string, string, string];
  const key = keyring.byId.get(keyId);
  if (!key) throw new DecryptionError(`encrypted with key "${keyId}", which APP_ENCRYPTION_KEY no longer holds`);
  const iv = Buffer.from(ivText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  if (iv.length !== IV_BYTES || tag.length !== 16) throw new DecryptionError("malformed encrypted value");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(bodyText, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptionError("encrypted value failed authentication (tampered, wrong key or wrong context)");
  }
}

/** True when the value was encrypted under a key other than the current one. */
export function needsRotation(stored: string, keyring: Keyring): boolean {
  return stored.split(".")[1] !== keyring.current.id;
}

/** Re-encrypts a stored value under the current key (same context). */
export function rotateEncryptedValue(stored: string, context: string, keyring: Keyring): EncryptedValue {
  return encrypt(decrypt(stored, context, keyring), context, keyring);
}

let cached: { source: string; keyring: Keyring } | undefined;
/** The keyring from APP_ENCRYPTION_KEY (parsed once per value). */
export function appKeyring(env: Record<string, string | undefined> = process.env): Keyring {
  const source = env.APP_ENCRYPTION_KEY ?? "";
  if (!cached || cached.source !== source) cached = { source, keyring: parseKeyring(source) };
  return cached.keyring;
}

export function generateKeyMaterial(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}
