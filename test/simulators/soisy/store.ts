/**
 * The Soisy simulator's state: its shops, the orders and step-2 loan requests it holds, the traffic it
 * recorded and the faults in force; plus the rules of an order's status (forward only, cancelled and
 * disbursed final) and Soisy's commission.
 */
import { SimHttpError, now } from "./http";
import {
  SIM_EVENTS,
  SimFaultsSchema,
  type SimCallbackRecord,
  type SimEventId,
  type SimFaults,
  type SimLoanRequest,
  type SimOrder,
  type SimRequestRecord,
  type SimShopConfig,
  type SimTriggerRecord,
} from "./types";

/** Sandbox rule: amounts up to €10,000 are approved, above are rejected. */
export const SANDBOX_APPROVAL_LIMIT_CENTS = 1_000_000;
const STATUS_RANK: Record<string, number> = {
  quote: 0,
  request_received: 1,
  request_accepted: 2,
  waiting_for_verification: 3,
  waiting_for_disbursement: 4,
  // A suspended order once verified (our name: Soisy does not publish one): same rank as
  // waiting_for_disbursement, it waits for the merchant's match-trigger instead.
  waiting_for_trigger: 4,
  disbursed: 5,
};
const OPEN_STATUSES = new Set(["quote", "request_accepted"]);

export type SimShop = Required<SimShopConfig>;

export function commission(amount: number, zeroInterestRate: boolean): number {
  // 3 % commission, 6 % on zero-interest loans (the merchant pays the interest). Integer maths.
  return Math.floor((amount * (zeroInterestRate ? 6 : 3)) / 100);
}

/** Moves the order's status forward (never backwards; cancelled / disbursed are final). */
export function applyEvent(order: SimOrder, eventId: SimEventId): void {
  const event = SIM_EVENTS[eventId].status;
  const target = event === "waiting_for_disbursement" && order.suspended ? "waiting_for_trigger" : event;
  if (order.status === "cancelled" || order.status === "disbursed") return;
  const ts = now();
  if (target === "cancelled") {
    order.status = "cancelled";
    order.updatedAt = ts;
    return;
  }
  const from = STATUS_RANK[order.status] ?? -1;
  const to = STATUS_RANK[target] ?? -1;
  if (to <= from) return;
  order.status = target;
  order.updatedAt = ts;
  if (to >= STATUS_RANK.waiting_for_verification! && !order.loanSignedAt) order.loanSignedAt = ts;
  if (to >= STATUS_RANK.waiting_for_disbursement! && !order.loanVerifiedAt) order.loanVerifiedAt = ts;
  if (to >= STATUS_RANK.disbursed! && !order.loanDisbursedAt) order.loanDisbursedAt = ts;
}

export function assertOpen(order: SimOrder): void {
  if (!OPEN_STATUSES.has(order.status)) {
    throw new SimHttpError(409, { error: `The request is no longer open (status ${order.status})` });
  }
}

export class SoisyStore {
  readonly shops = new Map<string, SimShop>();
  readonly orders = new Map<string, SimOrder>();
  /** Step-2 requests, keyed `${shopId}:${fiscalCode}`. */
  readonly loanRequests = new Map<string, SimLoanRequest>();
  readonly requests: SimRequestRecord[] = [];
  readonly callbacks: SimCallbackRecord[] = [];
  readonly triggers: SimTriggerRecord[] = [];
  faults: SimFaults = {};
  /** Base of the webapp URLs; known once the server listens. */
  publicUrl = "";

  constructor(shops: SimShopConfig[]) {
    for (const s of shops) {
      if (!s.shopId || !s.apiKey) throw new Error("each simulator shop needs shopId and apiKey");
      this.shops.set(s.shopId, {
        shopId: s.shopId,
        apiKey: s.apiKey,
        active: s.active ?? true,
        zeroInterestRate: s.zeroInterestRate ?? true,
        maxLoanInstalmentsNumber: s.maxLoanInstalmentsNumber ?? 60,
        suspendedOrders: s.suspendedOrders ?? false,
      });
    }
  }

  webappUrl(shopId: string, token: string): string {
    return `${this.publicUrl}/${encodeURIComponent(shopId)}#/loan-request?token=${encodeURIComponent(token)}`;
  }

  getOrderOr404(token: string): SimOrder {
    const order = this.orders.get(token);
    if (!order) throw new SimHttpError(404, { error: "Order not found" });
    return order;
  }

  /** `X-Auth-Token` must be the key of the shop in the path. */
  authenticate(shopId: string, record: SimRequestRecord): SimShop {
    const shop = this.shops.get(shopId);
    const token = record.headers["x-auth-token"];
    if (!shop || typeof token !== "string" || token !== shop.apiKey) {
      throw new SimHttpError(403, { error: "Authentication failed: invalid shop or API key" });
    }
    return shop;
  }

  setFaults(f: SimFaults): void {
    const parsed = SimFaultsSchema.parse(f);
    this.faults = { ...parsed, ...(parsed.failNext ? { failNext: { ...parsed.failNext } } : {}) };
  }

  clearFaults(): void {
    this.faults = {};
  }

  /** Forgets orders, requests, recorded traffic (triggers included) and faults (the collections are emptied in place). */
  reset(): void {
    this.orders.clear();
    this.loanRequests.clear();
    this.requests.length = 0;
    this.callbacks.length = 0;
    this.triggers.length = 0;
    this.faults = {};
  }
}
