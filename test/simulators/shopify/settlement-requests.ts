/**
 * What Shopify sends to the app about an authorized payment: capture and void sessions (sent with
 * Shopify's headers and retries, like refunds: the app must answer 201), and the confirmation callback
 * of oversell protection: POSTed after every accepted `paymentSessionConfirm` (its result is the
 * session's `inventoryAvailable` unless a behaviour says otherwise), retried on non-2xx like Shopify's
 * other requests. Behaviours per shop or per payment session: the answer (inventory gone → false), a
 * delay, or no callback at all (then `sendConfirmationCallback` sends it by hand).
 */
import { randomUUID } from "node:crypto";
import { deliverExpecting201, type Deliver } from "./acknowledged-request";
import { newSessionId, shopifyTimestamp } from "./fixtures";
import type { SettlementSessions } from "./settlement-store";
import type { SimStore } from "./store";
import type {
  BuiltAppRequest,
  CaptureSessionRequestBody,
  ConfirmationCallbackBody,
  SessionRequestRecord,
  SimPaymentSession,
  SimSettlementSession,
  SimShop,
  StartCaptureInput,
  StartSettlementResult,
  StartVoidInput,
  VoidSessionRequestBody,
} from "./types";


/** How the simulator answers a confirm of one shop's (key: domain) or one session's (key: id) payments. */
export interface ConfirmationBehaviour {
  /** The `confirmation_result` to send (default: the session's `inventoryAvailable`). */
  result?: boolean;
  /** Wait this long after the confirm before POSTing the callback (default 0). */
  delayMs?: number;
  /** Never POST it (Shopify silent). */
  drop?: boolean;
}

export interface SettlementDeps {
  store: SimStore;
  requireShop(domain: string): SimShop;
  now(): Date;
  log(line: string): void;
  appUrl(): string;
  paths: { capture: string; void: string; confirmation: string };
  sessionHeaders(shop: string, requestId: string): Record<string, string>;
  deliver: Deliver;
  sessionRequests: SessionRequestRecord[];
  /** Every confirmation callback sent, with each attempt. */
  confirmationRequests: SessionRequestRecord[];
}

export function createSettlementRequests(deps: SettlementDeps) {
  const { store, now } = deps;
  /** Exact JSON sent for each session, so a replay is byte-identical. */
  const sentJson = new Map<string, string>();

  /** Shopify only captures or voids a resolved authorization of the same shop (a misuse throws). */
  function authorizedPayment(shop: SimShop, paymentId: string, what: string): SimPaymentSession {
    const payment = store.paymentSessions.get(paymentId);
    if (!payment || payment.shop !== shop.domain) throw new Error(`Shopify simulator: ${what} of unknown payment ${paymentId}`);
    if (payment.kind !== "authorization" || payment.state.code !== "RESOLVED") {
      throw new Error(`Shopify simulator: ${what} of payment ${paymentId}, which is not a resolved authorization`);
    }
    return payment;
  }

  async function send(
    kind: "capture" | "void",
    sessions: SettlementSessions,
    shop: SimShop,
    existingId: string | undefined,
    create: (id: string, gid: string) => { sent: unknown; amount: string | null; currency: string | null; paymentId: string; test: boolean },
  ): Promise<StartSettlementResult> {
    let session = existingId ? sessions.sessions.get(existingId) : undefined;
    if (!session) {
      const id = existingId ?? newSessionId();
      const gid = `gid://shopify/${sessions.type}/${id}`;
      const made = create(id, gid);
      const fresh: SimSettlementSession = {
        id,
        gid,
        shop: shop.domain,
        paymentId: made.paymentId,
        amount: made.amount,
        currency: made.currency,
        test: made.test,
        createdAt: now().toISOString(),
        request: made.sent,
        acknowledged: false,
        state: { code: "AWAITING_APP" },
        mutations: [],
      };
      sessions.sessions.set(id, fresh);
      sentJson.set(id, JSON.stringify(made.sent));
      session = fresh;
    } else if (session.state.code === "APP_FAILED") {
      session.state = { code: "AWAITING_APP" };
    }
    const current = session;
    const record: SessionRequestRecord = {
      kind,
      id: current.id,
      shop: shop.domain,
      url: `${deps.appUrl()}${kind === "capture" ? deps.paths.capture : deps.paths.void}`,
      body: current.request,
      attempts: [],
      outcome: "in_flight",
    };
    deps.sessionRequests.push(record);
    deps.log(`${kind} session ${current.id} → ${record.url}`);
    const result = await deliverExpecting201(deps.deliver, record, sentJson.get(current.id) ?? JSON.stringify(current.request), current);
    return {
      id: current.id,
      gid: current.gid,
      ok: result.ok,
      status: result.status,
      ...(result.error && !result.ok ? { error: result.error } : {}),
      attempts: record.attempts,
      request: current.request,
    };
  }

  function startCapture(input: StartCaptureInput): Promise<StartSettlementResult> {
    const shop = deps.requireShop(input.shop);
    return send("capture", store.captures, shop, input.id, (id, gid) => {
      const payment = authorizedPayment(shop, input.paymentId, "capture");
      const body: CaptureSessionRequestBody = {
        id,
        gid,
        payment_id: payment.id,
        amount: input.amount,
        currency: input.currency ?? payment.currency,
        test: input.test ?? payment.test,
        merchant_locale: shop.merchantLocale,
        proposed_at: shopifyTimestamp(now()),
      };
      const sent = input.mutateBody ? input.mutateBody(structuredClone(body)) : body;
      return { sent, amount: body.amount, currency: body.currency, paymentId: payment.id, test: body.test };
    });
  }

  function startVoid(input: StartVoidInput): Promise<StartSettlementResult> {
    const shop = deps.requireShop(input.shop);
    return send("void", store.voids, shop, input.id, (id, gid) => {
      const payment = authorizedPayment(shop, input.paymentId, "void");
      const body: VoidSessionRequestBody = {
        id,
        gid,
        payment_id: payment.id,
        test: input.test ?? payment.test,
        merchant_locale: shop.merchantLocale,
        proposed_at: shopifyTimestamp(now()),
      };
      const sent = input.mutateBody ? input.mutateBody(structuredClone(body)) : body;
      return { sent, amount: null, currency: null, paymentId: payment.id, test: body.test };
    });
  }

  /**
   * The confirmation callback Shopify sends after an accepted `paymentSessionConfirm` (its result is
   * the session's `inventoryAvailable`). Null while the session has no confirmation.
   */
  function buildConfirmationCallback(paymentId: string): BuiltAppRequest<ConfirmationCallbackBody> | null {
    const session = store.paymentSessions.get(paymentId);
    if (!session?.confirmation) return null;
    return {
      url: `${deps.appUrl()}${deps.paths.confirmation}`,
      method: "POST",
      headers: deps.sessionHeaders(session.shop, randomUUID()),
      body: { id: session.id, gid: session.gid, confirmation_result: session.confirmation.result },
    };
  }

  const behaviours = new Map<string, ConfirmationBehaviour>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  /** Sets (or with null clears) the behaviour of a shop (its domain) or of one payment session (its id). */
  function setConfirmationBehaviour(target: string, behaviour: ConfirmationBehaviour | null): void {
    if (behaviour) behaviours.set(target, behaviour);
    else behaviours.delete(target);
  }

  /** Called by the store after an accepted (not repeated) `paymentSessionConfirm`: schedules the callback. */
  function onConfirmed(session: SimPaymentSession): void {
    const behaviour = { ...behaviours.get(session.shop), ...behaviours.get(session.id) };
    if (behaviour.result !== undefined && session.confirmation) session.confirmation.result = behaviour.result;
    if (behaviour.drop) {
      deps.log(`confirmation callback of ${session.id} dropped (behaviour)`);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      sendConfirmationCallback(session.id).catch((error: unknown) => deps.log(`confirmation callback of ${session.id} failed: ${String(error)}`));
    }, behaviour.delayMs ?? 0);
    timers.add(timer);
  }

  /** POSTs the confirmation callback of a confirmed session (retried until 2xx); null when it has no confirmation. */
  async function sendConfirmationCallback(paymentId: string): Promise<{ ok: boolean; status: number | null; error?: string; record: SessionRequestRecord } | null> {
    const built = buildConfirmationCallback(paymentId);
    if (!built) return null;
    const record: SessionRequestRecord = {
      kind: "confirmation",
      id: paymentId,
      shop: store.paymentSessions.get(paymentId)!.shop,
      url: built.url,
      body: built.body,
      attempts: [],
      outcome: "in_flight",
    };
    deps.confirmationRequests.push(record);
    deps.log(`confirmation callback ${paymentId} (${String(built.body.confirmation_result)}) → ${record.url}`);
    const result = await deps.deliver(record, JSON.stringify(built.body), (status) =>
      status >= 200 && status <= 299 ? { ok: true } : { ok: false, error: `HTTP ${status}` },
    );
    record.outcome = result.ok ? "succeeded" : "failed";
    return { ...result, record };
  }

  function stopConfirmations(): void {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  }

  return { startCapture, startVoid, buildConfirmationCallback, setConfirmationBehaviour, onConfirmed, sendConfirmationCallback, stopConfirmations };
}

