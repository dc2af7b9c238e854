/**
 * Soisy's order list, `GET /api/shops/{shopId}/orders` with `Accept: text/csv`, from the simulator's
 * store, with the quirks the app must survive (app/soisy/orders-csv.ts): a BOM, CRLF line ends, the
 * documented columns in another order plus an unknown one (`note`, which holds commas, quotes and
 * newlines), every cell quoted when it needs to be and some when it need not, euros as text ("1234.50"),
 * dates as Italian wall-clock time ("2026-11-20 14:03:12", no offset), empty cells for no value.
 *
 * Filters: `fromCreatedAt`, `fromDisbursedAt` (a day "YYYY-MM-DD" or any date the app's parser reads;
 * compared by Italian calendar day, inclusive), `status`. Rows are sorted by creation. No pagination.
 *
 * `seedHistory(sim, orders)` puts past orders straight into the store (tests and the demo), with their
 * own dates, amounts, fee and status; `historyOrder(...)` fills in the rest of a SimOrder.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { parseSoisyDate, romeDay } from "../../../app/soisy/orders-csv";
import { SimHttpError } from "./http";
import type { SoisyStore } from "./store";
import type { SimOrder, SimRequestRecord } from "./types";

const COLUMNS = [
  "status",
  "soisyOrderReference",
  "loanAmount",
  "orderReference",
  "note",
  "requestedAt",
  "disbursedAt",
  "loanNetAmount",
  "feeForDisbursement",
  "zeroInterestRate",
  "instalments",
] as const;

const ROME = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Europe/Rome",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/** "2026-11-20 14:03:12" in Italian time (Soisy's back office prints local times). */
function romeText(iso: string | null): string {
  return iso ? ROME.format(new Date(iso)) : "";
}

function euros(cents: number | null): string {
  if (cents === null) return "";
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

function cell(value: string, forceQuote = false): string {
  return forceQuote || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The fee column: what Soisy keeps (loan − net), as stored, or an explicit override. */
function feeOf(order: SimOrder & { fee?: number | null }): number | null {
  if (order.fee !== undefined) return order.fee;
  return order.amount !== null && order.netAmount !== null ? order.amount - order.netAmount : null;
}

function dayFilter(query: Record<string, string>, name: string): string | null {
  const raw = query[name];
  if (raw === undefined || raw === "") return null;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? raw : parseSoisyDate(raw) ? romeDay(parseSoisyDate(raw)!) : null;
  if (!date) throw new SimHttpError(400, { errors: { [name]: ["Invalid date."] } });
  return date;
}

export function renderOrdersCsv(orders: SimOrder[]): string {
  const lines = [COLUMNS.join(",")];
  for (const order of orders) {
    const note = order.orderReference ? "" : "ordine manuale, \"back office\"\nseconda riga";
    const values: Record<(typeof COLUMNS)[number], string> = {
      status: order.status,
      soisyOrderReference: cell(order.token, true),
      loanAmount: cell(euros(order.amount), order.amount !== null && order.amount % 2 === 0),
      orderReference: cell(order.orderReference ?? ""),
      note: cell(note),
      requestedAt: romeText(order.createdAt),
      disbursedAt: romeText(order.status === "disbursed" ? order.loanDisbursedAt : null),
      loanNetAmount: euros(order.netAmount),
      feeForDisbursement: euros(feeOf(order)),
      zeroInterestRate: order.zeroInterestRate ? "1" : "0",
      instalments: order.instalments === null ? "" : String(order.instalments),
    };
    lines.push(COLUMNS.map((c) => values[c]).join(","));
  }
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

/** The list endpoint (authenticated like every order call). */
export function listOrders(store: SoisyStore, shopId: string, url: URL, record: SimRequestRecord, res: ServerResponse): void {
  store.authenticate(shopId, record);
  const accept = String(record.headers.accept ?? "");
  if (!accept.includes("text/csv")) throw new SimHttpError(406, { error: "This endpoint answers text/csv only" });
  const query = Object.fromEntries(url.searchParams);
  const fromCreated = dayFilter(query, "fromCreatedAt");
  const fromDisbursed = dayFilter(query, "fromDisbursedAt");
  const status = query.status || null;
  const rows = [...store.orders.values()]
    .filter((o) => o.shopId === shopId)
    .filter((o) => !fromCreated || romeDay(new Date(o.createdAt)) >= fromCreated)
    .filter((o) => !fromDisbursed || (o.status === "disbursed" && o.loanDisbursedAt !== null && romeDay(new Date(o.loanDisbursedAt)) >= fromDisbursed))
    .filter((o) => !status || o.status === status)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const body = renderOrdersCsv(rows);
  record.status = 200;
  res.writeHead(200, { "Content-Type": "text/csv; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

export interface HistoryOrderInput {
  shopId: string;
  /** The app's payment session id (Soisy's orderReference); null for an order the app never made. */
  orderReference: string | null;
  amountCents: number;
  /** What Soisy pays the merchant. Default: amount minus the fee. */
  netAmountCents?: number;
  /** Soisy's fee column. Default: 3 % (6 % zero-interest) of the amount, rounded down. */
  feeCents?: number;
  status: string;
  createdAt: Date;
  disbursedAt?: Date | null;
  instalments?: number;
  zeroInterestRate?: boolean;
  token?: string;
}

export function historyOrder(input: HistoryOrderInput): SimOrder & { fee?: number | null } {
  const zero = input.zeroInterestRate ?? false;
  const fee = input.feeCents ?? Math.floor((input.amountCents * (zero ? 6 : 3)) / 100);
  const net = input.netAmountCents ?? input.amountCents - fee;
  const created = input.createdAt.toISOString();
  const disbursed = input.disbursedAt ? input.disbursedAt.toISOString() : null;
  return {
    token: input.token ?? randomBytes(16).toString("hex"),
    shopId: input.shopId,
    status: input.status,
    amount: input.amountCents,
    netAmount: net,
    ...(input.feeCents !== undefined ? { fee: input.feeCents } : {}),
    instalments: input.instalments ?? 10,
    instalmentsLocked: false,
    zeroInterestRate: zero,
    orderReference: input.orderReference,
    email: null,
    firstname: null,
    lastname: null,
    mobilePhone: null,
    countryCallingCode: "+39",
    fiscalCode: null,
    vatId: null,
    vatCountry: null,
    city: null,
    province: null,
    address: null,
    civicNumber: null,
    postalCode: null,
    successUrl: null,
    errorUrl: null,
    callbackUrl: null,
    createdAt: created,
    updatedAt: disbursed ?? created,
    loanSignedAt: created,
    loanVerifiedAt: disbursed,
    loanDisbursedAt: disbursed,
    bodyEncoding: "form",
    suspended: false,
    trigger: null,
  };
}

/** Adds past orders to a running simulator's store; returns their tokens in order. */
export function seedHistory(sim: { orders: Map<string, SimOrder> }, orders: HistoryOrderInput[]): string[] {
  return orders.map((input) => {
    const order = historyOrder(input);
    sim.orders.set(order.token, order);
    return order.token;
  });
}
