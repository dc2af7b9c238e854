import { describe, expect, it } from "vitest";
import { checkEligibility, type EligibilityInput } from "~/payments/eligibility";

function input(over: Partial<Omit<EligibilityInput, "shop">> = {}, shop: Partial<EligibilityInput["shop"]> = {}): EligibilityInput {
  return {
    currency: "EUR",
    amountCents: 50_000,
    kind: "sale",
    billingCountry: "IT",
    test: false,
    ...over,
    shop: {
      configured: true,
      ready: true,
      minAmountCents: 10_000,
      maxAmountCents: 1_500_000,
      allowedCountries: ["IT"],
      uninstalled: false,
      fundOn: "approval",
      ...shop,
    },
  };
}

const refusal = (i: EligibilityInput) => {
  const r = checkEligibility(i);
  return r.eligible ? null : { code: r.code, reason: r.reason };
};

describe("checkEligibility", () => {
  it("accepts an ordinary Italian EUR sale in range", () => {
    expect(checkEligibility(input())).toEqual({ eligible: true });
  });

  describe("shop", () => {
    it("uninstalled → PROCESSING_ERROR", () => {
      expect(refusal(input({}, { uninstalled: true }))).toEqual({ code: "PROCESSING_ERROR", reason: "shop_not_ready" });
    });

    it("no credentials for the session's environment → PROCESSING_ERROR, naming the environment", () => {
      for (const test of [false, true]) {
        const r = checkEligibility(input({ test }, { configured: false }));
        expect(r).toMatchObject({ eligible: false, code: "PROCESSING_ERROR", reason: "shop_not_ready" });
        expect(r.eligible ? "" : r.merchantMessage).toMatch(test ? /sandbox/ : /production/);
      }
    });

    it("a live session on a shop that is not ready → PROCESSING_ERROR", () => {
      expect(refusal(input({ test: false }, { ready: false }))).toEqual({ code: "PROCESSING_ERROR", reason: "shop_not_ready" });
    });

    it("a test session needs only its (sandbox) credentials, not readiness", () => {
      expect(checkEligibility(input({ test: true }, { ready: false }))).toEqual({ eligible: true });
    });

    it("is checked before everything else", () => {
      const everythingWrong = input({ currency: "USD", kind: "authorization", amountCents: 1, billingCountry: "US" }, { uninstalled: true });
      expect(refusal(everythingWrong)?.reason).toBe("shop_not_ready");
    });
  });

  it.each(["authorization", "Sale", ""])("kind %j → INVALID_PURCHASE_TYPE", (kind) => {
    expect(refusal(input({ kind }))).toEqual({ code: "INVALID_PURCHASE_TYPE", reason: "unsupported_kind" });
  });

  describe("authorizations (fund on fulfilment)", () => {
    it("are eligible when the shop funds at fulfilment", () => {
      expect(checkEligibility(input({ kind: "authorization" }, { fundOn: "fulfilment" }))).toEqual({ eligible: true });
    });

    it("are refused on a shop funding at approval, the message naming the setting in both languages", () => {
      const r = checkEligibility(input({ kind: "authorization" }, { fundOn: "approval" }));
      expect(r).toMatchObject({ eligible: false, code: "INVALID_PURCHASE_TYPE", reason: "unsupported_kind" });
      expect(r.eligible ? "" : r.merchantMessage).toMatch(/When Soisy funds.*Quando Soisy finanzia.*at fulfilment/);
    });

    it("funding at fulfilment keeps sales and the other checks as they are", () => {
      expect(checkEligibility(input({ kind: "sale" }, { fundOn: "fulfilment" }))).toEqual({ eligible: true });
      expect(refusal(input({ kind: "Sale" }, { fundOn: "fulfilment" }))?.reason).toBe("unsupported_kind");
      expect(refusal(input({ kind: "authorization", currency: "USD" }, { fundOn: "fulfilment" }))?.reason).toBe("currency");
    });
  });

  it.each(["USD", "CHF", "eur", ""])("currency %j → INVALID_CURRENCY", (currency) => {
    expect(refusal(input({ currency }))).toEqual({ code: "INVALID_CURRENCY", reason: "currency" });
  });

  it("checks kind before currency and currency before amount", () => {
    expect(refusal(input({ kind: "authorization", currency: "USD" }))?.reason).toBe("unsupported_kind");
    expect(refusal(input({ currency: "USD", amountCents: 1 }))?.reason).toBe("currency");
    expect(refusal(input({ amountCents: 1, billingCountry: "FR" }))?.reason).toBe("amount_too_small");
  });

  describe("amount bounds (inclusive)", () => {
    it.each([
      [9_999, { code: "AMOUNT_TOO_SMALL", reason: "amount_too_small" }],
      [10_000, null],
      [10_001, null],
      [1_499_999, null],
      [1_500_000, null],
      [1_500_001, { code: "AMOUNT_TOO_LARGE", reason: "amount_too_large" }],
      [0, { code: "AMOUNT_TOO_SMALL", reason: "amount_too_small" }],
      [Number.MAX_SAFE_INTEGER, { code: "AMOUNT_TOO_LARGE", reason: "amount_too_large" }],
    ])("%d cents → %j", (amountCents, expected) => {
      expect(refusal(input({ amountCents }))).toEqual(expected);
    });

    it("a malformed amount is never eligible", () => {
      for (const amountCents of [Number.NaN, 123.5, Infinity]) expect(checkEligibility(input({ amountCents })).eligible).toBe(false);
    });

    it("says the merchant's bounds in euros", () => {
      const small = checkEligibility(input({ amountCents: 5 }, { minAmountCents: 12_345 }));
      const large = checkEligibility(input({ amountCents: 2_000_001 }, { maxAmountCents: 2_000_000 }));
      expect(small.eligible ? "" : small.merchantMessage).toContain("€123.45");
      expect(large.eligible ? "" : large.merchantMessage).toContain("€20000.00");
    });
  });

  describe("billing country", () => {
    it("outside the allowed countries → PAYMENT_METHOD_UNSUPPORTED", () => {
      expect(refusal(input({ billingCountry: "FR" }))).toEqual({ code: "PAYMENT_METHOD_UNSUPPORTED", reason: "country" });
    });

    it("allowed when the merchant allows it, whatever the case", () => {
      expect(checkEligibility(input({ billingCountry: "sm" }, { allowedCountries: ["IT", "SM"] }))).toEqual({ eligible: true });
      expect(checkEligibility(input({ billingCountry: "IT" }, { allowedCountries: ["it"] }))).toEqual({ eligible: true });
    });

    it("unknown → eligible (Soisy's webapp collects the address)", () => {
      expect(checkEligibility(input({ billingCountry: null }))).toEqual({ eligible: true });
      expect(checkEligibility(input({ billingCountry: "" }))).toEqual({ eligible: true });
    });

    it("an empty allowed list refuses every known country", () => {
      expect(refusal(input({ billingCountry: "IT" }, { allowedCountries: [] }))?.code).toBe("PAYMENT_METHOD_UNSUPPORTED");
    });
  });

  it("gives an English merchant message for every refusal", () => {
    const refusals = [
      input({}, { uninstalled: true }),
      input({}, { configured: false }),
      input({}, { ready: false }),
      input({ kind: "authorization" }),
      input({ currency: "USD" }),
      input({ amountCents: 1 }),
      input({ amountCents: 99_999_999 }),
      input({ billingCountry: "DE" }),
    ].map(checkEligibility);
    expect(new Set(refusals.map((r) => (r.eligible ? "eligible" : r.reason))).size).toBe(6);
    for (const r of refusals) {
      expect(r.eligible).toBe(false);
      if (!r.eligible) expect(r.merchantMessage).toMatch(/^[A-Z][\x20-\x7E€…]{10,200}\.$/);
    }
  });

  it("keeps echoed values short", () => {
    const r = checkEligibility(input({ kind: "x".repeat(5_000) }));
    expect(r.eligible ? "" : r.merchantMessage.length).toBeLessThan(100);
  });
});
