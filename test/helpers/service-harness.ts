/**
 * The pieces the in-process service harnesses share (settlement-harness.ts, refund-settle-harness.ts):
 * a clock the tests advance, a logger whose lines the tests read, a tiny node:http "app" that hands
 * Shopify's session requests to a service function (the project's routes are thin adapters over the
 * same functions), an outbox worker on that clock delivering to the Shopify simulator, Shopify's
 * Admin GraphQL, and a wait that delivers due outbox messages meanwhile.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { paymentsApiEndpoint } from "~/config.server";
import type { Db } from "~/db.server";
import { createLogger } from "~/logger.server";
import { createOutboxWorker } from "~/payments/outbox-worker.server";
import type { ShopifySimulator } from "../simulators/shopify";

export type Logger = ReturnType<typeof createLogger>;

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
