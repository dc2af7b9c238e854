/**
 * A tiny real HTTP server that records the callbacks it receives (a stand-in for the merchant's
 * callback route in simulator tests).
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedCallback {
  method: string;
  /** Path with query string. */
  path: string;
  headers: IncomingHttpHeaders;
  contentType: string | null;
  rawBody: string;
  /** The form fields (application/x-www-form-urlencoded). */
  form: Record<string, string>;
  at: number;
}

export interface CallbackReceiver {
  readonly url: string;
  readonly received: ReceivedCallback[];
  /** Status answered to the next callbacks. Default 200. */
  respondWith(status: number): void;
  /** When true, requests are accepted but never answered. */
  hang(enabled: boolean): void;
  /** Resolves once at least `count` callbacks arrived (rejects after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedCallback[]>;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  let status = 200;
  let hanging = false;
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const form: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(rawBody)) form[k] = v;
      received.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        contentType: req.headers["content-type"] ?? null,
        rawBody,
        form,
        at: Date.now(),
      });
      for (const w of waiters) w();
      if (hanging) return;
      res.writeHead(status, { "Content-Type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respondWith(s) {
      status = s;
    },
    hang(enabled) {
      hanging = enabled;
    },
    waitFor(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(received.slice());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} callbacks, got ${received.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
