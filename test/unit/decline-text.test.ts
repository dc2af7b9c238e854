import { describe, expect, it } from "vitest";
import { declineText, type DeclineFacts } from "~/payments/decline-text";

const shop = { minAmountCents: 10_000, maxAmountCents: 1_500_000, allowedCountries: ["IT", "SM"] };
const facts = (rejectReasonCode: string | null, extra: Partial<DeclineFacts> = {}): DeclineFacts => ({ rejectReasonCode, amountCents: 5_000, currency: "EUR", shop, ...extra });

describe("declineText: why Soisy cannot pay, for the shopper", () => {
  it("amount out of range: the shop's range and the order's amount, both languages", () => {
    expect(declineText(facts("AMOUNT_TOO_SMALL"), "it")).toBe("Soisy finanzia acquisti da € 100,00 a € 15.000,00: questo ordine è di € 50,00.");
    expect(declineText(facts("AMOUNT_TOO_LARGE", { amountCents: 2_000_000 }), "en")).toBe("Soisy finances purchases from €100.00 to €15,000.00: this order is €20,000.00.");
  });

  it("currency, country, kind, shop not ready", () => {
    expect(declineText(facts("INVALID_CURRENCY", { currency: "USD" }), "it")).toBe("Soisy accetta solo pagamenti in euro: questo ordine è in USD.");
    expect(declineText(facts("INVALID_CURRENCY", { currency: "USD" }), "en")).toBe("Soisy only accepts payments in euros: this order is in USD.");
    expect(declineText(facts("PAYMENT_METHOD_UNSUPPORTED"), "it")).toBe("Soisy offre il pagamento a rate solo con un indirizzo di fatturazione in Italia, San Marino.");
    expect(declineText(facts("PAYMENT_METHOD_UNSUPPORTED"), "en")).toContain("Italy, San Marino");
    expect(declineText(facts("INVALID_PURCHASE_TYPE"), "en")).toMatch(/in full/);
    expect(declineText(facts("PROCESSING_ERROR"), "it")).toMatch(/non è ancora attivo/);
  });

  it("nothing specific to say: null (the page keeps its generic text)", () => {
    expect(declineText(facts(null), "it")).toBeNull();
    expect(declineText(facts("INSTRUMENT_DECLINED"), "it")).toBeNull();
    expect(declineText(facts("AMOUNT_TOO_SMALL", { shop: null }), "en")).toBeNull();
  });
});
