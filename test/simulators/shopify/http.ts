/** Small HTTP helpers (no keep-alive, so closing servers in tests never waits on pooled sockets). */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";

export interface PostResult {
  status: number | null;
  body: string;
  error?: string;
  durationMs: number;
}

/** POSTs `body`; never throws: network errors and timeouts come back as `status: null` + `error`. */
export function postRaw(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  track?: Set<http.ClientRequest>,
): Promise<PostResult> {
  const started = performance.now();
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ status: null, body: "", error: `invalid URL ${url}`, durationMs: 0 });
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<PostResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      track?.delete(req);
      clearTimeout(timer);
      resolve({ ...result, durationMs: Math.round(performance.now() - started) });
    };
    const client = target.protocol === "https:" ? https : http;
    const req = client.request(
      target,
      {
        method: "POST",
        agent: false,
        headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)), Connection: "close" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => finish({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (e) => finish({ status: null, body: "", error: e.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ status: null, body: "", error: `timeout after ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    track?.add(req);
    req.on("error", (e) => finish({ status: null, body: "", error: e.message }));
    req.end(body);
  });
}

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limitBytes = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limitBytes) {
        reject(new BodyTooLargeError(`body larger than ${limitBytes} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(html)),
    "Cache-Control": "no-store",
  });
  res.end(html);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
