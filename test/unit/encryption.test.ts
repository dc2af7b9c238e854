import { describe, expect, it } from "vitest";
import {
  DecryptionError,
  EncryptionConfigError,
  decrypt,
  encrypt,
  generateKeyMaterial,
  needsRotation,
  parseKeyring,
  rotateEncryptedValue,
} from "~/security/encryption.server";

const k1 = generateKeyMaterial();
const k2 = generateKeyMaterial();
const ctx = "shop-settings:a.myshopify.com:sandbox:apiKey";

describe("AES-256-GCM encryption of API keys", () => {
  it("round-trips and never contains the plaintext", () => {
    const ring = parseKeyring(k1);
    const secret = "partnerkey-Σ-🔑-" + "x".repeat(100);
    const { ciphertext, keyId } = encrypt(secret, ctx, ring);
    expect(keyId).toBe("k1");
    expect(ciphertext.startsWith("v1.k1.")).toBe(true);
    expect(ciphertext).not.toContain("partnerkey");
    expect(Buffer.from(ciphertext).includes(Buffer.from(secret))).toBe(false);
    expect(decrypt(ciphertext, ctx, ring)).toBe(secret);
  });

  it("uses a fresh IV each time", () => {
    const ring = parseKeyring(k1);
    expect(encrypt("same", ctx, ring).ciphertext).not.toBe(encrypt("same", ctx, ring).ciphertext);
  });

  it.each([
    ["ciphertext", 3],
    ["tag", 4],
    ["iv", 2],
  ])("detects a tampered %s", (_name, index) => {
    const ring = parseKeyring(k1);
    const parts = encrypt("partnerkey", ctx, ring).ciphertext.split(".");
    const bytes = Buffer.from(parts[index]!, "base64url");
    bytes[0] = bytes[0]! ^ 0x01;
    parts[index] = bytes.toString("base64url");
    expect(() => decrypt(parts.join("."), ctx, ring)).toThrow(DecryptionError);
  });

  it("binds the value to its context (no copying a key to another shop or field)", () => {
    const ring = parseKeyring(k1);
    const { ciphertext } = encrypt("partnerkey", ctx, ring);
    expect(() => decrypt(ciphertext, "shop-settings:b.myshopify.com:sandbox:apiKey", ring)).toThrow(DecryptionError);
    expect(() => decrypt(ciphertext, "shop-settings:a.myshopify.com:production:apiKey", ring)).toThrow(DecryptionError);
  });

  it("fails with a wrong key and with an unknown key id, without leaking the value", () => {
    const { ciphertext } = encrypt("partnerkey", ctx, parseKeyring(`k1:${k1}`));
    expect(() => decrypt(ciphertext, ctx, parseKeyring(`k1:${k2}`))).toThrow(/failed authentication/);
    try {
      decrypt(ciphertext, ctx, parseKeyring(`other:${k2}`));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DecryptionError);
      expect(String((error as Error).message)).toMatch(/key "k1"/);
      expect(String((error as Error).message)).not.toContain("partnerkey");
    }
  });

  it("rejects malformed stored values", () => {
    const ring = parseKeyring(k1);
    for (const bad of ["", "plain", "v2.k1.a.b.c", "v1.k1.a.b", "v1.k1.!!.b.c"]) {
      expect(() => decrypt(bad, ctx, ring)).toThrow(DecryptionError);
    }
  });

  it("rotates: old values decrypt under a keyring whose first key is new, and re-encrypt under it", () => {
    const old = encrypt("partnerkey", ctx, parseKeyring(`k1:${k1}`)).ciphertext;
    const ring = parseKeyring(`k2:${k2},k1:${k1}`);
    expect(decrypt(old, ctx, ring)).toBe("partnerkey");
    expect(needsRotation(old, ring)).toBe(true);
    const rotated = rotateEncryptedValue(old, ctx, ring);
    expect(rotated.keyId).toBe("k2");
    expect(needsRotation(rotated.ciphertext, ring)).toBe(false);
    expect(decrypt(rotated.ciphertext, ctx, parseKeyring(`k2:${k2}`))).toBe("partnerkey");
  });

  it("validates APP_ENCRYPTION_KEY with clear messages", () => {
    expect(() => parseKeyring(undefined)).toThrow(/APP_ENCRYPTION_KEY is not set/);
    expect(() => parseKeyring("")).toThrow(EncryptionConfigError);
    expect(() => parseKeyring(Buffer.alloc(16).toString("base64"))).toThrow(/32 bytes/);
    expect(() => parseKeyring(`bad id:${k1}`)).toThrow(/key id/);
    expect(() => parseKeyring(`a:${k1},a:${k2}`)).toThrow(/appears twice/);
    expect(() => parseKeyring("not base64 at all!")).toThrow(EncryptionConfigError);
  });
});
