/**
 * HTTP plumbing of the Soisy simulator: the error that becomes an answer, JSON / HTML answers, reading and
 * parsing request bodies (form-encoded or JSON), path segments, method checks.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FieldErrors, RawBody } from "./validation";
import type { SimRequestRecord } from "./types";

const MAX_BODY_BYTES = 1_000_000;

/** Thrown anywhere below the router: answered as `status` with `body`. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.error === "string" ? body.error : `HTTP ${status}`);
  }
}

export function validationError(errors: FieldErrors): SimHttpError {
  return new SimHttpError(400, { errors });
}

export function now(): string {
  return new Date().toISOString();
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function send(res: ServerResponse, record: SimRequestRecord | null, status: number, body: unknown): void {
  if (record) record.status = status;
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(text);
}

/** An answer without a body (204). */
export function sendNoContent(res: ServerResponse, record: SimRequestRecord): void {
  record.status = 204;
  res.writeHead(204, { "Cache-Control": "no-store" });
  res.end();
}

export function sendHtml(res: ServerResponse, record: SimRequestRecord, status: number, html: string): void {
  record.status = status;
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(html);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new SimHttpError(413, { error: "Body too large" });
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function parseBody(contentType: string | null, raw: string): { body: RawBody | null; error?: string } {
  if (raw.trim() === "") return { body: null };
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || type.endsWith("+json")) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return { body: null, error: "The JSON body must be an object" };
      }
      return { body: parsed as RawBody };
    } catch {
      return { body: null, error: "Invalid JSON body" };
    }
  }
  if (type === "application/x-www-form-urlencoded" || type === "") {
    const out: RawBody = {};
    for (const [k, v] of new URLSearchParams(raw)) out[k] = v;
    return { body: out };
  }
  return { body: null, error: `Unsupported content type ${type}` };
}

export function segments(pathname: string, prefix: string): string[] {
  const rest = pathname.slice(prefix.length).split("/").filter((s) => s.length > 0);
  try {
    return rest.map((s) => decodeURIComponent(s));
  } catch {
    throw new SimHttpError(400, { error: "Malformed path" });
  }
}

export function requireMethod(method: string, allowed: string): void {
  if (method !== allowed) throw new SimHttpError(405, { error: `Method ${method} not allowed` });
}
