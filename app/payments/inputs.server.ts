/**
 * The inputs after the Soisy order exists: the shopper back from Soisy, Soisy's callbacks, and the
 * merchant settling a payment held for review. Each reads Soisy (the only source of truth) when it
 * needs to and hands the input to applyInput (apply-input.server.ts).
 */
import type { SoisyEnvironment } from "~/settings/settings.server";
import type { OrderStatus } from "~/soisy/types";
import { applyInput } from "./apply-input.server";
import type { SoisyObservation, Transition } from "./lifecycle";
import { findSession, type PaymentDeps, type PaymentRow } from "./payment-deps.server";
import { recordTimelineOnce } from "./transition-store.server";

/** A recent Soisy observation is reused instead of calling Soisy again (repeated return GETs, polls). */
export const OBSERVATION_FRESH_MS = 5_000;
/** What a shopper-facing request may spend on Soisy before answering with the waiting page. */
export const SHOPPER_SOISY_DEADLINE_MS = 5_000;
/** What the return route spends in all, Soisy and Shopify's next step included (< 8 s). */
export const SHOPPER_RETURN_BUDGET_MS = 7_000;

/** What a Soisy callback may spend confirming the order with Soisy. */
const CALLBACK_SOISY_DEADLINE_MS = 8_000;

const observing = new Map<string, Promise<{ observation: SoisyObservation; order: OrderStatus }>>();

/**
 * Reads the order from Soisy (the only source of truth) for a session with a Soisy order.
 * `deadlineAt` (epoch ms) bounds the whole read, retries included. Concurrent reads of the same
 * session in this process share one Soisy call.
 */
export async function observeSoisy(
  deps: PaymentDeps,
  session: PaymentRow,
  options: { deadlineAt?: number } = {},
): Promise<{ observation: SoisyObservation; order: OrderStatus }> {
  const running = observing.get(session.id);
  if (running) return running;
  const promise = observeSoisyOnce(deps, session, options).finally(() => observing.delete(session.id));
  observing.set(session.id, promise);
  return promise;
}

async function observeSoisyOnce(
  deps: PaymentDeps,
  session: PaymentRow,
  options: { deadlineAt?: number },
): Promise<{ observation: SoisyObservation; order: OrderStatus }> {
  if (!session.soisyToken) throw new Error("payment session has no Soisy order");
  const client = await deps.soisyClient(session.shop, session.environment as SoisyEnvironment);
  if (!client) throw new Error("Soisy credentials are no longer configured for this environment");
  const order = await client.getOrder(session.soisyToken, options.deadlineAt !== undefined ? { deadlineAt: options.deadlineAt } : undefined);
  if (order.orderReference && order.orderReference !== session.id) {
    throw new Error("Soisy order reference does not match the payment session");
  }
  return { observation: { status: order.status, loanAmountCents: order.loanAmount ?? null }, order };
}

/** The stored observation when it is younger than OBSERVATION_FRESH_MS (else null). */
export function recentObservation(session: PaymentRow, now: Date): SoisyObservation | null {
  if (!session.lastCheckedAt || !session.soisyStatus) return null;
  const age = now.getTime() - session.lastCheckedAt.getTime();
  if (age < 0 || age > OBSERVATION_FRESH_MS) return null;
  return { status: session.soisyStatus, loanAmountCents: session.soisyLoanAmountCents };
}

export type ShopperDestination = { kind: "redirect"; url: string } | { kind: "wait" };

/** Where a shopper returning from Soisy goes, once the input is applied. */
export function destinationFor(session: PaymentRow, wanted: Transition["shopper"]): ShopperDestination {
  if (wanted === "cancel_url" && session.cancelUrl) return { kind: "redirect", url: session.cancelUrl };
  if (session.nextActionUrl) return { kind: "redirect", url: session.nextActionUrl };
  if (session.state === "abandoned" && session.cancelUrl) return { kind: "redirect", url: session.cancelUrl };
  return { kind: "wait" };
}

/**
 * A shopper back from Soisy. Bounded: Soisy gets SHOPPER_SOISY_DEADLINE_MS and the whole answer
 * SHOPPER_RETURN_BUDGET_MS; past that the shopper sees the waiting page, which keeps polling. A return
 * URL opened again within OBSERVATION_FRESH_MS reuses the last Soisy answer, and the timeline gets one
 * `returned_*` row per distinct (outcome, Soisy status), not one per GET.
 */
export async function handleShopperReturn(deps: PaymentDeps, session: PaymentRow, via: "success" | "error"): Promise<ShopperDestination> {
  if (!session.soisyToken) {
    return session.cancelUrl ? { kind: "redirect", url: session.cancelUrl } : { kind: "wait" };
  }
  const budgetEnd = Date.now() + SHOPPER_RETURN_BUDGET_MS;
  let observation = recentObservation(session, deps.now());
  let order: OrderStatus | undefined;
  if (!observation) {
    try {
      const observed = await observeSoisy(deps, session, { deadlineAt: Date.now() + SHOPPER_SOISY_DEADLINE_MS });
      observation = observed.observation;
      order = observed.order;
    } catch (error) {
      deps.logger.warn({ sessionId: session.id, err: error }, "could not confirm the order with Soisy on the shopper's return");
      await recordTimelineOnce(deps.db, {
        shop: session.shop,
        paymentSessionId: session.id,
        source: "shopper_return",
        type: `returned_${via}_unconfirmed`,
        dedupeKey: `return:${session.id}:${via}:unconfirmed`,
      });
      return destinationFor(session, undefined);
    }
  }
  const applied = await applyInput(deps, session.id, { kind: "shopper_returned", via, soisy: observation }, {
    ...(order ? { soisy: order } : {}),
    timeline: {
      source: "shopper_return",
      type: `returned_${via}`,
      detail: { soisyStatus: observation.status },
      dedupeKey: `return:${session.id}:${via}:${observation.status}`,
    },
  });
  // Shopify's next step, within what is left of the budget (the worker goes on with it otherwise).
  if (deps.deliverNow && applied.outboxMessageIds.length) {
    const deliver = deps.deliverNow;
    const all = Promise.all(applied.outboxMessageIds.map((id) => deliver(id).catch(() => undefined)));
    const left = budgetEnd - Date.now();
    if (left > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, left)))]);
      clearTimeout(timer);
    }
    const fresh = await findSession(deps.db, session.id);
    if (fresh) return destinationFor(fresh, applied.transition.shopper);
  }
  return destinationFor(applied.session, applied.transition.shopper);
}

export async function handleSoisyCallback(
  deps: PaymentDeps,
  session: PaymentRow,
  callback: { eventId: string; orderToken: string; eventDate?: string },
): Promise<"applied" | "token_mismatch"> {
  if (!session.soisyToken || callback.orderToken !== session.soisyToken) return "token_mismatch";
  // Bounded: past it Soisy gets a 503 and calls again (and reconciliation reads the order anyway).
  const observed = await observeSoisy(deps, session, { deadlineAt: Date.now() + CALLBACK_SOISY_DEADLINE_MS });
  await applyInput(deps, session.id, { kind: "soisy_callback", eventId: callback.eventId, soisy: observed.observation }, {
    soisy: observed.order,
    deliverNow: true,
    timeline: {
      source: "soisy_callback",
      type: callback.eventId,
      dedupeKey: `callback:${session.soisyToken}:${callback.eventId}`,
      detail: { eventDate: callback.eventDate ?? null, soisyStatus: observed.order.status },
    },
  });
  return "applied";
}

export type PaymentDecisionResult = { ok: true; state: string } | { ok: false; status: 404 | 409; message: string };

/**
 * The merchant settles a payment held for review (e.g. the loan amount differs from the order):
 * resolve once they have checked with Soisy, or reject. The lifecycle still applies the group rule.
 */
export async function decideFlaggedPayment(
  deps: PaymentDeps,
  shop: string,
  paymentId: string,
  decision: "resolve" | "reject",
  decidedBy: string,
): Promise<PaymentDecisionResult> {
  const session = await deps.db.paymentSession.findUnique({ where: { id: paymentId } });
  if (!session || session.shop !== shop) return { ok: false, status: 404, message: "payment not found" };
  if (!session.flagReason) return { ok: false, status: 409, message: "this payment is not waiting for your decision" };
  if (session.state === "resolved" || session.state === "rejected" || session.state === "not_eligible") {
    return { ok: false, status: 409, message: `payment already ${session.state}` };
  }
  const applied = await applyInput(deps, session.id, { kind: "merchant_decided", decision }, {
    preloaded: { session },
    deliverNow: true,
    timeline: { source: "merchant", type: `merchant_${decision}`, detail: { by: decidedBy } },
  });
  return { ok: true, state: applied.session.state };
}
