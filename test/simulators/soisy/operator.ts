/**
 * The operator and shopper controls of the Soisy simulator: what the webapp's buttons do (complete,
 * reject, abandon), operator events (fireEvent) and the internal `/_sim` endpoints tests and the webapp
 * page call (health, faults, recorded callbacks and orders, per-order actions).
 */
import type { ServerResponse } from "node:http";
import { z } from "zod";
import type { SimContext } from "./context";
import { SimHttpError, requireMethod, segments, send } from "./http";
import { orderView, quotesFromParams } from "./orders-api";
import { SANDBOX_APPROVAL_LIMIT_CENTS, applyEvent, assertOpen, commission } from "./store";
import {
  SIM_EVENTS,
  SimFaultsSchema,
  isSimEventId,
  type SimActionResult,
  type SimCallbackRecord,
  type SimEventId,
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
