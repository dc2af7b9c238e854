/**
 * Delivers the outbox (outbox.server.ts) to Shopify's Payments Apps API.
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
 * `superseded`, resultJson `{kind: "superseded"}`) without an HTTP call. A pending Shopify still refuses
 * with PENDING_INVALID_STATE "already resolved or rejected" is `already_done`: info log, no merchant alert.
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

type MessageRow = NonNullable<Awaited<ReturnType<Db["outboxMessage"]["findUnique"]>>>;

/** What a finished attempt did to its message ("locked": the claim expired meanwhile; nothing written). */
type AttemptVerdict = "delivered" | "retry" | "dead" | "locked";

const HOUR = 3_600_000;

/** The outbox claim's lease (renewed every quarter of it while a delivery runs). */
export const DEFAULT_OUTBOX_LEASE_MS = 8_000;

interface Claim {
  token: string;
  /** performance.now() by which the lease surely holds. */
  heldUntil: number;
}

interface Lease {
  /** Aborted when the claim was taken over or could not be renewed in time. */
  readonly signal: AbortSignal;
  readonly lost: "taken_over" | "lapsing" | null;
  stop(): void;
}

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
  /** A holder that could not confirm its lease abandons its call this long before the lease would lapse. */
  const leaseMarginMs = Math.floor(lockMs / 4);
  if (batchSize < 1 || concurrency < 1) throw new Error("outbox worker: batchSize and concurrency must be ≥ 1");

  const dueWhere = (at: Date) => ({
    status: "pending",
    nextAttemptAt: { lte: at },
    OR: [{ lockedUntil: null }, { lockedUntil: { lte: at } }],
  });

  /**
   * Conditional claim: returns this claim's token when exactly this worker got the message, and the
   * monotonic time (performance.now()) by which the lease surely holds (measured from before the write).
   */
  async function claim(id: string): Promise<Claim | null> {
    const issued = performance.now();
    const at = now();
    const token = `${workerId}#${randomUUID().slice(0, 8)}`;
    const { count } = await db.outboxMessage.updateMany({
      where: { id, ...dueWhere(at) },
      data: { lockedBy: token, lockedUntil: new Date(at.getTime() + lockMs) },
    });
    return count === 1 ? { token, heldUntil: issued + lockMs } : null;
  }

  /**
   * Keeps a claim alive while its delivery runs: renews it every heartbeatMs (compare-and-set on the
   * token) and aborts `signal` when the claim was taken over, or when no renewal was confirmed and the
   * lease would lapse within leaseMarginMs (the call is abandoned before anyone else may take the message).
   */
  function holdLease(messageId: string, claimed: Claim): Lease {
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

  /** The resolve / reject of the same payment that makes a queued pending pointless, if any. */
  async function supersedingMessage(message: MessageRow): Promise<{ id: string; mutation: string } | null> {
    if (message.mutation !== "paymentSessionPending" || !message.paymentSessionId) return null;
    return db.outboxMessage.findFirst({
      where: {
        paymentSessionId: message.paymentSessionId,
        mutation: { in: ["paymentSessionResolve", "paymentSessionReject"] },
        status: { in: ["pending", "delivered"] },
      },
      select: { id: true, mutation: true },
    });
  }

  async function send(message: MessageRow, signal: AbortSignal): Promise<SendResult> {
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
    // callPaymentsApi takes no AbortSignal: the lease's signal joins the request's own through fetch.
    const baseFetch = fetchImpl ?? globalThis.fetch;
    const leasedFetch: typeof fetch = (input, init) =>
      baseFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    const call = async (variables: unknown): Promise<PaymentsApiResult> => {
      if (signal.aborted) return { kind: "retry", reason: "the claim was lost before the request was sent" };
      const result = await callPaymentsApi({
        endpoint,
        accessToken,
        mutation,
        variables: variables as never,
        timeoutMs,
        now,
        fetch: leasedFetch,
      });
      // An abandoned call's outcome is unknown (Shopify may have applied it): a retry, like a timeout.
      return signal.aborted && result.kind === "retry"
        ? { kind: "retry", reason: `call abandoned: the claim was lost or could not be renewed (${result.reason})` }
        : result;
    };
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

  /** Closes a pending that a resolve / reject of the same payment superseded (no HTTP call). */
  async function closeSuperseded(message: MessageRow, claimToken: string, by: { id: string; mutation: string }): Promise<AttemptVerdict> {
    const at = now();
    const closed = await db.$transaction(async (tx) => {
      const { count } = await tx.outboxMessage.updateMany({
        where: { id: message.id, lockedBy: claimToken, status: "pending" },
        data: {
          lockedBy: null,
          lockedUntil: null,
          status: "delivered",
          deliveredAt: at,
          resultJson: JSON.stringify({ kind: "superseded", by: { messageId: by.id, mutation: by.mutation } }),
        },
      });
      if (count !== 1) return false;
      await tx.outboxAttempt.create({
        data: { outboxMessageId: message.id, startedAt: at, durationMs: 0, httpStatus: null, outcome: "superseded", error: null },
      });
      return true;
    });
    if (!closed) return "locked";
    log.info(
      { messageId: message.id, mutation: message.mutation, paymentSessionId: message.paymentSessionId, supersededBy: by.mutation, supersedingMessageId: by.id },
      "pending not sent: superseded by the payment's resolve / reject",
    );
    return "delivered";
  }

  async function attemptClaimed(id: string, claimed: Claim): Promise<AttemptVerdict> {
    const claimToken = claimed.token;
    const lease = holdLease(id, claimed);
    try {
      return await attemptLeased(id, claimToken, lease);
    } finally {
      lease.stop();
    }
  }

  async function attemptLeased(id: string, claimToken: string, lease: Lease): Promise<AttemptVerdict> {
    const message = await db.outboxMessage.findUnique({ where: { id } });
    if (!message || message.lockedBy !== claimToken) return "locked";
    const superseding = await supersedingMessage(message);
    if (superseding) return closeSuperseded(message, claimToken, superseding);
    const startedAt = now();
    const t0 = performance.now();
    const sent = await send(message, lease.signal);
    // The call is over: no more renewals (the outcome write below is compare-and-set on the token).
    lease.stop();
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
    if (verdict === "delivered" && message.mutation === "paymentSessionPending" && outcome === "already_done") {
      // PENDING_INVALID_STATE "already resolved or rejected": the final answer reached Shopify first.
      log.info({ ...fields, outcome }, "pending refused by Shopify: the payment is already resolved or rejected; closed, nothing to do");
    } else if (verdict === "delivered") log.info({ ...fields, outcome }, "Shopify mutation delivered");
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
          const claimed = await claim(item.id);
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
        const claimed = await claim(messageId);
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { OutboxMutation };
