/** Fund on fulfilment on the payment's page and in the CSV (app/transactions/settlements-view.ts): facts, items, totals. */
import { describe, expect, it } from "vitest";
import { formatDateTime } from "~/transactions/format";
import { authorizationFacts, capturedCents, latestSettlementState, rejectTexts, settlementItems, voidAwaitingMerchant, type SettlementRowInput } from "~/transactions/settlements-view";
import { refusalWords, settlementStateWords } from "~/transactions/settlement-sentences";

const now = new Date("2026-07-10T10:00:00.000Z");
const future = new Date("2026-08-01T10:00:00.000Z");
const past = new Date("2026-07-01T10:00:00.000Z");
const auth = { kind: "authorization", authorizationExpiresAt: future, confirmationRequestedAt: null, confirmationResult: null, confirmationAnsweredAt: null, settlements: [] };

const settlement = (over: Partial<SettlementRowInput>): SettlementRowInput => ({
  id: "s1",
  kind: "capture",
  state: "resolved",
  amountCents: 100_050,
  currency: "EUR",
  rejectCode: null,
  soisyResult: null,
  decidedBy: null,
  decidedAt: null,
  createdAt: past,
  ...over,
});

describe("authorization facts", () => {
  it("an authorization: its kind and deadline; past the deadline and not captured, expired", () => {
    expect(authorizationFacts(auth, "it", now)).toEqual([
      ["Tipo di pagamento", "Autorizzazione, finanziata all'evasione"],
      ["Scadenza dell'autorizzazione", `Da incassare entro il ${formatDateTime(future, "it")}`],
    ]);
    expect(authorizationFacts({ ...auth, authorizationExpiresAt: past }, "en", now)[1]).toEqual(["Authorization expiry", `Expired on ${formatDateTime(past, "en")}: can no longer be captured`]);
    // Captured before the deadline: the date stays a plain deadline.
    expect(authorizationFacts({ ...auth, authorizationExpiresAt: past, settlements: [{ kind: "capture", state: "resolved" }] }, "en", now)[1]![1]).toBe(`Capture by ${formatDateTime(past, "en")}`);
  });

  it("a sale: nothing, unless Shopify was asked about the goods (answered yes / no, or still waiting)", () => {
    const sale = { ...auth, kind: "sale", authorizationExpiresAt: null };
    expect(authorizationFacts(sale, "it", now)).toEqual([]);
    expect(authorizationFacts({ ...sale, confirmationRequestedAt: past }, "en", now)).toEqual([["Goods availability", `Waiting for Shopify's answer (asked on ${formatDateTime(past, "en")})`]]);
    expect(authorizationFacts({ ...sale, confirmationRequestedAt: past, confirmationResult: true, confirmationAnsweredAt: now }, "it", now)).toEqual([
      ["Disponibilità della merce", `Confermata da Shopify il ${formatDateTime(now, "it")}`],
    ]);
    expect(authorizationFacts({ ...sale, confirmationResult: false, confirmationAnsweredAt: now }, "en", now)[0]![1]).toMatch(/^Shopify answered the goods are no longer available/);
  });
});

describe("captures and voids", () => {
  it("in words: amount, state, Soisy's reason when refused, the void awaiting the merchant", () => {
    const items = settlementItems(
      [
        settlement({ id: "ok" }),
        settlement({ id: "no", state: "rejected", amountCents: 200_000, rejectCode: "PROCESSING_ERROR", soisyResult: "refused:not_suspended" }),
        settlement({ id: "late", state: "rejected", rejectCode: "AUTHORIZATION_EXPIRED" }),
        settlement({ id: "v", kind: "void", state: "awaiting_merchant", amountCents: null, currency: null }),
        settlement({ id: "done", kind: "void", state: "resolved", amountCents: null, decidedBy: "owner@shop.it", decidedAt: now }),
      ],
      "en",
      "EUR",
    );
    expect(items.map((i) => [i.id, i.title, i.stateLabel, i.tone, i.reason, i.awaitingMerchant])).toEqual([
      ["ok", "Capture of €1,000.50", "Captured: Soisy funds the order", "success", null, false],
      ["no", "Capture of €2,000.00", "Rejected", "critical", "the order is not suspended at Soisy (does your Soisy contract include suspended orders?)", false],
      ["late", "Capture of €1,000.50", "Rejected", "critical", "the authorization had expired", false],
      ["v", "Void of the authorization", "Waiting for you", "attention", null, true],
      ["done", "Void of the authorization", "Voided", "success", null, false],
    ]);
    expect(items[4]!.decided).toBe(`Confirmed by Your shop (you, owner@shop.it) on ${formatDateTime(now, "en")}`);
  });

  it("a rejection the service decided itself reads from its timeline row, in the merchant's language", () => {
    const texts = rejectTexts([
      { type: "capture_rejected", detailJson: JSON.stringify({ captureId: "twice", code: "PROCESSING_ERROR", messageKey: "settlement.reject.second_capture", params: {} }) },
      { type: "void_rejected", detailJson: JSON.stringify({ voidId: "late-void", messageKey: "settlement.reject.void_after_capture", params: {} }) },
      { type: "capture_rejected", detailJson: "{not json" },
      { type: "capture_triggered", detailJson: JSON.stringify({ captureId: "other" }) },
    ]);
    expect([...texts.keys()]).toEqual(["twice", "late-void"]);
    const items = settlementItems(
      [
        settlement({ id: "twice", state: "rejected", rejectCode: "PROCESSING_ERROR" }),
        settlement({ id: "late-void", kind: "void", state: "rejecting", amountCents: null, rejectCode: "PROCESSING_ERROR" }),
        settlement({ id: "bare", state: "rejected", rejectCode: "PROCESSING_ERROR" }),
      ],
      "it",
      "EUR",
      texts,
    );
    expect(items.map((i) => i.reason)).toEqual([
      "Incasso rifiutato: questo pagamento è già stato incassato; Soisy finanzia un ordine una sola volta.",
      "Annullamento rifiutato: il pagamento è già stato incassato e Soisy ha finanziato il prestito. Usa un rimborso.",
      "motivo non indicato",
    ]);
  });

  it("unknown states and reasons read as words, never codes", () => {
    expect(settlementStateWords("capture", "teleported", "it")).toBe("Stato sconosciuto (vedi i dettagli tecnici)");
    expect(refusalWords("refused:brand_new", "en")).toBe("no reason given");
    expect(refusalWords(undefined, "it")).toBe("motivo non indicato");
  });

  it("CSV totals: resolved captures only; the latest capture's and void's state", () => {
    const rows = [
      { kind: "capture", state: "rejected", amountCents: 500, createdAt: past },
      { kind: "capture", state: "resolved", amountCents: 1_000, createdAt: now },
      { kind: "void", state: "awaiting_merchant", amountCents: null, createdAt: now },
    ];
    expect(capturedCents(rows)).toBe(1_000);
    expect(latestSettlementState(rows, "capture")).toBe("resolved");
    expect(latestSettlementState(rows, "void")).toBe("awaiting_merchant");
    expect(latestSettlementState([], "void")).toBeNull();
    expect(voidAwaitingMerchant(rows)).toBe(true);
    expect(voidAwaitingMerchant(rows.slice(0, 2))).toBe(false);
  });
});
