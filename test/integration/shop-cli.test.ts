/**
 * The operator CLI (`npm run shop -- …`) run as a child process against a fresh database, like an
 * operator would: output, exit codes (0 done, 1 failed, 2 usage) and the database's rows.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "@shopify/shopify-api";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createPaymentRow } from "../helpers/payment-rows";
import { createOutboxWorker } from "~/payments/outbox-worker.server";
import { generateKeyMaterial, parseKeyring } from "~/security/encryption.server";
import { soisyCredentials } from "~/settings/settings.server";
import { decryptSessionToken, EncryptedSessionStorage, encryptSessionToken } from "~/shopify/session-storage.server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { configureShop } from "../../scripts/lib/local-stack";

const root = path.resolve(import.meta.dirname, "../..");
const SHOP = "cli-shop.myshopify.com";
const OTHER = "cli-other.myshopify.com";
const SANDBOX_KEY = "sandbox-secret-key-5b7e1c";
const PRODUCTION_KEY = "production-secret-key-9d2f4a";
const HOUR = 3_600_000;

let database: TestDatabase;
let encryptionKey: string;

beforeAll(async () => {
  database = await createTestDatabase();
  encryptionKey = generateKeyMaterial();
});

afterAll(async () => {
  await database?.cleanup();
});

const db = () => database.db;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/shop-cli.ts", ...args], {
      cwd: root,
      env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", DATABASE_URL: database.url, APP_ENCRYPTION_KEY: encryptionKey, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

let seq = 0;
async function payment(shop: string, state: string, ageMs: number, extra: Record<string, unknown> = {}) {
  const id = `cli${Date.now().toString(36)}${(seq++).toString().padStart(4, "0")}`;
  return createPaymentRow(db(), id, shop, state, { proposedAt: new Date(Date.now() - ageMs), createdAt: new Date(Date.now() - ageMs), ...extra });
}

async function deadMessage(shop: string, paymentSessionId: string, mutation = "paymentSessionResolve") {
  const message = await db().outboxMessage.create({
    data: {
      shop,
      paymentSessionId,
      mutation,
      dedupeKey: `${paymentSessionId}:${mutation}`,
      variablesJson: JSON.stringify({ id: `gid://shopify/PaymentSession/${paymentSessionId}` }),
      status: "dead",
      attempts: 17,
      nextAttemptAt: new Date(Date.now() - HOUR),
      lastError: "HTTP 503",
      deadAt: new Date(Date.now() - HOUR),
      createdAt: new Date(Date.now() - 4 * 24 * HOUR),
    },
  });
  await db().timelineEvent.create({
    data: { shop, paymentSessionId, source: "app", type: "outbox_dead_letter", dedupeKey: `outbox_dead_letter:${message.id}`, detailJson: "{}" },
  });
  return message.id;
}

describe("usage", () => {
  it("no command → usage on stderr, exit 2; help → exit 0; unknown command → exit 2", async () => {
    const [none, help, unknown] = await Promise.all([cli([]), cli(["help"]), cli(["frobnicate"])]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: npm run shop -- <command>");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("retry-dead");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});

describe("which database", () => {
  it("refuses a SQLite file that does not exist (exit 1, naming it) and does not create it", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "soisy-cli-nodb-"));
    const missing = path.join(dir, "nope.sqlite");
    try {
      const res = await cli(["show", "some-shop.myshopify.com"], { env: { DATABASE_URL: `file:${missing}` } });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`no SQLite database at ${missing}`);
      expect(res.stderr).toContain("DATABASE_URL=file:./.demo/demo.sqlite");
      expect(existsSync(missing)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("configure and show", () => {
  it("creates a shop's settings: amounts exact to the cent, keys from an env var and stdin (encrypted, never printed), ready", async () => {
    const res = await cli(
      [
        "configure",
        SHOP,
        "--sandbox-shop-id",
        "partnershop",
        "--sandbox-api-key-env",
        "SOISY_SANDBOX_KEY",
        "--production-shop-id",
        "liveshop",
        "--production-api-key-stdin",
        "--min-amount",
        "150.10",
        "--max-amount",
        "9999.99",
        "--resolve-on",
        "disbursed",
        "--allowed-countries",
        "IT,SM",
        "--ready",
        "true",
        "--offline-access-token-env",
        "SHOP_TOKEN",
      ],
      { env: { SOISY_SANDBOX_KEY: SANDBOX_KEY, SHOP_TOKEN: "shpat_cli_token" }, input: `${PRODUCTION_KEY}\n` },
    );
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`created the settings of ${SHOP}`);
    expect(res.stdout).toMatch(/sandbox credentials:\s+shop id partnershop, API key set/);
    expect(res.stdout).toMatch(/production credentials:\s+shop id liveshop, API key set/);
    expect(res.stdout).toMatch(/amount range:\s+150\.10 EUR – 9999\.99 EUR/);
    for (const text of [res.stdout, res.stderr]) {
      expect(text).not.toContain(SANDBOX_KEY);
      expect(text).not.toContain(PRODUCTION_KEY);
    }
    const row = await db().shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(row).toMatchObject({ minAmountCents: 15_010, maxAmountCents: 999_999, resolveOn: "disbursed", ready: true, allowedCountries: '["IT","SM"]' });
    expect(JSON.stringify(row)).not.toContain(SANDBOX_KEY);
    expect(JSON.stringify(row)).not.toContain(PRODUCTION_KEY);
    const keyring = parseKeyring(encryptionKey);
    expect(await soisyCredentials(db(), SHOP, "sandbox", keyring)).toEqual({ soisyShopId: "partnershop", apiKey: SANDBOX_KEY });
    expect(await soisyCredentials(db(), SHOP, "production", keyring)).toEqual({ soisyShopId: "liveshop", apiKey: PRODUCTION_KEY });
    const session = await db().session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    expect(session).toMatchObject({ shop: SHOP, isOnline: false });
    // Stored encrypted, like the app's session storage stores it.
    expect(session.accessToken).toMatch(/^v1\./);
    expect(decryptSessionToken(session.accessToken, session.id, "accessToken", keyring)).toBe("shpat_cli_token");
  });

  it("updates only what it is given; the stored keys stay", async () => {
    const res = await cli(["configure", SHOP, "--ready", "false", "--sandbox-shop-id", "othershop", "--json"]);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ ready: false, options: { minAmount: "150.10", resolveOn: "disbursed", fundOn: "approval", authorizationDays: 30 }, credentials: { sandbox: { soisyShopId: "othershop", apiKey: "set" } } });
    expect(await soisyCredentials(db(), SHOP, "sandbox", parseKeyring(encryptionKey))).toEqual({ soisyShopId: "othershop", apiKey: SANDBOX_KEY });
  });

  it("sets when Soisy funds and the days to capture", async () => {
    const res = await cli(["configure", SHOP, "--fund-on", "fulfilment", "--authorization-days", "14"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/fund on:\s+fulfilment \(authorizations capturable 14 days\)/);
    expect(await db().shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ fundOn: "fulfilment", authorizationDays: 14, resolveOn: "disbursed" });
    const back = await cli(["configure", SHOP, "--fund-on", "approval", "--json"]);
    expect(JSON.parse(back.stdout)).toMatchObject({ options: { fundOn: "approval", authorizationDays: 14 } });
    // Refused before anything is written (the bad-arguments test below runs its many processes at once).
    for (const [args, message] of [
      [["--fund-on", "shipping"], /--fund-on: expected one of approval, fulfilment/],
      [["--authorization-days", "31"], /--authorization-days: must be between 1 and 30/],
    ] as const) {
      const res = await cli(["configure", SHOP, ...args]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
    }
    expect(await db().shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ fundOn: "approval", authorizationDays: 14 });
  }, 60_000);

  it("bad arguments → exit 2 with a clear message, nothing written", async () => {
    const before = await db().shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    const cases: Array<[string[], RegExp, Record<string, string>?]> = [
      [["configure", SHOP, "--min-amount", "1.234"], /--min-amount: "1\.234" is not an amount in euros/],
      [["configure", SHOP, "--max-amount", "abc"], /--max-amount: "abc" is not an amount/],
      [["configure", SHOP, "--min-amount", "9999.99", "--max-amount", "100.00"], /--min-amount: the minimum amount must be lower than the maximum/],
      [["configure", SHOP, "--max-amount", "50000.00"], /--max-amount: /],
      [["configure", SHOP, "--resolve-on", "sometimes"], /--resolve-on: expected one of verified, disbursed/],
      [["configure", SHOP, "--ready", "maybe"], /--ready: expected true or false/],
      [["configure", SHOP, "--pending-expiry-days", "31"], /--pending-expiry-days: must be between 1 and 30/],
      [["configure", SHOP, "--allowed-countries", "italy"], /--allowed-countries: country codes are two upper-case letters/],
      [["configure", SHOP, "--frobnicate", "1"], /Unknown option '--frobnicate'/],
      [["configure", "not a shop", "--ready", "true"], /"not a shop" is not a shop domain/],
      [["configure", SHOP], /nothing to configure/],
      [["configure"], /missing argument\(s\): expected <shop>/],
      [["configure", SHOP, "--sandbox-api-key-env", "NOT_SET_ANYWHERE"], /the environment variable NOT_SET_ANYWHERE is not set or empty/],
      [["configure", SHOP, "--sandbox-api-key-env", "K", "--sandbox-api-key-stdin"], /give the sandbox API key one way/, { K: "x" }],
      [["configure", OTHER, "--production-shop-id", "liveshop"], /the production API key is required/],
      [["configure", OTHER, "--production-api-key-env", "K"], /--production-shop-id is required/, { K: "x" }],
      [["configure", SHOP, "--sandbox-shop-id", "bad id!"], /--sandbox-shop-id: the Soisy shop id holds only letters/],
    ];
    const results = await Promise.all(cases.map(([args, , env]) => cli(args, env ? { env } : {})));
    results.forEach((res, i) => {
      expect({ args: cases[i]![0], code: res.code }).toEqual({ args: cases[i]![0], code: 2 });
      expect(res.stderr).toMatch(cases[i]![1]);
      expect(res.stdout).toBe("");
    });
    expect(await db().shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toEqual(before);
    expect(await db().shopSettings.findUnique({ where: { shop: OTHER } })).toBeNull();
  }, 60_000);

  it("a key given without APP_ENCRYPTION_KEY → exit 1, nothing stored", async () => {
    const res = await cli(["configure", OTHER, "--sandbox-shop-id", "x", "--sandbox-api-key-env", "K"], { env: { K: "k", APP_ENCRYPTION_KEY: "" } });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/APP_ENCRYPTION_KEY/);
    expect(await db().shopSettings.findUnique({ where: { shop: OTHER } })).toBeNull();
  });

  it("show: settings without keys, payments by state, refunds awaiting, dead outbox messages; unknown shop → exit 1", async () => {
    const p1 = await payment(SHOP, "pending", HOUR);
    await payment(SHOP, "pending", HOUR);
    await payment(SHOP, "resolved", HOUR);
    const dead = await deadMessage(SHOP, p1, "paymentSessionPending");
    const res = await cli(["show", SHOP]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/payments:\s+3 \(pending 2, resolved 1\)/);
    expect(res.stdout).toMatch(/dead outbox messages:\s+1/);
    expect(res.stdout).toContain(`${dead}  paymentSessionPending  ${p1}`);
    expect(res.stdout).toMatch(/installed:\s+yes/);
    expect(res.stdout).not.toContain(SANDBOX_KEY);
    const json = JSON.parse((await cli(["show", SHOP, "--json"])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ shop: SHOP, payments: { pending: 2, resolved: 1 }, credentials: { production: { apiKey: "set" } } });
    expect(JSON.stringify(json)).not.toContain("Encrypted");
    const missing = await cli(["show", "nobody.myshopify.com"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("shop nobody.myshopify.com has no settings");
    // Clean up for the next tests.
    await db().outboxMessage.deleteMany({ where: { id: dead } });
    await db().paymentSession.deleteMany({ where: { shop: SHOP } });
  });
});

describe("stuck", () => {
  it("lists payments still in a state longer than the duration, per shop and state", async () => {
    const oldPending = await payment(SHOP, "pending", 30 * HOUR);
    const newPending = await payment(SHOP, "pending", 2 * HOUR);
    const oldRedirected = await payment(SHOP, "redirected", 50 * HOUR);
    const otherShop = await payment(OTHER, "pending", 100 * HOUR);

    const all = await cli(["stuck"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("2 stuck payments (all shops, state pending, older than 24h)");
    expect(all.stdout).toContain(oldPending);
    expect(all.stdout).toContain(otherShop);
    expect(all.stdout).not.toContain(newPending);
    expect(all.stdout).not.toContain(oldRedirected);

    const json = JSON.parse((await cli(["stuck", SHOP, "--state", "pending", "--state", "redirected", "--older-than", "1h", "--json"])).stdout) as { payments: Array<{ id: string; amount: string }> };
    expect(json.payments.map((p) => p.id)).toEqual([oldRedirected, oldPending, newPending]);
    expect(json.payments[0]!.amount).toBe("123.45");

    const none = await cli(["stuck", SHOP, "--older-than", "7d"]);
    expect(none.stdout).toContain("no stuck payments");

    const bad = await Promise.all([cli(["stuck", "--older-than", "yesterday"]), cli(["stuck", "--state", "stuck"]), cli(["stuck", "--limit", "0"]), cli(["stuck", SHOP, OTHER])]);
    expect(bad.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(bad[0]!.stderr).toContain('--older-than: expected a duration like 30m, 24h or 7d, got "yesterday"');
    expect(bad[1]!.stderr).toContain("--state: expected one of received, not_eligible");
  });
});

describe("retry-dead", () => {
  it("moves dead messages back to pending (one by id, then a shop's), the worker picks them up; other shops untouched", async () => {
    const pA = await payment(SHOP, "resolved", 100 * HOUR);
    const pB = await payment(SHOP, "resolved", 100 * HOUR);
    const pC = await payment(OTHER, "resolved", 100 * HOUR);
    const a = await deadMessage(SHOP, pA);
    const b = await deadMessage(SHOP, pB);
    const c = await deadMessage(OTHER, pC);

    const usage = await cli(["retry-dead"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("retry-dead needs a shop, --id <outboxMessageId> or --all");

    const dry = await cli(["retry-dead", SHOP, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("dry run: 2 messages would be moved back to pending");
    expect(await db().outboxMessage.count({ where: { status: "dead" } })).toBe(3);

    const one = await cli(["retry-dead", "--id", a]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`retrying ${a}  paymentSessionResolve  ${SHOP}  ${pA}`);
    expect(one.stdout).toContain("1 message moved back to pending");
    const retried = await db().outboxMessage.findUniqueOrThrow({ where: { id: a } });
    expect(retried).toMatchObject({ status: "pending", attempts: 0, deadAt: null, lockedBy: null });
    expect(Math.abs(retried.nextAttemptAt.getTime() - Date.now())).toBeLessThan(30_000);
    expect((await db().outboxMessage.findUniqueOrThrow({ where: { id: b } })).status).toBe("dead");
    const timeline = await db().timelineEvent.findMany({ where: { paymentSessionId: pA }, orderBy: { createdAt: "asc" } });
    expect(timeline.map((e) => e.type)).toEqual(["outbox_dead_letter", "outbox_retried"]);
    expect(timeline[0]!.dedupeKey).not.toBe(`outbox_dead_letter:${a}`);

    const again = await cli(["retry-dead", "--id", a]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`outbox message ${a} is pending, not dead`);
    const unknown = await cli(["retry-dead", "--id", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no outbox message nope");

    const shop = await cli(["retry-dead", SHOP]);
    expect(shop.code).toBe(0);
    expect(shop.stdout).toContain(`retrying ${b}`);
    expect((await db().outboxMessage.findUniqueOrThrow({ where: { id: b } })).status).toBe("pending");
    expect((await db().outboxMessage.findUniqueOrThrow({ where: { id: c } })).status).toBe("dead");

    // The outbox worker attempts them again with a whole retry window (they were enqueued 4 days
    // ago, beyond the 72 h limit): a transient failure is retried, not dead-lettered at once.
    let calls = 0;
    const worker = createOutboxWorker({
      db: db(),
      tokenProvider: async () => "token",
      endpointFor: () => "http://127.0.0.1:9/graphql.json",
      fetch: (async () => {
        calls++;
        return new Response("unavailable", { status: 503 });
      }) as typeof fetch,
      random: () => 0.5,
    });
    const report = await worker.runOnce();
    expect(report).toMatchObject({ claimed: 2, retried: 2, dead: 0 });
    expect(calls).toBe(2);
    expect(await db().outboxMessage.count({ where: { id: { in: [a, b] }, status: "pending" } })).toBe(2);
  });
});

describe("export-customer", () => {
  it("prints what is stored about the customer as JSON; a bad email → exit 2", async () => {
    const customer = { email: "Anna.Bianchi@example.com", phone_number: "3471234567", billing_address: { given_name: "Anna", family_name: "Bianchi", city: "Torino" } };
    const id = await payment(SHOP, "resolved", HOUR, { customerJson: JSON.stringify(customer), customerEmail: customer.email, customerLocale: "it" });
    await payment(SHOP, "resolved", HOUR, { customerJson: JSON.stringify({ email: "someone@example.com" }), customerEmail: "someone@example.com" });
    const res = await cli(["export-customer", SHOP, "anna.bianchi@example.com"]);
    expect(res.code).toBe(0);
    const exported = JSON.parse(res.stdout) as { payments: Array<Record<string, unknown>> };
    expect(exported.payments).toHaveLength(1);
    expect(exported.payments[0]).toMatchObject({
      id,
      amount: "123.45",
      state: "resolved",
      personalData: { customerEmail: customer.email, customerLocale: "it", customer },
    });
    expect(exported.payments[0]!.fieldsStored).toEqual(expect.arrayContaining(["customer.billing_address.city", "customer.phone_number", "customerEmail"]));
    const bad = await cli(["export-customer", SHOP, "not-an-email"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"not-an-email" is not an email address');
  });
});

describe("rotate-keys", () => {
  const OLD = `k1:${generateKeyMaterial()}`;
  const NEW = `k2:${generateKeyMaterial()}`;
  const shops = ["rot-a.myshopify.com", "rot-b.myshopify.com", "rot-c.myshopify.com"];
  let rotating: TestDatabase;
  const run = (args: string[], key: string) => cli(["rotate-keys", ...args], { env: { DATABASE_URL: rotating.url, APP_ENCRYPTION_KEY: key } });

  beforeAll(async () => {
    rotating = await createTestDatabase();
    const old = parseKeyring(OLD);
    for (const [i, shop] of shops.entries()) await configureShop(rotating.db, old, shop, `shpat_rot_${i}`, { production: i !== 2 });
    // An offline session with an expiring token, stored through the app's session storage under the old key.
    const storage = new EncryptedSessionStorage(new PrismaSessionStorage(rotating.db as never), () => old);
    const session = new Session({ id: "offline_rot-d.myshopify.com", shop: "rot-d.myshopify.com", state: "", isOnline: false, accessToken: "shpat_rot_d", refreshToken: "shprt_rot_d" });
    expect(await storage.storeSession(session)).toBe(true);
    // A row an older version of the app wrote in plain text.
    await rotating.db.session.create({ data: { id: "offline_legacy.myshopify.com", shop: "legacy.myshopify.com", state: "", isOnline: false, accessToken: "shpat_plain", refreshToken: "shprt_plain" } });
  });

  afterAll(async () => {
    await rotating?.cleanup();
  });

  it("re-encrypts everything under the newest key in batches; again is a no-op; then the old key can go", async () => {
    const dry = await run(["--dry-run", "--json"], `${NEW},${OLD}`);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, soisyApiKeys: { rotated: 5 }, shopifyTokens: { rotated: 7 } });
    expect((await rotating.db.shopSettings.findMany({ select: { sandboxApiKeyKeyId: true } })).map((r) => r.sandboxApiKeyKeyId)).toEqual(["k1", "k1", "k1"]);

    const first = await run(["--batch-size", "2"], `${NEW},${OLD}`);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('current key "k2"');
    expect(first.stdout).toMatch(/Soisy API keys:\s+3 rows, 5 re-encrypted, 0 already current, 0 changed meanwhile, 0 failed/);
    // 4 offline tokens + 1 refresh token under k1, 1 access + 1 refresh token in plain text.
    expect(first.stdout).toMatch(/Shopify tokens:\s+5 rows, 7 re-encrypted, 0 already current, 0 changed meanwhile, 0 failed/);

    const again = await run(["--json"], `${NEW},${OLD}`);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ soisyApiKeys: { rotated: 0, current: 5 }, shopifyTokens: { rotated: 0, current: 7 } });

    // Only the new key from now on: everything decrypts; the old key alone no longer does.
    const onlyNew = parseKeyring(NEW);
    const onlyOld = parseKeyring(OLD);
    for (const shop of shops) {
      expect(await soisyCredentials(rotating.db, shop, "sandbox", onlyNew)).toEqual({ soisyShopId: "partnershop", apiKey: "partnerkey" });
      await expect(soisyCredentials(rotating.db, shop, "sandbox", onlyOld)).rejects.toThrow(/no longer holds|failed/);
    }
    expect(await soisyCredentials(rotating.db, shops[0]!, "production", onlyNew)).toEqual({ soisyShopId: "partnershop", apiKey: "partnerkey" });
    const settings = await rotating.db.shopSettings.findMany();
    expect(settings.flatMap((r) => [r.sandboxApiKeyKeyId, r.productionApiKeyKeyId]).filter(Boolean)).toEqual(["k2", "k2", "k2", "k2", "k2"]);

    const storage = new EncryptedSessionStorage(new PrismaSessionStorage(rotating.db as never), () => onlyNew);
    for (const [i, shop] of shops.entries()) expect((await storage.loadSession(`offline_${shop}`))?.accessToken).toBe(`shpat_rot_${i}`);
    expect(await storage.loadSession("offline_rot-d.myshopify.com")).toMatchObject({ accessToken: "shpat_rot_d", refreshToken: "shprt_rot_d" });
    expect(await storage.loadSession("offline_legacy.myshopify.com")).toMatchObject({ accessToken: "shpat_plain", refreshToken: "shprt_plain" });
    const raw = await rotating.db.session.findMany();
    for (const row of raw) {
      expect(row.accessToken).toMatch(/^v1\.k2\./);
      if (row.refreshToken) expect(row.refreshToken).toMatch(/^v1\.k2\./);
    }
    // The CLI works with only the new key too.
    const show = await cli(["show", shops[0]!], { env: { DATABASE_URL: rotating.url, APP_ENCRYPTION_KEY: NEW } });
    expect(show.code, show.stderr).toBe(0);
    expect((await run([], NEW)).code).toBe(0);
  }, 240_000);

  it("reports a value it cannot decrypt (exit 1) and rotates the rest", async () => {
    const stray = encryptSessionToken("shpat_stray", "offline_stray.myshopify.com", "accessToken", parseKeyring(`k0:${generateKeyMaterial()}`));
    await rotating.db.session.create({ data: { id: "offline_stray.myshopify.com", shop: "stray.myshopify.com", state: "", isOnline: false, accessToken: stray } });
    await rotating.db.session.update({ where: { id: "offline_legacy.myshopify.com" }, data: { accessToken: "shpat_plain_again", refreshToken: null } });
    const res = await run([], NEW);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("Session:offline_stray.myshopify.com:accessToken");
    expect(res.stdout).toMatch(/Shopify tokens:\s+6 rows, 1 re-encrypted, .* 1 failed/);
    const legacy = await rotating.db.session.findUniqueOrThrow({ where: { id: "offline_legacy.myshopify.com" } });
    expect(decryptSessionToken(legacy.accessToken, legacy.id, "accessToken", parseKeyring(NEW))).toBe("shpat_plain_again");
    expect((await rotating.db.session.findUniqueOrThrow({ where: { id: "offline_stray.myshopify.com" } })).accessToken).toBe(stray);
  }, 120_000);
});
