/**
 * The operator and shopper controls of the Soisy simulator: what the webapp's buttons do (complete,
 * reject, abandon), operator events (fireEvent), the merchant's back-office actions (cancelLoan,
 * reduceLoan: POST /_sim/orders/{token}/cancel and /_sim/orders/{token}/reduce {cents}) and the
 * internal `/_sim` endpoints tests and the webapp page call (health, faults, recorded callbacks and
 * orders, per-order actions).
 */
import type { ServerResponse } from "node:http";
import { z } from "zod";
import type { SimContext } from "./context";
import { SimHttpError, now, requireMethod, segments, send } from "./http";
import { orderView, quotesFromParams } from "./orders-api";
import { SANDBOX_APPROVAL_LIMIT_CENTS, applyEvent, assertOpen, commission } from "./store";
import {
  SIM_EVENTS,
  SimFaultsSchema,
  isSimEventId,
  type SimActionResult,
  type SimCallbackRecord,
  type SimEventId,
  type SimOrder,
  type SimRequestRecord,
} from "./types";
import type { RawBody } from "./validation";

/** What the webapp's "Completa la richiesta" does. */
export async function completeOrder(
  ctx: SimContext,
  token: string,
  o: { instalments?: number; amount?: number } = {},
): Promise<SimActionResult> {
  const order = ctx.store.getOrderOr404(token);
  assertOpen(order);
  const shop = ctx.store.shops.get(order.shopId)!;
  if (order.amount === null) {
    if (o.amount === undefined || !Number.isSafeInteger(o.amount) || o.amount <= 0) {
      throw new SimHttpError(400, { error: "An amount in cents is required" });
    }
    order.amount = o.amount;
    order.netAmount = o.amount - commission(o.amount, order.zeroInterestRate);
  }
  let instalments = order.instalmentsLocked ? order.instalments : (o.instalments ?? order.instalments);
  instalments ??= Math.min(12, shop.maxLoanInstalmentsNumber);
  if (!Number.isInteger(instalments) || instalments < 3 || instalments > shop.maxLoanInstalmentsNumber) {
    throw new SimHttpError(400, { error: `Instalments must be between 3 and ${shop.maxLoanInstalmentsNumber}` });
  }
  order.instalments = instalments;
  const wasPreApproved = order.status === "request_accepted";
  let events: SimEventId[];
  let redirectUrl: string | null;
  let message: string;
  if (order.amount > SANDBOX_APPROVAL_LIMIT_CENTS) {
    events = ["UserWasRejected"];
    applyEvent(order, "UserWasRejected");
    redirectUrl = order.errorUrl;
    message = "La richiesta non è stata approvata.";
  } else {
    events = wasPreApproved ? ["RequestCompleted"] : ["LoanWasApproved", "RequestCompleted"];
    applyEvent(order, "RequestCompleted");
    redirectUrl = order.successUrl;
    message = "Richiesta completata: è in verifica da parte di Soisy.";
  }
  ctx.log.info(`order ${token} completed by the shopper: ${order.status}`);
  const sent = await ctx.callbacks.send(order, events);
  return { status: order.status, redirectUrl, message, callbacks: sent };
}

/** What the webapp's "Rifiuta" does. */
export async function rejectOrder(ctx: SimContext, token: string): Promise<SimActionResult> {
  const order = ctx.store.getOrderOr404(token);
  assertOpen(order);
  applyEvent(order, "UserWasRejected");
  ctx.log.info(`order ${token} rejected`);
  const sent = await ctx.callbacks.send(order, ["UserWasRejected"]);
  return { status: order.status, redirectUrl: order.errorUrl, message: "La richiesta è stata rifiutata.", callbacks: sent };
}

/** What the webapp's "Abbandona" does. */
export async function abandonOrder(ctx: SimContext, token: string): Promise<SimActionResult> {
  const order = ctx.store.getOrderOr404(token);
  ctx.log.info(`order ${token} abandoned`);
  return { status: order.status, redirectUrl: order.errorUrl, message: "Richiesta abbandonata.", callbacks: [] };
}

/** Operator action: applies the event to the order (see README) and sends its callback(s). */
export async function fireEvent(ctx: SimContext, token: string, eventId: SimEventId): Promise<SimCallbackRecord[]> {
  if (!isSimEventId(eventId)) throw new SimHttpError(400, { errors: { eventId: ["Unknown event"] } });
  const order = ctx.store.getOrderOr404(token);
  applyEvent(order, eventId);
  ctx.log.info(`operator event ${eventId} on ${token}: ${order.status}`);
  return ctx.callbacks.send(order, [eventId]);
}

/**
 * Operator action: the merchant cancels the loan in Soisy's back office (any status, also once
 * disbursed: that is how a full refund is done at Soisy). No callback is sent (Soisy documents none
 * for a merchant's cancellation). Cancelling a cancelled loan changes nothing.
 */
export function cancelLoan(ctx: SimContext, token: string): SimOrder {
  const order = ctx.store.getOrderOr404(token);
  if (order.status !== "cancelled") {
    order.status = "cancelled";
    order.updatedAt = now();
    ctx.log.info(`operator cancelled the loan of ${token}`);
  }
  return order;
}

/**
 * Operator action: the merchant reduces the loan by `cents` in Soisy's back office (a partial
 * refund): loanAmount goes down by exactly that and loanNetAmount is Soisy's commission rule applied
 * to the new amount. 400 unless 0 < cents < loanAmount (a loan reduced to nothing is cancelled);
 * 409 on a cancelled loan or one without an amount yet.
 */
export function reduceLoan(ctx: SimContext, token: string, cents: number): SimOrder {
  const order = ctx.store.getOrderOr404(token);
  if (order.status === "cancelled" || order.amount === null) {
    throw new SimHttpError(409, { error: `The loan cannot be reduced (status ${order.status})` });
  }
  if (!Number.isSafeInteger(cents) || cents <= 0 || cents >= order.amount) {
    throw new SimHttpError(400, { errors: { cents: [`Must be an integer between 1 and ${order.amount - 1}`] } });
  }
  order.amount -= cents;
  order.netAmount = order.amount - commission(order.amount, order.zeroInterestRate);
  order.updatedAt = now();
  ctx.log.info(`operator reduced the loan of ${token} by ${cents} cents to ${order.amount}`);
  return order;
}

/** The internal endpoints under `/_sim`. */
export async function handleInternal(
  ctx: SimContext,
  method: string,
  url: URL,
  record: SimRequestRecord,
  res: ServerResponse,
): Promise<void> {
  const { store } = ctx;
  const [section, id, action, extra] = segments(url.pathname, "/_sim");
  const body = record.body ?? {};
  if (section === "health") return send(res, record, 200, { ok: true });

  if (section === "faults" && id === undefined) {
    if (method === "GET") return send(res, record, 200, store.faults);
    if (method === "DELETE") {
      store.clearFaults();
      return send(res, record, 200, store.faults);
    }
    requireMethod(method, "POST");
    const parsed = SimFaultsSchema.safeParse(body);
    if (!parsed.success) throw new SimHttpError(400, { error: z.prettifyError(parsed.error) });
    store.setFaults(parsed.data);
    return send(res, record, 200, store.faults);
  }

  if (section === "callbacks" && id === undefined) {
    requireMethod(method, "GET");
    return send(res, record, 200, store.callbacks);
  }

  if (section === "orders" && id === undefined) {
    requireMethod(method, "GET");
    return send(res, record, 200, [...store.orders.values()]);
  }

  if (section === "orders" && id !== undefined && extra === undefined) {
    const order = store.getOrderOr404(id);
    const shop = store.shops.get(order.shopId)!;
    if (action === undefined) {
      requireMethod(method, "GET");
      return send(res, record, 200, {
        token: order.token,
        shopId: order.shopId,
        status: order.status,
        amount: order.amount,
        instalments: order.instalments,
        instalmentsLocked: order.instalmentsLocked,
        maxInstalments: shop.maxLoanInstalmentsNumber,
        zeroInterestRate: order.zeroInterestRate,
        orderReference: order.orderReference,
        successUrl: order.successUrl,
        errorUrl: order.errorUrl,
      });
    }
    if (action === "quotes") {
      requireMethod(method, "GET");
      const params: RawBody = { ...Object.fromEntries(url.searchParams) };
      if (order.amount !== null) params.amount = String(order.amount);
      params.zeroInterestRate = order.zeroInterestRate ? "1" : "0";
      return send(res, record, 200, quotesFromParams(shop, params));
    }
    if (action === "complete" || action === "reject" || action === "abandon") {
      requireMethod(method, "POST");
      let result: SimActionResult;
      if (action === "complete") {
        const opts: { instalments?: number; amount?: number } = {};
        if (body.instalments !== undefined) opts.instalments = Number(body.instalments);
        if (body.amount !== undefined) opts.amount = Number(body.amount);
        result = await completeOrder(ctx, id, opts);
      } else if (action === "reject") {
        result = await rejectOrder(ctx, id);
      } else {
        result = await abandonOrder(ctx, id);
      }
      return send(res, record, 200, result);
    }
    if (action === "cancel") {
      requireMethod(method, "POST");
      return send(res, record, 200, orderView(cancelLoan(ctx, id)));
    }
    if (action === "reduce") {
      requireMethod(method, "POST");
      return send(res, record, 200, orderView(reduceLoan(ctx, id, Number(body.cents))));
    }
    if (action === "events") {
      requireMethod(method, "POST");
      const eventId = body.eventId;
      if (!isSimEventId(eventId)) {
        throw new SimHttpError(400, { errors: { eventId: [`Must be one of ${Object.keys(SIM_EVENTS).join(", ")}`] } });
      }
      const sent = await fireEvent(ctx, id, eventId);
      return send(res, record, 200, { order: orderView(order), callbacks: sent });
    }
  }
  throw new SimHttpError(404, { error: "Not found" });
}
