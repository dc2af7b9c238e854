/**
 * The one place the app's server side calls other HTTP services (Soisy, Shopify's Payments Apps API).
 *
 * `outgoingRequest()` sends ONE request with native fetch and never throws: every outcome is a value.
 * Every request goes through the process's bounded keep-alive pool (app/http/outgoing-pool.server.ts):
 * a checkout reuses a connection instead of paying a new TCP + TLS handshake.
 *
 *   ok         2xx, body read in full (within `maxBytes`)
 *   http       any other status (body read too: error bodies carry the reason)
 *   timeout    no complete answer within the attempt's time (`timeoutMs`, shortened to what is left
 *              before `deadlineAt`; waiting for a free pooled connection counts too) — the request
 *              may still have reached the server
 *   network    DNS, refused, reset, TLS… (also: an invalid URL); may also have reached the server
 *   too_large  the body (Content-Length or what actually arrived) is larger than `maxBytes`; the
 *              transfer is aborted at once instead of buffering it
 *
 * Redirects are never followed (`redirect: "manual"`): a redirect would carry credentials headers to
 * another host; a 3xx comes back as `http`.
 *
 * Why the body is read by hand: `Response.text()` has no size limit, and undici's own
 * `maxResponseSize` is a dispatcher option that does not apply to a plain `fetch()` call; reading the
 * stream with a counter is the standard way to cap it (a dozen lines, no extra dependency).
 */

import type { Dispatcher } from "undici";
import { outgoingAgent } from "./outgoing-pool.server";

export interface OutgoingRequest {
  url: string;
  method?: "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD";
  headers?: Record<string, string>;
  body?: string;
  /** This attempt's whole time, headers AND body (default 10 s). */
  timeoutMs?: number;
  /** Absolute end (epoch ms) of a larger operation: the attempt gets at most what is left of it. */
  deadlineAt?: number;
  /** Largest accepted body in bytes (default 1 MiB). */
  maxBytes?: number;
  /** Another reason to stop (e.g. shutdown). */
  signal?: AbortSignal;
  /** Replacement for globalThis.fetch (tests). */
  fetch?: typeof fetch;
}

interface Answered {
  status: number;
  headers: Headers;
  bodyText: string;
  durationMs: number;
}

export type OutgoingResult =
  | ({ kind: "ok" } & Answered)
  | ({ kind: "http" } & Answered)
  | { kind: "timeout"; timeoutMs: number; durationMs: number; message: string }
  | { kind: "network"; message: string; code?: string; durationMs: number }
  | { kind: "too_large"; maxBytes: number; status: number; durationMs: number; message: string };

export type OutgoingFailure = Exclude<OutgoingResult, { kind: "ok" } | { kind: "http" }>;

export const DEFAULT_OUTGOING_TIMEOUT_MS = 10_000;
export const DEFAULT_OUTGOING_MAX_BYTES = 1024 * 1024;

class BodyTooLarge extends Error {}

/** Milliseconds left before `deadlineAt` (Infinity without one). */
export function remainingMs(deadlineAt: number | undefined, now: number = Date.now()): number {
  return deadlineAt === undefined ? Number.POSITIVE_INFINITY : deadlineAt - now;
}

/** Sends one request; never throws (see the module comment for the outcomes). */
export async function outgoingRequest(req: OutgoingRequest): Promise<OutgoingResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const configured = req.timeoutMs ?? DEFAULT_OUTGOING_TIMEOUT_MS;
  const left = remainingMs(req.deadlineAt);
  const timeoutMs = Math.max(0, Math.floor(Math.min(configured, left)));
  const maxBytes = req.maxBytes ?? DEFAULT_OUTGOING_MAX_BYTES;
  if (timeoutMs <= 0) {
    return { kind: "timeout", timeoutMs: 0, durationMs: 0, message: "the deadline had already passed: nothing was sent" };
  }

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no complete answer within ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  const onOuterAbort = () => controller.abort(req.signal?.reason);
  if (req.signal?.aborted) onOuterAbort();
  else req.signal?.addEventListener("abort", onOuterAbort, { once: true });

  const timeoutResult = (): OutgoingResult => ({
    kind: "timeout",
    timeoutMs,
    durationMs: elapsed(),
    message: `no complete answer within ${timeoutMs} ms`,
  });

  let status = 0;
  try {
    const doFetch = req.fetch ?? globalThis.fetch;
    const init: RequestInit & { dispatcher: Dispatcher } = {
      method: req.method ?? "GET",
      headers: req.headers,
      body: req.body,
      redirect: "manual",
      signal: controller.signal,
      // Inside the try: invalid pool settings in the environment come back as a value, like any failure.
      dispatcher: outgoingAgent(),
    };
    const response = await doFetch(req.url, init);
    status = response.status;
    const declared = Number(response.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > maxBytes) {
      controller.abort();
      await response.body?.cancel().catch(() => undefined);
      return tooLarge(maxBytes, status, elapsed(), `Content-Length ${declared}`);
    }
    const bodyText = await readCapped(response, maxBytes, controller);
    const answered: Answered = { status, headers: response.headers, bodyText, durationMs: elapsed() };
    return status >= 200 && status <= 299 ? { kind: "ok", ...answered } : { kind: "http", ...answered };
  } catch (error) {
    if (error instanceof BodyTooLarge) return tooLarge(maxBytes, status, elapsed(), "the body");
    if (timedOut) return timeoutResult();
    if (isAbort(error) && req.signal?.aborted) {
      return { kind: "network", message: "aborted by the caller", code: "ABORTED", durationMs: elapsed() };
    }
    if (isAbort(error)) return timeoutResult();
    return { kind: "network", ...describeNetworkError(error), durationMs: elapsed() };
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", onOuterAbort);
  }
}

function tooLarge(maxBytes: number, status: number, durationMs: number, what: string): OutgoingResult {
  return { kind: "too_large", maxBytes, status, durationMs, message: `${what} is larger than ${maxBytes} bytes (transfer aborted)` };
}

async function readCapped(response: Response, maxBytes: number, controller: AbortController): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let total = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      controller.abort();
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

function isAbort(error: unknown): boolean {
  return (
    (error instanceof Error || error instanceof DOMException) &&
    (error.name === "AbortError" || error.name === "TimeoutError")
  );
}

/** "fetch failed (ECONNRESET: read ECONNRESET)"-style text from undici's error and its causes. */
export function describeNetworkError(error: unknown): { message: string; code?: string } {
  let code: string | undefined;
  const parts: string[] = [];
  let current: unknown = error;
  for (let i = 0; i < 4 && current !== undefined && current !== null; i++) {
    if (current instanceof Error) {
      const c = (current as { code?: unknown }).code;
      if (typeof c === "string") code ??= c;
      parts.push(typeof c === "string" && !current.message.includes(c) ? `${current.message} (${c})` : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return { message: parts.length ? parts.join(": ") : "network failure", ...(code ? { code } : {}) };
}
