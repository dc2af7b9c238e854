/**
 * The outbox worker's pure verdict (app/payments/outbox-verdict.ts): each row is one branch of
 * "Shopify's answer + the message's attempts and age → delivered / retry at / dead", compared whole.
 */
import { describe, expect, it } from "vitest";
import { deadLetterDedupeKey, OUTBOX_DEAD_LETTER_EVENT } from "~/payments/outbox-keys";
import { isAmbiguousConflict, outboxVerdict, type OutboxVerdict, type OutboxVerdictInput } from "~/payments/outbox-verdict";
import type { PaymentsApiResult, PaymentsApiUserError } from "~/shopify/payments-api.server";

const MIN = 60_000;
const HOUR = 60 * MIN;
const limits = { maxAgeMs: 72 * HOUR, ambiguousGraceMs: 15 * MIN, backoff: { baseMs: 1_000, maxMs: 600_000 }, random: () => 0.5 };
const FINISHED = new Date("2026-03-01T12:00:00.000Z");
const at = (ms: number) => new Date(FINISHED.getTime() + ms);
/** A message enqueued `ageMs` before the attempt finished, with `attemptsBefore` earlier attempts. */
const input = (result: PaymentsApiResult, ageMs: number, extra: Partial<OutboxVerdictInput> = {}): OutboxVerdictInput => ({
  result,
  attemptsBefore: 2,
  createdAt: at(-ageMs),
  finishedAt: FINISHED,
  ...extra,
});

const REJECTED: PaymentsApiUserError[] = [{ field: ["id"], message: "Payment session already rejected", code: "PAYMENT_STATE_ERROR" }];
const AMBIGUOUS: PaymentsApiUserError[] = [
  { field: null, message: "already rejected or the response to start_payment_session request has not been received" },
];
const DONE: PaymentsApiUserError[] = [{ field: null, message: "already resolved or rejected", code: "PENDING_INVALID_STATE" }];
const okData = { paymentSessionResolve: { paymentSession: null, userErrors: [] } } as never;
const ambiguous: PaymentsApiResult = { kind: "conflict", userErrors: AMBIGUOUS, ambiguous: true, httpStatus: 200 };
const AMBIGUOUS_TEXT = "conflict (or not yet received): already rejected or the response to start_payment_session request has not been received";

describe("outboxVerdict", () => {
  const rows: { name: string; input: OutboxVerdictInput; limits?: typeof limits; expected: OutboxVerdict }[] = [
    {
      name: "ok → delivered, with Shopify's redirect",
      input: input({ kind: "ok", nextActionUrl: "https://shop.example/next", data: okData, httpStatus: 200 }, MIN),
      expected: {
        kind: "delivered",
        outcome: "delivered",
        attempts: 3,
        httpStatus: 200,
        resultText: "ok",
        resultJson: JSON.stringify({ kind: "ok", nextActionUrl: "https://shop.example/next", data: okData }),
        nextActionUrl: "https://shop.example/next",
      },
    },
    {
      name: "ok without a redirect → delivered, nextActionUrl null",
      input: input({ kind: "ok", nextActionUrl: null, data: okData, httpStatus: 200 }, MIN, { attemptsBefore: 0 }),
      expected: {
        kind: "delivered",
        outcome: "delivered",
        attempts: 1,
        httpStatus: 200,
        resultText: "ok",
        resultJson: JSON.stringify({ kind: "ok", nextActionUrl: null, data: okData }),
        nextActionUrl: null,
      },
    },
    {
      name: "already_done → delivered (outcome already_done), even when old",
      input: input({ kind: "already_done", userErrors: DONE, httpStatus: 200 }, 100 * HOUR),
      expected: {
        kind: "delivered",
        outcome: "already_done",
        attempts: 3,
        httpStatus: 200,
        resultText: "already done: already resolved or rejected",
        resultJson: JSON.stringify({ kind: "already_done", userErrors: DONE }),
        nextActionUrl: null,
      },
    },
    {
      name: "retry, young → retry at finishedAt + jittered backoff (attempt 3: half of 4 s)",
      input: input({ kind: "retry", reason: "HTTP 503", httpStatus: 503 }, MIN),
      expected: { kind: "retry", outcome: "retry", attempts: 3, httpStatus: 503, resultText: "HTTP 503", nextAttemptAt: at(2_000) },
    },
    {
      name: "retry with a longer Retry-After → retry at Retry-After; no status → httpStatus null",
      input: input({ kind: "retry", reason: "throttled", retryAfterMs: 30_000 }, MIN),
      expected: { kind: "retry", outcome: "retry", attempts: 3, httpStatus: null, resultText: "throttled", nextAttemptAt: at(30_000) },
    },
    {
      name: "retry just younger than maxAgeMs → still retried",
      input: input({ kind: "retry", reason: "timeout" }, 72 * HOUR - 1),
      expected: { kind: "retry", outcome: "retry", attempts: 3, httpStatus: null, resultText: "timeout", nextAttemptAt: at(2_000) },
    },
    {
      name: "retry at maxAgeMs → dead (max_age), lastError says how long it tried",
      input: input({ kind: "retry", reason: "timeout", httpStatus: 504 }, 72 * HOUR),
      expected: {
        kind: "dead",
        outcome: "dead",
        reason: "max_age",
        attempts: 3,
        httpStatus: 504,
        resultText: "timeout",
        lastError: "timeout (gave up after 4320 min)",
      },
    },
    {
      name: "retry carrying userErrors past maxAgeMs → dead (max_age) with the userErrors",
      input: input({ kind: "retry", reason: "not yet", userErrors: DONE }, 73 * HOUR),
      expected: {
        kind: "dead",
        outcome: "dead",
        reason: "max_age",
        attempts: 3,
        httpStatus: null,
        resultText: "not yet",
        lastError: "not yet (gave up after 4380 min)",
        userErrors: DONE,
      },
    },
    {
      name: "conflict → dead at once (user_error), with the userErrors",
      input: input({ kind: "conflict", userErrors: REJECTED, httpStatus: 200 }, MIN, { shopifyHadTheAnswer: false }),
      expected: {
        kind: "dead",
        outcome: "user_error",
        reason: "conflict",
        attempts: 3,
        httpStatus: 200,
        resultText: "conflict: PAYMENT_STATE_ERROR: Payment session already rejected",
        lastError: "conflict: PAYMENT_STATE_ERROR: Payment session already rejected",
        userErrors: REJECTED,
      },
    },
    {
      name: "fatal → dead at once, no userErrors",
      input: input({ kind: "fatal", reason: "HTTP 404", httpStatus: 404 }, MIN),
      expected: { kind: "dead", outcome: "dead", reason: "fatal", attempts: 3, httpStatus: 404, resultText: "HTTP 404", lastError: "HTTP 404" },
    },
    {
      name: "fatal without a status → httpStatus null",
      input: input({ kind: "fatal", reason: "variablesJson is not JSON" }, MIN, { attemptsBefore: 0 }),
      expected: {
        kind: "dead",
        outcome: "dead",
        reason: "fatal",
        attempts: 1,
        httpStatus: null,
        resultText: "variablesJson is not JSON",
        lastError: "variablesJson is not JSON",
      },
    },
    {
      name: "ambiguous conflict, Shopify without the answer, within the grace → retry",
      input: input(ambiguous, 15 * MIN - 1, { shopifyHadTheAnswer: false }),
      expected: {
        kind: "retry",
        outcome: "retry",
        attempts: 3,
        httpStatus: 200,
        resultText: `${AMBIGUOUS_TEXT} — Shopify may not have the session answer yet; retrying`,
        nextAttemptAt: at(2_000),
      },
    },
    {
      name: "ambiguous conflict, answer unknown (not looked up), within the grace → retry",
      input: input(ambiguous, MIN),
      expected: {
        kind: "retry",
        outcome: "retry",
        attempts: 3,
        httpStatus: 200,
        resultText: `${AMBIGUOUS_TEXT} — Shopify may not have the session answer yet; retrying`,
        nextAttemptAt: at(2_000),
      },
    },
    {
      name: "ambiguous conflict past the grace → dead conflict, saying how long it was refused",
      input: input(ambiguous, 15 * MIN, { shopifyHadTheAnswer: false }),
      expected: {
        kind: "dead",
        outcome: "user_error",
        reason: "conflict",
        attempts: 3,
        httpStatus: 200,
        resultText: `${AMBIGUOUS_TEXT} (still refused after 900 s)`,
        lastError: `${AMBIGUOUS_TEXT} (still refused after 900 s)`,
        userErrors: AMBIGUOUS,
      },
    },
    {
      name: "ambiguous conflict when Shopify had the answer → dead conflict at once",
      input: input(ambiguous, MIN, { shopifyHadTheAnswer: true }),
      expected: {
        kind: "dead",
        outcome: "user_error",
        reason: "conflict",
        attempts: 3,
        httpStatus: 200,
        resultText: `${AMBIGUOUS_TEXT} (Shopify had already accepted a mutation for this session: a real conflict)`,
        lastError: `${AMBIGUOUS_TEXT} (Shopify had already accepted a mutation for this session: a real conflict)`,
        userErrors: AMBIGUOUS,
      },
    },
    {
      name: "ambiguous conflict retried within a grace longer than maxAgeMs → dead (max_age) with the userErrors",
      input: input(ambiguous, 2 * HOUR, { shopifyHadTheAnswer: false }),
      limits: { ...limits, maxAgeMs: HOUR, ambiguousGraceMs: 3 * HOUR },
      expected: {
        kind: "dead",
        outcome: "dead",
        reason: "max_age",
        attempts: 3,
        httpStatus: 200,
        resultText: `${AMBIGUOUS_TEXT} — Shopify may not have the session answer yet; retrying`,
        lastError: `${AMBIGUOUS_TEXT} — Shopify may not have the session answer yet; retrying (gave up after 120 min)`,
        userErrors: AMBIGUOUS,
      },
    },
  ];

  it.each(rows)("$name", ({ input: given, limits: custom, expected }) => {
    expect(outboxVerdict(given, custom ?? limits)).toEqual(expected);
  });

  it("the jitter source decides where in the backoff window the retry lands", () => {
    const retry: PaymentsApiResult = { kind: "retry", reason: "HTTP 502", httpStatus: 502 };
    const low = outboxVerdict(input(retry, MIN), { ...limits, random: () => 0 });
    const high = outboxVerdict(input(retry, MIN), { ...limits, random: () => 0.999_999 });
    expect(low).toMatchObject({ kind: "retry", nextAttemptAt: FINISHED });
    expect(high).toMatchObject({ kind: "retry", nextAttemptAt: at(3_999) });
  });
});

describe("isAmbiguousConflict (when the worker must ask whether Shopify had the answer)", () => {
  it.each<[PaymentsApiResult, boolean]>([
    [ambiguous, true],
    [{ kind: "conflict", userErrors: REJECTED, httpStatus: 200 }, false],
    [{ kind: "retry", reason: "HTTP 503" }, false],
    [{ kind: "already_done", userErrors: DONE, httpStatus: 200 }, false],
    [{ kind: "fatal", reason: "HTTP 404" }, false],
  ])("%o → %s", (result, expected) => {
    expect(isAmbiguousConflict(result)).toBe(expected);
  });
});

describe("the dead letter's key", () => {
  it("is the event type and the message id (the operator CLI finds the row by it)", () => {
    expect(OUTBOX_DEAD_LETTER_EVENT).toBe("outbox_dead_letter");
    expect(deadLetterDedupeKey("obx_123")).toBe("outbox_dead_letter:obx_123");
  });
});
