/**
 * The Soisy simulator's public types: options, the recorded traffic, the orders it holds, the faults a
 * test can inject and the handle startSoisySimulator() returns. Behaviour lives in the other files.
 */
import type { IncomingHttpHeaders } from "node:http";
import { z } from "zod";
import type { RawBody } from "./validation";

export interface SimShopConfig {
  shopId: string;
  apiKey: string;
  /** Default true. */
  active?: boolean;
  /** Zero-interest contract. Default true (so "tasso zero" can be exercised). */
  zeroInterestRate?: boolean;
  /** Default 60. */
  maxLoanInstalmentsNumber?: number;
  /**
   * Suspended-orders contract (fund on fulfilment). Default false. When true, the shop's orders wait in
   * `waiting_for_trigger` once verified, and are funded only by `POST .../orders/{token}/match-trigger`.
   */
  suspendedOrders?: boolean;
}

export interface SimLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface SoisySimulatorOptions {
  /** 0 (default) = random free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default: [{ shopId: "partnershop", apiKey: "partnerkey" }]. */
  shops?: SimShopConfig[];
  /** Base of the webapp URLs handed out in redirectUrl. Default: the simulator's own url. */
  publicUrl?: string;
  /** Delay before each callback is sent. Default 0. */
  callbackDelayMs?: number;
  /** Per-callback timeout. Default 5000. */
  callbackTimeoutMs?: number;
  /**
   * Step 2 also checks the fiscal code's check character (incl. omocodia), as Soisy does. Default
   * true; `false` checks the shape only (16 letters/digits), for a test that wants Soisy lax.
   */
  strictFiscalCodes?: boolean;
  logger?: SimLogger;
}

export const SimFaultsSchema = z
  .object({
    /** Added to every matching API request. */
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** The next `count` matching API requests answer `status` with `{"error": "Simulated failure"}`. */
    failNext: z
      .object({ count: z.number().int().min(0), status: z.number().int().min(400).max(599) })
      .strict()
      .optional(),
    /** The next N matching API requests never answer (until close()). */
    hangNext: z.number().int().min(0).optional(),
    /** Every callback is sent twice. */
    duplicateCallbacks: z.boolean().optional(),
    /** When several callbacks are due at once, they are sent in reverse order. */
    outOfOrderCallbacks: z.boolean().optional(),
    /** Only API requests whose path (with query) contains this substring are affected. */
    match: z.string().min(1).optional(),
  })
  .strict();
export type SimFaults = z.infer<typeof SimFaultsSchema>;

export const SIM_EVENTS = {
  LoanWasApproved: { message: "loan approved", status: "request_accepted" },
  RequestCompleted: { message: "waiting for verification", status: "waiting_for_verification" },
  LoanWasVerified: { message: "waiting for disbursement", status: "waiting_for_disbursement" },
  LoanWasDisbursed: { message: "payment received", status: "disbursed" },
  UserWasRejected: { message: "payment failed", status: "cancelled" },
} as const;
export type SimEventId = keyof typeof SIM_EVENTS;

export function isSimEventId(value: unknown): value is SimEventId {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(SIM_EVENTS, value);
}

export interface SimOrder {
  token: string;
  shopId: string;
  status: string;
  /** Cents; null when the merchant did not send it (the webapp then asks for it). */
  amount: number | null;
  /** Cents the merchant receives (amount minus Soisy's commission). */
  netAmount: number | null;
  instalments: number | null;
  /** True when the merchant sent `instalments` (the shopper cannot change it). */
  instalmentsLocked: boolean;
  zeroInterestRate: boolean;
  orderReference: string | null;
  email: string | null;
  firstname: string | null;
  lastname: string | null;
  mobilePhone: string | null;
  countryCallingCode: string;
  fiscalCode: string | null;
  vatId: string | null;
  vatCountry: string | null;
  city: string | null;
  province: string | null;
  address: string | null;
  civicNumber: string | null;
  postalCode: string | null;
  successUrl: string | null;
  errorUrl: string | null;
  callbackUrl: string | null;
  createdAt: string;
  updatedAt: string;
  loanSignedAt: string | null;
  loanVerifiedAt: string | null;
  loanDisbursedAt: string | null;
  /** How the order was created: "form" or "json". */
  bodyEncoding: "form" | "json";
  /** Created for a shop with the suspended-orders contract: funded only by match-trigger. */
  suspended: boolean;
  /** Set by the (single) accepted match-trigger; `approvedAmount` is the loan amount before it. */
  trigger: { amount: number; approvedAmount: number; at: string } | null;
}

/** One accepted `match-trigger` (refused ones are only in `requests`). */
export interface SimTriggerRecord {
  shopId: string;
  token: string;
  /** Cents triggered (the loan amount from then on). */
  amount: number;
  at: string;
}

export interface SimLoanRequest {
  shopId: string;
  fiscalCode: string;
  amount: number;
  instalments: number;
  jobDescription: string;
  zeroInterestRate: boolean;
  additionalDataNeeded: boolean;
  /** Set once POST /requests/{fiscalCode} answered. */
  outcome: "approved" | "rejected" | null;
  orderToken: string | null;
  body: RawBody;
}

export interface SimRequestRecord {
  method: string;
  /** Pathname, without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  contentType: string | null;
  rawBody: string;
  /** Parsed body: object for JSON / form-encoded bodies, null when empty or unparsable. */
  body: RawBody | null;
  /** Status sent back; null while pending or when the request hung. */
  status: number | null;
  fault: "hang" | "fail" | null;
  at: string;
}

export interface SimCallbackRecord {
  url: string;
  eventId: SimEventId;
  orderToken: string;
  /** The form fields sent. */
  body: Record<string, string>;
  /** The raw application/x-www-form-urlencoded body. */
  rawBody: string;
  /** HTTP status the receiver answered; null on failure. */
  status: number | null;
  error: string | null;
  sentAt: string;
  durationMs: number;
}

export interface SoisySimulator {
  readonly url: string;
  readonly publicUrl: string;
  readonly port: number;
  readonly shops: ReadonlyMap<string, Required<SimShopConfig>>;
  readonly orders: Map<string, SimOrder>;
  /** Step-2 requests, keyed `${shopId}:${fiscalCode}`. */
  readonly loanRequests: Map<string, SimLoanRequest>;
  readonly requests: SimRequestRecord[];
  readonly callbacks: SimCallbackRecord[];
  /** Every accepted match-trigger, in order (so tests can assert "exactly once"). */
  readonly triggers: SimTriggerRecord[];
  readonly faults: Readonly<SimFaults>;
  /** TCP connections accepted so far (the benchmark checks the app reuses them). */
  readonly connectionsAccepted: number;
  setFaults(faults: SimFaults): void;
  clearFaults(): void;
  /** Operator action: applies the event to the order (see README) and sends its callback(s). */
  fireEvent(token: string, eventId: SimEventId): Promise<SimCallbackRecord[]>;
  /** What the webapp's "Completa la richiesta" does. */
  completeOrder(token: string, opts?: { instalments?: number; amount?: number }): Promise<SimActionResult>;
  /** What the webapp's "Rifiuta" does. */
  rejectOrder(token: string): Promise<SimActionResult>;
  /** What the webapp's "Abbandona" does. */
  abandonOrder(token: string): Promise<SimActionResult>;
  /** The webapp URL for an order (what redirectUrl points to). */
  webappUrl(shopId: string, token: string): string;
  /** Resolves when no callback is being delivered. */
  idle(): Promise<void>;
  /** Forgets orders, requests, recorded traffic and faults. */
  reset(): void;
  close(): Promise<void>;
}

export interface SimActionResult {
  status: string;
  redirectUrl: string | null;
  message: string;
  callbacks: SimCallbackRecord[];
}
