/**
 * Node request ⇄ Fetch API (Node's own Request/Response, no polyfill): the Remix Request is built
 * from the body the server already read (a Buffer, within its limit), and the Remix Response is
 * streamed back with backpressure (a one-chunk body in one write). When the client goes away, the Request's signal aborts.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Request as ExpressRequest, Response as ExpressResponse } from "express";

/** Headers for Remix: every incoming header except `omit` (e.g. the TLS terminator's proof header). */
export function fetchHeaders(raw: string[], omit: ReadonlySet<string>): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.startsWith(":") || omit.has(name.toLowerCase())) continue;
    try {
      headers.append(name, raw[i + 1]!);
    } catch {
      // A header value the Fetch API refuses (e.g. control characters) is dropped.
    }
  }
  return headers;
}

/**
 * The Fetch Request for Remix. With `abortable`, its signal aborts when the client goes away (Remix
 * stops rendering a page); handlers that never read the signal get none (an AbortController and a
 * listener less per request).
 */
export function createFetchRequest(
  req: ExpressRequest,
  res: ExpressResponse,
  body: Buffer | null,
  omitHeaders: ReadonlySet<string>,
  abortable = true,
): Request {
  // req.protocol / req.host honour X-Forwarded-Proto / -Host only when TRUST_PROXY is set.
  const host = req.host || "localhost";
  const url = new URL(req.originalUrl, `${req.protocol}://${host}`);
  const init: RequestInit & { duplex?: "half" } = {
    method: req.method,
    headers: fetchHeaders(req.rawHeaders, omitHeaders),
  };
  if (abortable) {
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    init.signal = controller.signal;
  }
  if (body && req.method !== "GET" && req.method !== "HEAD") init.body = body as Uint8Array as BodyInit; // a Buffer is a Uint8Array (the DOM lib typings disagree on its ArrayBuffer type)
  return new Request(url, init);
}

/**
 * Writes a Fetch Response to the Node response (Set-Cookie headers kept apart).
 *
 * The body is read chunk by chunk and written with backpressure, by hand rather than with
 * `stream.pipeline(Readable.fromWeb(body), res)`: that pipeline builds two Node streams and an
 * AbortController per request and aborts it (a DOMException) when it finishes — about 3 % of a quote
 * hit's CPU (bench:http --cpu-prof). A body that is one chunk (every JSON answer) goes out in one
 * write with its headers and a Content-Length.
 */
export async function sendFetchResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of response.headers) {
    if (name === "set-cookie") continue;
    headers[name] = value;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value as string);
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader("Set-Cookie", cookies);

  if (!response.body || res.req.method === "HEAD") {
    await response.body?.cancel().catch(() => undefined);
    res.end();
    return;
  }
  const reader = response.body.getReader();
  // The client went away: stop reading (the body's source is cancelled) and stop writing.
  let closed = false;
  const onClose = () => {
    closed = true;
    reader.cancel().catch(() => undefined);
  };
  res.once("close", onClose);
  try {
    const first = await reader.read();
    if (first.done) {
      res.end();
      return;
    }
    const second = await reader.read();
    if (second.done) {
      res.end(first.value);
      return;
    }
    let chunk: ReadableStreamReadResult<Uint8Array> = first;
    let next: ReadableStreamReadResult<Uint8Array> | null = second;
    while (!chunk.done && !closed) {
      if (!res.write(chunk.value)) await drained(res);
      chunk = next ?? (await reader.read());
      next = null;
    }
    if (!closed) res.end();
  } catch {
    // The body failed mid-answer, or the client went away: nothing more can be said on this response.
    if (!res.writableEnded) res.destroy();
  } finally {
    res.off("close", onClose);
  }
}

/** Resolves when `res` can take more, or has closed. */
function drained(res: ExpressResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
