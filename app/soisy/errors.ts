/**
 * Typed errors of the Soisy client. Every error is a `SoisyError` with a `kind` discriminator:
 *
 * | kind           | when                                                              | retryable |
 * |----------------|-------------------------------------------------------------------|-----------|
 * | `validation`   | HTTP 400/422 from Soisy, or input rejected before any network call | no        |
 * | `auth`         | HTTP 401/403: wrong shop id or API key                             | no        |
 * | `not_found`    | HTTP 404                                                          | no        |
 * | `server`       | HTTP 5xx (and 408 / 429, which are transient as well)             | yes       |
 * | `timeout`      | no complete answer within the client's timeout                   | yes       |
 * | `network`      | connection refused / reset / DNS failure …                        | yes       |
 * | `bad_response` | non-JSON body, schema mismatch, redirect, unexpected status        | no        |
 *
 * Secrets: an error never carries the API key — not in `message`, `stack`, `cause`, own properties,
 * `JSON.stringify(err)` or `util.inspect(err)`. Errors are built from the path (which has no key),
 * the status and a scrubbed summary of the body; underlying exceptions are copied into fresh,
 * scrubbed `Error`s instead of being kept. Raw response bodies are never stored.
 *
 * Note for POSTs: `timeout`, `network` and `server` on `createOrder` / `createRequest` /
 * `approveRequest` mean the outcome is unknown — Soisy may have processed the request.
 * `matchTrigger` returns its outcomes as values instead (match-trigger.ts).
 */

export type SoisyErrorKind =
  | "validation"
  | "auth"
  | "not_found"
  | "server"
  | "timeout"
  | "network"
  | "bad_response";

export interface SoisyErrorContext {
  /** HTTP method of the call, e.g. "POST". */
  method?: string;
  /** Path of the call with personal data masked (fiscal codes), never with credentials. */
  path?: string;
  /** Values to scrub from anything derived from the response or an exception (the API key). */
  secrets?: readonly string[];
}

const MAX_TEXT = 300;
const MAX_MESSAGE = 2000;
const MAX_FIELDS = 50;
const MAX_MESSAGES_PER_FIELD = 10;

/** Replaces every occurrence of every secret (raw and URL-encoded) with "[redacted]". */
export function scrubSecrets(text: string, secrets: readonly string[] | undefined): string {
  if (!secrets) return text;
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    const variants = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ k: secret }).toString().slice(2)]);
    for (const variant of variants) {
      if (variant) out = out.split(variant).join("[redacted]");
    }
  }
  return out;
}

function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function clean(text: string, secrets: readonly string[] | undefined): string {
  // Scrub before clipping so a secret cut in half by the clip cannot survive.
  return clip(scrubSecrets(text, secrets));
}

export abstract class SoisyError extends Error {
  abstract readonly kind: SoisyErrorKind;
  /** Whether the same call may succeed if repeated (for POSTs: only after checking it did not happen). */
  abstract readonly retryable: boolean;
  readonly status: number | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;

  protected constructor(message: string, ctx: SoisyErrorContext & { status?: number; cause?: unknown }) {
    super(clip(scrubSecrets(message, ctx.secrets), MAX_MESSAGE));
    this.status = ctx.status;
    this.method = ctx.method;
    this.path = ctx.path === undefined ? undefined : scrubSecrets(ctx.path, ctx.secrets);
    if (ctx.cause !== undefined) {
      Object.defineProperty(this, "cause", {
        value: sanitizeCause(ctx.cause, ctx.secrets),
        enumerable: false,
        writable: false,
        configurable: true,
      });
    }
    // Make sure the captured stack reflects the scrubbed message only.
    if (typeof this.stack === "string") this.stack = scrubSecrets(this.stack, ctx.secrets);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      method: this.method,
      path: this.path,
      retryable: this.retryable,
    };
  }
}

/**
 * Copies an exception (and up to three levels of its `cause` chain) into plain `Error`s whose
 * message and stack are scrubbed. Only name, message, code and errno survive.
 */
export function sanitizeCause(cause: unknown, secrets: readonly string[] | undefined, depth = 0): Error {
  const source = cause instanceof Error ? cause : undefined;
  const message = source ? source.message : typeof cause === "string" ? cause : `non-error thrown (${typeof cause})`;
  const copy = new Error(clean(message, secrets));
  if (source) {
    copy.name = clip(source.name, 60);
    const code = (source as { code?: unknown }).code;
    if (typeof code === "string" || typeof code === "number") {
      Object.defineProperty(copy, "code", { value: code, enumerable: true });
    }
    if (depth < 3 && source.cause !== undefined) {
      Object.defineProperty(copy, "cause", {
        value: sanitizeCause(source.cause, secrets, depth + 1),
        enumerable: false,
        configurable: true,
      });
    }
  }
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

export type SoisyFieldErrors = Record<string, string[]>;

export class SoisyValidationError extends SoisyError {
  readonly kind = "validation" as const;
  readonly retryable = false;
  /** Per-field messages, as Soisy sends them (`{"errors": {"email": ["..."]}}`) or from local checks. */
  readonly fields: SoisyFieldErrors;
  /** Messages not tied to a field (Soisy's top-level `error` variant). */
  readonly generalErrors: string[];
  /** "soisy": Soisy answered 400; "client": our own input check refused it before any call. */
  readonly origin: "soisy" | "client";

  constructor(
    args: SoisyErrorContext & {
      status?: number;
      fields?: SoisyFieldErrors;
      generalErrors?: string[];
      origin?: "soisy" | "client";
      message?: string;
    },
  ) {
    const fields = sanitizeFields(args.fields ?? {}, args.secrets);
    const generalErrors = (args.generalErrors ?? []).slice(0, MAX_FIELDS).map((m) => clean(m, args.secrets));
    const origin = args.origin ?? "soisy";
    const summary = [
      ...generalErrors,
      ...Object.entries(fields).map(([field, messages]) => `${field}: ${messages.join("; ")}`),
    ].join(" | ");
    const prefix =
      args.message ??
      (origin === "client" ? "Invalid input for Soisy" : `Soisy rejected the request (HTTP ${args.status ?? 400})`);
    super(summary ? `${prefix}: ${summary}` : prefix, { ...args, secrets: args.secrets });
    this.fields = fields;
    this.generalErrors = generalErrors;
    this.origin = origin;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), origin: this.origin, fields: this.fields, generalErrors: this.generalErrors };
  }
}

function sanitizeFields(fields: SoisyFieldErrors, secrets: readonly string[] | undefined): SoisyFieldErrors {
  const out: SoisyFieldErrors = {};
  for (const [field, messages] of Object.entries(fields).slice(0, MAX_FIELDS)) {
    out[clean(field, secrets)] = messages.slice(0, MAX_MESSAGES_PER_FIELD).map((m) => clean(m, secrets));
  }
  return out;
}

export class SoisyAuthError extends SoisyError {
  readonly kind = "auth" as const;
  readonly retryable = false;
  constructor(args: SoisyErrorContext & { status?: number }) {
    super(
      `Soisy refused the credentials (HTTP ${args.status ?? 403}): the shop id or the API key is wrong, ` +
        "or they belong to the other environment (sandbox vs production)",
      args,
    );
  }
}

export class SoisyNotFoundError extends SoisyError {
  readonly kind = "not_found" as const;
  readonly retryable = false;
  constructor(args: SoisyErrorContext & { status?: number; detail?: string }) {
    super(`Soisy: not found (HTTP ${args.status ?? 404})${args.detail ? `: ${args.detail}` : ""}`, args);
  }
}

export class SoisyServerError extends SoisyError {
  readonly kind = "server" as const;
  readonly retryable = true;
  declare readonly status: number;
  constructor(args: SoisyErrorContext & { status: number; detail?: string }) {
    super(`Soisy server error (HTTP ${args.status})${args.detail ? `: ${args.detail}` : ""}`, args);
  }
}

export class SoisyTimeoutError extends SoisyError {
  readonly kind = "timeout" as const;
  readonly retryable = true;
  readonly timeoutMs: number;
  constructor(args: SoisyErrorContext & { timeoutMs: number; cause?: unknown }) {
    super(`Soisy did not answer within ${args.timeoutMs} ms`, args);
    this.timeoutMs = args.timeoutMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}

export class SoisyNetworkError extends SoisyError {
  readonly kind = "network" as const;
  readonly retryable = true;
  constructor(args: SoisyErrorContext & { cause?: unknown }) {
    super(`Could not reach Soisy: ${describeNetworkCause(args.cause)}`, args);
  }
}

function describeNetworkCause(cause: unknown): string {
  let current: unknown = cause;
  const parts: string[] = [];
  for (let i = 0; i < 4 && current instanceof Error; i++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === "string" ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.length ? parts.join(": ") : "network failure";
}

export class SoisyBadResponseError extends SoisyError {
  readonly kind = "bad_response" as const;
  readonly retryable = false;
  /** Summary of what did not match (zod issues: path + message, never values). */
  readonly issues: string[];
  constructor(args: SoisyErrorContext & { status?: number; reason: string; issues?: string[]; cause?: unknown }) {
    const issues = (args.issues ?? []).slice(0, 20).map((i) => clean(i, args.secrets));
    super(
      `Unexpected response from Soisy${args.status ? ` (HTTP ${args.status})` : ""}: ${args.reason}` +
        (issues.length ? ` — ${issues.join("; ")}` : ""),
      args,
    );
    this.issues = issues;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

const ERROR_NAMES: Array<[{ prototype: SoisyError }, string]> = [
  [SoisyError, "SoisyError"],
  [SoisyValidationError, "SoisyValidationError"],
  [SoisyAuthError, "SoisyAuthError"],
  [SoisyNotFoundError, "SoisyNotFoundError"],
  [SoisyServerError, "SoisyServerError"],
  [SoisyTimeoutError, "SoisyTimeoutError"],
  [SoisyNetworkError, "SoisyNetworkError"],
  [SoisyBadResponseError, "SoisyBadResponseError"],
];
for (const [cls, name] of ERROR_NAMES) {
  // On the prototype (not an instance field) so the stack captured by Error() already shows it.
  Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true });
}

export function isSoisyError(value: unknown): value is SoisyError {
  return value instanceof SoisyError;
}

/** Summarises zod-like issues as "path: message" strings (values are never included). */
export function summarizeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string[] {
  return issues.map((issue) => {
    const path = issue.path.map((p) => String(p)).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/** Turns zod-like issues into the same `fields` shape Soisy uses for 400s. */
export function issuesToFields(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: readonly string[] }>,
): { fields: SoisyFieldErrors; generalErrors: string[] } {
  const fields: SoisyFieldErrors = {};
  const generalErrors: string[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys" && issue.keys && issue.path.length === 0) {
      for (const key of issue.keys) (fields[key] ??= []).push("Unknown field");
      continue;
    }
    const path = issue.path.map((p) => String(p)).join(".");
    if (path) (fields[path] ??= []).push(issue.message);
    else generalErrors.push(issue.message);
  }
  return { fields, generalErrors };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Reads Soisy's 400 body. Handles `{"errors": {"field": ["msg"]}}`, `{"errors": {"field": "msg"}}`,
 * nested objects (flattened to "a.b"), `{"errors": ["msg"]}`, and a top-level `{"error": "msg"}` /
 * `{"message": "msg"}`.
 */
export function parseSoisyErrorBody(body: unknown): { fields: SoisyFieldErrors; generalErrors: string[] } {
  const fields: SoisyFieldErrors = {};
  const generalErrors: string[] = [];
  if (!isRecord(body)) return { fields, generalErrors };

  const addField = (key: string, value: unknown, depth: number): void => {
    if (Array.isArray(value)) {
      const messages = value.filter((v) => v !== null && v !== undefined).map(stringify);
      if (messages.length) (fields[key] ??= []).push(...messages);
    } else if (isRecord(value) && depth < 4) {
      for (const [k, v] of Object.entries(value)) addField(`${key}.${k}`, v, depth + 1);
    } else if (value !== null && value !== undefined) {
      (fields[key] ??= []).push(stringify(value));
    }
  };

  const errors = body.errors;
  if (isRecord(errors)) {
    for (const [k, v] of Object.entries(errors)) addField(k, v, 0);
  } else if (Array.isArray(errors)) {
    generalErrors.push(...errors.map(stringify));
  } else if (typeof errors === "string") {
    generalErrors.push(errors);
  }
  for (const key of ["error", "message"] as const) {
    const value = body[key];
    if (typeof value === "string" && value) generalErrors.push(value);
    else if (isRecord(value) && typeof value.message === "string") generalErrors.push(value.message);
  }
  return { fields, generalErrors };
}

/** A short, scrubbed detail string from an error body (top-level `error` / `message`), if any. */
function detailFrom(body: unknown, secrets: readonly string[] | undefined): string | undefined {
  const { generalErrors } = parseSoisyErrorBody(body);
  const first = generalErrors[0];
  return first ? clip(scrubSecrets(first, secrets), 200) : undefined;
}

/**
 * Maps a non-2xx answer from Soisy to a typed error. `bodyText` is the raw response text; only a
 * scrubbed, clipped summary of it can end up in the error.
 */
export function soisyErrorFromResponse(args: SoisyErrorContext & { status: number; bodyText: string }): SoisyError {
  const { status, bodyText } = args;
  const body = parseJson(bodyText);
  if (status === 400 || status === 422) {
    const { fields, generalErrors } = parseSoisyErrorBody(body);
    return new SoisyValidationError({ ...args, status, fields, generalErrors, origin: "soisy" });
  }
  if (status === 401 || status === 403) return new SoisyAuthError({ ...args, status });
  if (status === 404) return new SoisyNotFoundError({ ...args, status, detail: detailFrom(body, args.secrets) });
  if (status >= 500 || status === 408 || status === 429) {
    return new SoisyServerError({ ...args, status, detail: detailFrom(body, args.secrets) });
  }
  if (status >= 300 && status < 400) {
    return new SoisyBadResponseError({ ...args, status, reason: "unexpected redirect (not followed)" });
  }
  return new SoisyBadResponseError({ ...args, status, reason: `unexpected HTTP status ${status}` });
}
