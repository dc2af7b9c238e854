/**
 * A fault-injecting HTTP proxy for chaos tests: a real TCP/HTTP server in front of a simulator (Soisy,
 * Shopify). Every request is read in full, matched against the current rules (first match wins) and
 * then passed through or broken in one of the ways a partner breaks in production. Rules can be
 * switched at run time and matched per method, path and body (a session id, a Soisy token), so
 * concurrent scenarios can each break their own traffic. Every request is recorded (counters per path).
 *
 * Hand-written on node:http on purpose: proxy libraries (http-proxy & co.) stream bodies and have no
 * notion of "hang", "reset half-way through the answer" or "hold the answer N s after the upstream
 * applied it", which are the whole point here.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type FaultMode =
  /** Forwarded unchanged. */
  | { kind: "pass" }
  /** Accepted and never answered (not forwarded); the socket stays open until the client gives up. */
  | { kind: "hang" }
  /** Forwarded at once (the upstream APPLIES it); the answer is held `ms` before it is sent. */
  | { kind: "slow"; ms: number }
  /**
   * The socket is destroyed. "request": after the request was read, not forwarded (nothing applied).
   * "response": forwarded (applied upstream), then half of the answer is written and the socket destroyed.
   */
  | { kind: "reset"; at: "request" | "response" }
  /** 200 with a body that is not the JSON the client expects (not forwarded). Default: truncated JSON. */
  | { kind: "garbage"; body?: string }
  /** An error status (e.g. 500, 502, 503) with a small JSON body (not forwarded). */
  | { kind: "status"; status: number }
  /** 429 with `Retry-After: retryAfterSeconds` (not forwarded). */
  | { kind: "throttle"; retryAfterSeconds: number };

export type FaultKind = FaultMode["kind"];

export interface RequestView {
  method: string;
  /** Path and query, e.g. "/api/shops/partnershop/orders/abc". */
  path: string;
  /** The request body as text (utf-8). */
  body: string;
}

export interface FaultRule {
  /** Only requests with this method (e.g. "POST"). */
  method?: string;
  /** A substring of, or a pattern tested on, the path (with query). */
  path?: string | RegExp;
  /** A substring the body must contain (e.g. a payment session gid or an orderReference). */
  bodyIncludes?: string;
  mode: FaultMode;
  /** How many requests the rule breaks before it is spent (default: until removed). */
  times?: number;
}

export interface ProxyRecord {
  /** Sequence number, from 1. */
  n: number;
  method: string;
  path: string;
  body: string;
  /** The fault applied ("pass" when none). */
  fault: FaultKind;
  /** Id of the rule that matched (null: no rule). */
  ruleId: number | null;
  /** Epoch ms when the request was read in full. */
  at: number;
  /** Epoch ms when the proxy finished its part (answered, reset, or the client went away). */
  endedAt: number | null;
  /** HTTP status sent to the client (null: none — hang, reset, client gone). */
  status: number | null;
  /** The client closed the connection before the proxy answered (e.g. its timeout fired on a hang). */
  clientAborted: boolean;
  /** Upstream problem, when forwarding failed. */
  error: string | null;
}

export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  /** Every request seen, oldest first. */
  readonly records: ProxyRecord[];
  /** Adds a rule (checked before older ones); returns its id. */
  addRule(rule: FaultRule): number;
  removeRule(id: number): void;
  /** Removes every rule: everything passes. */
  clearRules(): void;
  /** Requests seen that match (method / path / body / fault). */
  count(filter?: RecordFilter): number;
  find(filter?: RecordFilter): ProxyRecord[];
  /** Breaks every open hanging request's socket (e.g. at the end of a test). */
  releaseHanging(): void;
  close(): Promise<void>;
}

export interface RecordFilter {
  method?: string;
  path?: string | RegExp;
  bodyIncludes?: string;
  /** A fault kind, or "faulted" for any fault except "pass". */
  fault?: FaultKind | "faulted";
  ruleId?: number;
  /** Only requests read at or after this epoch ms. */
  since?: number;
}

/** The default garbage: the beginning of a JSON object, cut off. */
export const TRUNCATED_JSON = '{"token":"abc123","redirectUrl":"https://';

function pathMatches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === "string" ? path.includes(pattern) : pattern.test(path);
}

function matches(filter: RecordFilter | FaultRule, view: { method: string; path: string; body: string }): boolean {
  if (filter.method && filter.method.toUpperCase() !== view.method.toUpperCase()) return false;
  if (!pathMatches(filter.path, view.path)) return false;
  if (filter.bodyIncludes !== undefined && !view.body.includes(filter.bodyIncludes)) return false;
  return true;
}

/** Hop-by-hop headers are not forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

export async function startFaultProxy(options: { target: string; name?: string; host?: string }): Promise<FaultProxy> {
  const target = new URL(options.target);
  const rules: Array<FaultRule & { id: number; used: number }> = [];
  const records: ProxyRecord[] = [];
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let nextRuleId = 1;

  const server = http.createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const view = { method: req.method ?? "GET", path: req.url ?? "/", body: raw.toString("utf8") };
    const rule = rules.find((r) => (r.times === undefined || r.used < r.times) && matches(r, view));
    if (rule) rule.used += 1;
    const mode: FaultMode = rule?.mode ?? { kind: "pass" };
    const record: ProxyRecord = {
      n: records.length + 1,
      ...view,
      fault: mode.kind,
      ruleId: rule?.id ?? null,
      at: Date.now(),
      endedAt: null,
      status: null,
      clientAborted: false,
      error: null,
    };
    records.push(record);
    let finished = false;
    const end = (status: number | null) => {
      if (finished) return;
      finished = true;
      record.status = status;
      record.endedAt = Date.now();
    };
    res.on("close", () => {
      hanging.delete(res);
      if (!finished) {
        record.clientAborted = true;
        end(null);
      }
    });

    switch (mode.kind) {
      case "hang":
        hanging.add(res);
        return;
      case "reset":
        if (mode.at === "request") {
          end(null);
          req.socket.destroy();
          return;
        }
        break;
      case "garbage": {
        const body = mode.body ?? TRUNCATED_JSON;
        end(200);
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
        return;
      }
      case "status": {
        const body = JSON.stringify({ error: `Injected ${mode.status}` });
        end(mode.status);
        res.writeHead(mode.status, { "content-type": "application/json" }).end(body);
        return;
      }
      case "throttle": {
        const body = JSON.stringify({ errors: "Throttled (injected)" });
        end(429);
        res.writeHead(429, { "content-type": "application/json", "retry-after": String(mode.retryAfterSeconds) }).end(body);
        return;
      }
      case "pass":
      case "slow":
        break;
    }

    // Forward (pass, slow, reset-after-response).
    let upstream: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
    try {
      upstream = await forward(req, raw);
    } catch (error) {
      record.error = (error as Error).message;
      if (!res.destroyed) {
        end(502);
        res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ error: "proxy: upstream failed" }));
      }
      return;
    }
    if (mode.kind === "slow") {
      hanging.add(res);
      await new Promise((r) => setTimeout(r, mode.ms));
      hanging.delete(res);
    }
    if (res.destroyed || finished) return;
    const headers: http.OutgoingHttpHeaders = {};
    for (const [key, value] of Object.entries(upstream.headers)) {
      if (!HOP_BY_HOP.has(key) && value !== undefined) headers[key] = value;
    }
    headers["content-length"] = upstream.body.length;
    if (mode.kind === "reset") {
      // Half the answer, then the connection dies: the client cannot tell whether it was applied.
      end(null);
      res.writeHead(upstream.status, headers);
      res.write(upstream.body.subarray(0, Math.floor(upstream.body.length / 2)), () => res.socket?.destroy());
      return;
    }
    end(upstream.status);
    res.writeHead(upstream.status, headers).end(upstream.body);
  }

  function forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (!HOP_BY_HOP.has(key) && value !== undefined) headers[key] = value;
      }
      headers.host = target.host;
      headers["content-length"] = body.length;
      const upstream = http.request(
        { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: false },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (d: Buffer) => parts.push(d));
          answer.on("end", () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(parts) }));
          answer.on("error", reject);
        },
      );
      upstream.on("error", reject);
      upstream.end(body);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };

  const select = (filter: RecordFilter = {}) =>
    records.filter(
      (r) =>
        matches(filter, r) &&
        (filter.fault === undefined || (filter.fault === "faulted" ? r.fault !== "pass" : r.fault === filter.fault)) &&
        (filter.ruleId === undefined || r.ruleId === filter.ruleId) &&
        (filter.since === undefined || r.at >= filter.since),
    );

  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    port,
    records,
    addRule(rule) {
      const id = nextRuleId++;
      rules.unshift({ ...rule, id, used: 0 });
      return id;
    },
    removeRule(id) {
      const i = rules.findIndex((r) => r.id === id);
      if (i >= 0) rules.splice(i, 1);
    },
    clearRules() {
      rules.length = 0;
    },
    count: (filter) => select(filter).length,
    find: (filter) => select(filter),
    releaseHanging() {
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
    async close() {
      rules.length = 0;
      for (const res of hanging) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
