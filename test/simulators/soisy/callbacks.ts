/**
 * The callbacks the simulated Soisy sends to an order's callbackUrl (form-encoded POSTs, as Soisy does),
 * honouring the delay / duplicate / out-of-order faults, each one recorded; the deliveries in flight are
 * kept so that idle() and close() can wait for them.
 */
import { now, sleep } from "./http";
import type { SoisyStore } from "./store";
import { SIM_EVENTS, type SimCallbackRecord, type SimEventId, type SimLogger, type SimOrder } from "./types";

export interface CallbackSenderOptions {
  store: SoisyStore;
  log: SimLogger;
  delayMs: number;
  timeoutMs: number;
  /** Aborted when the simulator closes: delays end, requests are cancelled. */
  closing: AbortSignal;
}

export interface CallbackSender {
  /** Sends the callbacks due at once, honouring the duplicate / out-of-order faults. Never throws. */
  send(order: SimOrder, events: SimEventId[]): Promise<SimCallbackRecord[]>;
  /** Promises in flight. */
  readonly pending: ReadonlySet<Promise<unknown>>;
}

export function createCallbackSender({ store, log, delayMs, timeoutMs, closing }: CallbackSenderOptions): CallbackSender {
  const pending = new Set<Promise<unknown>>();

  function track<T>(promise: Promise<T>): Promise<T> {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => {});
    return promise;
  }

  function callbackBody(order: SimOrder, eventId: SimEventId): Record<string, string> {
    const body: Record<string, string> = {
      eventId,
      eventMessage: SIM_EVENTS[eventId].message,
      eventDate: now(),
      orderToken: order.token,
      orderReference: order.orderReference ?? "",
    };
    if (eventId === "LoanWasDisbursed" && order.amount !== null) body.amount = String(order.amount);
    return body;
  }

  async function deliver(order: SimOrder, eventId: SimEventId, body: Record<string, string>): Promise<SimCallbackRecord | null> {
    if (!order.callbackUrl) return null;
    if (delayMs > 0) await sleep(delayMs, closing);
    const rawBody = new URLSearchParams(body).toString();
    const record: SimCallbackRecord = {
      url: order.callbackUrl,
      eventId,
      orderToken: order.token,
      body,
      rawBody,
      status: null,
      error: null,
      sentAt: now(),
      durationMs: 0,
    };
    const started = performance.now();
    try {
      if (closing.aborted) throw new Error("simulator closed");
      const res = await fetch(order.callbackUrl, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "soisy-simulator" },
        body: rawBody,
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), closing]),
      });
      record.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (error) {
      record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      log.warn(`callback ${eventId} for ${order.token} failed: ${record.error}`);
    }
    record.durationMs = Math.round(performance.now() - started);
    store.callbacks.push(record);
    return record;
  }

  function send(order: SimOrder, events: SimEventId[]): Promise<SimCallbackRecord[]> {
    const ordered = store.faults.outOfOrderCallbacks ? [...events].reverse() : events;
    const duplicate = store.faults.duplicateCallbacks === true;
    return track(
      (async () => {
        const sent: SimCallbackRecord[] = [];
        for (const eventId of ordered) {
          // A duplicate is the same notification delivered again: identical body.
          const body = callbackBody(order, eventId);
          for (let i = 0; i < (duplicate ? 2 : 1); i++) {
            const record = await deliver(order, eventId, body);
            if (record) sent.push(record);
          }
        }
        return sent;
      })(),
    );
  }

  return { send, pending };
}
