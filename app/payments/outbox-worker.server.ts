/**
 * Delivers the outbox (outbox.server.ts) to Shopify's Payments Apps API.
 *
 * Safe with several workers and processes on one database:
 * - a message is CLAIMED with a conditional update (pending, due, lock free or expired → lockedBy =
 *   a token unique to this claim, lockedUntil = now + lockMs) and delivered only when exactly one row
 *   changed, so two workers never deliver it at once; a crashed worker's lock simply expires;
 * - the outcome is written with a conditional update on that claim token (a worker that lost its lock
 *   — it was slower than lockMs — cannot overwrite what the new owner wrote), in ONE transaction with the
 *   OutboxAttempt row and the effects (PaymentSession.nextActionUrl, RefundSession.state, the
 *   dead-letter timeline row).
 *
 * Outcomes (see callPaymentsApi for the classification):
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
import {
  callPaymentsApi,
  describePaymentsApiResult,
  isPaymentSessionMutation,
  isRefundSessionMutation,
  PAYMENTS_API_VARIABLE_SCHEMAS,
  redact,
  type PaymentsApiResult,
  type PaymentsApiUserError,
} from "~/shopify/payments-api.server";
import { MAX_PENDING_EXPIRY_MS } from "./lifecycle";
import { DEFAULT_BACKOFF, nextAttemptDelayMs, type BackoffPolicy, type OutboxAttemptOutcome, type OutboxMutation } from "./outbox.server";

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
  /** How long a claim holds a message (default 30 s; must be ≥ 2 × timeoutMs). */
  lockMs?: number;
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

type MessageRow = NonNullable<Awaited<ReturnType<Db["outboxMessage"]["findUnique"]>>>;

/** What a finished attempt did to its message ("locked": the claim expired meanwhile; nothing written). */
type AttemptVerdict = "delivered" | "retry" | "dead" | "locked";

const HOUR = 3_600_000;

/**
 * Expiries (from now) tried, longest first, when Shopify answers OUT_OF_RANGE_PENDING_EXPIRES_AT: the
 * documented maximum (minus a minute for clock skew), then one day, then one hour.
 */
const PENDING_EXPIRY_FALLBACKS_MS = [MAX_PENDING_EXPIRY_MS - 60_000, 24 * HOUR, HOUR];

/** A delivery result; `adjustedPendingExpiry` when Shopify took a pending only with a shorter expiry. */
type SendResult = PaymentsApiResult & { adjustedPendingExpiry?: { at: Date; variablesJson: string } };

function isOutOfRangeExpiry(result: PaymentsApiResult): boolean {
  return result.kind === "conflict" && result.userErrors.some((e) => e.code === "OUT_OF_RANGE_PENDING_EXPIRES_AT");
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const {
    db,
    tokenProvider,
    endpointFor,
    batchSize = 20,
    concurrency = 4,
    lockMs = 30_000,
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
  if (!(lockMs >= 2 * timeoutMs)) {
    throw new Error(`outbox worker: lockMs (${lockMs}) must be at least twice timeoutMs (${timeoutMs})`);
  }
  if (batchSize < 1 || concurrency < 1) throw new Error("outbox worker: batchSize and concurrency must be ≥ 1");

  const dueWhere = (at: Date) => ({
    status: "pending",
    nextAttemptAt: { lte: at },
    OR: [{ lockedUntil: null }, { lockedUntil: { lte: at } }],
  });

  /** Conditional claim: returns this claim's token when exactly this worker got the message. */
  async function claim(id: string): Promise<string | null> {
    const at = now();
    const token = `${workerId}#${randomUUID().slice(0, 8)}`;
    const { count } = await db.outboxMessage.updateMany({
      where: { id, ...dueWhere(at) },
      data: { lockedBy: token, lockedUntil: new Date(at.getTime() + lockMs) },
    });
    return count === 1 ? token : null;
  }

  async function send(message: MessageRow): Promise<SendResult> {
    const mutation = message.mutation;
    if (!isPaymentSessionMutation(mutation) && !isRefundSessionMutation(mutation)) {
      return { kind: "fatal", reason: `unknown outbox mutation "${mutation}"` };
    }
    let variables: unknown;
    try {
      variables = JSON.parse(message.variablesJson);
    } catch {
      return { kind: "fatal", reason: "variablesJson is not JSON" };
    }
    const parsed = PAYMENTS_API_VARIABLE_SCHEMAS[mutation].safeParse(variables);
    if (!parsed.success) return { kind: "fatal", reason: `invalid variables for ${mutation}: ${parsed.error.message}` };
    let accessToken: string;
    let endpoint: string;
    try {
      accessToken = await tokenProvider(message.shop);
      endpoint = endpointFor(message.shop);
    } catch (error) {
      return { kind: "retry", reason: `no access token / endpoint for ${message.shop}: ${errorText(error)}` };
    }
    if (!accessToken) return { kind: "retry", reason: `no access token for ${message.shop}` };
    const call = (variables: unknown) =>
      callPaymentsApi({
        endpoint,
        accessToken,
        mutation,
        variables: variables as never,
        timeoutMs,
        now,
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      });
    try {
      let result: PaymentsApiResult = await call(parsed.data);
      if (mutation === "paymentSessionPending") {
        // Shopify refuses an expiry past its limit: never lose the pending, ask again with a shorter one.
        const requested = Date.parse((parsed.data as unknown as { pendingExpiresAt: string }).pendingExpiresAt);
        for (const fallbackMs of PENDING_EXPIRY_FALLBACKS_MS) {
          if (!isOutOfRangeExpiry(result)) break;
          const at = new Date(now().getTime() + fallbackMs);
          if (at.getTime() >= requested) continue;
          const variables = { ...(parsed.data as object), pendingExpiresAt: at.toISOString() };
          log.warn(
            { messageId: message.id, requested: new Date(requested).toISOString(), retryWith: at.toISOString() },
            "Shopify refused the pending expiry (OUT_OF_RANGE_PENDING_EXPIRES_AT); asking again with a shorter one",
          );
          result = await call(variables);
          if (result.kind === "ok" || result.kind === "already_done") {
            return { ...result, adjustedPendingExpiry: { at, variablesJson: JSON.stringify(variables) } };
          }
        }
      }
      return result;
    } catch (error) {
      // callPaymentsApi does not throw for HTTP problems; anything else is still worth a retry.
      return { kind: "retry", reason: redact(`unexpected error: ${errorText(error)}`, [accessToken]) };
    }
  }

  /** Did Shopify already accept a mutation for this payment session (so it surely had the app's answer)? */
  async function shopifyHadTheAnswer(message: MessageRow): Promise<boolean> {
    if (!message.paymentSessionId) return false;
    const delivered = await db.outboxMessage.findFirst({
      where: { paymentSessionId: message.paymentSessionId, status: "delivered", id: { not: message.id } },
      select: { id: true },
    });
    if (delivered) return true;
    const session = await db.paymentSession.findUnique({
      where: { id: message.paymentSessionId },
      select: { nextActionUrl: true },
    });
    return Boolean(session?.nextActionUrl);
  }

  async function attemptClaimed(id: string, claimToken: string): Promise<AttemptVerdict> {
    const message = await db.outboxMessage.findUnique({ where: { id } });
    if (!message || message.lockedBy !== claimToken) return "locked";
    const startedAt = now();
    const t0 = performance.now();
    const sent = await send(message);
    let result: PaymentsApiResult = sent;
    const durationMs = Math.max(0, Math.round(performance.now() - t0));
    const finishedAt = now();
    const age = finishedAt.getTime() - message.createdAt.getTime();

    let ambiguityNote = "";
    if (result.kind === "conflict" && result.ambiguous) {
      const certain = await shopifyHadTheAnswer(message);
      if (!certain && age < ambiguousGraceMs) {
        result = {
          kind: "retry",
          reason: `${describePaymentsApiResult(result)} — Shopify may not have the session answer yet; retrying`,
          httpStatus: result.httpStatus,
          userErrors: result.userErrors,
        };
      } else {
        ambiguityNote = certain
          ? " (Shopify had already accepted a mutation for this session: a real conflict)"
          : ` (still refused after ${Math.round(ambiguousGraceMs / 1000)} s)`;
      }
    }

    const attempts = message.attempts + 1;
    const httpStatus = "httpStatus" in result && typeof result.httpStatus === "number" ? result.httpStatus : null;
    const resultText = describePaymentsApiResult(result) + ambiguityNote;
    let outcome: OutboxAttemptOutcome;
    let verdict: Exclude<AttemptVerdict, "locked">;
    let deadReason: "conflict" | "fatal" | "max_age" | null = null;
    const release = { lockedBy: null, lockedUntil: null };
    let data: Parameters<Db["outboxMessage"]["updateMany"]>[0]["data"];

    switch (result.kind) {
      case "ok":
      case "already_done":
        outcome = result.kind === "ok" ? "delivered" : "already_done";
        verdict = "delivered";
        data = {
          ...release,
          status: "delivered",
          attempts,
          deliveredAt: finishedAt,
          resultJson: JSON.stringify(
            result.kind === "ok"
              ? { kind: "ok", nextActionUrl: result.nextActionUrl, data: result.data }
              : { kind: "already_done", userErrors: result.userErrors },
          ),
        };
        break;
      case "retry":
        if (age >= maxAgeMs) {
          outcome = "dead";
          verdict = "dead";
          deadReason = "max_age";
          data = { ...release, status: "dead", attempts, deadAt: finishedAt, lastError: `${resultText} (gave up after ${Math.round(age / 60_000)} min)` };
        } else {
          outcome = "retry";
          verdict = "retry";
          const delay = nextAttemptDelayMs(attempts, backoff, result.retryAfterMs, random);
          data = { ...release, attempts, nextAttemptAt: new Date(finishedAt.getTime() + delay), lastError: resultText };
        }
        break;
      case "conflict":
        outcome = "user_error";
        verdict = "dead";
        deadReason = "conflict";
        data = { ...release, status: "dead", attempts, deadAt: finishedAt, lastError: resultText };
        break;
      case "fatal":
        outcome = "dead";
        verdict = "dead";
        deadReason = "fatal";
        data = { ...release, status: "dead", attempts, deadAt: finishedAt, lastError: resultText };
        break;
    }

    const lockLost = await db.$transaction(async (tx) => {
      // Write first (SQLite then waits for its write lock instead of failing on a stale snapshot).
      const { count } = await tx.outboxMessage.updateMany({
        where: { id: message.id, lockedBy: claimToken, status: "pending" },
        data,
      });
      await tx.outboxAttempt.create({
        data: {
          outboxMessageId: message.id,
          startedAt,
          durationMs,
          httpStatus,
          outcome,
          error:
            outcome === "delivered"
              ? count === 1
                ? null
                : "claim expired before the outcome was written"
              : count === 1
                ? resultText
                : `${resultText} (claim expired before the outcome was written)`,
        },
      });
      if (count !== 1) return true;

      if (verdict === "delivered") {
        const adjusted = sent.adjustedPendingExpiry;
        if (adjusted) {
          // What Shopify holds now: the message's variables and the session's expiry follow it.
          await tx.outboxMessage.updateMany({ where: { id: message.id }, data: { variablesJson: adjusted.variablesJson } });
          if (message.paymentSessionId) {
            await tx.paymentSession.updateMany({ where: { id: message.paymentSessionId }, data: { pendingExpiresAt: adjusted.at } });
          }
        }
        if (message.paymentSessionId && result.kind === "ok" && result.nextActionUrl) {
          await tx.paymentSession.updateMany({
            where: { id: message.paymentSessionId },
            data: { nextActionUrl: result.nextActionUrl },
          });
        }
        if (message.refundSessionId && isRefundSessionMutation(message.mutation)) {
          await tx.refundSession.updateMany({
            where: { id: message.refundSessionId },
            data: { state: message.mutation === "refundSessionResolve" ? "resolved" : "rejected" },
          });
          await tx.refundSession.updateMany({
            where: { id: message.refundSessionId, decidedAt: null },
            data: { decidedAt: finishedAt },
          });
        }
      }
      if (verdict === "dead") {
        let paymentSessionId = message.paymentSessionId;
        if (!paymentSessionId && message.refundSessionId) {
          const refund = await tx.refundSession.findUnique({
            where: { id: message.refundSessionId },
            select: { paymentSessionId: true },
          });
          paymentSessionId = refund?.paymentSessionId ?? null;
        }
        const dedupeKey = `outbox_dead_letter:${message.id}`;
        if (paymentSessionId && !(await tx.soisyEvent.findUnique({ where: { dedupeKey }, select: { id: true } }))) {
          const userErrors: PaymentsApiUserError[] | undefined =
            result.kind === "conflict" || (result.kind === "retry" && result.userErrors) ? result.userErrors : undefined;
          await tx.soisyEvent.create({
            data: {
              shop: message.shop,
              paymentSessionId,
              source: "app",
              type: "outbox_dead_letter",
              dedupeKey,
              detailJson: JSON.stringify({
                messageId: message.id,
                mutation: message.mutation,
                ...(message.refundSessionId ? { refundSessionId: message.refundSessionId } : {}),
                reason: deadReason,
                attempts,
                lastError: resultText,
                ...(userErrors ? { userErrors } : {}),
              }),
            },
          });
        }
      }
      return false;
    });

    const fields = {
      messageId: message.id,
      mutation: message.mutation,
      shop: message.shop,
      paymentSessionId: message.paymentSessionId,
      refundSessionId: message.refundSessionId,
      attempt: attempts,
      httpStatus,
      durationMs,
    };
    if (lockLost) {
      log.warn({ ...fields, result: resultText }, "outbox claim expired during delivery; the new owner's outcome stands");
      return "locked";
    }
    if (verdict === "delivered") log.info({ ...fields, outcome }, "Shopify mutation delivered");
    else if (verdict === "retry") {
      log.warn({ ...fields, error: resultText, nextAttemptAt: (data.nextAttemptAt as Date).toISOString() }, "Shopify mutation failed; will retry");
    } else {
      log.error({ ...fields, reason: deadReason, error: resultText }, "Shopify mutation dead-lettered: the merchant must act");
    }
    return verdict;
  }

  async function runPass(): Promise<OutboxRunReport> {
    const report: OutboxRunReport = { claimed: 0, delivered: 0, retried: 0, dead: 0 };
    const due = await db.outboxMessage.findMany({
      where: dueWhere(now()),
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
          const claimToken = await claim(item.id);
          if (!claimToken) continue;
          report.claimed += 1;
          const verdict = await attemptClaimed(item.id, claimToken);
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
        const claimToken = await claim(messageId);
        if (!claimToken) return (await status()) ?? "locked";
        const verdict = await attemptClaimed(messageId, claimToken);
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { OutboxMutation };
