/**
 * The operator CLI's issue-16 flags (scripts/shop-cli/commands.ts `configure`), run in-process on a
 * real database: alert e-mail, language, digest, refunds settled from Soisy, payout grace days; bad
 * values refused before anything is written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../scripts/shop-cli/args";
import { configure, type CliIo } from "../../scripts/shop-cli/commands";
import { parseKeyring, generateKeyMaterial } from "~/security/encryption.server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const SHOP = "cli-alerts.myshopify.com";
let t: TestDatabase;
const out: string[] = [];
const keyring = parseKeyring(generateKeyMaterial());
const io = (): CliIo => ({ out: (s) => void out.push(s), err: () => undefined, env: {}, readStdin: async () => "", db: async () => t.db, keyring: () => keyring, now: () => new Date() });

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.shopSettings.create({ data: { shop: SHOP } });
});
afterAll(() => t?.cleanup());

const stored = () => t.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP }, select: { alertEmail: true, alertLocale: true, alertDigest: true, settleRefundsFromSoisy: true, payoutGraceDays: true } });

describe("shop CLI: alert flags", () => {
  it("sets them and shows them", async () => {
    await configure(io(), [SHOP, "--alert-email", "owner@shop.example", "--alert-locale", "en", "--alert-digest", "true", "--settle-refunds-from-soisy", "false", "--payout-grace-days", "10"]);
    expect(await stored()).toEqual({ alertEmail: "owner@shop.example", alertLocale: "en", alertDigest: true, settleRefundsFromSoisy: false, payoutGraceDays: 10 });
    expect(out.join("\n")).toContain("set (en, daily digest)");
    await configure(io(), [SHOP, "--alert-email", ""]);
    expect((await stored()).alertEmail).toBeNull();
  });

  it("refuses bad values and writes nothing", async () => {
    const before = await stored();
    await expect(configure(io(), [SHOP, "--alert-email", "nope"])).rejects.toBeInstanceOf(UsageError);
    await expect(configure(io(), [SHOP, "--payout-grace-days", "61"])).rejects.toBeInstanceOf(UsageError);
    await expect(configure(io(), [SHOP, "--alert-locale", "de"])).rejects.toBeInstanceOf(UsageError);
    expect(await stored()).toEqual(before);
  });
});
