/**
 * The transactions list's query parameters, validated with zod. A bad value is IGNORED (and reported
 * in `ignored`, so the page can say so) — never a crash and never a filter silently widened to
 * something else. Pagination is keyset-based on (createdAt desc, id desc): stable under inserts.
 */
import { z } from "zod";
import { PAYMENT_STATES, type PaymentState } from "~/payments/lifecycle";

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

export interface Cursor {
  createdAt: Date;
  id: string;
}

export interface TransactionFilters {
  q?: string;
  state?: PaymentState;
  mode?: "test" | "live";
  /** Inclusive first day (UTC midnight). */
  from?: Date;
  /** Exclusive end: the day AFTER the `to` day (UTC midnight). */
  toExclusive?: Date;
  /** Only payments needing attention (flagReason set or amount mismatch). */
  flagged?: boolean;
  /** Only payments with a dead-lettered outbox message. */
  dead?: boolean;
  /** Only sales, or only authorizations (fund on fulfilment). */
  kind?: "sale" | "authorization";
  /** Only payments with a capture or void still in progress ("open") or a void waiting for the merchant ("merchant"). */
  settle?: "open" | "merchant";
}

export interface TransactionQuery {
  filters: TransactionFilters;
  after?: Cursor;
  before?: Cursor;
  limit: number;
  /** Names of parameters whose value was not valid (ignored). */
  ignored: string[];
  /** The raw, valid values, for putting back into forms and links. */
  params: Record<string, string>;
}

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  // A real calendar day (JS would roll 2026-02-30 over to March 2), years 2000–2999.
  .refine((s) => {
    const d = new Date(`${s}T00:00:00.000Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && s >= "2000" && s < "3000";
  })
  .transform((s) => new Date(`${s}T00:00:00.000Z`));

const PARAMS = {
  q: z.string().trim().min(1).max(320),
  state: z.enum(PAYMENT_STATES),
  mode: z.enum(["test", "live"]),
  from: day,
  to: day,
  flagged: z.enum(["1", "true"]),
  dead: z.enum(["1", "true"]),
  kind: z.enum(["sale", "authorization"]),
  settle: z.enum(["open", "merchant"]),
  after: z.string().max(600).transform((s, ctx) => decodeCursor(s) ?? (ctx.addIssue({ code: "custom", message: "bad cursor" }), z.NEVER)),
  before: z.string().max(600).transform((s, ctx) => decodeCursor(s) ?? (ctx.addIssue({ code: "custom", message: "bad cursor" }), z.NEVER)),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE),
} as const;

type ParamName = keyof typeof PARAMS;
const KNOWN = Object.keys(PARAMS) as ParamName[];

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, "utf8").toString("base64url");
}

const cursorSchema = z.tuple([z.iso.datetime(), z.string().min(1).max(255)]);

export function decodeCursor(value: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return null;
  const text = Buffer.from(value, "base64url").toString("utf8");
  const at = text.indexOf("|");
  if (at < 0) return null;
  const parsed = cursorSchema.safeParse([text.slice(0, at), text.slice(at + 1)]);
  if (!parsed.success) return null;
  return { createdAt: new Date(parsed.data[0]), id: parsed.data[1] };
}

/** Parses the list's URL parameters. Empty values mean "not set"; invalid ones are ignored. */
export function parseTransactionQuery(search: URLSearchParams, defaultLimit = DEFAULT_PAGE_SIZE): TransactionQuery {
  const values: Partial<{ [K in ParamName]: z.output<(typeof PARAMS)[K]> }> = {};
  const ignored: string[] = [];
  const params: Record<string, string> = {};
  for (const name of KNOWN) {
    const raw = search.get(name);
    if (raw === null || raw.trim() === "") continue;
    const result = PARAMS[name].safeParse(raw);
    if (result.success) {
      (values as Record<string, unknown>)[name] = result.data;
      params[name] = name === "q" ? raw.trim() : raw;
    } else {
      ignored.push(name);
    }
  }
  const filters: TransactionFilters = {};
  if (values.q) filters.q = values.q;
  if (values.state) filters.state = values.state;
  if (values.mode) filters.mode = values.mode;
  if (values.from) filters.from = values.from;
  if (values.to) filters.toExclusive = new Date(values.to.getTime() + 86_400_000);
  if (filters.from && filters.toExclusive && filters.from >= filters.toExclusive) {
    // from after to: a clear mistake; ignore both rather than show an empty list without reason.
    delete filters.from;
    delete filters.toExclusive;
    delete params.from;
    delete params.to;
    ignored.push("from", "to");
  }
  if (values.flagged) filters.flagged = true;
  if (values.dead) filters.dead = true;
  if (values.kind) filters.kind = values.kind;
  if (values.settle) filters.settle = values.settle;
  const query: TransactionQuery = { filters, limit: values.limit ?? defaultLimit, ignored, params };
  if (values.after) query.after = values.after;
  else if (values.before) query.before = values.before;
  delete params.after;
  delete params.before;
  return query;
}

/** A query string for the list with the given filters (pagination and lang are added by the caller). */
export function filterSearch(params: Record<string, string>, extra: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...extra })) if (v !== undefined && v !== "") search.set(k, v);
  const text = search.toString();
  return text ? `?${text}` : "";
}
