/**
 * What the in-process service harnesses share (settlement-harness.ts, refund-settle-harness.ts): their
 * hooks (`useServiceHarness`: a real database, the Soisy and Shopify simulators, a tiny node:http "app"
 * that hands Shopify's session requests to a service function — the project's routes are thin adapters
 * over the same functions — and an outbox worker), a clock the tests advance, a logger whose lines the
 * tests read, Shopify's Admin GraphQL, and a wait that delivers due outbox messages meanwhile.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { paymentsApiEndpoint } from "~/config.server";
import type { Db } from "~/db.server";
import { createLogger } from "~/logger.server";
import { createOutboxWorker } from "~/payments/outbox-worker.server";
import type { PaymentDeps } from "~/payments/payment-deps.server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startSoisySimulator, type SimShopConfig, type SoisySimulator } from "../simulators/soisy";
import { createTestDatabase, type TestDatabase } from "./database";

export type Logger = ReturnType<typeof createLogger>;

/** Soisy's client timeout in these harnesses (a call slower than this has an unknown outcome). */
export const SOISY_TIMEOUT_MS = 800;

/** The live objects of a harness (its `h`), set by its hooks. */
export interface ServiceHarness {
  t: TestDatabase;
  soisy: SoisySimulator;
  shopify: ShopifySimulator;
  deps: PaymentDeps;
  worker: HarnessOutboxWorker;
}

/** The harness's time: the real time plus `offset`, which `advance` moves on (reset it before each test). */
export function createTestClock() {
  const clock = {
    offset: 0,
    now: () => new Date(Date.now() + clock.offset),
    advance(ms: number) {
      clock.offset += ms;
    },
  };
  return clock;
}

export type TestClock = ReturnType<typeof createTestClock>;

export type LogLine = { level: number; msg: string; [k: string]: unknown };

/** A debug logger whose lines, parsed, land in `lines` (empty it before each test). */
export function captureLogs(): { lines: LogLine[]; logger: Logger } {
  const lines: LogLine[] = [];
  const logger = createLogger({ level: "debug", destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });
  return { lines, logger };
}

/** What a service function answers a session request: 201, or the status and message it refuses with. */
export type SessionAnswer = { ok: true } | { ok: false; status: number; message: string };

export interface HarnessApp {
  readonly url: string;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}")));
  });
}

/**
 * The "app" Shopify's simulator calls: a payment session gets a redirect (the payment flow is tested
 * elsewhere); any other session request goes to `receive` with its path, shop and JSON body, and is
 * answered 201 or with the refusal's status and `{ error }`. A thrown error is a 500.
 */
export async function startHarnessApp(receive: (path: string | undefined, shop: string, body: unknown) => Promise<SessionAnswer>): Promise<HarnessApp> {
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const shop = String(req.headers["shopify-shop-domain"] ?? "");
    if (req.url === "/payments/sessions") {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ redirect_url: "https://soisy.example/x" }));
      return;
    }
    const result = await receive(req.url, shop, body);
    if (!result.ok) res.writeHead(result.status, { "Content-Type": "application/json" }).end(JSON.stringify({ error: result.message }));
    else res.writeHead(201).end();
  }
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An outbox worker over `db` that delivers to the Shopify simulator with `accessToken`, on the harness's clock. */
export function harnessOutboxWorker(options: { db: Db; shopify: ShopifySimulator; accessToken: string; clock: TestClock; logger: Logger }) {
  const { shopify, accessToken } = options;
  return createOutboxWorker({
    db: options.db,
    tokenProvider: async () => accessToken,
    endpointFor: (shop) => paymentsApiEndpoint(shop, { SHOPIFY_PAYMENTS_API_URL: shopify.paymentsApiUrlTemplate, SHOPIFY_PAYMENTS_API_VERSION: "2026-04" }),
    now: options.clock.now,
    logger: options.logger,
  });
}

export type HarnessOutboxWorker = ReturnType<typeof harnessOutboxWorker>;

/** A GraphQL call to the Shopify simulator's Admin API as the shop's app. */
export async function shopifyGraphql(shopify: ShopifySimulator, shop: string, accessToken: string, query: string, variables: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(shopify.graphqlUrl(shop), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": accessToken },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

/** Polls until `check` holds (generous: the machine is shared), delivering `worker`'s due outbox messages meanwhile. */
export async function deliverUntil(worker: HarnessOutboxWorker, check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await worker.runOnce();
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface ServiceHarnessSetup {
  /** The Shopify shop and the app's access token for it. */
  shop: string;
  accessToken: string;
  soisyShops: SimShopConfig[];
  clock: TestClock;
  logs: { lines: LogLine[]; logger: Logger };
  /** The service function behind the "app" (startHarnessApp). */
  receive: (path: string | undefined, shop: string, body: unknown) => Promise<SessionAnswer>;
  /** The payment dependencies of each test, over the harness's database and outbox worker. */
  deps: (db: Db, worker: HarnessOutboxWorker) => PaymentDeps;
}

/**
 * Registers the hooks and fills `h`. Per file: a database, the "app" and the Soisy simulator. Per test:
 * the clock and the log lines reset, Soisy without faults, a fresh Shopify simulator that tries each
 * request once (the shop has no oversell protection: payments are resolved by hand here, no lifecycle,
 * no confirm), an outbox worker and the deps over it; after each test, no protocol violation at Shopify.
 * A harness's own hooks registered after this call run after these before each test, and before these
 * after the tests.
 */
export function useServiceHarness(h: ServiceHarness, setup: ServiceHarnessSetup): void {
  let app: HarnessApp | undefined;
  beforeAll(async () => {
    h.t = await createTestDatabase();
    app = await startHarnessApp(setup.receive);
    h.soisy = await startSoisySimulator({ shops: setup.soisyShops });
  });

  afterAll(async () => {
    await app?.close();
    await h.soisy?.close();
    await h.t?.cleanup();
  });

  beforeEach(async () => {
    setup.clock.offset = 0;
    setup.logs.lines.length = 0;
    h.soisy.clearFaults();
    h.shopify = await startShopifySimulator({
      appUrl: app!.url,
      shops: [{ domain: setup.shop, accessToken: setup.accessToken, oversellProtection: false }],
      retry: { attempts: 1 },
    });
    h.worker = harnessOutboxWorker({ db: h.t.db, shopify: h.shopify, accessToken: setup.accessToken, clock: setup.clock, logger: setup.logs.logger });
    h.deps = setup.deps(h.t.db, h.worker);
  });

  afterEach(async () => {
    await h.worker.stop();
    await h.shopify.close();
    expect(h.shopify.violations).toEqual([]);
  });
}
