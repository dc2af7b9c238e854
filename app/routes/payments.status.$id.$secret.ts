/**
 * Polled by the shopper's "we are confirming your payment" page: where to go next, once Shopify's
 * next step is known. Each poll also delivers the session's Shopify mutations that are due (never one
 * still waiting for its backoff or Shopify's Retry-After: polling shoppers must not hammer Shopify) and,
 * at most every few seconds, re-reads the order at Soisy (in case the return could not confirm it).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { applyInput } from "~/payments/apply-input.server";
import { destinationFor, observeSoisy, SHOPPER_SOISY_DEADLINE_MS } from "~/payments/inputs.server";
import { findSession } from "~/payments/payment-deps.server";
import { nudgeDueMessages } from "~/payments/outbox.server";
import { paymentDeps } from "~/runtime.server";
import { sessionFromUrl } from "~/payments/session-from-url.server";

const RECHECK_MS = 5_000;

export async function loader({ params }: LoaderFunctionArgs) {
  const deps = paymentDeps();
  const url = await sessionFromUrl(deps, params);
  if (url.kind !== "found") return json({ error: "not found" }, { status: 404 });
  const { id } = url;
  let session = url.session;
  const noStore = { headers: { "Cache-Control": "no-store" } };

  let destination = destinationFor(session, undefined);
  if (destination.kind === "redirect") return json({ state: session.state, redirectUrl: destination.url }, noStore);

  // Deliver this payment's mutations that are due now (never earlier than their backoff / Retry-After).
  const { pending } = await nudgeDueMessages(deps.db, deps.deliverNow, id, deps.now());
  if (
    pending === 0 &&
    session.soisyToken &&
    (session.state === "redirected" || session.state === "abandoned") &&
    (!session.lastCheckedAt || deps.now().getTime() - session.lastCheckedAt.getTime() > RECHECK_MS)
  ) {
    try {
      const { observation, order } = await observeSoisy(deps, session, { deadlineAt: Date.now() + SHOPPER_SOISY_DEADLINE_MS });
      await applyInput(deps, id, { kind: "shopper_returned", via: "success", soisy: observation }, { soisy: order, deliverNow: true });
    } catch (error) {
      deps.logger.debug({ sessionId: id, err: error }, "status poll could not read the Soisy order");
    }
  }
  session = (await findSession(deps.db, id))!;
  destination = destinationFor(session, undefined);
  return json({ state: session.state, redirectUrl: destination.kind === "redirect" ? destination.url : null }, noStore);
}
