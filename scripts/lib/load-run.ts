// Shared pieces of the load scripts (load-sessions.ts, load-quotes.ts): command-line options, the
// production build on a throw-away SQLite database (or the given one) with the Soisy simulator,
// a fixed-concurrency request runner and latency percentiles.
import { execFileSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startSoisySimulator, type SoisySimulator } from "../../test/simulators/soisy";
import { createDb, tuneDatabase, type Db } from "../../app/db.server";
import { generateKeyMaterial, parseKeyring } from "../../app/security/encryption.server";
import { appServerEntry, configureShop, freePort, newShopifyProof, repoRoot, shopifyProofEnv, shopifyProofHeaders, spawnApp, stopProcess } from "./local-stack";

export interface LoadOptions {
  requests: number;
  concurrency: number;
  /** --database-url; undefined → a temporary SQLite file. */
  databaseUrl: string | undefined;
}

/** `--requests N --concurrency N --database-url URL`; exits with status 2 on bad values. */
export function parseLoadArgs(defaults: { requests: number; concurrency: number }): LoadOptions {
  const { values } = parseArgs({
    options: {
      requests: { type: "string", default: String(defaults.requests) },
      concurrency: { type: "string", default: String(defaults.concurrency) },
      "database-url": { type: "string" },
    },
  });
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(requests) || requests < 10 || !Number.isInteger(concurrency) || concurrency < 1) {
    console.error("--requests must be an integer ≥ 10 and --concurrency ≥ 1");
    process.exit(2);
  }
  return { requests, concurrency, databaseUrl: values["database-url"] };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** One line: label, count, p50/p95/p99/max in ms. */
export function printSummary(label: string, samples: number[], labelWidth = 44): void {
  const s = [...samples].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(2).padStart(8);
  console.log(`${label.padEnd(labelWidth)} n=${String(s.length).padStart(6)}  p50 ${f(percentile(s, 50))}  p95 ${f(percentile(s, 95))}  p99 ${f(percentile(s, 99))}  max ${f(s.at(-1)!)}  (ms)`);
}

/** Runs `count` calls of `task(i)` with at most `concurrency` in flight; results in completion order. */
export async function runConcurrently<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) results.push(await task(next++));
    }),
  );
  return results;
}

export interface LoadStack {
  appUrl: string;
  databaseUrl: string;
  /** "SQLite" or "PostgreSQL", for the printed headline. */
  databaseKind: string;
  soisy: SoisySimulator;
  db: Db;
  /** What a TLS terminator adds to Shopify's session requests (the app asks for it: docs/server.md). */
  proofHeaders: Record<string, string>;
  /** The app server's process id (the HTTP benchmark reads its CPU and memory from /proc). */
  pid: number;
  /** The environment the app was started with (to start more instances on the same database). */
  appEnv: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * Builds the app when `APP_BUILD_DIR` (default build/) holds no build, migrates the database,
 * configures `shop` (ready, sandbox + production Soisy credentials) and serves the production build
 * against the Soisy simulator. The server's output is discarded (an unread pipe would fill).
 */
export async function startLoadStack(options: {
  shop: string;
  apiSecret: string;
  databaseUrl: string | undefined;
  tmpPrefix: string;
  /** Added to the first app instance's environment only (e.g. NODE_OPTIONS=--cpu-prof). */
  firstInstanceEnv?: Record<string, string>;
}): Promise<LoadStack> {
  const buildDir = process.env.APP_BUILD_DIR || "build";
  const dir = mkdtempSync(path.join(os.tmpdir(), options.tmpPrefix));
  const databaseUrl = options.databaseUrl ?? `file:${path.join(dir, "load.sqlite")}`;
  if (!existsSync(path.join(repoRoot, buildDir, "server/index.js")) || !existsSync(appServerEntry())) {
    console.log(`building the app into ${buildDir}…`);
    execFileSync(process.execPath, [path.join(repoRoot, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], { cwd: repoRoot, stdio: "ignore" });
  }
  execFileSync(process.execPath, [path.join(repoRoot, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: "ignore",
  });
  const encryptionKey = generateKeyMaterial();
  const db = createDb(databaseUrl);
  await tuneDatabase(db, databaseUrl);
  await configureShop(db, parseKeyring(encryptionKey), options.shop, "shpat_load");
  const soisy = await startSoisySimulator();
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const proof = newShopifyProof();
  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    APP_ENCRYPTION_KEY: encryptionKey,
    SHOPIFY_API_KEY: "load",
    SHOPIFY_API_SECRET: options.apiSecret,
    SHOPIFY_APP_URL: appUrl,
    SHOPIFY_PAYMENTS_API_URL: "http://127.0.0.1:9/shops/{shop}",
    SOISY_API_URL: soisy.url,
    JOBS_DISABLED: "true",
    ...shopifyProofEnv(proof),
    LOG_LEVEL: "warn",
  };
  let app: ChildProcess;
  try {
    app = await spawnApp({ port, stdio: "ignore", env: { ...appEnv, ...options.firstInstanceEnv } });
  } catch (error) {
    await soisy.close();
    await db.$disconnect();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    appUrl,
    databaseUrl,
    databaseKind: databaseUrl.startsWith("file:") ? "SQLite" : "PostgreSQL",
    soisy,
    db,
    proofHeaders: shopifyProofHeaders(shopifyProofEnv(proof)),
    pid: app.pid!,
    appEnv,
    async close() {
      await stopProcess(app);
      await soisy.close();
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `main`, printing the error and exiting 1 on failure. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
