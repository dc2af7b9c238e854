/**
 * Per-session secrets in the URLs given to Soisy (callbackUrl, successUrl, errorUrl) and to the
 * shopper. Each secret is an HMAC-SHA256 (256 bits) of the session id under a key derived (HKDF)
 * from APP_ENCRYPTION_KEY, so a request is authenticated in constant time WITHOUT reading the
 * database: a forged callback is answered 404 with nothing read or written. Secrets made under an
 * older key in the keyring keep verifying after a key rotation.
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { Keyring } from "~/security/encryption.server";

const macKeys = new WeakMap<Buffer, Buffer>();

function macKey(key: Buffer): Buffer {
  let derived = macKeys.get(key);
  if (!derived) {
    derived = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), "soisy-shopify/url-secret/v1", 32));
    macKeys.set(key, derived);
  }
  return derived;
}

function mac(key: Buffer, sessionId: string): Buffer {
  return createHmac("sha256", macKey(key)).update(`payment-session:${sessionId}`).digest();
}

export function sessionSecret(sessionId: string, keyring: Keyring): string {
  return mac(keyring.current.key, sessionId).toString("base64url");
}

export function verifySessionSecret(sessionId: string, candidate: string, keyring: Keyring): boolean {
  const given = Buffer.from(candidate, "base64url");
  if (given.length !== 32 || given.toString("base64url") !== candidate) return false;
  let ok = false;
  // Compare against every key (no early exit) so timing does not reveal which key matched.
  for (const key of keyring.byId.values()) {
    if (timingSafeEqual(given, mac(key, sessionId))) ok = true;
  }
  return ok;
}
