/**
 * The settlement lifecycle over every (kind, state, input) and over random sequences fed the way the
 * service feeds it (state carried from one transition to the next, Soisy's answers chosen at random):
 * what must hold for every capture and void.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MATCH_TRIGGER_REFUSALS } from "~/soisy/match-trigger";
import {
  SETTLEMENT_STATES,
  settlementTransition,
  type PaymentFacts,
  type SettlementFacts,
  type SettlementInput,
  type SettlementState,
} from "~/payments/settlement-lifecycle";

const STATUSES = ["disbursed", "waiting_for_disbursement", "waiting_for_trigger", "cancelled", "request_received", "paused"];
const EXPIRY = new Date("2027-01-04T10:00:00Z");

const inputArb: fc.Arbitrary<SettlementInput> = fc.oneof(
  fc.constant({ kind: "received" } as const),
  fc.constant({ kind: "resume" } as const),
  fc.constant({ kind: "trigger_result", result: { outcome: "triggered" } } as const),
  fc.constantFrom(...MATCH_TRIGGER_REFUSALS).map((reason) => ({ kind: "trigger_result", result: { outcome: "refused", reason, messages: [] } }) as const),
  fc.constant({ kind: "trigger_result", result: { outcome: "unknown", error: "timeout" } } as const),
  fc.constantFrom(...STATUSES).map((status) => ({ kind: "order_read", status }) as const),
  fc.constant({ kind: "order_read_failed", error: "503" } as const),
  fc.constant({ kind: "merchant_confirmed_void", by: "m" } as const),
);
const paymentArb: fc.Arbitrary<PaymentFacts> = fc.record({
  kind: fc.constantFrom("authorization", "sale"),
  state: fc.constantFrom("resolved", "pending", "rejected"),
  authorizationExpiresAt: fc.constantFrom(EXPIRY, null),
  amountCents: fc.constant(150_000),
  currency: fc.constant("EUR"),
  captured: fc.boolean(),
  voided: fc.boolean(),
});
const nowArb = fc.constantFrom(new Date("2026-12-05T10:00:00Z"), new Date("2027-02-01T00:00:00Z"));
const settlementArb = (state: fc.Arbitrary<SettlementState>): fc.Arbitrary<SettlementFacts> =>
  fc.record({
    kind: fc.constantFrom("capture", "void") as fc.Arbitrary<"capture" | "void">,
    state,
    amountCents: fc.constantFrom(1, 90_000, 150_000, 150_001),
    currency: fc.constantFrom("EUR", "EUR", "USD"),
  });

describe("every (kind, state, input)", () => {
  it("final and in-flight states (resolving, rejecting, resolved, rejected) ignore every input", () => {
    fc.assert(
      fc.property(settlementArb(fc.constantFrom("resolving", "resolved", "rejecting", "rejected")), inputArb, paymentArb, nowArb, (s, input, payment, now) => {
        const t = settlementTransition(s, input, { now, payment });
        expect(t).toEqual({ state: s.state, effects: [], patch: {}, ignored: true });
      }),
    );
  });

  it("a transition has at most one Soisy call and one mutation; a mutation goes with resolving/rejecting, a trigger with triggering", () => {
    fc.assert(
      fc.property(settlementArb(fc.constantFrom(...SETTLEMENT_STATES)), inputArb, paymentArb, nowArb, (s, input, payment, now) => {
        const t = settlementTransition(s, input, { now, payment });
        const soisy = t.effects.filter((e) => e.type === "soisy_trigger" || e.type === "soisy_read_order");
        const mutations = t.effects.filter((e) => e.type === "mutation");
        expect(soisy.length).toBeLessThanOrEqual(1);
        expect(mutations.length).toBeLessThanOrEqual(1);
        if (mutations.length) expect(["resolving", "rejecting"]).toContain(t.state);
        if (["resolving", "rejecting"].includes(t.state) && !t.ignored) expect(mutations).toHaveLength(1);
        if (t.effects.some((e) => e.type === "soisy_trigger")) {
          expect(t.state).toBe("triggering");
          expect(s.kind).toBe("capture");
          expect(now.getTime() > EXPIRY.getTime() && payment.authorizationExpiresAt !== null).toBe(false);
        }
        if (s.kind === "void") expect(soisy).toEqual([]);
        if (t.ignored) expect(t).toEqual({ state: s.state, effects: [], patch: {}, ignored: true });
        for (const m of mutations) {
          expect(m.mutation.startsWith(s.kind === "capture" ? "captureSession" : "voidSession")).toBe(true);
          if ("merchantMessage" in m) expect(m.merchantMessage.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});

describe("random sequences, as the service feeds them", () => {
  it("a capture ends resolved only after Soisy said triggered or showed the loan funded; never more than one resolve; no Soisy call after the expiry on receipt", () => {
    fc.assert(
      fc.property(paymentArb, nowArb, fc.array(inputArb, { maxLength: 25 }), fc.constantFrom(90_000, 150_000, 150_001), (payment, now, inputs, amountCents) => {
        let s: SettlementFacts = { kind: "capture", state: "received", amountCents, currency: "EUR" };
        let resolves = 0;
        let triggers = 0;
        let fundedSeen = false;
        const all: SettlementInput[] = [{ kind: "received" }, ...inputs];
        for (const input of all) {
          const t = settlementTransition(s, input, { now, payment });
          if (!t.ignored && input.kind === "trigger_result" && input.result.outcome === "triggered") fundedSeen = true;
          if (!t.ignored && input.kind === "order_read" && ["disbursed", "waiting_for_disbursement"].includes(input.status)) fundedSeen = true;
          for (const e of t.effects) {
            if (e.type === "mutation" && e.mutation === "captureSessionResolve") resolves++;
            if (e.type === "soisy_trigger") triggers++;
          }
          s = { ...s, state: t.state };
        }
        expect(resolves).toBeLessThanOrEqual(1);
        if (resolves) expect(fundedSeen).toBe(true);
        if (amountCents > payment.amountCents || payment.kind !== "authorization" || payment.state !== "resolved" || payment.captured || payment.voided) expect(triggers).toBe(0);
        const expired = payment.authorizationExpiresAt !== null && now.getTime() > payment.authorizationExpiresAt.getTime();
        if (expired) expect(triggers).toBe(0);
      }),
      { seed: 15, numRuns: 2000 },
    );
  });

  it("a void never resolves without the merchant, and never after a capture", () => {
    fc.assert(
      fc.property(paymentArb, nowArb, fc.array(inputArb, { maxLength: 15 }), (payment, now, inputs) => {
        let s: SettlementFacts = { kind: "void", state: "received", amountCents: null, currency: null };
        let merchant = false;
        for (const input of [{ kind: "received" } as const, ...inputs]) {
          const t = settlementTransition(s, input, { now, payment });
          if (!t.ignored && input.kind === "merchant_confirmed_void") merchant = true;
          if (t.effects.some((e) => e.type === "mutation" && e.mutation === "voidSessionResolve")) {
            expect(merchant).toBe(true);
            expect(payment.captured).toBe(false);
          }
          s = { ...s, state: t.state };
        }
      }),
      { seed: 15, numRuns: 1000 },
    );
  });
});
