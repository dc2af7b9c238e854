// `npm run load:sessions`: a simple load test of the payment session route (the production build
// on SQLite, with the Soisy simulator answering instantly). Prints latency percentiles for the app's
// own time (Server-Timing "app", i.e. excluding Soisy's time) and for the whole request.
//   npm run load:sessions -- [--requests 1000] [--concurrency 8] [--database-url postgresql://…]
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { startSoisySimulator } from "../test/simulators/soisy";
import { createDb, tuneDatabase } from "../app/db.server";
import { generateKeyMaterial, parseKeyring } from "../app/security/encryption.server";
import { configureShop, freePort, repoRoot, spawnApp, stopProcess } from "./lib/local-stack";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "8" },
    "database-url": { type: "string" },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(requests) || requests < 10 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error("--requests must be an integer ≥ 10 and --concurrency ≥ 1");
  process.exit(2);
}

const SHOP = "load-test.myshopify.com";
const dir = mkdtempSync(path.join(os.tmpdir(), "soisy-load-"));
const databaseUrl = values["database-url"] ?? `file:${path.join(dir, "load.sqlite")}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
function summary(label: string, samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(2).padStart(8);
  console.log(`${label.padEnd(44)} n=${String(s.length).padStart(5)}  p50 ${f(percentile(s, 50))}  p95 ${f(percentile(s, 95))}  p99 ${f(percentile(s, 99))}  max ${f(s.at(-1)!)}  (ms)`);
}

function sessionBody(id: string) {
  return {
    id,
    gid: `gid://shopify/PaymentSession/${id}`,
    group: randomBytes(32).toString("base64"),
    session_id: randomBytes(32).toString("base64"),
    amount: "1234.56",
    currency: "EUR",
    test: true,
    merchant_locale: "it",
    payment_method: { type: "offsite", data: { cancel_url: "https://load-test.myshopify.com/checkouts/x" } },
    proposed_at: new Date().toISOString(),
    kind: "sale",
    customer: {
      email: "buyer@example.com",
      phone_number: "3331234567",
      locale: "it",
      billing_address: { given_name: "Alice", family_name: "Rossi", line1: "Via Roma 1", line2: "", city: "Milano", postal_code: "20121", province: "Milano", province_code: "MI", country_code: "IT", phone_number: "3331234567", company: "" },
    },
  };
}

async function main() {
  if (!existsSync(path.join(repoRoot, "build/server/index.js"))) {
    console.log("building the app…");
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
  await configureShop(db, parseKeyring(encryptionKey), SHOP, "shpat_load");
  const soisy = await startSoisySimulator();
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const app = await spawnApp({
    port,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      APP_ENCRYPTION_KEY: encryptionKey,
      SHOPIFY_API_KEY: "load",
      SHOPIFY_API_SECRET: "load-secret",
      SHOPIFY_APP_URL: appUrl,
      SHOPIFY_PAYMENTS_API_URL: "http://127.0.0.1:9/shops/{shop}",
      SOISY_API_URL: soisy.url,
      JOBS_DISABLED: "true",
      LOG_LEVEL: "warn",
    },
  });

  const post = async (body: unknown) => {
    const started = performance.now();
    const res = await fetch(`${appUrl}/payments/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", "shopify-shop-domain": SHOP, "shopify-api-version": "2026-04" },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    const total = performance.now() - started;
    if (res.status !== 201) throw new Error(`HTTP ${res.status}`);
    const timing = res.headers.get("server-timing") ?? "";
    const app = Number(/app;dur=([\d.]+)/.exec(timing)?.[1]);
    const soisyMs = Number(/soisy;dur=([\d.]+)/.exec(timing)?.[1]);
    return { total, app, soisy: soisyMs };
  };
  async function runBatch(bodies: unknown[]) {
    const results: Array<{ total: number; app: number; soisy: number }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) results.push(await post(bodies[next++]));
      }),
    );
    return results;
  }

  try {
    const ids = Array.from({ length: requests }, (_, i) => `load${i}x${randomBytes(6).toString("hex")}`);
    await runBatch(Array.from({ length: 50 }, (_, i) => sessionBody(`warmup${i}x${randomBytes(4).toString("hex")}`)));
    const started = performance.now();
    const bodies = ids.map(sessionBody);
    const fresh = await runBatch(bodies);
    const seconds = (performance.now() - started) / 1000;
    const replays = await runBatch(bodies);
    console.log(`\npayment session route — ${requests} new sessions, concurrency ${concurrency}, ${databaseUrl.startsWith("file:") ? "SQLite" : "PostgreSQL"}, ${(requests / seconds).toFixed(0)} req/s`);
    summary("new session: app time (excl. Soisy)", fresh.map((r) => r.app));
    summary("new session: Soisy call (simulator)", fresh.map((r) => r.soisy));
    summary("new session: whole request (client-side)", fresh.map((r) => r.total));
    summary("replayed id (idempotent answer): app time", replays.map((r) => r.app));
  } finally {
    await stopProcess(app);
    await soisy.close();
    await db.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
