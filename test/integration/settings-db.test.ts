import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { generateKeyMaterial, parseKeyring, DecryptionError } from "~/security/encryption.server";
import {
  getShopSettings,
  removeSoisyCredentials,
  saveShopOptions,
  saveSoisyCredentials,
  soisyCredentials,
} from "~/settings/settings.server";

const keyring = parseKeyring(generateKeyMaterial());
const SHOP = "settings-test.myshopify.com";
const SANDBOX_KEY = "sandbox-KEY-0a1b2c3d4e5f-unique-marker";
const PRODUCTION_KEY = "live-KEY-9z8y7x6w-unique-marker";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.cleanup();
});

/** Every byte the database holds for the settings row (SQLite: the files themselves). */
async function storedBytes(): Promise<Buffer> {
  if (t.kind === "sqlite") {
    await t.db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)").catch(() => undefined);
    const files = [t.file!, `${t.file}-wal`, `${t.file}-journal`].filter((f) => existsSync(f));
    return Buffer.concat(files.map((f) => readFileSync(f)));
  }
  const rows = await t.db.$queryRawUnsafe<Array<{ row: string }>>(
    `SELECT row_to_json(s)::text AS row FROM "ShopSettings" s`,
  );
  return Buffer.from(rows.map((r) => r.row).join("\n"));
}

describe(`shop settings and encrypted Soisy keys`, () => {
  it("round-trips both credential pairs through the database, keys only encrypted at rest", async () => {
    await saveSoisyCredentials(t.db, SHOP, "sandbox", { soisyShopId: "partnershop", apiKey: SANDBOX_KEY }, keyring);
    await saveSoisyCredentials(t.db, SHOP, "production", { soisyShopId: "liveshop", apiKey: PRODUCTION_KEY }, keyring);

    expect(await soisyCredentials(t.db, SHOP, "sandbox", keyring)).toEqual({ soisyShopId: "partnershop", apiKey: SANDBOX_KEY });
    expect(await soisyCredentials(t.db, SHOP, "production", keyring)).toEqual({ soisyShopId: "liveshop", apiKey: PRODUCTION_KEY });

    const row = await t.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(row.sandboxApiKeyEncrypted).toMatch(/^v1\.k1\./);
    expect(row.sandboxApiKeyKeyId).toBe("k1");

    const bytes = await storedBytes();
    expect(bytes.includes(Buffer.from("partnershop"))).toBe(true); // the row really is in these bytes
    expect(bytes.includes(Buffer.from(SANDBOX_KEY))).toBe(false);
    expect(bytes.includes(Buffer.from(PRODUCTION_KEY))).toBe(false);
    expect(bytes.includes(Buffer.from("unique-marker"))).toBe(false);
  });

  it("the settings view never carries a key", async () => {
    const view = await getShopSettings(t.db, SHOP);
    expect(view?.credentials.sandbox).toEqual({ soisyShopId: "partnershop", apiKeySet: true, verifiedAt: null });
    expect(JSON.stringify(view)).not.toContain("unique-marker");
    expect(JSON.stringify(view)).not.toContain("v1.k1.");
  });

  it("a blank key keeps the stored one; a missing one is an error", async () => {
    await saveSoisyCredentials(t.db, SHOP, "sandbox", { soisyShopId: "partnershop2", apiKey: "  " }, keyring);
    expect(await soisyCredentials(t.db, SHOP, "sandbox", keyring)).toEqual({ soisyShopId: "partnershop2", apiKey: SANDBOX_KEY });
    await expect(
      saveSoisyCredentials(t.db, "other-shop.myshopify.com", "sandbox", { soisyShopId: "x", apiKey: "" }, keyring),
    ).rejects.toBeInstanceOf(ZodError);
    expect(await t.db.shopSettings.findUnique({ where: { shop: "other-shop.myshopify.com" } })).toBeNull();
  });

  it("a ciphertext moved to another shop's row does not decrypt", async () => {
    const row = await t.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    await t.db.shopSettings.create({
      data: { shop: "thief.myshopify.com", sandboxSoisyShopId: "partnershop", sandboxApiKeyEncrypted: row.sandboxApiKeyEncrypted },
    });
    await expect(soisyCredentials(t.db, "thief.myshopify.com", "sandbox", keyring)).rejects.toBeInstanceOf(DecryptionError);
  });

  it("removing credentials clears them", async () => {
    await removeSoisyCredentials(t.db, SHOP, "production");
    expect(await soisyCredentials(t.db, SHOP, "production", keyring)).toBeNull();
  });

  it("validates options and writes nothing on bad input", async () => {
    const good = {
      minAmountCents: 10000,
      maxAmountCents: 1500000,
      integrationLevel: "redirect",
      resolveOn: "verified",
      pendingExpiryDays: 3,
      zeroInterest: false,
      widgetInstalments: 12,
      excludedProductTags: ["no-soisy"],
      excludeGiftCards: true,
      allowedCountries: ["IT", "SM"],
      autoResolveRefunds: false,
      fundOn: "fulfilment",
      authorizationDays: 20,
    };
    await saveShopOptions(t.db, SHOP, good);
    expect(await getShopSettings(t.db, SHOP)).toMatchObject({ fundOn: "fulfilment", authorizationDays: 20 });
    await expect(saveShopOptions(t.db, SHOP, { ...good, authorizationDays: 31 })).rejects.toBeInstanceOf(ZodError);
    await expect(saveShopOptions(t.db, SHOP, { ...good, fundOn: "shipment" })).rejects.toBeInstanceOf(ZodError);
    expect((await getShopSettings(t.db, SHOP))?.allowedCountries).toEqual(["IT", "SM"]);

    await expect(saveShopOptions(t.db, SHOP, { ...good, minAmountCents: 2_000_000, allowedCountries: ["XX"] })).rejects.toBeInstanceOf(ZodError);
    await expect(saveShopOptions(t.db, SHOP, { ...good, allowedCountries: ["it"] })).rejects.toThrow(/two upper-case letters/);
    await expect(saveShopOptions(t.db, SHOP, { ...good, minAmountCents: 50 })).rejects.toBeInstanceOf(ZodError);
    const after = await getShopSettings(t.db, SHOP);
    expect(after?.minAmountCents).toBe(10000);
    expect(after?.allowedCountries).toEqual(["IT", "SM"]);
  });
});
