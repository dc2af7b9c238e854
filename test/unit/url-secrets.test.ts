import { describe, expect, it } from "vitest";
import { generateKeyMaterial, parseKeyring } from "~/security/encryption.server";
import { sessionSecret, verifySessionSecret } from "~/payments/url-secrets.server";
import { paymentUrls } from "~/payments/app-urls";

const k1 = generateKeyMaterial();
const k2 = generateKeyMaterial();

describe("per-session URL secrets", () => {
  it("are 256-bit, URL-safe, stable per session and different across sessions", () => {
    const ring = parseKeyring(k1);
    const a = sessionSecret("sess-a", ring);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, "base64url")).toHaveLength(32);
    expect(sessionSecret("sess-a", ring)).toBe(a);
    expect(sessionSecret("sess-b", ring)).not.toBe(a);
  });

  it("verify only for their own session and key", () => {
    const ring = parseKeyring(k1);
    const a = sessionSecret("sess-a", ring);
    expect(verifySessionSecret("sess-a", a, ring)).toBe(true);
    expect(verifySessionSecret("sess-b", a, ring)).toBe(false);
    expect(verifySessionSecret("sess-a", a, parseKeyring(k2))).toBe(false);
    const flipped = Buffer.from(a, "base64url");
    flipped[31] = flipped[31]! ^ 1;
    expect(verifySessionSecret("sess-a", flipped.toString("base64url"), ring)).toBe(false);
  });

  it.each(["", "short", "A".repeat(43), "A".repeat(44), "../../etc", `${"A".repeat(42)}=`])("reject malformed %j", (candidate) => {
    expect(verifySessionSecret("sess-a", candidate, parseKeyring(k1))).toBe(false);
  });

  it("keep verifying after a key rotation (old key still in the keyring)", () => {
    const old = sessionSecret("sess-a", parseKeyring(`k1:${k1}`));
    const rotated = parseKeyring(`k2:${k2},k1:${k1}`);
    expect(verifySessionSecret("sess-a", old, rotated)).toBe(true);
    expect(sessionSecret("sess-a", rotated)).not.toBe(old);
    expect(verifySessionSecret("sess-a", old, parseKeyring(`k2:${k2}`))).toBe(false);
  });

  it("are carried by every URL given to Soisy and the shopper", () => {
    const urls = paymentUrls("https://app.example/", "id/with+chars", "SECRET");
    for (const url of Object.values(urls)) {
      expect(url.startsWith("https://app.example/")).toBe(true);
      expect(url).toContain("/id%2Fwith%2Bchars/SECRET");
    }
  });
});
