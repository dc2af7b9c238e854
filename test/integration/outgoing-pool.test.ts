/**
 * The process's outgoing connection pool (app/http/outgoing-pool.server.ts) through outgoingRequest,
 * against real local HTTP servers that count the TCP connections they accept. The pool is the shared
 * one, built from the environment like in the app, with a bound of 3 connections per host.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeOutgoingConnections } from "~/http/outgoing-pool.server";
import { outgoingRequest } from "~/http/outgoing.server";

const BOUND = 3;

interface CountingServer {
  base: string;
  /** TCP connections accepted so far. */
  accepted: number;
  /** Connections open right now, and the most ever open at once. */
  open: Set<Socket>;
  maxOpen: number;
  close(): Promise<void>;
}

/**
 * A server that counts connections. `/ok` answers at once; `/held` waits until `release()`; `/gated`
 * waits until `gateSize` requests wait together, then answers them all (and every later one at once).
 * `closeIdle`: after each answer the server closes the connection without announcing it (no
 * `Connection: close`), as a proxy closing idle connections does.
 */
function countingServer(options: { closeIdle?: boolean; gateSize?: number } = {}) {
  const held: Array<() => void> = [];
  let gateOpen = false;
  const gated: Array<() => void> = [];
  const state: CountingServer & { held: typeof held; release(): void } = {
    base: "",
    accepted: 0,
    open: new Set(),
    maxOpen: 0,
    held,
    release() {
      for (const answer of held.splice(0)) answer();
    },
    async close() {
      for (const s of state.open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const answer = () => {
      if (options.closeIdle) res.on("finish", () => req.socket.end());
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    };
    if (req.url === "/held") return void held.push(answer);
    if (req.url === "/gated" && !gateOpen) {
      gated.push(answer);
      if (gated.length >= (options.gateSize ?? 1)) {
        gateOpen = true;
        for (const a of gated.splice(0)) a();
      }
      return;
    }
    answer();
  });
  // Idle connections kept 60 s, announced (Keep-Alive: timeout=60), like the Soisy simulator and a real
  // API front: a connection the test sees closed was closed by the client.
  server.keepAliveTimeout = 60_000;
  server.on("connection", (socket) => {
    state.accepted++;
    state.open.add(socket);
    state.maxOpen = Math.max(state.maxOpen, state.open.size);
    socket.on("close", () => state.open.delete(socket));
  });
  return new Promise<typeof state>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve(state);
    }),
  );
}

/**
 * undici hands a connection back to its pool one event-loop turn after the answer's last byte
 * (setImmediate with pipelining 1): a call made in that same turn finds it busy. The app always does
 * I/O between two calls; the tests give the same one turn.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const savedBound = process.env.OUTGOING_MAX_CONNECTIONS_PER_HOST;
const servers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  await closeOutgoingConnections(); // a pool built before this file's setting, if any
  process.env.OUTGOING_MAX_CONNECTIONS_PER_HOST = String(BOUND);
});

afterAll(async () => {
  await closeOutgoingConnections();
  for (const s of servers) await s.close();
  if (savedBound === undefined) delete process.env.OUTGOING_MAX_CONNECTIONS_PER_HOST;
  else process.env.OUTGOING_MAX_CONNECTIONS_PER_HOST = savedBound;
});

async function newServer(options?: Parameters<typeof countingServer>[0]) {
  const server = await countingServer(options);
  servers.push(server);
  return server;
}

describe("outgoing connection pool", () => {
  beforeEach(() => {
    expect(process.env.OUTGOING_MAX_CONNECTIONS_PER_HOST).toBe(String(BOUND));
  });

  it("sends sequential calls over one kept-alive connection", async () => {
    const server = await newServer();
    for (let i = 0; i < 20; i++) {
      expect((await outgoingRequest({ url: `${server.base}/ok` })).kind).toBe("ok");
      await nextTurn();
    }
    expect(server.accepted).toBe(1);
  });

  it("never opens more than the bound for concurrent calls, and every call completes", async () => {
    // The first BOUND calls are held until BOUND wait together: the pool fills up to its bound.
    const server = await newServer({ gateSize: BOUND });
    const results = await Promise.all(Array.from({ length: 4 * BOUND }, () => outgoingRequest({ url: `${server.base}/gated`, timeoutMs: 20_000 })));
    expect(results.map((r) => r.kind)).toEqual(Array(4 * BOUND).fill("ok"));
    expect(server.maxOpen).toBe(BOUND);
    expect(server.accepted).toBe(BOUND);
  });

  it("reconnects without an error when the server closed an idle connection", async () => {
    const server = await newServer({ closeIdle: true });
    expect((await outgoingRequest({ url: `${server.base}/ok` })).kind).toBe("ok");
    // The server's side is gone once the client closed its side too: the pool knows the connection is dead.
    await expect.poll(() => server.open.size, { timeout: 10_000 }).toBe(0);
    expect((await outgoingRequest({ url: `${server.base}/ok` })).kind).toBe("ok");
    expect(server.accepted).toBe(2);
  });

  it("answers timeout, not a hang, when every connection stays busy; the pool recovers", async () => {
    const server = await newServer();
    const busy = Array.from({ length: BOUND }, () => outgoingRequest({ url: `${server.base}/held`, timeoutMs: 20_000 }));
    await expect.poll(() => server.held.length, { timeout: 10_000 }).toBe(BOUND);

    // /ok answers at once: only waiting for a connection can make this call time out.
    const t0 = Date.now();
    const queued = await outgoingRequest({ url: `${server.base}/ok`, timeoutMs: 300 });
    expect(queued).toMatchObject({ kind: "timeout", timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(server.accepted).toBe(BOUND);

    server.release();
    expect((await Promise.all(busy)).map((r) => r.kind)).toEqual(Array(BOUND).fill("ok"));
    expect((await outgoingRequest({ url: `${server.base}/ok` })).kind).toBe("ok");
    expect(server.accepted).toBe(BOUND);
  });

  it("at shutdown, lets a call in flight finish and then closes every connection", async () => {
    const server = await newServer();
    expect((await outgoingRequest({ url: `${server.base}/ok` })).kind).toBe("ok");
    await nextTurn();
    const inFlight = outgoingRequest({ url: `${server.base}/held`, timeoutMs: 20_000 });
    await expect.poll(() => server.held.length, { timeout: 10_000 }).toBe(1);

    const closing = closeOutgoingConnections();
    server.release();
    expect((await inFlight).kind).toBe("ok");
    await closing;
    await expect.poll(() => server.open.size, { timeout: 10_000 }).toBe(0);
  });
});
