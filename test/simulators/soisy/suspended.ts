/**
 * Suspended orders (fund on fulfilment): `POST /api/shops/{shopId}/orders/{token}/match-trigger` with
 * `amount` (integer cents). Soisy documents only the call and its 204; the refusals, their order and
 * their bodies are this simulator's reading (README.md, "Suspended orders"): 404 unknown token, 403
 * another shop's order, otherwise 400 in Soisy's two documented error shapes — `{"errors": {"amount":
 * [...]}}` for the amount, `{"error": "..."}` for the order's state.
 */
import type { SimContext } from "./context";
import { SimHttpError, now, validationError } from "./http";
import { commission, type SimShop } from "./store";
import { FieldCollector, readAmount, type RawBody } from "./validation";

/** Statuses of an order that is still an application (not verified by Soisy yet). */
const NOT_VERIFIED = new Set(["quote", "request_received", "request_accepted", "waiting_for_verification"]);

function refuse(message: string): SimHttpError {
  return new SimHttpError(400, { error: message });
}

/** Releases the funding of a verified suspended order: it becomes `disbursed` with loanAmount = amount. */
export function matchTrigger(ctx: SimContext, shop: SimShop, token: string, body: RawBody): void {
  const { store } = ctx;
  const order = store.getOrderOr404(token);
  if (order.shopId !== shop.shopId) throw new SimHttpError(403, { error: "This order belongs to another shop" });

  const errs = new FieldCollector();
  const amount = readAmount(body, errs, true);
  if (!errs.ok || amount === undefined) throw validationError(errs.errors);

  if (!order.suspended) throw refuse("The order is not suspended: it is funded without a trigger.");
  if (order.status === "cancelled") throw refuse("The order is cancelled.");
  if (order.trigger) throw refuse("The funding of this order has already been triggered.");
  if (order.status === "disbursed") throw refuse("The order has already been disbursed.");
  if (NOT_VERIFIED.has(order.status) || order.amount === null) {
    throw refuse(`The order has not been verified yet (status ${order.status}).`);
  }
  if (amount > order.amount) {
    throw validationError({ amount: [`The amount exceeds the loan amount (${order.amount} cents).`] });
  }

  const at = now();
  order.trigger = { amount, approvedAmount: order.amount, at };
  // A partial trigger funds only that much: the loan (and the callback's amount) become the triggered cents.
  order.amount = amount;
  order.netAmount = amount - commission(amount, order.zeroInterestRate);
  order.status = "disbursed";
  order.loanDisbursedAt = at;
  order.updatedAt = at;
  store.triggers.push({ shopId: shop.shopId, token, amount, at });
  ctx.log.info(`order ${token} triggered for ${amount} cents: disbursed`);
  // As for the other API calls, the callback goes out after the answer.
  void ctx.callbacks.send(order, ["LoanWasDisbursed"]);
}
