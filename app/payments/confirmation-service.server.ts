/**
 * Shopify's confirmation callback (oversell protection, docs/fund-on-fulfilment.md): after the app's
 * `paymentSessionConfirm`, Shopify POSTs whether the checkout's inventory is still reserved. The answer
 * is an input of the payment lifecycle (`confirmation`), applied at once and its mutation delivered
 * right away (the shopper is waiting on the polling page).
 *
 * Idempotent by payment session: the stored answer (`confirmationResult`) decides a repeat. The same
 * answer again → 200, nothing done; a different answer after one was taken → 409. The callback is
 * recorded on the timeline once per session and answer ("confirmation_received"). Unknown session, or
 * one of another shop, or a gid that is not the session's → 404.
 */
import { applyInput } from "./apply-input.server";
import type { PaymentDeps } from "./payment-deps.server";
import type { ConfirmationCallbackRequest } from "./shopify-requests";

export type ConfirmationResult =
  | { ok: true; applied: boolean; state: string }
  | { ok: false; status: 404 | 409; message: string };

export async function receiveConfirmation(deps: PaymentDeps, shop: string, body: ConfirmationCallbackRequest): Promise<ConfirmationResult> {
  const { db } = deps;
  const result = body.confirmation_result;
  const session = await db.paymentSession.findUnique({ where: { id: body.id } });
  if (!session || session.shop !== shop || session.gid !== body.gid) {
    return { ok: false, status: 404, message: `payment session ${body.id} is not known for ${shop}` };
  }
  const already = conflictOrRepeat(session.confirmationResult, result, body.id);
  if (already) return already.ok ? { ...already, state: session.state } : already;

  const applied = await applyInput(
    deps,
    session.id,
    { kind: "confirmation", result },
    {
      preloaded: { session },
      deliverNow: true,
      timeline: { source: "shopify", type: "confirmation_received", detail: { result }, dedupeKey: `shopify-confirmation:${session.id}:${result}` },
    },
  );
  // Two different answers racing: the one stored first stands, the other is told so.
  const after = conflictOrRepeat(applied.session.confirmationResult, result, body.id);
  if (after && !after.ok) return after;
  const took = applied.transition.effects.some((e) => e.type === "mutation");
  if (!took) deps.logger.info({ sessionId: session.id, result, state: applied.session.state }, "confirmation callback: nothing to do in this state");
  return { ok: true, applied: took, state: applied.session.state };
}

/** A stored answer decides: the same one → a no-op, another → 409; none stored → null. */
function conflictOrRepeat(stored: boolean | null, result: boolean, id: string): { ok: true; applied: false } | { ok: false; status: 409; message: string } | null {
  if (stored === null) return null;
  if (stored === result) return { ok: true, applied: false };
  return { ok: false, status: 409, message: `payment session ${id} was already confirmed with confirmation_result ${stored}` };
}
