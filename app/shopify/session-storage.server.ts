/**
 * Shopify's access and refresh tokens encrypted at rest: a SessionStorage around the library's
 * PrismaSessionStorage that encrypts both tokens on store and decrypts them on load, with the same
 * keyring (APP_ENCRYPTION_KEY, AES-256-GCM) as the Soisy API keys.
 *
 * Each token is bound to its session id and field (the AAD), so a value copied to another row fails
 * to decrypt. Rows written in plain text by older versions keep working (a value that is not in the
 * encrypted format is returned as it is) until they are stored again or `npm run shop -- rotate-keys`
 * encrypts them.
 */
import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { decrypt, encrypt, needsRotation, type Keyring } from "~/security/encryption.server";

export type SessionTokenField = "accessToken" | "refreshToken";

const ENCRYPTED = /^v1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

export function isEncryptedToken(value: string): boolean {
  return ENCRYPTED.test(value);
}

function context(sessionId: string, field: SessionTokenField): string {
  return `shopify-session:${sessionId}:${field}`;
}

/** The stored form of a Shopify token (the empty string stays empty: the library's "no token"). */
export function encryptSessionToken(value: string, sessionId: string, field: SessionTokenField, keyring: Keyring): string {
  if (!value) return value;
  return encrypt(value, context(sessionId, field), keyring).ciphertext;
}

/** A stored token in clear; a legacy plain-text value is returned as it is. */
export function decryptSessionToken(stored: string, sessionId: string, field: SessionTokenField, keyring: Keyring): string {
  if (!stored || !isEncryptedToken(stored)) return stored;
  return decrypt(stored, context(sessionId, field), keyring);
}

/** True when the stored token is plain text or under an older key (rotate-keys rewrites it). */
export function sessionTokenNeedsRewrite(stored: string | null, keyring: Keyring): boolean {
  if (!stored) return false;
  return !isEncryptedToken(stored) || needsRotation(stored, keyring);
}

function mapTokens(session: Session, fn: (value: string, field: SessionTokenField) => string): Session {
  const params = session.toObject();
  return new Session({
    ...params,
    accessToken: params.accessToken ? fn(params.accessToken, "accessToken") : params.accessToken,
    refreshToken: params.refreshToken ? fn(params.refreshToken, "refreshToken") : params.refreshToken,
  });
}

export class EncryptedSessionStorage implements SessionStorage {
  constructor(
    private readonly inner: SessionStorage,
    private readonly keyring: () => Keyring,
  ) {}

  private encrypted(session: Session): Session {
    return mapTokens(session, (value, field) => encryptSessionToken(value, session.id, field, this.keyring()));
  }

  private decrypted(session: Session | undefined): Session | undefined {
    if (!session) return session;
    return mapTokens(session, (value, field) => decryptSessionToken(value, session.id, field, this.keyring()));
  }

  storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(this.encrypted(session));
  }

  async loadSession(id: string): Promise<Session | undefined> {
    return this.decrypted(await this.inner.loadSession(id));
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return (await this.inner.findSessionsByShop(shop)).map((s) => this.decrypted(s)!);
  }
}
