/**
 * The pre-approval lock, taken by a submit around its Soisy calls (preapproval.server.ts).
 *
 * The lock (one Soisy conversation per session at a time) is a LEASE renewed by a
 * heartbeat while the Soisy calls run: when the process dies, another one can go on within seconds.
 * There is no holder column: the exact `preapprovalLockedUntil` a holder last wrote is its fencing
 * token (every renewal and the release are compare-and-set on it; a taker always writes a later one).
 */
import type { PaymentDeps } from "~/payments/payment-deps.server";

const LEASE_MS = 8_000;
const HEARTBEAT_MS = 2_500;
const BUSY_WAIT_MS = 25_000;

export interface PreapprovalLease {
  id: string;
  until: Date;
  stopped: boolean;
  timer: NodeJS.Timeout | null;
  /** Serialises renewals and the release (each CAS needs the value the previous one wrote). */
  chain: Promise<unknown>;
}

/** The leases this process holds (shutdown releases them). */
const heldLeases = new Set<PreapprovalLease>();

export function startHeartbeat(deps: PaymentDeps, lease: PreapprovalLease): void {
  heldLeases.add(lease);
  lease.timer = setInterval(() => {
    lease.chain = lease.chain.then(async () => {
      if (lease.stopped) return;
      const until = new Date(deps.now().getTime() + LEASE_MS);
      const { count } = await deps.db.paymentSession.updateMany({
        where: { id: lease.id, state: "preapproval", preapprovalLockedUntil: lease.until },
        data: { preapprovalLockedUntil: until },
      });
      if (count === 1) lease.until = until;
      else stopHeartbeat(lease);
    }).catch((error: unknown) => deps.logger.warn({ sessionId: lease.id, err: error }, "pre-approval: renewing the lease failed"));
  }, HEARTBEAT_MS);
  lease.timer.unref();
}

export function stopHeartbeat(lease: PreapprovalLease): void {
  lease.stopped = true;
  if (lease.timer) clearInterval(lease.timer);
  lease.timer = null;
  heldLeases.delete(lease);
}

/** Releases a lease if it is still this holder's (a newer holder's lease is left alone). */
export async function releaseLease(deps: Pick<PaymentDeps, "db">, lease: PreapprovalLease): Promise<void> {
  stopHeartbeat(lease);
  await lease.chain.catch(() => undefined);
  await deps.db.paymentSession.updateMany({
    where: { id: lease.id, state: "preapproval", preapprovalLockedUntil: lease.until },
    data: { preapprovalLockedUntil: null },
  });
}

/** Releases every pre-approval lease this process holds (shutdown). Returns how many. */
export async function releaseProcessPreapprovalLeases(deps: Pick<PaymentDeps, "db">): Promise<number> {
  const leases = [...heldLeases];
  await Promise.allSettled(leases.map((lease) => releaseLease(deps, lease)));
  return leases.length;
}

/** One Soisy conversation per session at a time. "moved": the session left the form meanwhile. */
export async function takeLock(deps: PaymentDeps, id: string): Promise<PreapprovalLease | "busy" | "moved"> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (;;) {
    const now = deps.now();
    const until = new Date(now.getTime() + LEASE_MS);
    const claimed = await deps.db.paymentSession.updateMany({
      where: { id, state: "preapproval", OR: [{ preapprovalLockedUntil: null }, { preapprovalLockedUntil: { lt: now } }] },
      data: { preapprovalLockedUntil: until },
    });
    if (claimed.count === 1) return { id, until, stopped: false, timer: null, chain: Promise.resolve() };
    const row = await deps.db.paymentSession.findUnique({ where: { id }, select: { state: true } });
    if (!row || row.state !== "preapproval") return "moved";
    if (Date.now() > deadline) return "busy";
    await new Promise((r) => setTimeout(r, 150));
  }
}
