/**
 * `npm run demo` — the offline demo on the embedded default (SQLite): builds the app, prepares
 * .demo/demo.sqlite, starts the Soisy and Shopify simulators and the app on localhost, configures
 * a demo shop with Soisy's public sandbox credentials, and prints the URLs.
 *
 *   npm run demo                 run until Ctrl-C
 *   npm run demo -- --check      start everything, check every printed URL answers, drive one whole
 *                                payment and one in-store pre-approval to "resolved" and one authorization
 *                                to "captured" (fund on fulfilment) over HTTP, stop (CI / tests)
 *   npm run demo -- --no-build   reuse an existing build (build/ or $APP_BUILD_DIR)
 *
 * Ports: DEMO_APP_PORT (3000), DEMO_SOISY_PORT (4100), DEMO_SHOPIFY_PORT (4200), and the mail simulator's
 * DEMO_MAIL_SMTP_PORT (2525) and DEMO_MAIL_PORT (4300, its inbox page); 0 = any free port, --check takes any free ports.
 * A port in use stops the demo before anything starts, naming the variable to change.
 * DEMO_DIR (default .demo) holds the database and the demo's generated secrets.
 * DEMO_LOG_FORMAT: pretty (default: the app's JSON logs shown readable) or json (as the app writes them).
 * Anything that cannot start (build, database, a simulator, the app) stops the demo with the reason, exit code 1.
 */
import { execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { startSoisySimulator } from "../test/simulators/soisy";
import { startShopifySimulator } from "../test/simulators/shopify";
import { startMailSimulator } from "../test/simulators/mail/simulator";
import { createDb, tuneDatabase } from "../app/db.server";
import { generateKeyMaterial, parseKeyring } from "../app/security/encryption.server";
import { createLogger } from "../app/logger.server";
import { SOISY_ENVIRONMENTS } from "../app/settings/settings.server";
import { verifySoisyCredentials } from "../app/settings/verify.server";
import { withCheckChar } from "../app/preapproval/fiscal-code";
import { appBuildDir, appServerEntry, newShopifyProof, repoRoot as root, shopifyProofEnv, spawnApp, stopProcess } from "./lib/local-stack";
import { createDemoOutput, logModeFrom } from "./lib/demo-output";
import { CheckFailure, checkPayment, checkPreapproval } from "./lib/demo-check";
import { checkAuthorization } from "./lib/demo-check-authorization";
import { demoPorts } from "./lib/demo-ports";
import { seedDemoHistory } from "./lib/demo-history";

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

/** What is running, so every way out (failure, Ctrl-C, the app dying) stops all of it. */
const running: { app?: ChildProcess; closers: (() => Promise<void>)[] } = { closers: [] };
const output = createDemoOutput(logModeFrom(process.env.DEMO_LOG_FORMAT, flags.check));

async function shutdown(): Promise<void> {
  const app = running.app;
  running.app = undefined;
  await stopProcess(app);
  await Promise.allSettled(running.closers.map((close) => close()));
}

/** Runs one start-up step; a failure names the step. */
async function starting<T>(what: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new Error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Secrets the demo generates once and keeps in .demo/ (never committed). */
function demoSecrets(): { encryptionKey: string; apiSecret: string } {
  const file = path.join(demoDir, "secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const secrets = { encryptionKey: generateKeyMaterial(), apiSecret: randomBytes(24).toString("hex") };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/**
 * Runs a node CLI of the project. `quiet`: its output is kept and shown only if it fails (a non-zero
 * exit fails the step with it); otherwise its stderr shows on the terminal (the build's progress).
 */
function runCli(args: string[], env: NodeJS.ProcessEnv, quiet = true): void {
  try {
    execFileSync(process.execPath, args, { cwd: root, env, stdio: ["ignore", quiet ? "pipe" : "ignore", quiet ? "pipe" : "inherit"], maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { status, stdout, stderr } = error as { status?: number | null; stdout?: Buffer | null; stderr?: Buffer | null };
    const said = `${stdout?.toString() ?? ""}${stderr?.toString() ?? ""}`.trim();
    throw new Error(`exit code ${status ?? "none"}${said ? `:\n${said.split("\n").slice(-30).join("\n")}` : ""}`);
  }
}

async function main(): Promise<number | null> {
  // Ports first: a clash stops the demo before anything is built or started.
  const ports = await demoPorts({ anyPort: flags.check });
  mkdirSync(demoDir, { recursive: true });
  const secrets = demoSecrets();
  const databaseUrl = `file:${path.join(demoDir, "demo.sqlite")}`;
  const appUrl = `http://127.0.0.1:${ports.app}`;

  if (!flags["no-build"] || !existsSync(path.join(appBuildDir(), "server/index.js")) || !existsSync(appServerEntry())) {
    log(`building the app (remix vite:build → ${path.relative(root, appBuildDir())})…`);
    await starting("building the app (its errors are above)", () => runCli([path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], process.env, false));
  }

  log(`preparing the SQLite database ${path.relative(root, databaseUrl.slice(5))}…`);
  await starting("preparing the database (prisma migrate deploy)", () =>
    runCli([path.join(root, "node_modules/prisma/build/index.js"), "migrate", "deploy"], { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" }),
  );

  // strictFiscalCodes: step 2 checks fiscal codes' check characters as Soisy does (level-2 demo).
  // suspendedOrders: the demo's Soisy shop has the suspended-orders contract, so an authorization is
  // funded when the merchant fulfils the order (match-trigger); a sale's verified order is resolved as usual.
  const soisy = await starting(`starting the Soisy simulator on port ${ports.soisy} (DEMO_SOISY_PORT)`, () =>
    startSoisySimulator({
      port: ports.soisy,
      strictFiscalCodes: true,
      shops: [{ shopId: "partnershop", apiKey: "partnerkey", suspendedOrders: true }],
      logger: output.simulator("soisy-simulator"),
    }),
  );
  running.closers.push(() => soisy.close());
  // Session requests carry the proof a TLS terminator adds after checking Shopify's client certificate (docs/server.md).
  const proof = newShopifyProof();
  const shopify = await starting(`starting the Shopify simulator on port ${ports.shopify} (DEMO_SHOPIFY_PORT)`, () =>
    startShopifySimulator({
      port: ports.shopify,
      appUrl,
      proofHeader: proof,
      shops: [
        // Names as the Admin API answers them (`shop { name }`): stored at install / settings save, shown to shoppers.
        // oversellProtection: the app's extension declares it, so Shopify accepts paymentSessionConfirm.
        { domain: DEMO_SHOP, accessToken: DEMO_ACCESS_TOKEN, name: "Negozio Demo Soisy", oversellProtection: true },
        { domain: DEMO_SHOP_INSTORE, accessToken: DEMO_INSTORE_ACCESS_TOKEN, name: "Negozio Demo Soisy (in negozio)", oversellProtection: true },
      ],
      // The merchant admin's login runs Shopify's OAuth install flow against the simulator.
      oauth: { clientId: DEMO_API_KEY, clientSecret: secrets.apiSecret },
    }),
  );
  running.closers.push(() => shopify.close());
  // Merchant e-mail alerts (docs/alerts.md) go to the mail simulator: SMTP plus an inbox page.
  // Its ports (DEMO_MAIL_SMTP_PORT / DEMO_MAIL_PORT) were checked with the others before anything started.
  const mail = await starting(`starting the mail simulator on ports ${ports.mailSmtp} (DEMO_MAIL_SMTP_PORT) and ${ports.mailInbox} (DEMO_MAIL_PORT)`, () =>
    startMailSimulator({ smtpPort: ports.mailSmtp, httpPort: ports.mailInbox }),
  );
  running.closers.push(() => mail.close());

  await starting("tuning the database", async () => {
    const db = createDb(databaseUrl);
    try {
      await tuneDatabase(db, databaseUrl);
    } finally {
      await db.$disconnect();
    }
  });
  // The demo shop, configured with the operator CLI (npm run shop): Soisy's public sandbox
  // credentials (encrypted like a merchant's, passed through the environment, never argv), ready,
  // and an offline Shopify session whose token the Shopify simulator accepts.
  const configureDemoShop = (shop: string, token: string, extra: string[]) => {
    log(`configuring ${shop} (npm run shop -- configure …${extra.length ? ` ${extra.join(" ")}` : ""})`);
    return starting(`configuring ${shop} (npm run shop)`, () =>
      runCli(
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
          ...process.env,
          DATABASE_URL: databaseUrl,
          APP_ENCRYPTION_KEY: secrets.encryptionKey,
          DEMO_SOISY_API_KEY: "partnerkey",
          DEMO_SHOPIFY_TOKEN: token,
          LOG_LEVEL: "warn",
        },
      ),
    );
  };
  // --shop-name: what an install stores from the Admin API (the simulator answers the same names).
  // --fund-on: "Quando Soisy finanzia / When Soisy funds" at fulfilment (its Soisy shop has the suspended-orders
  // contract): its sales keep today's flow, its authorizations wait for "Evadi ordine" on the order page.
  await configureDemoShop(DEMO_SHOP, DEMO_ACCESS_TOKEN, ["--shop-name", "Negozio Demo Soisy", "--fund-on", "fulfilment"]);
  await configureDemoShop(DEMO_SHOP_INSTORE, DEMO_INSTORE_ACCESS_TOKEN, ["--integration-level", "preapproval", "--shop-name", "Negozio Demo Soisy (in negozio)"]);
  // The stored credentials are checked at Soisy (the simulator) exactly as "Salva e verifica" does, so
  // the demo shops start verified in both environments, consistent with "ready"; a refusal stops the demo.
  await starting("verifying the demo shops' Soisy credentials", async () => {
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
    } finally {
      await verifyDb.$disconnect();
    }
  });
  log("Soisy credentials verified (sandbox and production) for the demo shops");
  await starting("setting the demo shop's alert e-mail", async () => {
    const alertsDb = createDb(databaseUrl);
    try {
      await alertsDb.shopSettings.update({ where: { shop: DEMO_SHOP }, data: { alertEmail: "titolare@negozio-demo.example" } });
    } finally {
      await alertsDb.$disconnect();
    }
  });
  // Issue 16: four weeks of past payments and Soisy orders (a few planted differences), read once by the payout sync.
  const history = await starting("filling the demo's payment history", async () => {
    const historyDb = createDb(databaseUrl);
    try {
      return await seedDemoHistory(historyDb, soisy, DEMO_SHOP, { shopId: "partnershop", apiKey: "partnerkey" }, createLogger({ level: "warn" }));
    } finally {
      await historyDb.$disconnect();
    }
  });
  log(`history: ${history.payments} past payments, ${history.soisyOrders} Soisy orders, ${history.payoutRows} payouts read (Pagamenti Soisy / Soisy payouts)`);

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
    SMTP_URL: mail.smtpUrl,
    ALERT_FROM: "Soisy per Shopify <avvisi@soisy-demo.example>",
    ALERT_POLL_MS: "3000",
    DEMO_MAIL_INBOX_URL: mail.inboxUrl,
    ...shopifyProofEnv(proof),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
  };
  log(`starting the app on port ${ports.app} (DEMO_APP_PORT)…`);
  // The app's output comes through the demo (pretty, or held back by --check and shown on failure).
  const app = await starting(`starting the app on port ${ports.app} (DEMO_APP_PORT)`, () =>
    spawnApp({ port: ports.app, env: appEnv, stdio: "pipe", onOutput: (text, stream) => output.app(text, stream) }),
  );
  running.app = app;
  const appExited = new Promise<number>((resolve) => {
    app.once("exit", (code, signal) => {
      if (running.app !== app) return;
      running.app = undefined;
      process.stderr.write(`\n[demo] the app stopped unexpectedly (${signal ? `killed by ${signal}` : `exit code ${code}`}); its last lines:\n${output.tail(30)}`);
      resolve(code || 1);
    });
  });

  const urls = {
    "Demo overview (demo shop, its payments)": `${appUrl}/demo`,
    "Demo checkout (Shopify simulator)": `${shopify.url}/checkout`,
    "Product page with the Soisy widget (Shopify simulator)": `${shopify.url}/shops/${DEMO_SHOP}/products/divano-letto`,
    "Merchant admin login (Shopify install flow: see README)": `${appUrl}/auth/login`,
    "App landing page": `${appUrl}/`,
    "App health": `${appUrl}/healthz`,
    "Soisy simulator (sandbox API + shopper webapp)": `${soisy.url}/api/shops/partnershop`,
    "Merchant alert e-mails (mail simulator inbox)": mail.inboxUrl,
  };
  // One write: no log line of the app can land inside the banner.
  process.stdout.write(
    [
      "",
      "Soisy for Shopify — offline demo is running",
      "",
      ...Object.entries(urls).map(([label, url]) => `  ${label.padEnd(58)} ${url}`),
      "",
      `  Demo shop: ${DEMO_SHOP} (Soisy sandbox: partnershop / partnerkey, suspended orders)`,
      `  Fund on fulfilment: on the demo overview, "Paga a rate, finanziato all'evasione"; once Soisy verified the loan,`,
      `    "Evadi ordine" / "Fulfil order" on the order page captures it (Soisy's match-trigger), "Annulla ordine" voids it.`,
      `  Oversell protection: "Articolo esaurito nel frattempo" / "Item sold out meanwhile" on the demo overview.`,
      `  Database:  ${databaseUrl}`,
      `  Operator CLI on this database: DATABASE_URL=${databaseUrl} npm run shop -- show ${DEMO_SHOP}`,
      "",
      `  In-store pre-approval (level 2): in the demo checkout pick the shop ${DEMO_SHOP_INSTORE}.`,
      `  Magic fiscal codes of the Soisy simulator (valid check characters):`,
      `    ${withCheckChar("RSSMRA80A01H501")}  approved → Soisy's webapp (documents + signature)`,
      `    ${withCheckChar("RFSMRA80A01H501")}  refused → back to checkout, payment rejected`,
      `    ${withCheckChar("ADDMRA80A01H501")}  Soisy asks for additional data, then approves`,
      `    CAP / postal code 00000  Soisy refuses the field (shown next to it)`,
      "",
      flags.check ? "Checking the demo…" : "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );

  if (!flags.check) return Promise.race([appExited, new Promise<never>(() => {})]);
  return Promise.race([appExited, runChecks(urls, { appUrl, shopifyUrl: shopify.url, soisyUrl: soisy.url, authorizeUrl: shopify.authorizeUrl(DEMO_SHOP) })]);
}

/** --check: every printed URL answers, the install flow opens, and two payments go all the way. */
async function runChecks(urls: Record<string, string>, target: { appUrl: string; shopifyUrl: string; soisyUrl: string; authorizeUrl: string }): Promise<number> {
  let failures = 0;
  for (const [label, url] of Object.entries(urls)) {
    const res = await fetch(url, { headers: { "user-agent": "Mozilla/5.0 (demo check)" } }).catch((e: Error) => e);
    const ok = !(res instanceof Error) && res.status === 200;
    if (!ok) failures++;
    process.stdout.write(`  check ${ok ? "ok  " : "FAIL"} ${res instanceof Error ? res.message : res.status} ${url} (${label})\n`);
  }
  // The login's install flow: the app's OAuth begin must lead to the simulator's consent page.
  const begin = await fetch(`${target.appUrl}/auth?shop=${DEMO_SHOP}`, {
    headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36" },
    redirect: "manual",
  }).catch((e: Error) => e);
  const consentUrl = begin instanceof Error ? null : begin.headers.get("location");
  const consent = consentUrl?.startsWith(target.authorizeUrl) ? await fetch(consentUrl).catch(() => null) : null;
  const installOk = consent?.status === 200 && (await consent.text()).includes("Installa l'app");
  if (!installOk) failures++;
  process.stdout.write(`  check ${installOk ? "ok  " : "FAIL"} ${consentUrl ?? "no redirect"} (install flow: OAuth consent page)\n`);
  if (failures > 0) {
    process.stderr.write(`[demo] ✗ ${failures} demo URL(s) did not answer (lines marked FAIL above)\n`);
    return 1;
  }

  const print = (line: string) => process.stdout.write(`  ${line}\n`);
  const checkTarget = { ...target, shop: DEMO_SHOP, instoreShop: DEMO_SHOP_INSTORE };
  try {
    const payment = await checkPayment(print, checkTarget);
    const instore = await checkPreapproval(print, checkTarget);
    const authorization = await checkAuthorization(print, checkTarget);
    print(`demo checked: payment ${payment.sessionId} and in-store payment ${instore.sessionId} resolved, authorization ${authorization.sessionId} captured`);
    return 0;
  } catch (error) {
    const step = error instanceof CheckFailure ? error.message : `unexpected error: ${(error as Error).stack ?? String(error)}`;
    process.stderr.write(`[demo] ✗ ${step}\n[demo] the app's and simulators' last lines:\n${output.tail(40)}`);
    return 1;
  }
}

let exiting = false;
async function exit(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  await shutdown();
  process.exit(code);
}
process.on("SIGINT", () => void exit(0));
process.on("SIGTERM", () => void exit(0));
// Whatever breaks later still stops the app child and says why.
process.on("uncaughtException", (error) => {
  process.stderr.write(`[demo] ✗ unexpected error: ${error.stack ?? error.message}\n`);
  void exit(1);
});

main().then(
  (code) => exit(code ?? 0),
  async (error: unknown) => {
    process.stderr.write(`[demo] ✗ ${error instanceof Error ? error.message : String(error)}\n`);
    const tail = output.tail(30);
    if (tail) process.stderr.write(`[demo] last lines of the app / simulators:\n${tail}`);
    await exit(1);
  },
);
