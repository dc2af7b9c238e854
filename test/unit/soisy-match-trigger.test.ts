/**
 * How a refused match-trigger is read (app/soisy/match-trigger.ts): Soisy publishes neither the
 * statuses nor the texts, so the reasons come from the status, the `amount` field and keywords in
 * English or Italian; anything else stays `rejected` with Soisy's messages.
 */
import { describe, expect, it } from "vitest";
import { SoisyServerError } from "~/soisy/errors";
import {
  isMatchTriggerRefusal,
  matchTriggerErrorFromResponse,
  matchTriggerRefusalOf,
  soisyMessagesOf,
} from "~/soisy/match-trigger";

const refusal = (status: number, body: unknown) =>
  matchTriggerErrorFromResponse({ method: "POST", path: "/api/shops/s/orders/t/match-trigger", status, bodyText: JSON.stringify(body) });

describe("matchTriggerRefusalOf", () => {
  it.each([
    [404, { error: "Order not found" }, "unknown_order"],
    [403, { error: "Authentication failed" }, "auth"],
    [401, {}, "auth"],
    [400, { error: "The order is not suspended." }, "not_suspended"],
    [400, { error: "L'ordine non è sospeso" }, "not_suspended"],
    [422, { errors: { order: ["Order has not been verified yet"] } }, "not_verified"],
    [400, { error: "Il finanziamento non è ancora stato verificato" }, "not_verified"],
    [400, { errors: { amount: ["The amount exceeds the loan amount."] } }, "amount_exceeds_loan"],
    [400, { errors: { amount: ["L'importo è maggiore del finanziamento"] } }, "amount_exceeds_loan"],
    [400, { error: "Amount greater than the loan" }, "amount_exceeds_loan"],
    [400, { errors: { amount: ["This value should not be blank."] } }, "invalid_amount"],
    [400, { error: "The funding of this order has already been triggered." }, "already_triggered"],
    [409, { error: "Trigger già eseguito" }, "already_triggered"],
    [409, { message: "The order has been disbursed" }, "already_triggered"],
    [400, { error: "The order is cancelled." }, "order_cancelled"],
    [400, { error: "Ordine annullato" }, "order_cancelled"],
    [400, { error: "Something else entirely" }, "rejected"],
    [418, "not json at all", "rejected"],
  ])("HTTP %s %j → %s", (status, body, reason) => {
    const error = refusal(status, body);
    expect(isMatchTriggerRefusal(error)).toBe(true);
    expect(matchTriggerRefusalOf(error)).toBe(reason);
  });

  it("the order's state wins over an amount message when both are present", () => {
    const error = refusal(400, { error: "The order is not suspended", errors: { amount: ["exceeds the loan"] } });
    expect(matchTriggerRefusalOf(error)).toBe("not_suspended");
  });
});

describe("what is not a refusal", () => {
  it.each([500, 502, 503, 408, 429])("HTTP %s leaves the outcome open", (status) => {
    expect(isMatchTriggerRefusal(refusal(status, { error: "x" }))).toBe(false);
  });

  it("a redirect leaves the outcome open", () => {
    expect(isMatchTriggerRefusal(refusal(302, {}))).toBe(false);
  });
});

describe("soisyMessagesOf", () => {
  it("keeps Soisy's general and per-field messages, the key scrubbed", () => {
    const error = matchTriggerErrorFromResponse({
      status: 400,
      secrets: ["k3y"],
      bodyText: JSON.stringify({ error: "bad k3y", errors: { amount: ["too high", "really"] } }),
    });
    expect(soisyMessagesOf(error)).toEqual(["bad [redacted]", "amount: too high; really"]);
  });

  it("other errors give their message", () => {
    expect(soisyMessagesOf(new SoisyServerError({ status: 503 }))).toEqual(["Soisy server error (HTTP 503)"]);
  });
});
