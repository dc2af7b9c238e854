/**
 * `npm run demo` — the offline demo on the embedded default (SQLite): builds the app, prepares
 * .demo/demo.sqlite, starts the Soisy and Shopify simulators and the app on localhost, configures
 * a demo shop with Soisy's public sandbox credentials, and prints the URLs.
 *
 *   npm run demo                 run until Ctrl-C
 *   npm run demo -- --check      start everything, check every printed URL answers, stop (CI / tests)
 *   npm run demo -- --no-build   reuse an existing build/
 *
 * Ports: DEMO_APP_PORT (3000), DEMO_SOISY_PORT (4100), DEMO_SHOPIFY_PORT (4200); 0 = any free port.
 * DEMO_DIR (default .demo) holds the database and the demo's generated secrets.
 */
import { execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { startSoisySimulator } from "../test/simulators/soisy";
import { startShopifySimulator } from "../test/simulators/shopify";
import { createDb, tuneDatabase } from "../app/db.server";
import { generateKeyMaterial, parseKeyring } from "../app/security/encryption.server";
import { createLogger } from "../app/logger.server";
import { SOISY_ENVIRONMENTS } from "../app/settings/settings.server";
import { verifySoisyCredentials } from "../app/settings/verify.server";
import { withCheckChar } from "../app/preapproval/fiscal-code";
import { appServerEntry, freePort, newShopifyProof, repoRoot as root, shopifyProofEnv, spawnApp, stopProcess } from "./lib/local-stack";

const { values: flags } = parseArgs({
  options: { check: { type: "boolean", default: false }, "no-build": { type: "boolean", default: false } },
});

const DEMO_SHOP = "soisy-demo.myshopify.com";
const DEMO_ACCESS_TOKEN = "shpat_demo_offline_token";
/** A second demo shop on integration level 2 (in-store pre-approval), configured with the operator CLI. */
const DEMO_SHOP_INSTORE = "soisy-demo-instore.myshopify.com";
const DEMO_INSTORE_ACCESS_TOKEN = "shpat_demo_instore_offline_token";
const DEMO_API_KEY = "soisy-demo-client-id";
const demoDir = path.resolve(root, process.env.DEMO_DIR ?? ".demo");

function log(line: string) {
  process.stdout.write(`[demo] ${line}\n`);
}

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  const port = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

/** Secrets the demo generates once and keeps in .demo/ (never committed). */
function demoSecrets(): { encryptionKey: string; apiSecret: string } {
  const file = path.join(demoDir, "secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const secrets = { encryptionKey: generateKeyMaterial(), apiSecret: randomBytes(24).toString("hex") };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function main() {
  mkdirSync(demoDir, { recursive: true });
  const secrets = demoSecrets();
  const databaseUrl = `file:${path.join(demoDir, "demo.sqlite")}`;
  const appPort = await freePort(portFrom("DEMO_APP_PORT", flags.check ? 0 : 3000));
  const soisyPort = await freePort(portFrom("DEMO_SOISY_PORT", flags.check ? 0 : 4100));
  const shopifyPort = await freePort(portFrom("DEMO_SHOPIFY_PORT", flags.check ? 0 : 4200));
  const appUrl = `http://127.0.0.1:${appPort}`;

  if (!flags["no-build"] || !existsSync(path.join(root, "build/server/index.js")) || !existsSync(appServerEntry())) {
    log("building the app (remix vite:build)…");
    execFileSync(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }

  log(`preparing the SQLite database ${path.relative(root, databaseUrl.slice(5))}…`);
  execFileSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: ["ignore", "ignore", "inherit"],
  });

  // strictFiscalCodes: step 2 checks fiscal codes' check characters as Soisy does (level-2 demo).
  const soisy = await startSoisySimulator({ port: soisyPort, strictFiscalCodes: true });
  // Session requests carry the proof a TLS terminator adds after checking Shopify's client certificate (docs/server.md).
  const proof = newShopifyProof();
  const shopify = await startShopifySimulator({
    port: shopifyPort,
    appUrl,
    proofHeader: proof,
    shops: [
      // Names as the Admin API answers them (`shop { name }`): stored at install / settings save, shown to shoppers.
      { domain: DEMO_SHOP, accessToken: DEMO_ACCESS_TOKEN, name: "Negozio Demo Soisy" },
      { domain: DEMO_SHOP_INSTORE, accessToken: DEMO_INSTORE_ACCESS_TOKEN, name: "Negozio Demo Soisy (in negozio)" },
    ],
    // The merchant admin's login runs Shopify's OAuth install flow against the simulator.
    oauth: { clientId: DEMO_API_KEY, clientSecret: secrets.apiSecret },
  });

  const db = createDb(databaseUrl);
  await tuneDatabase(db, databaseUrl);
  await db.$disconnect();
  // The demo shop, configured with the operator CLI (npm run shop): Soisy's public sandbox
  // credentials (encrypted like a merchant's, passed through the environment, never argv), ready,
  // and an offline Shopify session whose token the Shopify simulator accepts.
  const configureDemoShop = (shop: string, token: string, extra: string[]) => {
    log(`configuring ${shop} (npm run shop -- configure …${extra.length ? ` ${extra.join(" ")}` : ""})`);
    execFileSync(
      process.execPath,
      [
        path.join(root, "node_modules/tsx/dist/cli.mjs"),
        "scripts/shop-cli.ts",
        "configure",
        shop,
        ...extra,
        "--sandbox-shop-id", "partnershop",
        "--sandbox-api-key-env", "DEMO_SOISY_API_KEY",
        "--production-shop-id", "partnershop",
        "--production-api-key-env", "DEMO_SOISY_API_KEY",
        "--min-amount", "100.00",
        "--max-amount", "15000.00",
        "--ready", "true",
        "--offline-access-token-env", "DEMO_SHOPIFY_TOKEN",
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          APP_ENCRYPTION_KEY: secrets.encryptionKey,
          DEMO_SOISY_API_KEY: "partnerkey",
          DEMO_SHOPIFY_TOKEN: token,
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
  };
  // --shop-name: what an install stores from the Admin API (the simulator answers the same names).
  configureDemoShop(DEMO_SHOP, DEMO_ACCESS_TOKEN, ["--shop-name", "Negozio Demo Soisy"]);
  configureDemoShop(DEMO_SHOP_INSTORE, DEMO_INSTORE_ACCESS_TOKEN, ["--integration-level", "preapproval", "--shop-name", "Negozio Demo Soisy (in negozio)"]);
  // The stored credentials are checked at Soisy (the simulator) exactly as "Salva e verifica" does, so
  // the demo shops start verified in both environments, consistent with "ready"; a refusal stops the demo.
  const verifyDb = createDb(databaseUrl);
  try {
    const keyring = parseKeyring(secrets.encryptionKey);
    const quiet = createLogger({ level: "warn" });
    for (const shop of [DEMO_SHOP, DEMO_SHOP_INSTORE]) {
      for (const environment of SOISY_ENVIRONMENTS) {
        const outcome = await verifySoisyCredentials(verifyDb, shop, environment, { keyring, baseUrl: soisy.url, logger: quiet });
        if (outcome !== "ok") throw new Error(`the ${environment} credentials of ${shop} were not verified by the Soisy simulator (${outcome})`);
      }
    }
    log("Soisy credentials verified (sandbox and production) for the demo shops");
  } catch (error) {
    await Promise.allSettled([soisy.close(), shopify.close()]);
    throw error;
  } finally {
    await verifyDb.$disconnect();
  }

  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    // The production build, but NODE_ENV=development: the app refuses DEMO_MODE and SHOPIFY_ADMIN_URL in production.
    NODE_ENV: "development" as const,
    DATABASE_URL: databaseUrl,
    APP_ENCRYPTION_KEY: secrets.encryptionKey,
    SHOPIFY_API_KEY: DEMO_API_KEY,
    SHOPIFY_API_SECRET: secrets.apiSecret,
    SHOPIFY_APP_URL: appUrl,
    SHOPIFY_PAYMENTS_API_URL: shopify.paymentsApiUrlTemplate,
    // OAuth (install / login) goes to the simulator instead of https://{shop}/admin.
    SHOPIFY_ADMIN_URL: shopify.paymentsApiUrlTemplate,
    SOISY_API_URL: soisy.url,
    DEMO_MODE: "true",
    ...shopifyProofEnv(proof),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
  };
  let app: ChildProcess;
  try {
    app = await spawnApp({ port: appPort, env: appEnv, stdio: flags.check ? "ignore" : "inherit" });
  } catch (error) {
    await Promise.allSettled([soisy.close(), shopify.close()]);
    throw error;
  }

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stopProcess(app);
    await Promise.allSettled([soisy.close(), shopify.close()]);
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  app.on("exit", (code) => {
    if (!stopping) {
      log(`the app exited (code ${code})`);
      void stop(code ?? 1);
    }
  });

  const urls = {
    "Demo overview (demo shop, its payments)": `${appUrl}/demo`,
    "Demo checkout (Shopify simulator)": `${shopify.url}/checkout`,
    "Product page with the Soisy widget (Shopify simulator)": `${shopify.url}/shops/${DEMO_SHOP}/products/divano-letto`,
    "Merchant admin login (Shopify install flow: see README)": `${appUrl}/auth/login`,
    "App landing page": `${appUrl}/`,
    "App health": `${appUrl}/healthz`,
    "Soisy simulator (sandbox API + shopper webapp)": `${soisy.url}/api/shops/partnershop`,
  };
  process.stdout.write("\nSoisy for Shopify — offline demo is running\n\n");
  for (const [label, url] of Object.entries(urls)) process.stdout.write(`  ${label.padEnd(58)} ${url}\n`);
  process.stdout.write(
    `\n  Demo shop: ${DEMO_SHOP} (Soisy sandbox: partnershop / partnerkey)\n  Database:  ${databaseUrl}\n` +
      `  Operator CLI on this database: DATABASE_URL=${databaseUrl} npm run shop -- show ${DEMO_SHOP}\n\n`,
  );
  process.stdout.write(
    [
      `  In-store pre-approval (level 2): in the demo checkout pick the shop ${DEMO_SHOP_INSTORE}.`,
      `  Magic fiscal codes of the Soisy simulator (valid check characters):`,
      `    ${withCheckChar("RSSMRA80A01H501")}  approved → Soisy's webapp (documents + signature)`,
      `    ${withCheckChar("RFSMRA80A01H501")}  refused → back to checkout, payment rejected`,
      `    ${withCheckChar("ADDMRA80A01H501")}  Soisy asks for additional data, then approves`,
      `    CAP / postal code 00000  Soisy refuses the field (shown next to it)`,
      "",
      "",
    ].join("\n"),
  );

  if (flags.check) {
    let failures = 0;
    for (const [label, url] of Object.entries(urls)) {
      const res = await fetch(url, { headers: { "user-agent": "Mozilla/5.0 (demo check)" } }).catch((e: Error) => e);
      const ok = !(res instanceof Error) && res.status === 200;
      if (!ok) failures++;
      process.stdout.write(`  check ${ok ? "ok  " : "FAIL"} ${res instanceof Error ? res.message : res.status} ${url} (${label})\n`);
    }
    // The login's install flow: the app's OAuth begin must lead to the simulator's consent page.
    const begin = await fetch(`${appUrl}/auth?shop=${DEMO_SHOP}`, {
      headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36" },
      redirect: "manual",
    }).catch((e: Error) => e);
    const consentUrl = begin instanceof Error ? null : begin.headers.get("location");
    const consent = consentUrl?.startsWith(shopify.authorizeUrl(DEMO_SHOP)) ? await fetch(consentUrl).catch(() => null) : null;
    const installOk = consent?.status === 200 && (await consent.text()).includes("Installa l'app");
    if (!installOk) failures++;
    process.stdout.write(`  check ${installOk ? "ok  " : "FAIL"} ${consentUrl ?? "no redirect"} (install flow: OAuth consent page)\n`);
    // Level 2: a checkout of the in-store shop lands on the app's pre-approval page, not Soisy's webapp.
    const paid = await fetch(`${shopify.url}/checkout`, {
      method: "POST",
      body: new URLSearchParams({ shop: DEMO_SHOP_INSTORE, amount: "450.00", currency: "EUR", test: "true" }),
      redirect: "manual",
    }).catch((e: Error) => e);
    const preapprovalUrl = paid instanceof Error ? null : paid.headers.get("location");
    const form = preapprovalUrl?.startsWith(`${appUrl}/payments/preapproval/`) ? await fetch(preapprovalUrl).catch(() => null) : null;
    const levelTwoOk = form?.status === 200 && (await form.text()).includes("Codice fiscale");
    if (!levelTwoOk) failures++;
    process.stdout.write(`  check ${levelTwoOk ? "ok  " : "FAIL"} ${preapprovalUrl ?? "no redirect"} (level 2: in-store pre-approval form)\n`);
    await stop(failures === 0 ? 0 : 1);
  } else {
    process.stdout.write("Press Ctrl-C to stop.\n");
  }
}

main().catch((error) => {
  process.stderr.write(`[demo] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
