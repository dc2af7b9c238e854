/**
 * The outbox worker's claims (outbox-worker.server.ts): who may deliver a message, and for how long.
 *
 * A message is CLAIMED with a conditional update (pending, due, lock free or expired → lockedBy = a token
 * unique to this claim, lockedUntil = now + lockMs) and delivered only when exactly one row changed. The
 * claim is a short LEASE renewed by a heartbeat while the HTTP call runs; a renewal is compare-and-set on
 * the claim token. When the holder cannot confirm its lease (renewals failing) it abandons the call before
 * the lease lapses, and when a renewal finds another owner it abandons it at once.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";

export interface Claim {
  token: string;
  /** performance.now() by which the lease surely holds. */
  heldUntil: number;
}

export interface Lease {
  /** Aborted when the claim was taken over or could not be renewed in time. */
  readonly signal: AbortSignal;
  readonly lost: "taken_over" | "lapsing" | null;
  stop(): void;
}

/** The where clause of a message that may be claimed at `at`: pending, due, lock free or expired. */
export function outboxDueWhere(at: Date) {
  return {
    status: "pending",
    nextAttemptAt: { lte: at },
    OR: [{ lockedUntil: null }, { lockedUntil: { lte: at } }],
  };
}

export interface OutboxLeases {
  claim(id: string): Promise<Claim | null>;
  hold(messageId: string, claimed: Claim): Lease;
}

export function createOutboxLeases(options: {
  db: Db;
  workerId: string;
  lockMs: number;
  heartbeatMs: number;
  now: () => Date;
  log: Logger;
}): OutboxLeases {
  const { db, workerId, lockMs, heartbeatMs, now, log } = options;
  /** A holder that could not confirm its lease abandons its call this long before the lease would lapse. */
  const leaseMarginMs = Math.floor(lockMs / 4);

  /**
   * Conditional claim: returns this claim's token when exactly this worker got the message, and the
   * monotonic time (performance.now()) by which the lease surely holds (measured from before the write).
   */
  async function claim(id: string): Promise<Claim | null> {
    const issued = performance.now();
    const at = now();
    const token = `${workerId}#${randomUUID().slice(0, 8)}`;
    const { count } = await db.outboxMessage.updateMany({
      where: { id, ...outboxDueWhere(at) },
      data: { lockedBy: token, lockedUntil: new Date(at.getTime() + lockMs) },
    });
    return count === 1 ? { token, heldUntil: issued + lockMs } : null;
  }

  /**
   * Keeps a claim alive while its delivery runs: renews it every heartbeatMs (compare-and-set on the
   * token) and aborts `signal` when the claim was taken over, or when no renewal was confirmed and the
   * lease would lapse within leaseMarginMs (the call is abandoned before anyone else may take the message).
   */
  function hold(messageId: string, claimed: Claim): Lease {
    const controller = new AbortController();
    let heldUntil = claimed.heldUntil;
    let lost: Lease["lost"] = null;
    let stopped = false;
    let renewing = false;
    const abandon = (why: Exclude<Lease["lost"], null>) => {
      if (lost || stopped) return;
      lost = why;
      controller.abort(new Error(`outbox lease ${why}`));
      log.warn({ messageId, why }, why === "taken_over" ? "outbox claim taken over by another worker; abandoning the call" : "outbox claim could not be renewed; abandoning the call before it lapses");
    };
    let watchdog: NodeJS.Timeout | null = null;
    const arm = () => {
      if (watchdog) clearTimeout(watchdog);
      watchdog = setTimeout(() => abandon("lapsing"), Math.max(0, heldUntil - leaseMarginMs - performance.now()));
      watchdog.unref();
    };
    arm();
    const heartbeat = setInterval(() => {
      if (renewing || stopped || lost) return;
      renewing = true;
      const issued = performance.now();
      const at = now();
      db.outboxMessage
        .updateMany({
          where: { id: messageId, lockedBy: claimed.token, status: "pending" },
          data: { lockedUntil: new Date(at.getTime() + lockMs) },
        })
        .then(({ count }) => {
          if (stopped) return;
          if (count === 1) {
            heldUntil = issued + lockMs;
            arm();
          } else abandon("taken_over");
        })
        .catch((error: unknown) => log.warn({ messageId, err: error }, "renewing the outbox claim failed"))
        .finally(() => (renewing = false));
    }, heartbeatMs);
    heartbeat.unref();
    return {
      signal: controller.signal,
      get lost() {
        return lost;
      },
      stop() {
        stopped = true;
        clearInterval(heartbeat);
        if (watchdog) clearTimeout(watchdog);
      },
    };
  }

  return { claim, hold };
}
