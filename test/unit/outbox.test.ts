/** The outbox's pure parts: backoff, dedupe keys and the checks made before a message is written. */
import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  isOutboxMutation,
  nextAttemptDelayMs,
  OutboxEnqueueError,
  outboxDedupeKey,
  prepareOutboxMessage,
} from "~/payments/outbox.server";

const policy = { baseMs: 1_000, maxMs: 600_000 };
const PAYMENT_ID = "u0nwmSrNntjIWozmNslK5Tlq";
const GID = `gid://shopify/PaymentSession/${PAYMENT_ID}`;

describe("backoff (exponential, full jitter, capped)", () => {
  it("the ceiling doubles per failed attempt: base·2^(n−1)", () => {
    const top = () => 0.999_999;
    expect(backoffDelayMs(1, policy, top)).toBe(999);
    expect(backoffDelayMs(2, policy, top)).toBe(1_999);
    expect(backoffDelayMs(3, policy, top)).toBe(3_999);
    expect(backoffDelayMs(10, policy, top)).toBe(511_999);
  });

  it("is capped at maxMs, even for huge attempt counts", () => {
    expect(backoffDelayMs(11, policy, () => 0.999_999)).toBe(599_999);
    expect(backoffDelayMs(5_000, policy, () => 0.999_999)).toBe(599_999);
  });

  it("full jitter: uniform in [0, ceiling)", () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(2_000);
    const seen = Array.from({ length: 200 }, () => backoffDelayMs(4, policy));
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...seen)).toBeLessThan(8_000);
    expect(new Set(seen).size).toBeGreaterThan(50);
  });

  it("Retry-After wins when it is longer than the backoff, and never shortens it", () => {
    expect(nextAttemptDelayMs(1, policy, 30_000, () => 0.5)).toBe(30_000);
    expect(nextAttemptDelayMs(5, policy, 1_000, () => 0.5)).toBe(8_000);
    expect(nextAttemptDelayMs(5, policy, undefined, () => 0.5)).toBe(8_000);
  });
});

describe("prepareOutboxMessage", () => {
  it("keys a message by (session, mutation) and stores the validated variables", () => {
    const prepared = prepareOutboxMessage({
      shop: "s.myshopify.com",
      paymentSessionId: PAYMENT_ID,
      mutation: "paymentSessionReject",
      variables: { id: GID, reason: { code: "INSTRUMENT_DECLINED", merchantMessage: "no" } },
    });
    expect(prepared.dedupeKey).toBe(`${PAYMENT_ID}:paymentSessionReject`);
    expect(prepared.dedupeKey).toBe(outboxDedupeKey(PAYMENT_ID, "paymentSessionReject"));
    expect(JSON.parse(prepared.variablesJson)).toEqual({ id: GID, reason: { code: "INSTRUMENT_DECLINED", merchantMessage: "no" } });
  });

  it("refund mutations are keyed by the refund session", () => {
    expect(
      prepareOutboxMessage({
        shop: "s.myshopify.com",
        refundSessionId: "r1",
        mutation: "refundSessionResolve",
        variables: { id: "gid://shopify/RefundSession/r1" },
      }).dedupeKey,
    ).toBe("r1:refundSessionResolve");
  });

  it("capture and void mutations are keyed by the settlement session and name its gid", () => {
    const capture = prepareOutboxMessage({
      shop: "s.myshopify.com",
      settlementSessionId: "c1",
      mutation: "captureSessionReject",
      variables: { id: "gid://shopify/CaptureSession/c1", reason: { code: "AUTHORIZATION_EXPIRED", merchantMessage: "expired" } },
    });
    expect(capture.dedupeKey).toBe("c1:captureSessionReject");
    expect(prepareOutboxMessage({ shop: "s", settlementSessionId: "v1", mutation: "voidSessionResolve", variables: { id: "gid://shopify/VoidSession/v1" } }).dedupeKey).toBe(
      "v1:voidSessionResolve",
    );
    expect(isOutboxMutation("captureSessionResolve") && isOutboxMutation("voidSessionReject")).toBe(true);
    expect(isOutboxMutation("paymentsAppConfigure")).toBe(false);
  });

  it.each([
    ["a payment mutation without paymentSessionId", { refundSessionId: "r1", mutation: "paymentSessionResolve", variables: { id: GID } }, /needs paymentSessionId/],
    ["both ids", { paymentSessionId: PAYMENT_ID, refundSessionId: "r1", mutation: "paymentSessionResolve", variables: { id: GID } }, /takes only/],
    ["another session's gid", { paymentSessionId: "other", mutation: "paymentSessionResolve", variables: { id: GID } }, /is not the gid of other/],
    ["a refund gid on a payment mutation", { paymentSessionId: PAYMENT_ID, mutation: "paymentSessionResolve", variables: { id: `gid://shopify/RefundSession/${PAYMENT_ID}` } }, /invalid variables/],
    ["a pending without expiry", { paymentSessionId: PAYMENT_ID, mutation: "paymentSessionPending", variables: { id: GID, reason: "PARTNER_ACTION_REQUIRED" } }, /pendingExpiresAt/],
    ["a capture without settlementSessionId", { refundSessionId: "c1", mutation: "captureSessionResolve", variables: { id: "gid://shopify/CaptureSession/c1" } }, /needs settlementSessionId/],
    ["a capture with a payment id too", { settlementSessionId: "c1", paymentSessionId: PAYMENT_ID, mutation: "captureSessionResolve", variables: { id: "gid://shopify/CaptureSession/c1" } }, /takes only/],
    ["a void gid on a capture mutation", { settlementSessionId: "c1", mutation: "captureSessionResolve", variables: { id: "gid://shopify/VoidSession/c1" } }, /invalid variables/],
    ["another capture's gid", { settlementSessionId: "c2", mutation: "captureSessionResolve", variables: { id: "gid://shopify/CaptureSession/c1" } }, /is not the gid of c2/],
    ["paymentsAppConfigure (not an outbox mutation)", { paymentSessionId: PAYMENT_ID, mutation: "paymentsAppConfigure", variables: { ready: true } }, /does not go through the outbox/],
  ])("refuses %s", (_name, input, error) => {
    expect(() => prepareOutboxMessage({ shop: "s.myshopify.com", ...(input as object) } as never)).toThrow(error);
    expect(() => prepareOutboxMessage({ shop: "s.myshopify.com", ...(input as object) } as never)).toThrow(OutboxEnqueueError);
  });
});
