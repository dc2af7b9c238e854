/**
 * The Soisy-order creation lock of a payment session, a LEASE: short, renewed by a heartbeat while the
 * Soisy call runs, so another process takes over within seconds when the holder dies (kill -9, OOM,
 * lost host). Used by start-session.server.ts; released on shutdown by releaseProcessCreationLeases().
 */
import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import type { PaymentDeps, PaymentRow } from "./payment-deps.server";

export const CREATION_LEASE_MS = 6_000;
const CREATION_HEARTBEAT_MS = 2_000;
const CREATION_WAIT_MS = 12_000;

/**
 * Prefix of every lock holder id this process writes (creation leases): shutdownBackgroundWork()
 * releases this process's leases by it, so another instance goes on at once.
 */
export const PROCESS_HOLDER_PREFIX = `p${process.pid}-${randomUUID().slice(0, 8)}:`;

export function newLockHolder(): string {
  return `${PROCESS_HOLDER_PREFIX}${randomUUID()}`;
}

/** Heartbeats of the creations running in this process (stopped on shutdown). */
const creationHeartbeats = new Set<NodeJS.Timeout>();

/**
 * Hands back the creation leases this process holds (shutdown): stops their heartbeats and EXPIRES
 * them, keeping the holder id — another instance takes over at once and, since the Soisy call may be
 * in flight, writes the merchant note like after a crash. Returns how many.
 */
export async function releaseProcessCreationLeases(db: Db): Promise<number> {
  for (const timer of creationHeartbeats) clearInterval(timer);
  creationHeartbeats.clear();
  const { count } = await db.paymentSession.updateMany({
    where: { creationLockedBy: { startsWith: PROCESS_HOLDER_PREFIX } },
    data: { creationLockedUntil: new Date(Date.now() - 1) },
  });
  return count;
}

export type LeaseClaim =
  /** `holder` holds the lease; `interruptedHolder` names the holder that died while creating, if any. */
  | { kind: "held"; interruptedHolder: string | null }
  /** Someone else created the order meanwhile (or the session moved on): answer from this row. */
  | { kind: "finished"; row: PaymentRow }
  | { kind: "not_found" }
  | { kind: "timeout" };

/**
 * Waits until `holder` holds the session's creation lease, or someone else's creation finished.
 * Someone else holds it (another request or instance) or finished: wait for its outcome.
 */
export async function claimCreationLease(deps: PaymentDeps, sessionId: string, holder: string): Promise<LeaseClaim> {
  const { db } = deps;
  const deadline = Date.now() + CREATION_WAIT_MS;
  for (;;) {
    const row = await db.paymentSession.findUnique({ where: { id: sessionId } });
    if (!row) return { kind: "not_found" };
    if (row.soisyRedirectUrl || row.state !== "received") return { kind: "finished", row };
    const now = deps.now();
    if (!row.creationLockedUntil || row.creationLockedUntil < now) {
      // Free or expired: take it with a compare-and-set on what was read (one winner).
      const claimed = await db.paymentSession.updateMany({
        where: {
          id: sessionId,
          state: "received",
          soisyRedirectUrl: null,
          creationLockedBy: row.creationLockedBy,
          creationLockedUntil: row.creationLockedUntil,
        },
        data: { creationLockedBy: holder, creationLockedUntil: new Date(now.getTime() + CREATION_LEASE_MS) },
      });
      // An expired lease still naming a holder: that holder died while creating (released leases are null).
      if (claimed.count === 1) return { kind: "held", interruptedHolder: row.creationLockedBy };
      continue;
    }
    if (Date.now() > deadline) return { kind: "timeout" };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The earlier attempt may have reached Soisy before it died: tell the merchant before creating again. */
export async function noteInterruptedCreation(deps: PaymentDeps, session: PaymentRow, interruptedHolder: string): Promise<void> {
  deps.logger.warn({ sessionId: session.id }, "took over an interrupted Soisy order creation: a second Soisy order may exist");
  await deps.db.timelineEvent
    .create({
      data: {
        shop: session.shop,
        paymentSessionId: session.id,
        source: "app",
        type: "soisy_order_interrupted",
        dedupeKey: `creation-interrupted:${session.id}:${interruptedHolder}`,
      },
    })
    .catch((error: unknown) => {
      if ((error as { code?: string }).code !== "P2002") throw error;
    });
}

/** Runs `work` while a heartbeat renews `holder`'s lease (stops with the work, success or not). */
export async function withCreationHeartbeat<T>(deps: PaymentDeps, sessionId: string, holder: string, work: () => Promise<T>): Promise<T> {
  const { db } = deps;
  let leaseLost = false;
  const heartbeat = setInterval(() => {
    db.paymentSession
      .updateMany({
        where: { id: sessionId, creationLockedBy: holder },
        data: { creationLockedUntil: new Date(deps.now().getTime() + CREATION_LEASE_MS) },
      })
      .then(({ count }) => {
        if (count === 0 && !leaseLost) {
          leaseLost = true;
          deps.logger.warn({ sessionId }, "the Soisy order creation lease was lost (this process was too slow)");
        }
      })
      .catch((error: unknown) => deps.logger.warn({ sessionId, err: error }, "renewing the creation lease failed"));
  }, CREATION_HEARTBEAT_MS);
  heartbeat.unref();
  creationHeartbeats.add(heartbeat);
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    creationHeartbeats.delete(heartbeat);
  }
}
