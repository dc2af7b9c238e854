/**
 * Request bodies, read by the server itself with a hard limit before Remix sees the request (the
 * limit holds for chunked bodies and lying Content-Lengths: at most `limit` bytes are ever held),
 * and answers given before a body was fully received: those close the connection cleanly.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import getRawBody from "raw-body";

/** How long a connection answered early may still receive (and discard) the rest of its body. */
export const LINGER_MS = 5_000;

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  constructor(
    readonly limit: number,
    readonly what: string,
  ) {
    super(`the ${what} body is larger than ${limit} bytes`);
  }
}

export class BodyReadError extends Error {
  override name = "BodyReadError";
}

/** Reads the whole body (at most `limit` bytes) into one Buffer. */
export async function readBody(req: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const declared = req.headers["content-length"];
  try {
    return await getRawBody(req, {
      limit,
      // raw-body checks a declared length against the limit before reading anything.
      ...(declared !== undefined && /^\d+$/.test(declared) && !req.headers["transfer-encoding"] ? { length: Number(declared) } : {}),
    });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === "entity.too.large") throw new BodyTooLargeError(limit, what);
    throw new BodyReadError((error as Error).message);
  }
}

/**
 * Call once per request, first. When the answer starts before the request's body was fully
 * received (413, 403, 429, …), it goes out with `Connection: close`, and the connection then closes
 * cleanly: the server sends its FIN after the answer and keeps reading and discarding what the client
 * still sends (for at most LINGER_MS) instead of closing with unread data — which would make the
 * kernel answer with a reset that can destroy the answer before the client read it.
 * `closeAnyway` (the server is stopping) closes after any answer.
 */
export function closeIfAnsweredEarly(req: IncomingMessage, res: ServerResponse, closeAnyway: () => boolean = () => false): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!req.complete && !this.headersSent) {
      this.setHeader("Connection", "close");
      lingerBeforeClose(req, req.socket);
    } else if (closeAnyway() && !this.headersSent) {
      this.setHeader("Connection", "close");
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof res.writeHead;
}

const lingering = new WeakSet<Socket>();

function lingerBeforeClose(req: IncomingMessage, socket: Socket): void {
  if (lingering.has(socket)) return;
  lingering.add(socket);
  // Whatever still arrives is parsed and dropped (raw-body pauses the request when it gives up).
  req.resume();
  // Node's HTTP server calls destroySoon() after a `Connection: close` answer; destroy only once the
  // client stopped sending (its FIN) or LINGER_MS passed.
  const s = socket as Socket & { destroySoon?: () => void };
  s.destroySoon = function (this: Socket) {
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once("close", () => clearTimeout(timer));
    this.once("end", () => this.destroy());
    if (this.readableEnded) this.destroy();
  };
}
