/**
 * Delivers the outbox (outbox.server.ts) to Shopify's Payments Apps API: a thin loop of
 * claim (outbox-lease.server.ts) → call (outbox-send.server.ts) → verdict (outbox-verdict.ts, pure) →
 * apply (outbox-apply.server.ts: the outcome and its effects in one transaction).
 *
 * Safe with several workers and processes on one database:
 * - a message is CLAIMED with a conditional update (pending, due, lock free or expired → lockedBy =
 *   a token unique to this claim, lockedUntil = now + lockMs) and delivered only when exactly one row
 *   changed, so two workers never deliver it at once;
 * - the claim is a short LEASE (default 8 s) renewed by a heartbeat (every lockMs/4) while the HTTP call
 *   to Shopify runs, so a crashed worker's message is taken over within seconds, while a live slow call
 *   (up to timeoutMs, 10 s) keeps its claim. A renewal is compare-and-set on the claim token. When the
 *   holder cannot confirm its lease (renewals failing) it abandons the call before the lease lapses, and
 *   when a renewal finds another owner it abandons it at once: a claim never lapses under a live request;
 * - the outcome is written with a conditional update on that claim token (a worker that lost its lease
 *   cannot overwrite what the new owner wrote), in ONE transaction with the OutboxAttempt row and the
 *   effects (PaymentSession.nextActionUrl, RefundSession.state, the dead-letter timeline row).
 *
 * A paymentSessionPending is not sent when a resolve or reject of the same payment is queued or delivered
 * (it would only be refused with PENDING_INVALID_STATE): it is closed (status delivered, attempt outcome
 * `superseded`, resultJson `{kind: "superseded"}`) without an HTTP call; so is a paymentSessionConfirm once
 * the payment's reject, resolve or pending is queued (outbox-apply.server.ts). A pending Shopify still refuses
 * with PENDING_INVALID_STATE "already resolved or rejected" is `already_done`: info log, no merchant alert.
 *
 * Outcomes (outbox-verdict.ts; see callPaymentsApi for the classification):
 *   ok / already_done → delivered
 *   retry             → attempts+1, nextAttemptAt = now + max(Retry-After, full-jitter backoff ≤ maxMs),
 *                       lock released; dead once the message is older than maxAgeMs
 *   conflict / fatal  → dead at once (timeline row `outbox_dead_letter` for the merchant, error log)
 *   ambiguous conflict ("already rejected, or Shopify has not received the session answer yet") → dead
 *                       when Shopify already accepted a mutation for the session (it had the answer) or
 *                       the message is older than ambiguousGraceMs; otherwise retried.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import type { Db } from "~/db.server";
import { logger as appLogger, type Logger } from "~/logger.server";
import { createOutboxApply, type AttemptVerdict } from "./outbox-apply.server";
import { createOutboxLeases, outboxDueWhere, type Claim } from "./outbox-lease.server";
import { createOutboxSender } from "./outbox-send.server";
import { isAmbiguousConflict, outboxVerdict } from "./outbox-verdict";
import { DEFAULT_BACKOFF, type BackoffPolicy, type OutboxMutation } from "./outbox.server";

export interface OutboxWorkerOptions {
  db: Db;
  /** The shop's current offline access token (asked before every attempt, so a refreshed one is used). */
  tokenProvider: (shop: string) => Promise<string>;
  /** The shop's Payments Apps GraphQL endpoint (config.server.ts `paymentsApiEndpoint`). */
  endpointFor: (shop: string) => string;
  workerId?: string;
  /** Messages looked at per pass (default 20). */
  batchSize?: number;
  /** Deliveries in flight at once within a pass (default 4). */
  concurrency?: number;
  /** The claim's lease: how long it holds a message without a renewal (default 8 s). */
  lockMs?: number;
  /** How often the lease is renewed while a delivery runs (default lockMs / 4; at most lockMs / 3). */
  heartbeatMs?: number;
  /** Per request to Shopify (default 10 s). */
  timeoutMs?: number;
  /** A message still failing this long after it was enqueued is dead-lettered (default 72 h). */
  maxAgeMs?: number;
  /** How long an ambiguous "already rejected, or not yet received" answer is retried (default 15 min). */
  ambiguousGraceMs?: number;
  backoff?: BackoffPolicy;
  now?: () => Date;
  random?: () => number;
  logger?: Logger;
  fetch?: typeof fetch;
}

export interface OutboxRunReport {
  /** Messages this pass claimed (and attempted). */
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
}

export type DeliverNowResult = "delivered" | "retry" | "dead" | "not_due" | "locked";

export interface OutboxWorker {
  readonly workerId: string;
  /** One pass over due messages. Calls on one worker never overlap (a second call runs after the first). */
  runOnce(): Promise<OutboxRunReport>;
  /** Claims and delivers one message right away (request handlers: get Shopify's nextAction URL fast). */
  deliverNow(messageId: string): Promise<DeliverNowResult>;
  /** Runs a pass every `intervalMs` (measured from the end of the previous one: never two at once). */
  start(intervalMs: number): void;
  /** Stops the loop and waits for what is in flight. */
  stop(): Promise<void>;
  /**
   * Releases the claims this worker still holds on pending messages (after stop(), on shutdown), so
   * another instance delivers them at once instead of waiting for the claims to expire. Returns how many.
   */
  releaseClaims(): Promise<number>;
}

const HOUR = 3_600_000;

/** The outbox claim's lease (renewed every quarter of it while a delivery runs). */
export const DEFAULT_OUTBOX_LEASE_MS = 8_000;

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const {
    db,
    tokenProvider,
    endpointFor,
    batchSize = 20,
    concurrency = 4,
    lockMs = DEFAULT_OUTBOX_LEASE_MS,
    timeoutMs = 10_000,
    maxAgeMs = 72 * HOUR,
    ambiguousGraceMs = 15 * 60_000,
    backoff = DEFAULT_BACKOFF,
    now = () => new Date(),
    random = Math.random,
    fetch: fetchImpl,
  } = options;
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = (options.logger ?? appLogger).child({ component: "outbox", workerId });
  const heartbeatMs = options.heartbeatMs ?? Math.floor(lockMs / 4);
  if (!(lockMs >= 1_000) || !(heartbeatMs >= 50) || !(heartbeatMs * 3 <= lockMs)) {
    throw new Error(`outbox worker: lockMs (${lockMs}) must be ≥ 1000 and heartbeatMs (${heartbeatMs}) between 50 and lockMs / 3`);
  }
  if (!(timeoutMs > 0)) throw new Error("outbox worker: timeoutMs must be > 0");
  if (batchSize < 1 || concurrency < 1) throw new Error("outbox worker: batchSize and concurrency must be ≥ 1");

  const leases = createOutboxLeases({ db, workerId, lockMs, heartbeatMs, now, log });
  const send = createOutboxSender({ tokenProvider, endpointFor, timeoutMs, now, log, fetch: fetchImpl });
  const apply = createOutboxApply({ db, now, log });
  const limits = { maxAgeMs, ambiguousGraceMs, backoff, random };

  /** One claimed message: call Shopify under the lease, then write the verdict (compare-and-set on the claim). */
  async function attemptClaimed(id: string, claimed: Claim): Promise<AttemptVerdict> {
    const lease = leases.hold(id, claimed);
    try {
      const message = await db.outboxMessage.findUnique({ where: { id } });
      if (!message || message.lockedBy !== claimed.token) return "locked";
      const superseding = await apply.supersedingMessage(message);
      if (superseding) return await apply.closeSuperseded(message, claimed.token, superseding);
      const startedAt = now();
      const t0 = performance.now();
      const sent = await send(message, lease.signal);
      // The call is over: no more renewals (the outcome write is compare-and-set on the token).
      lease.stop();
      const durationMs = Math.max(0, Math.round(performance.now() - t0));
      const finishedAt = now();
      const verdict = outboxVerdict(
        {
          result: sent,
          attemptsBefore: message.attempts,
          createdAt: message.createdAt,
          finishedAt,
          ...(isAmbiguousConflict(sent) ? { shopifyHadTheAnswer: await apply.shopifyHadTheAnswer(message) } : {}),
        },
        limits,
      );
      return await apply.recordVerdict(message, claimed.token, verdict, {
        startedAt,
        finishedAt,
        durationMs,
        adjustedPendingExpiry: sent.adjustedPendingExpiry,
      });
    } finally {
      lease.stop();
    }
  }

  async function runPass(): Promise<OutboxRunReport> {
    const report: OutboxRunReport = { claimed: 0, delivered: 0, retried: 0, dead: 0 };
    const due = await db.outboxMessage.findMany({
      where: outboxDueWhere(now()),
      orderBy: [{ nextAttemptAt: "asc" }, { createdAt: "asc" }],
      take: batchSize,
      select: { id: true },
    });
    let next = 0;
    const lane = async () => {
      while (next < due.length) {
        const item = due[next++];
        if (!item) break;
        try {
          const claimed = await leases.claim(item.id);
          if (!claimed) continue;
          report.claimed += 1;
          const verdict = await attemptClaimed(item.id, claimed);
          if (verdict === "delivered") report.delivered += 1;
          else if (verdict === "retry") report.retried += 1;
          else if (verdict === "dead") report.dead += 1;
        } catch (error) {
          log.error({ err: error, messageId: item.id }, "outbox delivery failed (the claim expires and the message is retried)");
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, lane));
    return report;
  }

  let chain: Promise<unknown> = Promise.resolve();
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.then(
      () => inFlight.delete(promise),
      () => inFlight.delete(promise),
    );
    return promise;
  };

  function runOnce(): Promise<OutboxRunReport> {
    const run = chain.then(runPass);
    chain = run.catch(() => undefined);
    return track(run);
  }

  async function deliverNow(messageId: string): Promise<DeliverNowResult> {
    return track(
      (async (): Promise<DeliverNowResult> => {
        const status = async (): Promise<DeliverNowResult | null> => {
          const m = await db.outboxMessage.findUnique({
            where: { id: messageId },
            select: { status: true, nextAttemptAt: true, lockedUntil: true },
          });
          if (!m) throw new Error(`outbox message ${messageId} not found`);
          if (m.status === "delivered") return "delivered";
          if (m.status === "dead") return "dead";
          const at = now();
          if (m.nextAttemptAt > at) return "not_due";
          if (m.lockedUntil && m.lockedUntil > at) return "locked";
          return null;
        };
        const before = await status();
        if (before) return before;
        const claimed = await leases.claim(messageId);
        if (!claimed) return (await status()) ?? "locked";
        const verdict = await attemptClaimed(messageId, claimed);
        return verdict === "locked" ? ((await status()) ?? "locked") : verdict;
      })(),
    );
  }

  let started = false;
  let timer: NodeJS.Timeout | null = null;
  let loopRun: Promise<unknown> | null = null;

  function start(intervalMs: number): void {
    if (started) return;
    if (!(intervalMs > 0)) throw new Error("outbox worker: intervalMs must be > 0");
    started = true;
    const tick = () => {
      timer = null;
      if (!started) return;
      loopRun = runOnce()
        .then((report) => {
          if (report.claimed > 0) log.debug(report, "outbox pass");
        })
        .catch((error: unknown) => log.error({ err: error }, "outbox pass failed; continuing"))
        .finally(() => {
          loopRun = null;
          if (started) {
            timer = setTimeout(tick, intervalMs);
            timer.unref();
          }
        });
    };
    timer = setTimeout(tick, 0);
    timer.unref();
    log.info({ intervalMs }, "outbox worker started");
  }

  async function stop(): Promise<void> {
    started = false;
    if (timer) clearTimeout(timer);
    timer = null;
    if (loopRun) await loopRun;
    await Promise.allSettled([...inFlight]);
  }

  async function releaseClaims(): Promise<number> {
    const { count } = await db.outboxMessage.updateMany({
      where: { status: "pending", lockedBy: { startsWith: `${workerId}#` } },
      data: { lockedBy: null, lockedUntil: null },
    });
    if (count) log.info({ count }, "released outbox claims on shutdown");
    return count;
  }

  return { workerId, runOnce, deliverNow, start, stop, releaseClaims };
}

export type { OutboxMutation };
