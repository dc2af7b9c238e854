/**
 * app/http/outgoing.server.ts against a real local HTTP server that answers, hangs, trickles, resets
 * the connection and sends too much.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outgoingRequest } from "~/http/outgoing.server";

let server: http.Server;
let base: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    switch (url.pathname) {
      case "/ok":
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: true, method: req.method }));
        return;
      case "/status":
        res.writeHead(Number(url.searchParams.get("code")), { "retry-after": "20" });
        res.end("nope");
        return;
      case "/hang":
        return; // never answers
      case "/hang-body":
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("partial");
        return; // headers and a bit of body, then silence
      case "/trickle": {
        // One byte every 100 ms for ~10 s: never idle long, but far slower than any sane deadline.
        res.writeHead(200, { "content-type": "text/plain" });
        let n = 0;
        const t = setInterval(() => {
          if (n++ > 100 || res.destroyed) {
            clearInterval(t);
            res.end();
            return;
          }
          res.write("x");
        }, 100);
        res.on("close", () => clearInterval(t));
        return;
      }
      case "/reset":
        req.socket.destroy();
        return;
      case "/reset-mid-body":
        res.writeHead(200, { "content-type": "text/plain", "content-length": "1000" });
        res.write("abc");
        setTimeout(() => req.socket.destroy(), 20);
        return;
      case "/big-declared":
        res.writeHead(200, { "content-type": "text/plain", "content-length": String(5 * 1024 * 1024) });
        res.write("y".repeat(1024));
        return; // would take forever: the client must stop on the header alone
      case "/big-chunked": {
        // No Content-Length: chunks of 64 KiB until the client goes away (counted below).
        res.writeHead(200, { "content-type": "text/plain" });
        const chunk = "z".repeat(64 * 1024);
        let sent = 0;
        const pump = () => {
          while (!res.destroyed && sent < 200) {
            sent++;
            bigChunkedSent = sent;
            if (!res.write(chunk)) return void res.once("drain", pump);
          }
          if (!res.destroyed) res.end();
        };
        pump();
        return;
      }
      case "/redirect":
        res.writeHead(302, { location: "http://example.invalid/" });
        res.end();
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let bigChunkedSent = 0;

describe("outgoingRequest", () => {
  it("returns the body of a 2xx as ok", async () => {
    const result = await outgoingRequest({ url: `${base}/ok`, method: "POST", body: "{}" });
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(result.status).toBe(200);
    expect(JSON.parse(result.bodyText)).toEqual({ ok: true, method: "POST" });
  });

  it("returns other statuses as http, with headers and body", async () => {
    const result = await outgoingRequest({ url: `${base}/status?code=429` });
    expect(result.kind).toBe("http");
    if (result.kind !== "http") return;
    expect(result.status).toBe(429);
    expect(result.headers.get("retry-after")).toBe("20");
    expect(result.bodyText).toBe("nope");
  });

  it("does not follow redirects", async () => {
    const result = await outgoingRequest({ url: `${base}/redirect` });
    expect(result).toMatchObject({ kind: "http", status: 302 });
  });

  it("times out a server that never answers", async () => {
    const t0 = Date.now();
    const result = await outgoingRequest({ url: `${base}/hang`, timeoutMs: 300 });
    expect(result).toMatchObject({ kind: "timeout", timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("times out a body that stops half-way", async () => {
    const result = await outgoingRequest({ url: `${base}/hang-body`, timeoutMs: 300 });
    expect(result.kind).toBe("timeout");
  });

  it("bounds a trickling body by the attempt's whole time, not by idle time", async () => {
    const t0 = Date.now();
    const result = await outgoingRequest({ url: `${base}/trickle`, timeoutMs: 500 });
    expect(result.kind).toBe("timeout");
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("shortens the attempt to what is left before deadlineAt", async () => {
    const t0 = Date.now();
    const result = await outgoingRequest({ url: `${base}/hang`, timeoutMs: 60_000, deadlineAt: Date.now() + 300 });
    expect(result.kind).toBe("timeout");
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("sends nothing once the deadline has passed", async () => {
    const result = await outgoingRequest({ url: `${base}/ok`, deadlineAt: Date.now() - 1 });
    expect(result).toMatchObject({ kind: "timeout", timeoutMs: 0 });
  });

  it("reports a connection reset as a network error", async () => {
    const result = await outgoingRequest({ url: `${base}/reset` });
    expect(result.kind).toBe("network");
    if (result.kind !== "network") return;
    expect(result.message).toMatch(/fetch failed|socket|ECONNRESET|closed/i);
  });

  it("reports a reset in the middle of the body as a network error", async () => {
    const result = await outgoingRequest({ url: `${base}/reset-mid-body` });
    expect(result.kind).toBe("network");
  });

  it("reports a refused connection as a network error", async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await outgoingRequest({ url: `http://127.0.0.1:${port}/` });
    expect(result).toMatchObject({ kind: "network", code: "ECONNREFUSED" });
  });

  it("refuses a declared Content-Length above the limit without reading it", async () => {
    const t0 = Date.now();
    const result = await outgoingRequest({ url: `${base}/big-declared`, maxBytes: 64 * 1024, timeoutMs: 10_000 });
    expect(result).toMatchObject({ kind: "too_large", maxBytes: 64 * 1024, status: 200 });
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("aborts a chunked body once it grows past the limit", async () => {
    const result = await outgoingRequest({ url: `${base}/big-chunked`, maxBytes: 256 * 1024, timeoutMs: 10_000 });
    expect(result).toMatchObject({ kind: "too_large", maxBytes: 256 * 1024 });
    // The server noticed the client going away long before its 200 chunks (12.5 MiB) were sent.
    await expect.poll(() => bigChunkedSent, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(bigChunkedSent).toBeLessThan(200);
  });

  it("turns an invalid URL or a throwing fetch into a value", async () => {
    expect((await outgoingRequest({ url: "not a url" })).kind).toBe("network");
    const result = await outgoingRequest({
      url: `${base}/ok`,
      fetch: () => {
        throw new TypeError("boom");
      },
    });
    expect(result).toMatchObject({ kind: "network", message: "boom" });
  });

  it("stops when the caller's signal aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await outgoingRequest({ url: `${base}/hang`, timeoutMs: 10_000, signal: controller.signal });
    expect(result).toMatchObject({ kind: "network", code: "ABORTED" });
  });
});
