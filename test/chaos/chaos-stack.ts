/**
 * The stack for chaos tests: like test/helpers/stack.ts (fresh database, Soisy and Shopify simulators,
 * the production build as child processes) but with a fault proxy between the app and each partner,
 * any number of app instances on the same database, and a supervisor that records every exit of an
 * app process (expected ones are those the test caused) and restarts an instance that died on its own,
 * as a process manager would in production — so one crash is counted, not cascaded into every test.
 */
import type { ChildProcess } from "node:child_process";
import { expect } from "vitest";
import { configureShop, freePort, newShopifyProof, shopifyProofEnv, spawnApp } from "../../scripts/lib/local-stack";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { startForFile } from "../helpers/file-hooks";
import { eventually } from "../helpers/stack";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import type { StartPaymentResult } from "../simulators/shopify/types";
import { startSoisySimulator, type SoisySimulator } from "../simulators/soisy";
import { generateKeyMaterial, parseKeyring } from "~/security/encryption.server";

export interface ExitRecord {
  app: string;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
  /** The test asked for it (kill -9, SIGTERM, close). */
  expected: boolean;
}

export interface AppInstance {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** The current process (replaced on restart). */
  child: ChildProcess;
  /** Everything every process of this instance printed. */
  output: string;
}

export interface ChaosStack {
  shop: string;
  accessToken: string;
  database: TestDatabase;
  soisy: SoisySimulator;
  shopify: ShopifySimulator;
  /** Between the app and Soisy's API (SOISY_API_URL). */
  soisyProxy: FaultProxy;
  /** Between the app and Shopify's Payments Apps API (SHOPIFY_PAYMENTS_API_URL). */
  shopifyProxy: FaultProxy;
  env: NodeJS.ProcessEnv;
  /** The instance Shopify, Soisy's callbacks and shoppers reach (SHOPIFY_APP_URL). */
  primary: AppInstance;
  instances: Map<string, AppInstance>;
  exits: ExitRecord[];
  /** Starts another instance with the same environment on its own port. */
  startInstance(name: string): Promise<AppInstance>;
  /** Sends `signal` to the instance's process (an expected exit) and waits for the exit. */
  signal(app: AppInstance, signal: NodeJS.Signals): Promise<ExitRecord>;
  /** Starts the instance's process again (same port). */
  restart(app: AppInstance): Promise<void>;
  unexpectedExits(since?: number): ExitRecord[];
  /** Output of every instance (failure messages, log lines for reports). */
  output(): string;
  close(): Promise<void>;
}

export async function startChaosStack(options: { shop: string; appEnv?: Record<string, string> }): Promise<ChaosStack> {
  const shop = options.shop;
  const accessToken = `shpat_chaos_${Math.random().toString(36).slice(2)}`;
  const encryptionKey = generateKeyMaterial();
  const database = await createTestDatabase();
  await configureShop(database.db, parseKeyring(encryptionKey), shop, accessToken, { ready: true });

  const soisy = await startSoisySimulator({});
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const apiKey = "chaos-client-id";
  const apiSecret = "chaos-client-secret";
  // Session requests carry the proof a TLS terminator adds after checking Shopify's client certificate.
  const proof = newShopifyProof();
  const shopify = await startShopifySimulator({
    appUrl,
    proofHeader: proof,
    shops: [{ domain: shop, accessToken }],
    oauth: { clientId: apiKey, clientSecret: apiSecret },
    retry: { attempts: 5, delaysMs: [100, 250, 500, 1000] },
  });
  // No SHOPIFY_ADMIN_URL: a production server refuses it, and these scenarios need no OAuth.
  const soisyProxy = await startFaultProxy({ target: soisy.url, name: "soisy" });
  const shopifyProxy = await startFaultProxy({ target: shopify.url, name: "shopify" });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    APP_ENCRYPTION_KEY: encryptionKey,
    SHOPIFY_API_KEY: apiKey,
    SHOPIFY_API_SECRET: apiSecret,
    SHOPIFY_APP_URL: appUrl,
    SHOPIFY_PAYMENTS_API_URL: `${shopifyProxy.url}/shops/{shop}`,
    SOISY_API_URL: soisyProxy.url,
    ...shopifyProofEnv(proof),
    OUTBOX_POLL_MS: "200",
    // Full-jitter backoff from 1 s, capped at 8 s (production: 10 min), so recovery→delivery stays short.
    OUTBOX_BACKOFF_BASE_MS: "1000",
    OUTBOX_BACKOFF_MAX_MS: "8000",
    RECONCILE_INTERVAL_MS: "500",
    // Reconciliation stays out of the way (its GETs would blur the counters); scenarios recover
    // through callbacks, shopper returns and the waiting page.
    RECONCILE_AFTER_MS: "600000",
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? "info",
    ...options.appEnv,
  };

  const exits: ExitRecord[] = [];
  const instances = new Map<string, AppInstance>();
  const expecting = new WeakSet<ChildProcess>();
  let closing = false;

  async function spawnInstance(instance: { name: string; port: number; output: string }): Promise<ChildProcess> {
    let child: ChildProcess;
    try {
      child = await spawnApp({
        port: instance.port,
        env,
        onOutput: (text) => {
          instance.output += text;
        },
      });
    } catch (error) {
      throw new Error(`${instance.name} did not start: ${String(error)}\n${tail(instance.output, 3000)}`);
    }
    child.once("exit", (code, signal) => {
      const expected = closing || expecting.has(child);
      exits.push({ app: instance.name, pid: child.pid, code, signal, at: Date.now(), expected });
      instance.output += `\n[chaos] ${instance.name} pid ${child.pid} exited code=${code} signal=${signal}${expected ? "" : " (UNEXPECTED)"}\n`;
      if (!expected && !closing) {
        // The supervisor: bring it back, like a process manager would.
        const current = instances.get(instance.name);
        if (current && current.child === child) {
          spawnInstance(current)
            .then((next) => {
              current.child = next;
            })
            .catch((error: unknown) => {
              current.output += `\n[chaos] restart of ${instance.name} failed: ${String(error)}\n`;
            });
        }
      }
    });
    return child;
  }

  async function startInstance(name: string, fixedPort?: number): Promise<AppInstance> {
    const p = fixedPort ?? (await freePort());
    const draft = { name, port: p, url: `http://127.0.0.1:${p}`, output: "" } as AppInstance;
    instances.set(name, draft);
    draft.child = await spawnInstance(draft);
    return draft;
  }

  const primary = await startInstance("app-1", port);

  const stack: ChaosStack = {
    shop,
    accessToken,
    database,
    soisy,
    shopify,
    soisyProxy,
    shopifyProxy,
    env,
    primary,
    instances,
    exits,
    startInstance: (name) => startInstance(name),
    async signal(app, signal) {
      const child = app.child;
      expecting.add(child);
      const before = exits.length;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill(signal);
        await exited;
      }
      return exits.slice(before).find((e) => e.pid === child.pid) ?? exits.filter((e) => e.pid === child.pid).at(-1)!;
    },
    async restart(app) {
      app.child = await spawnInstance(app);
    },
    unexpectedExits: (since = 0) => exits.filter((e) => !e.expected && e.at >= since),
    output: () => [...instances.values()].map((i) => `----- ${i.name}\n${i.output}`).join("\n"),
    async close() {
      closing = true;
      await Promise.allSettled(
        [...instances.values()].map(async (i) => {
          const child = i.child;
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
          child.kill("SIGKILL");
          await exited;
        }),
      );
      await Promise.allSettled([soisyProxy.close(), shopifyProxy.close()]);
      await Promise.allSettled([soisy.close(), shopify.close()]);
      await database.cleanup();
    },
  };
  return stack;
}

/** The chaos stack of a test file: started before its tests (within `timeoutMs`), closed after them. */
export function useChaosStack(options: { shop: string; appEnv?: Record<string, string> }, timeoutMs = 90_000): ChaosStack {
  return startForFile(() => startChaosStack(options), timeoutMs);
}

/** Soisy's create-order path for the simulator's default shop (what fault rules on POST /orders match). */
export const SOISY_ORDERS_PATH = "/api/shops/partnershop/orders";

/** The e2e helpers' `eventually`, for checks that may also answer synchronously. */
export function waitFor<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  return eventually(async () => check(), timeoutMs, what);
}

/** Soisy orders created for a payment session (orderReference = the session id). */
export function ordersFor(stack: ChaosStack, sessionId: string) {
  return [...stack.soisy.orders.values()].filter((o) => o.orderReference === sessionId);
}

/**
 * Timeline rows that tell the merchant a second Soisy order may exist for the payment (the first
 * answer was lost): `soisy_order_interrupted` (creation-lease.server.ts), or any row whose type names
 * a duplicate / orphan / uncertain order.
 */
export async function duplicateOrderNotes(stack: ChaosStack, sessionId: string) {
  const rows = await stack.database.db.timelineEvent.findMany({ where: { paymentSessionId: sessionId }, select: { type: true, detailJson: true } });
  return rows.filter((r) => /interrupted|duplicate|orphan|uncertain|ambiguous|possible|second_order|lost/i.test(r.type));
}

/**
 * "Shopify" starts a payment session and keeps retrying it (the simulator's own retries, then
 * replays of the same session, as Shopify does for a long time) until the app answers with a redirect.
 */
export async function startPaymentUntilOk(
  stack: ChaosStack,
  input: { id: string; amount: string },
  timeoutMs: number,
): Promise<{ first: StartPaymentResult; last: StartPaymentResult; rounds: number }> {
  const first = await stack.shopify.startPayment({ shop: stack.shop, amount: input.amount, test: true, id: input.id });
  let last = first;
  let rounds = 1;
  const deadline = Date.now() + timeoutMs;
  while (!last.ok) {
    if (Date.now() > deadline) {
      throw new Error(`Shopify's retries of ${input.id} never succeeded within ${timeoutMs} ms; last: ${last.status} ${last.error ?? ""}`);
    }
    await new Promise((r) => setTimeout(r, 500));
    last = await stack.shopify.startPayment({ shop: stack.shop, amount: input.amount, test: true, id: input.id });
    rounds += 1;
  }
  return { first, last, rounds };
}

/** The session's URL secret, read from the callback URL the app gave Soisy. */
export function statusUrlOf(stack: ChaosStack, sessionId: string, appUrl = stack.primary.url): string {
  const order = ordersFor(stack, sessionId).at(-1);
  const callback = order?.callbackUrl;
  if (!callback) throw new Error(`no Soisy order with a callback URL for ${sessionId}`);
  const secret = new URL(callback).pathname.split("/").at(-1)!;
  return `${appUrl}/payments/status/${encodeURIComponent(sessionId)}/${secret}`;
}

/**
 * Shoppers on the waiting page: `clients` loops polling the status URL every `everyMs` until one of
 * them gets a redirect (or `stop()` is called). Network errors are counted, not fatal.
 */
export function pollWaitingPage(url: string, clients = 3, everyMs = 200) {
  let stopped = false;
  let polls = 0;
  let errors = 0;
  let redirectUrl: string | null = null;
  const statuses = new Map<number, number>();
  const loops = Array.from({ length: clients }, async (_, i) => {
    await new Promise((r) => setTimeout(r, (everyMs / clients) * i));
    while (!stopped && !redirectUrl) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const body = (await res.json()) as { redirectUrl?: string | null };
        if (body.redirectUrl) redirectUrl = body.redirectUrl;
      } catch {
        errors += 1;
      }
      polls += 1;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  });
  return {
    get polls() {
      return polls;
    },
    get errors() {
      return errors;
    },
    get redirectUrl() {
      return redirectUrl;
    },
    statuses,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Payments API mutations the Shopify simulator recorded for a session, by name and outcome. */
export function mutationsOf(stack: ChaosStack, sessionId: string, name: string) {
  const session = stack.shopify.paymentSessions.get(sessionId);
  const all = (session?.mutations ?? []).filter((m) => m.name === name);
  return {
    all,
    applied: all.filter((m) => m.outcome === "applied"),
    repeated: all.filter((m) => m.outcome === "repeated"),
    rejected: all.filter((m) => m.outcome === "rejected"),
  };
}

export interface ScenarioSummary {
  scenario: string;
  faults: number;
  unexpectedExits: number;
  duplicates: number;
  recoveryToDeliveryMs: number | null;
  note?: string;
}

/** One line per scenario on stdout (what docs/chaos.md describes). */
export function printSummary(s: ScenarioSummary): void {
  const ms = s.recoveryToDeliveryMs === null ? "n/a" : `${Math.round(s.recoveryToDeliveryMs)}ms`;
  console.log(
    `[chaos] ${s.scenario} | faults injected=${s.faults} | unexpected exits=${s.unexpectedExits} | duplicates=${s.duplicates} | recovery→delivery=${ms}${s.note ? ` | ${s.note}` : ""}`,
  );
}

/** Fails with the app's output when an instance exited on its own since `since`. */
export function expectNoUnexpectedExit(stack: ChaosStack, since: number): void {
  const exits = stack.unexpectedExits(since);
  expect(exits, exits.length ? `unexpected exits ${JSON.stringify(exits)}\n${tail(stack.output(), 4000)}` : "").toEqual([]);
}

export function tail(text: string, chars: number): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

/** A payment session id unique to this run. */
export function sessionId(label: string): string {
  return `chaos-${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
