/**
 * The harness of test/integration/outbox.test.ts: a real database (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL), the Shopify simulator over HTTP, a tiny node:http "app" answering {redirect_url}
 * (refunds: 201) so Shopify accepts mutations for the sessions it started, an injected clock (real time
 * + an offset the tests advance), a captured logger, and a second app process (outbox-child.ts).
 *
 * `useOutboxHarness()` registers the hooks. `db`, `sim` and `t` are live bindings: the hooks assign them
 * and the importing test reads the current value (ES module semantics); `restartSimulator()` replaces
 * the simulator for a test that needs other options.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { paymentsApiEndpoint } from "~/config.server";
import { createDb, type Db } from "~/db.server";
import { createLogger } from "~/logger.server";
import { enqueueMutation, type EnqueueMutationInput, type OutboxMutation } from "~/payments/outbox.server";
import { createOutboxWorker, type OutboxWorkerOptions } from "~/payments/outbox-worker.server";
import { startShopifySimulator, type ShopifySimulator, type ShopifySimulatorOptions } from "../simulators/shopify";
import { createTestDatabase, type TestDatabase } from "./database";
import type { OutboxChildConfig } from "./outbox-child";

export const SHOP = "outbox-test.myshopify.com";
export const TOKEN = "shpat_outbox_test_token_7f3a9c1e5b";
export const WRONG_TOKEN = "shpat_revoked_token_d41d8cd98f";
export const HOUR = 3_600_000;
export const ON_POSTGRES = /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL?.trim() ?? "");

// ----- the tiny payments app Shopify talks to -----

let appMode: "ok" | "fail" = "ok";
let app: http.Server;
let appUrl = "";

// ----- per test (live bindings, assigned by the hooks) -----

export let t: TestDatabase;
export let db: Db;
export let sim: ShopifySimulator;
/** Extra Prisma clients a test opened; disconnected after each test. */
export const extraClients: Db[] = [];
/** What the logger wrote during the current test (emptied in place before each test). */
export const logLines: Array<{ level: number; msg: string; [k: string]: unknown }> = [];
export const logger = createLogger({
  level: "debug",
  destination: { write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]) },
});

export const clock = {
  offset: 0,
  now: () => new Date(Date.now() + clock.offset),
  advance(ms: number) {
    clock.offset += ms;
  },
};

/**
 * The outbox's delivery mechanics are tested with mutations enqueued by hand, not by the lifecycle: the
 * shop has no oversell protection unless a test asks for it (`restartSimulator({ shops: ... })`).
 */
function simulatorOptions(overrides: Partial<ShopifySimulatorOptions> = {}): ShopifySimulatorOptions {
  return { appUrl, shops: [{ domain: SHOP, accessToken: TOKEN, oversellProtection: false }], retry: { attempts: 1 }, ...overrides };
}

/** Replaces the current test's simulator by one started with these options (checked for violations after the test). */
export async function restartSimulator(overrides: Partial<ShopifySimulatorOptions>): Promise<void> {
  await sim.close();
  sim = await startShopifySimulator(simulatorOptions(overrides));
}

export function useOutboxHarness(): void {
  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    app = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (appMode === "fail") return res.writeHead(500).end("app down");
        if (req.url === "/payments/refunds") return res.writeHead(201).end();
        res.writeHead(200, { "Content-Type": "application/json" }).end(
          JSON.stringify({ redirect_url: `https://soisy.example/checkout/${randomBytes(6).toString("hex")}` }),
        );
      });
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    app.closeAllConnections();
    await new Promise<void>((resolve) => app.close(() => resolve()));
    await t?.cleanup();
  });

  beforeEach(async () => {
    appMode = "ok";
    clock.offset = 0;
    logLines.length = 0;
    sim = await startShopifySimulator(simulatorOptions());
    await db.outboxAttempt.deleteMany();
    await db.outboxMessage.deleteMany();
    await db.timelineEvent.deleteMany();
    await db.refundSession.deleteMany();
    await db.paymentSession.deleteMany();
  });

  afterEach(async () => {
    await sim.close();
    for (const client of extraClients.splice(0)) await client.$disconnect();
    expect(sim.violations).toEqual([]);
  });
}

/**
 * better-sqlite3 waits for SQLite's write lock SYNCHRONOUSLY (busy_timeout), blocking the whole event loop:
 * two SQLite connections in ONE process whose transactions overlap stall until the timeout (the lock
 * holder cannot run its next statement). The app never does that (one client per process); several
 * processes on one SQLite file are tested with a second process (startChild). Within one process the SQLite
 * tests share the client (its adapter serialises transactions); PostgreSQL gets a real second client.
 */
export const sameProcessClient = () => (ON_POSTGRES ? secondClient() : db);

export function secondClient(): Db {
  const client = createDb(t.url);
  extraClients.push(client);
  return client;
}

// ----- a second app process (its own Prisma client and outbox worker) -----

const ROOT = path.resolve(import.meta.dirname, "../..");
const CHILD_SCRIPT = path.join(import.meta.dirname, "outbox-child.ts");

export interface ChildProcess {
  go(): void;
  report: Promise<unknown>;
  /** kill -9 (a crash: no shutdown, no released claims). */
  kill(): Promise<void>;
}

/** Starts outbox-child.ts on the test database and waits until it is connected; `go()` sets it off. */
export async function startChild(config: Omit<OutboxChildConfig, "url">): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD_SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", OUTBOX_CHILD_CONFIG: JSON.stringify({ url: t.url, ...config }) },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const report = new Promise<unknown>((resolve, reject) => {
    lines.on("line", (line) => {
      try {
        const parsed = JSON.parse(line) as { ready?: boolean; report?: unknown };
        if (parsed.ready) ready();
        if (parsed.report) resolve(parsed.report);
      } catch {
        // not ours
      }
    });
    child.on("exit", (code) => reject(new Error(`child exited with ${code}: ${stderr.slice(-2000)}`)));
  });
  await Promise.race([isReady, report]);
  report.catch(() => undefined); // a killed child rejects it
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    go: () => child.stdin.end("go\n"),
    report,
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

// ----- helpers the tests share -----

export function worker(overrides: Partial<OutboxWorkerOptions> = {}) {
  return createOutboxWorker({
    db,
    tokenProvider: async () => TOKEN,
    endpointFor: (shop) =>
      paymentsApiEndpoint(shop, { SHOPIFY_PAYMENTS_API_URL: sim.paymentsApiUrlTemplate, SHOPIFY_PAYMENTS_API_VERSION: "2026-04" }),
    now: clock.now,
    random: () => 0.5,
    timeoutMs: 400,
    lockMs: 5_000,
    logger,
    ...overrides,
  });
}
/** A payment session Shopify (the simulator) has started and the app answered; mirrored in our DB. */
export async function payment(options: { answered?: boolean } = {}) {
  appMode = options.answered === false ? "fail" : "ok";
  const started = await sim.startPayment({ shop: SHOP, amount: "123.00" });
  appMode = "ok";
  expect(started.ok).toBe(options.answered !== false);
  await db.paymentSession.create({
    data: {
      id: started.id,
      gid: started.gid,
      shop: SHOP,
      group: started.group,
      amountCents: 12_300,
      currency: "EUR",
      test: false,
      kind: "sale",
      proposedAt: new Date(),
      environment: "production",
      state: "redirected",
      callbackSecret: randomBytes(16).toString("hex"),
    },
  });
  return started;
}

export async function refund(paymentId: string, options: { answered?: boolean } = {}) {
  appMode = options.answered === false ? "fail" : "ok";
  const started = await sim.startRefund({ shop: SHOP, paymentId, amount: "23.00" });
  appMode = "ok";
  await db.refundSession.create({
    data: {
      id: started.id,
      gid: started.gid,
      shop: SHOP,
      paymentSessionId: paymentId,
      amountCents: 2_300,
      currency: "EUR",
      test: false,
      proposedAt: new Date(),
      state: "resolving",
      decidedBy: "merchant@example.com",
    },
  });
  return started;
}

export function enqueue<M extends OutboxMutation>(input: EnqueueMutationInput<M>, client: Db = db) {
  return client.$transaction((tx) => enqueueMutation(tx, input));
}

export const resolveOf = (p: { id: string; gid: string }) =>
  ({ shop: SHOP, paymentSessionId: p.id, mutation: "paymentSessionResolve", variables: { id: p.gid } }) as const;

export const callsFor = (gid: string, mutation: string) =>
  sim.calls.filter((c) => (c.rootFields.includes(mutation) || c.query.includes(`${mutation}(`)) && (c.variables as { id?: string } | null)?.id === gid);

export const message = (id: string) => db.outboxMessage.findUniqueOrThrow({ where: { id }, include: { attemptsLog: { orderBy: { startedAt: "asc" } } } });

export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 5_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Everything the database and the logs hold about outbox deliveries, as one string. */
export async function everythingStored(): Promise<string> {
  const rows = [
    await db.outboxMessage.findMany(),
    await db.outboxAttempt.findMany(),
    await db.timelineEvent.findMany(),
    await db.paymentSession.findMany(),
  ];
  return JSON.stringify(rows) + JSON.stringify(logLines);
}
