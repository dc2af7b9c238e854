/**
 * A whole stack for end-to-end tests: a fresh database, the Soisy and Shopify simulators, and the
 * built app served by remix-serve as a real child process (so it can be killed and restarted).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { startSoisySimulator, type SoisySimulator, type SoisySimulatorOptions } from "../simulators/soisy";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { createTestDatabase, type TestDatabase } from "./database";
import { generateKeyMaterial, parseKeyring } from "~/security/encryption.server";
import { ensureShopSettings, saveShopOptions, saveSoisyCredentials, setReady, type ShopOptions } from "~/settings/settings.server";

export const repoRoot = path.resolve(import.meta.dirname, "../..");

export const DEFAULT_OPTIONS: ShopOptions = {
  minAmountCents: 10_000,
  maxAmountCents: 1_500_000,
  integrationLevel: "redirect",
  resolveOn: "verified",
  pendingExpiryDays: 3,
  zeroInterest: false,
  widgetInstalments: 12,
  excludedProductTags: [],
  excludeGiftCards: true,
  allowedCountries: ["IT"],
  autoResolveRefunds: false,
};

export interface Stack {
  shop: string;
  accessToken: string;
  appUrl: string;
  encryptionKey: string;
  soisy: SoisySimulator;
  shopify: ShopifySimulator;
  database: TestDatabase;
  /** The app's environment (for running its CLIs against the same stack). */
  env: NodeJS.ProcessEnv;
  /** What the app printed (for failure messages). */
  appOutput(): string;
  stopApp(): Promise<void>;
  startApp(): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

export async function startStack(
  options: { shop?: string; options?: Partial<ShopOptions>; soisy?: SoisySimulatorOptions; appEnv?: Record<string, string>; ready?: boolean } = {},
): Promise<Stack> {
  const shop = options.shop ?? "e2e-shop.myshopify.com";
  const accessToken = `shpat_e2e_${Math.random().toString(36).slice(2)}`;
  const encryptionKey = generateKeyMaterial();
  const keyring = parseKeyring(encryptionKey);
  const database = await createTestDatabase();
  const db = database.db;
  await ensureShopSettings(db, shop);
  await saveShopOptions(db, shop, { ...DEFAULT_OPTIONS, ...options.options });
  await saveSoisyCredentials(db, shop, "sandbox", { soisyShopId: "partnershop", apiKey: "partnerkey" }, keyring);
  await saveSoisyCredentials(db, shop, "production", { soisyShopId: "partnershop", apiKey: "partnerkey" }, keyring);
  await setReady(db, shop, options.ready ?? true);
  await db.session.create({
    data: { id: `offline_${shop}`, shop, state: "e2e", isOnline: false, scope: "write_payment_gateways,write_payment_sessions", accessToken },
  });

  const soisy = await startSoisySimulator(options.soisy ?? {});
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const shopify = await startShopifySimulator({
    appUrl,
    shops: [{ domain: shop, accessToken }],
    retry: { attempts: 5, delaysMs: [100, 200, 400, 800] },
  });

  let child: ChildProcess | undefined;
  let output = "";
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: database.url,
    APP_ENCRYPTION_KEY: encryptionKey,
    SHOPIFY_API_KEY: "e2e-client-id",
    SHOPIFY_API_SECRET: "e2e-client-secret",
    SHOPIFY_APP_URL: appUrl,
    SHOPIFY_PAYMENTS_API_URL: shopify.paymentsApiUrlTemplate,
    SOISY_API_URL: soisy.url,
    OUTBOX_POLL_MS: "200",
    RECONCILE_INTERVAL_MS: "500",
    RECONCILE_AFTER_MS: "600000",
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "warn",
    ...options.appEnv,
  };
  const startApp = async () => {
    const proc = spawn(process.execPath, [path.join(repoRoot, "node_modules/@remix-run/serve/dist/cli.js"), "build/server/index.js"], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    proc.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    proc.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    await waitForHttp(`${appUrl}/healthz`, 30_000, () => proc.exitCode === null);
  };
  const stopApp = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGKILL");
    await exited;
  };
  await startApp();
  return {
    shop,
    accessToken,
    appUrl,
    encryptionKey,
    soisy,
    shopify,
    database,
    env,
    appOutput: () => output,
    stopApp,
    startApp,
    async close() {
      await stopApp();
      await Promise.allSettled([soisy.close(), shopify.close()]);
      await database.cleanup();
    },
  };
}

/** Polls `check` until it returns a truthy value (or throws after timeoutMs). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
