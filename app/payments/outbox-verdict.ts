/**
 * What a finished outbox delivery means for its message: the PURE verdict of the worker
 * (outbox-worker.server.ts). From Shopify's classified answer (or the error that stood in for one), the
 * message's attempts and age, and the worker's limits, it says `delivered`, `retry` (at a time) or `dead`
 * (conflict, fatal, or too old), with everything the apply step writes (outbox-apply.server.ts). No I/O
 * and no clock: the caller passes `finishedAt`, the jitter source and, for an ambiguous conflict only,
 * whether Shopify already had the session's answer (`isAmbiguousConflict` says when to look it up).
 *
 *   ok / already_done → delivered
 *   retry             → retry at finishedAt + max(Retry-After, full-jitter backoff); dead once the message
 *                       is older than maxAgeMs
 *   conflict / fatal  → dead at once
 *   ambiguous conflict → retried while Shopify may not have the session answer yet (it had none and the
 *                       message is younger than ambiguousGraceMs); otherwise a dead conflict
 */
import {
  describePaymentsApiResult,
  type PaymentsApiResult,
  type PaymentsApiUserError,
} from "~/shopify/payments-api.server";
import { nextAttemptDelayMs, type BackoffPolicy, type OutboxAttemptOutcome } from "./outbox.server";

export type OutboxDeadReason = "conflict" | "fatal" | "max_age";

export interface OutboxVerdictLimits {
  /** A message still failing this long after it was enqueued is dead-lettered. */
  maxAgeMs: number;
  /** How long an ambiguous "already rejected, or not yet received" answer is retried. */
  ambiguousGraceMs: number;
  backoff: BackoffPolicy;
  /** Jitter source for the backoff (Math.random in production). */
  random: () => number;
}

export interface OutboxVerdictInput {
  result: PaymentsApiResult;
  /** Attempts made before this one. */
  attemptsBefore: number;
  /** When the message was enqueued. */
  createdAt: Date;
  /** When this attempt's call finished (the worker's clock). */
  finishedAt: Date;
  /**
   * For an ambiguous conflict: did Shopify already accept a mutation for the payment session (so it surely
   * had the app's answer)? Ignored for any other answer.
   */
  shopifyHadTheAnswer?: boolean;
}

interface VerdictBase {
  /** The message's attempts after this one. */
  attempts: number;
  /** OutboxAttempt.outcome. */
  outcome: OutboxAttemptOutcome;
  httpStatus: number | null;
  /** One line for the attempt row, the logs and the dead letter. */
  resultText: string;
}

export type OutboxVerdict =
  | (VerdictBase & {
      kind: "delivered";
      outcome: "delivered" | "already_done";
      /** OutboxMessage.resultJson. */
      resultJson: string;
      /** Shopify's nextAction redirect (ok answers only). */
      nextActionUrl: string | null;
    })
  | (VerdictBase & { kind: "retry"; outcome: "retry"; nextAttemptAt: Date })
  | (VerdictBase & {
      kind: "dead";
      outcome: "dead" | "user_error";
      reason: OutboxDeadReason;
      /** OutboxMessage.lastError (the max-age case says how long it tried). */
      lastError: string;
      /** Shopify's userErrors, shown in the dead letter. */
      userErrors?: PaymentsApiUserError[];
    });

/** Only for this answer does the verdict need to know whether Shopify already had the session's answer. */
export function isAmbiguousConflict(result: PaymentsApiResult): boolean {
  return result.kind === "conflict" && result.ambiguous === true;
}

/**
 * An ambiguous conflict is retried while Shopify may not have the session's answer yet; past that it is a
 * conflict, with a note saying why the app believes it.
 */
function settleAmbiguity(input: OutboxVerdictInput, age: number, graceMs: number): { result: PaymentsApiResult; note: string } {
  const result = input.result;
  if (result.kind !== "conflict" || !result.ambiguous) return { result, note: "" };
  const certain = input.shopifyHadTheAnswer === true;
  if (!certain && age < graceMs) {
    return {
      result: {
        kind: "retry",
        reason: `${describePaymentsApiResult(result)} — Shopify may not have the session answer yet; retrying`,
        httpStatus: result.httpStatus,
        userErrors: result.userErrors,
      },
      note: "",
    };
  }
  return {
    result,
    note: certain
      ? " (Shopify had already accepted a mutation for this session: a real conflict)"
      : ` (still refused after ${Math.round(graceMs / 1000)} s)`,
  };
}

export function outboxVerdict(input: OutboxVerdictInput, limits: OutboxVerdictLimits): OutboxVerdict {
  const { finishedAt } = input;
  const age = finishedAt.getTime() - input.createdAt.getTime();
  const { result, note } = settleAmbiguity(input, age, limits.ambiguousGraceMs);
  const attempts = input.attemptsBefore + 1;
  const httpStatus = "httpStatus" in result && typeof result.httpStatus === "number" ? result.httpStatus : null;
  const resultText = describePaymentsApiResult(result) + note;
  const base = { attempts, httpStatus, resultText };
  const userErrors = result.kind === "conflict" || (result.kind === "retry" && result.userErrors) ? result.userErrors : undefined;
  const dead = (outcome: "dead" | "user_error", reason: OutboxDeadReason, lastError = resultText): OutboxVerdict => ({
    ...base,
    kind: "dead",
    outcome,
    reason,
    lastError,
    ...(userErrors ? { userErrors } : {}),
  });

  switch (result.kind) {
    case "ok":
      return {
        ...base,
        kind: "delivered",
        outcome: "delivered",
        resultJson: JSON.stringify({ kind: "ok", nextActionUrl: result.nextActionUrl, data: result.data }),
        nextActionUrl: result.nextActionUrl,
      };
    case "already_done":
      return {
        ...base,
        kind: "delivered",
        outcome: "already_done",
        resultJson: JSON.stringify({ kind: "already_done", userErrors: result.userErrors }),
        nextActionUrl: null,
      };
    case "retry": {
      if (age >= limits.maxAgeMs) {
        return dead("dead", "max_age", `${resultText} (gave up after ${Math.round(age / 60_000)} min)`);
      }
      const delay = nextAttemptDelayMs(attempts, limits.backoff, result.retryAfterMs, limits.random);
      return { ...base, kind: "retry", outcome: "retry", nextAttemptAt: new Date(finishedAt.getTime() + delay) };
    }
    case "conflict":
      return dead("user_error", "conflict");
    case "fatal":
      return dead("dead", "fatal");
  }
}
