/**
 * Writing a Fetch Response to Node's response (server/remix-adapter.ts `sendFetchResponse`) on a
 * real HTTP server: a one-chunk body goes out whole with a Content-Length, a long stream arrives
 * complete, a client that goes away cancels the body's source, a body that fails mid-way ends the
 * connection instead of a truncated "complete" answer.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendFetchResponse } from "../../server/remix-adapter";

let server: http.Server;
let base: string;
let respond: () => Response;

beforeAll(async () => {
  const app = express();
  app.use((_req, res) => void sendFetchResponse(res, respond()));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** GETs `path` with node:http (raw headers, no client-side decoding). */
function get(method = "GET"): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/`, { method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const MiB = 1024 * 1024;

describe("sendFetchResponse", () => {
  it("writes a one-chunk body whole, with a Content-Length, headers and cookies kept", async () => {
    respond = () => {
      const r = Response.json({ ok: true, figures: [1, 2, 3] }, { status: 201, headers: { "X-Answer": "yes" } });
      r.headers.append("Set-Cookie", "a=1");
      r.headers.append("Set-Cookie", "b=2");
      return r;
    };
    const answer = await get();
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body.toString())).toEqual({ ok: true, figures: [1, 2, 3] });
    expect(answer.headers["content-length"]).toBe(String(answer.body.length));
    expect(answer.headers["transfer-encoding"]).toBeUndefined();
    expect(answer.headers["x-answer"]).toBe("yes");
    expect(answer.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
  });

  it("streams a long body complete, chunk after chunk", async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    respond = () => {
      let sent = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent === 64) return controller.close();
            sent++;
            controller.enqueue(new Uint8Array(chunk));
          },
        }),
      );
    };
    const answer = await get();
    expect(answer.headers["transfer-encoding"]).toBe("chunked");
    expect(answer.body.length).toBe(4 * MiB);
    expect(answer.body.every((b) => b === 7)).toBe(true);
  });

  it("answers HEAD and an empty body without a body", async () => {
    respond = () => new Response(null, { status: 204 });
    expect((await get()).body.length).toBe(0);
    respond = () => Response.json({ ignored: true });
    expect((await get("HEAD")).body.length).toBe(0);
  });

  it("cancels the body's source when the client goes away mid-stream", async () => {
    let cancelled!: () => void;
    const wasCancelled = new Promise<void>((resolve) => (cancelled = resolve));
    respond = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            controller.enqueue(new Uint8Array(64 * 1024));
          },
          cancel: () => cancelled(),
        }),
      );
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${base}/`, { agent: false }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", (error) => ((error as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(error)));
    });
    await wasCancelled;
  });

  it("ends the connection when the body fails mid-way (the client sees no complete answer)", async () => {
    respond = () => {
      let sent = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ === 3) return controller.error(new Error("render failed"));
            controller.enqueue(new Uint8Array(1024));
          },
        }),
      );
    };
    await expect(get()).rejects.toThrow();
  });
});
