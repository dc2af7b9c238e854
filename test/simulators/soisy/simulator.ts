/**
 * A real HTTP simulator of Soisy's API, its shopper webapp and its callbacks, faithful to
 * docs/soisy-api.md. Rules and endpoints are documented in README.md next to this file.
 *
 * This file starts the server, applies the injected faults and routes each request: `/api/...` to
 * orders-api.ts (step 2 in loan-requests.ts), `/_sim/...` to operator.ts, anything else to the webapp
 * page (webapp.ts). The state is in store.ts, the callbacks in callbacks.ts, the types in types.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createCallbackSender } from "./callbacks";
import type { SimContext } from "./context";
import { SimHttpError, now, parseBody, readBody, segments, send, sendHtml, sleep } from "./http";
import { abandonOrder, completeOrder, fireEvent, handleInternal, rejectOrder } from "./operator";
import { handleApi } from "./orders-api";
import { SoisyStore } from "./store";
import type { SimLogger, SimRequestRecord, SoisySimulator, SoisySimulatorOptions } from "./types";
import { renderNotFoundPage, renderWebappPage } from "./webapp";

const SILENT_LOGGER: SimLogger = { info: () => {}, warn: () => {} };

export async function startSoisySimulator(opts: SoisySimulatorOptions = {}): Promise<SoisySimulator> {
  const log = opts.logger ?? SILENT_LOGGER;
  const store = new SoisyStore(opts.shops ?? [{ shopId: "partnershop", apiKey: "partnerkey" }]);
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const callbacks = createCallbackSender({
    store,
    log,
    delayMs: opts.callbackDelayMs ?? 0,
    timeoutMs: opts.callbackTimeoutMs ?? 5000,
    closing: closing.signal,
  });
  const ctx: SimContext = { store, callbacks, log, strictFiscalCodes: opts.strictFiscalCodes !== false };

  function handleWebapp(method: string, url: URL, record: SimRequestRecord, res: ServerResponse): void {
    if (method !== "GET" && method !== "HEAD") throw new SimHttpError(405, { error: `Method ${method} not allowed` });
    if (url.pathname === "/favicon.ico") {
      record.status = 204;
      res.writeHead(204);
      res.end();
      return;
    }
    const parts = segments(url.pathname, "");
    const shopId = parts[0];
    if (parts.length === 1 && shopId && store.shops.has(shopId)) return sendHtml(res, record, 200, renderWebappPage(shopId));
    return sendHtml(res, record, 404, renderNotFoundPage());
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator.invalid");
    const method = (req.method ?? "GET").toUpperCase();
    const contentType = typeof req.headers["content-type"] === "string" ? req.headers["content-type"] : null;
    const record: SimRequestRecord = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      contentType,
      rawBody: "",
      body: null,
      status: null,
      fault: null,
      at: now(),
    };
    store.requests.push(record);
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch (error) {
      if (error instanceof SimHttpError) return send(res, record, error.status, error.body);
      throw error;
    }
    record.rawBody = rawBody;
    const parsed = parseBody(contentType, rawBody);
    record.body = parsed.body;

    try {
      if (url.pathname.startsWith("/api/")) {
        const faults = store.faults;
        const target = url.pathname + url.search;
        const applies = !faults.match || target.includes(faults.match);
        if (applies && (faults.hangNext ?? 0) > 0) {
          faults.hangNext = (faults.hangNext ?? 0) - 1;
          record.fault = "hang";
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        }
        if (applies && faults.latencyMs) await sleep(faults.latencyMs, closing.signal);
        if (applies && faults.failNext && faults.failNext.count > 0) {
          faults.failNext.count -= 1;
          record.fault = "fail";
          return send(res, record, faults.failNext.status, { error: "Simulated failure" });
        }
        if (parsed.error) return send(res, record, 400, { error: parsed.error });
        return await handleApi(ctx, method, url, record, res);
      }
      if (url.pathname.startsWith("/_sim/") || url.pathname === "/_sim") {
        if (parsed.error) return send(res, record, 400, { error: parsed.error });
        return await handleInternal(ctx, method, url, record, res);
      }
      return handleWebapp(method, url, record, res);
    } catch (error) {
      if (error instanceof SimHttpError) return send(res, record, error.status, error.body);
      log.warn(`simulator error on ${method} ${url.pathname}: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) send(res, record, 500, { error: "Internal simulator error" });
    }
  }

  /* ---------------- start ---------------- */

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.warn(`unhandled simulator error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: "Internal simulator error" }));
      } else {
        res.destroy();
      }
    });
  });
  let connectionsAccepted = 0;
  server.on("connection", (socket) => {
    connectionsAccepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // Like a real API front (nginx keeps idle connections 75 s): long enough that clients reuse them.
  // At 1 s, undici (Node's fetch) — which subtracts a 2 s safety margin from the server's hint —
  // never reused one, and bench:http counted a new TCP connection for every Soisy call.
  server.keepAliveTimeout = 60_000;

  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  store.publicUrl = (opts.publicUrl ?? url).replace(/\/+$/, "");
  const publicUrl = store.publicUrl;
  log.info(`Soisy simulator listening on ${url} (webapp ${publicUrl})`);

  let closed: Promise<void> | null = null;

  return {
    url,
    publicUrl,
    port,
    shops: store.shops,
    orders: store.orders,
    loanRequests: store.loanRequests,
    requests: store.requests,
    callbacks: store.callbacks,
    triggers: store.triggers,
    get faults() {
      return store.faults;
    },
    get connectionsAccepted() {
      return connectionsAccepted;
    },
    setFaults: (f) => store.setFaults(f),
    clearFaults: () => store.clearFaults(),
    fireEvent: (token, eventId) => fireEvent(ctx, token, eventId),
    completeOrder: (token, o) => completeOrder(ctx, token, o),
    rejectOrder: (token) => rejectOrder(ctx, token),
    abandonOrder: (token) => abandonOrder(ctx, token),
    webappUrl: (shopId, token) => store.webappUrl(shopId, token),
    async idle() {
      while (callbacks.pending.size > 0) await Promise.allSettled([...callbacks.pending]);
    },
    reset: () => store.reset(),
    close() {
      closed ??= (async () => {
        closing.abort();
        await Promise.allSettled([...callbacks.pending]);
        for (const res of hanging) res.destroy();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        await done;
      })();
      return closed;
    },
  };
}
