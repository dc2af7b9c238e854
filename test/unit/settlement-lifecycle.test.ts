/** The settlement lifecycle (captures and voids) case by case: app/payments/settlement-lifecycle.ts. */
import { describe, expect, it } from "vitest";
import {
  settlementTransition,
  type PaymentFacts,
  type SettlementContext,
  type SettlementFacts,
  type SettlementInput,
} from "~/payments/settlement-lifecycle";

const NOW = new Date("2026-12-05T10:00:00Z");
const payment = (over: Partial<PaymentFacts> = {}): PaymentFacts => ({
  kind: "authorization",
  state: "resolved",
  authorizationExpiresAt: new Date("2027-01-04T10:00:00Z"),
  amountCents: 150_000,
  currency: "EUR",
  captured: false,
  voided: false,
  ...over,
});
const ctx = (over: Partial<PaymentFacts> = {}, now = NOW): SettlementContext => ({ now, payment: payment(over) });
const capture = (state: SettlementFacts["state"], amountCents = 150_000, currency = "EUR"): SettlementFacts => ({ kind: "capture", state, amountCents, currency });
const voidOf = (state: SettlementFacts["state"]): SettlementFacts => ({ kind: "void", state, amountCents: null, currency: null });
const received: SettlementInput = { kind: "received" };

const mutations = (t: ReturnType<typeof settlementTransition>) => t.effects.filter((e) => e.type === "mutation");
const soisyCalls = (t: ReturnType<typeof settlementTransition>) => t.effects.filter((e) => e.type === "soisy_trigger" || e.type === "soisy_read_order");

describe("capture received", () => {
  it("a valid capture triggers Soisy with its own cents (partial capture allowed)", () => {
    const t = settlementTransition(capture("received", 90_000), received, ctx());
    expect(t.state).toBe("triggering");
    expect(t.effects).toEqual([{ type: "soisy_trigger", amountCents: 90_000 }]);
  });

  it("after authorizationExpiresAt: AUTHORIZATION_EXPIRED, no Soisy call", () => {
    const t = settlementTransition(capture("received"), received, ctx({}, new Date("2027-01-04T10:00:00.001Z")));
    expect(t.state).toBe("rejecting");
    expect(soisyCalls(t)).toEqual([]);
    expect(mutations(t)).toEqual([{ type: "mutation", mutation: "captureSessionReject", code: "AUTHORIZATION_EXPIRED", merchantMessage: expect.stringContaining("expired") }]);
    expect(t.effects.map((e) => e.type === "timeline" && e.event)).toContain("authorization_expired");
  });

  it("exactly at the expiry is still in time", () => {
    expect(settlementTransition(capture("received"), received, ctx({}, new Date("2027-01-04T10:00:00Z"))).state).toBe("triggering");
  });

  it.each([
    ["a sale", { kind: "sale" }, /not a completed Soisy authorization/],
    ["an unresolved authorization", { state: "pending" }, /state: pending/],
    ["a second capture", { captured: true }, /already captured/],
    ["a voided authorization", { voided: true }, /voided/],
  ] as const)("%s → PROCESSING_ERROR with a message, no Soisy call", (_name, over, message) => {
    const t = settlementTransition(capture("received"), received, ctx(over));
    expect(t.state).toBe("rejecting");
    expect(soisyCalls(t)).toEqual([]);
    expect(mutations(t)).toEqual([{ type: "mutation", mutation: "captureSessionReject", code: "PROCESSING_ERROR", merchantMessage: expect.stringMatching(message) }]);
    expect(t.patch.rejectCode).toBe("PROCESSING_ERROR");
  });

  it("amount above the authorized amount, or another currency → PROCESSING_ERROR", () => {
    const above = settlementTransition(capture("received", 150_001), received, ctx());
    expect(above.patch.rejectReason).toMatch(/exceeds the authorized amount/);
    const usd = settlementTransition(capture("received", 100, "USD"), received, ctx());
    expect(usd.patch.rejectReason).toMatch(/currency \(USD\)/);
    expect(soisyCalls(above)).toEqual([]);
    expect(soisyCalls(usd)).toEqual([]);
  });

  it("the rejection is on the timeline with its message key (the admin shows Italian too)", () => {
    const t = settlementTransition(capture("received"), received, ctx({ captured: true }));
    expect(t.effects[0]).toMatchObject({ type: "timeline", event: "capture_rejected", detail: { code: "PROCESSING_ERROR", messageKey: "settlement.reject.second_capture" } });
  });
});

describe("capture triggering", () => {
  it("triggered → resolve", () => {
    const t = settlementTransition(capture("triggering"), { kind: "trigger_result", result: { outcome: "triggered" } }, ctx());
    expect(t.state).toBe("resolving");
    expect(mutations(t)).toEqual([{ type: "mutation", mutation: "captureSessionResolve" }]);
    expect(t.effects[0]).toMatchObject({ type: "timeline", event: "capture_triggered", source: "soisy" });
  });

  it("refused → reject PROCESSING_ERROR naming Soisy's reason", () => {
    const t = settlementTransition(
      capture("triggering"),
      { kind: "trigger_result", result: { outcome: "refused", reason: "not_suspended", messages: ["The order is not suspended"] } },
      ctx(),
    );
    expect(t.state).toBe("rejecting");
    expect(t.patch).toMatchObject({ rejectCode: "PROCESSING_ERROR", soisyResult: "refused:not_suspended", rejectReason: "Capture refused by Soisy (not_suspended): The order is not suspended" });
    expect(t.effects.map((e) => (e.type === "timeline" ? e.event : e.type))).toEqual(["capture_refused", "capture_rejected", "mutation"]);
  });

  it("refused without messages uses the reason's own words", () => {
    const t = settlementTransition(capture("triggering"), { kind: "trigger_result", result: { outcome: "refused", reason: "amount_exceeds_loan", messages: [] } }, ctx());
    expect(t.patch.rejectReason).toMatch(/exceeds the loan/);
  });

  it("refused as already triggered → read the order (probably our own call)", () => {
    const t = settlementTransition(capture("triggering"), { kind: "trigger_result", result: { outcome: "refused", reason: "already_triggered", messages: [] } }, ctx());
    expect(t.state).toBe("checking");
    expect(mutations(t)).toEqual([]);
    expect(t.effects.at(-1)).toEqual({ type: "soisy_read_order" });
  });

  it("unknown → read the order, never trigger blindly", () => {
    const t = settlementTransition(capture("triggering"), { kind: "trigger_result", result: { outcome: "unknown", error: "timeout" } }, ctx());
    expect(t.state).toBe("checking");
    expect(t.effects).toEqual([{ type: "timeline", event: "capture_unknown", source: "soisy", detail: { error: "timeout" } }, { type: "soisy_read_order" }]);
  });

  it("resume (the process died between the call and the write) → read the order", () => {
    expect(settlementTransition(capture("triggering"), { kind: "resume" }, ctx()).effects).toEqual([{ type: "soisy_read_order" }]);
  });
});

describe("capture checking (the order read)", () => {
  it.each(["disbursed", "waiting_for_disbursement"])("%s → resolve", (status) => {
    const t = settlementTransition(capture("checking"), { kind: "order_read", status }, ctx());
    expect(t.state).toBe("resolving");
    expect(mutations(t)).toEqual([{ type: "mutation", mutation: "captureSessionResolve" }]);
  });

  it("disbursed resolves even past the expiry (the money moved)", () => {
    expect(settlementTransition(capture("checking"), { kind: "order_read", status: "disbursed" }, ctx({}, new Date("2028-01-01"))).state).toBe("resolving");
  });

  it("waiting_for_trigger → trigger again; past the expiry → AUTHORIZATION_EXPIRED", () => {
    expect(settlementTransition(capture("checking"), { kind: "order_read", status: "waiting_for_trigger" }, ctx()).effects).toEqual([{ type: "soisy_trigger", amountCents: 150_000 }]);
    const late = settlementTransition(capture("checking"), { kind: "order_read", status: "waiting_for_trigger" }, ctx({}, new Date("2028-01-01")));
    expect(mutations(late)).toMatchObject([{ mutation: "captureSessionReject", code: "AUTHORIZATION_EXPIRED" }]);
  });

  it("cancelled → reject", () => {
    expect(mutations(settlementTransition(capture("checking"), { kind: "order_read", status: "cancelled" }, ctx()))).toMatchObject([{ mutation: "captureSessionReject", code: "PROCESSING_ERROR" }]);
  });

  it("anything else, or a failed read → stay and retry later", () => {
    for (const input of [{ kind: "order_read", status: "request_received" }, { kind: "order_read_failed", error: "503" }] as const) {
      expect(settlementTransition(capture("checking"), input, ctx())).toEqual({ state: "checking", effects: [{ type: "retry_later" }], patch: {}, ignored: false });
    }
  });
});

describe("void", () => {
  it("received → awaiting the merchant, with an alert to cancel the loan at Soisy", () => {
    const t = settlementTransition(voidOf("received"), received, ctx());
    expect(t.state).toBe("awaiting_merchant");
    expect(t.effects).toEqual([{ type: "alert", code: "void_requested", message: expect.stringContaining("cancel the loan") }]);
  });

  it("a void after a capture is refused", () => {
    const t = settlementTransition(voidOf("received"), received, ctx({ captured: true }));
    expect(mutations(t)).toEqual([{ type: "mutation", mutation: "voidSessionReject", code: "PROCESSING_ERROR", merchantMessage: expect.stringMatching(/already captured/) }]);
  });

  it("the merchant confirms → voidSessionResolve; captured meanwhile → reject", () => {
    const t = settlementTransition(voidOf("awaiting_merchant"), { kind: "merchant_confirmed_void", by: "anna@shop.it" }, ctx());
    expect(t.state).toBe("resolving");
    expect(t.patch.decidedBy).toBe("anna@shop.it");
    expect(t.effects).toEqual([
      { type: "timeline", event: "void_confirmed", source: "merchant", detail: { by: "anna@shop.it" } },
      { type: "mutation", mutation: "voidSessionResolve" },
    ]);
    const late = settlementTransition(voidOf("awaiting_merchant"), { kind: "merchant_confirmed_void", by: "x" }, ctx({ captured: true }));
    expect(mutations(late)).toMatchObject([{ mutation: "voidSessionReject" }]);
  });

  it("Soisy inputs never apply to a void", () => {
    expect(settlementTransition(voidOf("awaiting_merchant"), { kind: "trigger_result", result: { outcome: "triggered" } }, ctx()).ignored).toBe(true);
  });
});
