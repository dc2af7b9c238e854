/**
 * A whole stack for end-to-end tests: a fresh database, the Soisy and Shopify simulators, and the
 * built app served by its production server as a real child process (so it can be killed and restarted).
 */
import type { ChildProcess } from "node:child_process";
import { startSoisySimulator, type SoisySimulator, type SoisySimulatorOptions } from "../simulators/soisy";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { createTestDatabase, type TestDatabase } from "./database";
import { configureShop, freePort, newShopifyProof, repoRoot, shopifyProofEnv, spawnApp, stopProcess } from "../../scripts/lib/local-stack";
import { generateKeyMaterial, parseKeyring } from "~/security/encryption.server";
import { seedAdminSession } from "./admin-session";
import type { ShopOptions } from "~/settings/settings.server";

export { repoRoot };

/** For the beforeAll that starts a stack (the app, two simulators, maybe Chromium) on a busy 2-core machine. */
export const STACK_SETUP_TIMEOUT_MS = 90_000;

/** For afterEach: when the test failed, prints the end of the app's output (what the app logged about it). */
export function printAppOutputIfFailed(context: { task: { result?: { state?: string } } }, stack: Stack): void {
  if (context.task.result?.state === "fail") console.error(`--- app output ---\n${stack.appOutput().slice(-4_000)}`);
}

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

/** The Shopify simulator's payment session `id`; throws (with the id) when it has none. */
export function simSession(stack: Stack, id: string) {
  const session = stack.shopify.paymentSessions.get(id);
  if (!session) throw new Error(`the Shopify simulator has no session ${id}`);
  return session;
}

export async function startStack(
  options: {
    shop?: string;
    options?: Partial<ShopOptions>;
    soisy?: SoisySimulatorOptions;
    appEnv?: Record<string, string>;
    ready?: boolean;
    /**
     * The shop's admin is the Shopify simulator's (SHOPIFY_ADMIN_URL): OAuth, the refresh grant and the Admin
     * GraphQL API (checkout rules, shop name). Only with NODE_ENV=development: the app refuses SHOPIFY_ADMIN_URL
     * in production. Without it (NODE_ENV=production) Admin API calls fail like Shopify being unreachable.
     */
    adminOAuth?: boolean;
  } = {},
): Promise<Stack> {
  const shop = options.shop ?? "e2e-shop.myshopify.com";
  const accessToken = `shpat_e2e_${Math.random().toString(36).slice(2)}`;
  const encryptionKey = generateKeyMaterial();
  const database = await createTestDatabase();
  await configureShop(database.db, parseKeyring(encryptionKey), shop, accessToken, {
    ...(options.options ? { options: options.options } : {}),
    ready: options.ready ?? true,
  });

  const soisy = await startSoisySimulator(options.soisy ?? {});
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const apiKey = "e2e-client-id";
  const apiSecret = "e2e-client-secret";
  // The merchant's logged-in admin session for the stack's shop (test/helpers/admin-session.ts).
  await seedAdminSession(database.db, apiSecret, shop);
  // Session requests carry the proof a TLS terminator adds after checking Shopify's client certificate.
  const proof = newShopifyProof();
  const shopify = await startShopifySimulator({
    appUrl,
    proofHeader: proof,
    shops: [{ domain: shop, accessToken }],
    // The app's credentials, so the simulator's OAuth install flow works (SHOPIFY_ADMIN_URL below).
    oauth: { clientId: apiKey, clientSecret: apiSecret },
    retry: { attempts: 5, delaysMs: [100, 200, 400, 800] },
  });

  let child: ChildProcess | undefined;
  let output = "";
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: options.adminOAuth ? "development" : "production",
    DATABASE_URL: database.url,
    APP_ENCRYPTION_KEY: encryptionKey,
    SHOPIFY_API_KEY: apiKey,
    SHOPIFY_API_SECRET: apiSecret,
    SHOPIFY_APP_URL: appUrl,
    SHOPIFY_PAYMENTS_API_URL: shopify.paymentsApiUrlTemplate,
    ...(options.adminOAuth ? { SHOPIFY_ADMIN_URL: shopify.paymentsApiUrlTemplate } : {}),
    SOISY_API_URL: soisy.url,
    ...shopifyProofEnv(proof),
    OUTBOX_POLL_MS: "200",
    RECONCILE_INTERVAL_MS: "500",
    RECONCILE_AFTER_MS: "600000",
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "warn",
    ...options.appEnv,
  };
  const startApp = async () => {
    child = await spawnApp({ port, env, onOutput: (text) => (output += text) });
  };
  const stopApp = () => stopProcess(child, "SIGKILL");
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
