/**
 * The merchant reads sentences, not codes: every timeline type the code writes, every lifecycle
 * decision the state machine can take, every payment state, Soisy status and outbox outcome has a
 * sentence in Italian and in English with no code in it; unknown ones get a readable fallback.
 */
import { describe, expect, it } from "vitest";
import { PAYMENT_STATES, transition, type LifecycleContext, type PaymentState } from "~/payments/lifecycle";
import { SOISY_ORDER_STATUSES } from "~/soisy/types";
import { allLifecycleInputs } from "../helpers/lifecycle-inputs";
import { formatMoney } from "~/i18n/money";
import { LOCALES, translate, type Locale } from "~/i18n/i18n";
import { deciderLabel, soisyStatusSentence, stateLabel, stateSentence, TIMELINE_TYPES, timelineSentence, whoActed } from "~/transactions/sentences";
import { buildTimeline } from "~/transactions/timeline";

/** A code: snake_case, camelCase / PascalCase identifiers, "key: value" dumps. */
function expectWords(text: string, what: string) {
  expect(text, what).not.toBe("");
  expect(text, what).not.toMatch(/_/);
  expect(text, what).not.toMatch(/\b[a-z]+[A-Z][A-Za-z]*\b|\b[A-Z][a-z]+[A-Z][A-Za-z]*\b/);
  expect(text, what).not.toMatch(/[{}]/);
}

const DETAILS: Record<string, Record<string, unknown>> = {
  payment_session_received: { amount: "1234.56", currency: "EUR", test: true, kind: "sale" },
  refund_session_received: { refundId: "r1", amountCents: 23456, auto: false },
  refund_refused: { refundId: "r1", amountCents: 999999, code: "exceeds", remainingCents: 100 },
  refund_confirmed: { refundId: "r1", amountCents: 100000, by: "merchant:shop.myshopify.com" },
  refund_declined: { refundId: "r1", amountCents: 100000, by: "owner@shop.it" },
  refund_settled_from_soisy: { refundId: "r1", amountCents: 2500, by: "soisy", reason: "reduced", soisyStatus: "disbursed", loanBeforeCents: 10000, loanAfterCents: 7500 },
  refund_soisy_ambiguous: { refundId: "r1", amountCents: 2500, reason: "reduced_other_amount", soisyStatus: "disbursed", loanBeforeCents: 10000, loanAfterCents: 9000 },
  not_eligible: { reason: "amount_too_large", code: "AMOUNT_TOO_LARGE" },
  soisy_order_failed: { kind: "timeout", message: "no answer" },
  outbox_dead_letter: { mutation: "paymentSessionResolve", attempts: 12 },
  soisy_status: { status: "waiting_for_disbursement" },
  merchant_resolve: { by: "merchant:shop.myshopify.com" },
  resolved: { input: "soisy_callback", from: "redirected", to: "resolved", soisyStatus: "waiting_for_disbursement", progress: "verified" },
  confirmation_received: { result: true },
  capture_session_received: { captureId: "c1", amountCents: 120_000 },
  void_session_received: { voidId: "v1" },
  capture_refused: { reason: "not_suspended" },
  capture_rejected: { code: "PROCESSING_ERROR", message: "Soisy did not fund the order" },
  void_confirmed: { by: "merchant:shop.myshopify.com" },
  void_rejected: { voidId: "v1", code: "PROCESSING_ERROR", message: "Void rejected: the payment was already captured and Soisy funded the loan. Use a refund.", messageKey: "settlement.reject.void_after_capture", params: {} },
  confirming: { input: "soisy_callback", from: "redirected", to: "confirming", soisyStatus: "waiting_for_disbursement" },
};

describe("timeline sentences", () => {
  for (const locale of LOCALES) {
    it(`every type the code writes has a sentence without codes (${locale})`, () => {
      const unknown = translate(locale, "tl.unknown");
      for (const [source, types] of Object.entries(TIMELINE_TYPES)) {
        for (const type of types) {
          const row = { source, type, detail: DETAILS[type] ?? {} };
          const sentence = timelineSentence(row, locale);
          expectWords(sentence, `${source}/${type}`);
          expect(sentence, `${source}/${type}`).not.toBe(unknown);
          expect(sentence, `${source}/${type}`).not.toContain("—");
          expectWords(whoActed(row, locale), `who ${source}/${type}`);
        }
      }
    });

    it(`every decision the lifecycle can write has a sentence (${locale})`, () => {
      const unknown = translate(locale, "tl.unknown");
      const seen = new Set<string>();
      for (const ctx of contexts()) {
        for (const input of inputs()) {
          const timeline = transition(ctx, input).effects.find((e) => e.type === "timeline");
          if (!timeline || timeline.type !== "timeline" || timeline.event === "no_change" || timeline.event === "ignored") continue;
          seen.add(timeline.event);
          const sentence = timelineSentence({ source: "app", type: timeline.event, detail: timeline.detail ?? {} }, locale);
          expectWords(sentence, `${timeline.event} ${JSON.stringify(timeline.detail)}`);
          expect(sentence).not.toBe(unknown);
        }
      }
      expect([...seen].sort()).toEqual(["abandoned", "confirming", "flagged", "not_eligible", "order_created", "pending", "preapproved", "rejected", "resolved"]);
    });

    it(`states, Soisy statuses and outbox entries are sentences (${locale})`, () => {
      for (const state of PAYMENT_STATES) expectWords(stateSentence(state, locale), state);
      for (const status of SOISY_ORDER_STATUSES) expectWords(soisyStatusSentence(status, locale), status);
      expectWords(soisyStatusSentence("brand_new_status", locale), "unknown status");
      const at = new Date(Date.UTC(2026, 0, 1));
      const outcomes = ["delivered", "already_done", "superseded", "retry", "user_error", "dead"];
      const mutations = [
        "paymentSessionResolve",
        "paymentSessionReject",
        "paymentSessionPending",
        "paymentSessionConfirm",
        "refundSessionResolve",
        "refundSessionReject",
        "captureSessionResolve",
        "captureSessionReject",
        "voidSessionResolve",
        "voidSessionReject",
        "paymentsAppConfigure",
      ];
      const messages = mutations.flatMap((mutation, i) =>
        ["pending", "delivered", "dead"].map((status, j) => ({
          id: `m${i}${j}`,
          mutation,
          status,
          attempts: 1,
          lastError: null,
          createdAt: at,
          attemptsLog: outcomes.map((outcome, k) => ({ id: `a${i}${j}${k}`, startedAt: at, durationMs: 1, httpStatus: 200, outcome, error: null })),
        })),
      );
      for (const entry of buildTimeline([], messages, locale, String)) {
        expectWords(entry.event, `${entry.code} ${entry.outcome}`);
        expectWords(entry.source, "who");
      }
    });
  }

  it("says what happened in the merchant's words", () => {
    const verified = { source: "app", type: "resolved", detail: DETAILS.resolved! };
    expect(timelineSentence(verified, "it")).toBe("Soisy ha verificato il finanziamento: ordine confermato su Shopify");
    expect(timelineSentence(verified, "en")).toBe("Soisy verified the loan: order confirmed on Shopify");
    const received = { source: "shopify", type: "payment_session_received", detail: DETAILS.payment_session_received! };
    expect(timelineSentence(received, "it")).toBe("Shopify ha chiesto un pagamento a rate di € 1.234,56");
    expect(timelineSentence(received, "en")).toBe("Shopify asked for an instalment payment of €1,234.56");
    expect(soisyStatusSentence("waiting_for_disbursement", "it")).toBe("Approvato da Soisy, in attesa di erogazione");
    expect(soisyStatusSentence("waiting_for_disbursement", "en")).toBe("Approved by Soisy, awaiting payout");
    expect(timelineSentence({ source: "app", type: "pending", detail: { input: "shopper_returned", soisyStatus: "waiting_for_verification", why: "PARTNER_ACTION_REQUIRED" } }, "it")).toBe(
      "Il cliente ha completato la richiesta su Soisy: pagamento in attesa su Shopify finché Soisy non decide",
    );
  });

  it("fund on fulfilment: confirmation, captures, voids and expiry in the merchant's words", () => {
    const say = (source: string, type: string, detail: Record<string, unknown>, locale: Locale = "it") => timelineSentence({ source, type, detail }, locale);
    expect(say("shopify", "confirmation_received", { result: true })).toBe("Shopify ha confermato che gli articoli sono ancora disponibili");
    expect(say("shopify", "confirmation_received", { result: false }, "en")).toBe("Shopify answered that the items are no longer available");
    expect(say("shopify", "capture_session_received", { captureId: "c1", amountCents: 120_050 })).toBe(
      "Shopify ha chiesto di incassare € 1.200,50: l'app chiede a Soisy di finanziare l'ordine",
    );
    expect(say("shopify", "capture_session_received", { captureId: "c1" }, "en")).toBe("Shopify asked to capture the payment: the app asks Soisy to fund the order");
    expect(say("shopify", "void_session_received", { voidId: "v1" }, "en")).toBe("Shopify asked to void the authorization: cancel the loan at Soisy, then confirm here");
    expect(say("soisy", "capture_triggered", {})).toBe("Soisy ha accettato di finanziare l'ordine: incasso confermato");
    expect(say("soisy", "capture_refused", { reason: "not_suspended" }, "en")).toBe(
      "Soisy did not fund the capture: the order is not suspended at Soisy (does your Soisy contract include suspended orders?)",
    );
    expect(say("soisy", "capture_refused", { reason: "amount_exceeds_loan" })).toBe("Soisy non ha finanziato l'incasso: l'importo supera il finanziamento concesso");
    expect(say("soisy", "capture_refused", { reason: "something_new" }, "en")).toBe("Soisy did not fund the capture: no reason given");
    expect(say("soisy", "capture_unknown", {}, "en")).toMatch(/^Soisy gave no clear answer to the capture/);
    expect(say("app", "capture_rejected", { code: "AUTHORIZATION_EXPIRED", message: "expired" }, "en")).toBe("Capture rejected on Shopify: the authorization had expired");
    expect(say("app", "capture_rejected", { code: "PROCESSING_ERROR", message: "Soisy: the order is not suspended" }, "en")).toBe(
      "Capture rejected on Shopify: no reason given (“Soisy: the order is not suspended”)",
    );
    // As the settlement service records them: the message key and parameters, shown in the merchant's language.
    const second = { captureId: "c2", code: "PROCESSING_ERROR", message: "Capture rejected: this payment was already captured; Soisy funds an order only once.", messageKey: "settlement.reject.second_capture", params: {} };
    expect(say("app", "capture_rejected", second)).toBe("Incasso rifiutato: questo pagamento è già stato incassato; Soisy finanzia un ordine una sola volta.");
    const above = { code: "PROCESSING_ERROR", messageKey: "settlement.reject.amount_above_authorized", params: { amount: "€1,600.00", authorized: "€1,500.00" } };
    expect(say("app", "capture_rejected", above, "en")).toBe("Capture rejected: €1,600.00 exceeds the authorized amount (€1,500.00).");
    const soisy = { code: "PROCESSING_ERROR", messageKey: "settlement.reject.soisy", params: { reason: "not_suspended", detail: "order not suspended" } };
    expect(say("app", "capture_rejected", soisy)).toBe("Soisy non ha finanziato l'incasso: l'ordine non è sospeso su Soisy (il tuo contratto Soisy non include gli ordini sospesi?)");
    expect(say("app", "capture_rejected", { code: "AUTHORIZATION_EXPIRED", messageKey: "settlement.reject.expired", params: { expiredAt: "2026-08-01T10:00:00.000Z" } }, "en")).toBe(
      "Capture rejected on Shopify: the authorization had expired",
    );
    expect(say("app", "void_rejected", DETAILS.void_rejected!, "en")).toBe("Void rejected: the payment was already captured and Soisy funded the loan. Use a refund.");
    expect(say("app", "void_rejected", { code: "PROCESSING_ERROR", messageKey: "transactions.title" })).toBe("Annullamento rifiutato su Shopify: motivo non indicato");
    expect(say("app", "alert:void_requested", {}, "en")).toBe("Shopify asked to void the authorization: cancel the loan application at Soisy, then confirm the void here");
    expect(say("merchant", "void_confirmed", { by: "owner@shop.it" })).toBe("Confermato: il finanziamento è stato annullato su Soisy; annullamento comunicato a Shopify");
    expect(whoActed({ source: "merchant", type: "void_confirmed", detail: { by: "owner@shop.it" } }, "en")).toBe("Your shop (you, owner@shop.it)");
    expect(whoActed({ source: "soisy", type: "capture_triggered", detail: {} }, "it")).toBe("Soisy");
    expect(say("app", "authorization_expired", {}, "en")).toMatch(/^The authorization expired without a capture: the order will not be funded/);
    for (const [code, it, en] of [
      ["confirmation_rejected", "Articoli non più disponibili", "Items no longer available"],
      ["confirmation_overdue", "Shopify non ha ancora confermato", "Shopify has not confirmed"],
      ["disbursed_without_capture", "Soisy ha erogato prima dell'incasso", "Soisy paid out before the capture"],
    ] as const) {
      expect(say("app", `alert:${code}`, {})).toMatch(new RegExp(`^${it}`));
      expect(say("app", `alert:${code}`, {}, "en")).toMatch(new RegExp(`^${en}`));
    }
  });

  it("fund on fulfilment: the lifecycle's confirming step and the confirmation's outcomes", () => {
    const say = (type: string, detail: Record<string, unknown>, locale: Locale = "it") => timelineSentence({ source: "app", type, detail }, locale);
    expect(say("confirming", DETAILS.confirming!, "en")).toBe("Soisy verified the loan: asked Shopify to confirm the items are still available before going on");
    expect(say("confirming", { input: "soisy_callback", soisyStatus: "waiting_for_verification" })).toBe(
      "Il cliente ha completato la richiesta su Soisy: chiesto a Shopify di confermare che gli articoli siano ancora disponibili prima di procedere",
    );
    // As the lifecycle writes it (result false, why inventory_not_reserved).
    expect(say("rejected", { input: "confirmation", from: "confirming", to: "rejected", why: "inventory_not_reserved", result: false }, "en")).toBe(
      "Shopify answered that the items are no longer available: payment declined on Shopify: cancel the application at Soisy",
    );
    expect(say("resolved", { input: "confirmation", from: "confirming", to: "resolved" })).toBe("Shopify ha confermato che gli articoli sono disponibili: ordine confermato su Shopify");
    expect(say("resolved", { input: "confirmation", authorizationExpiresAt: "2026-08-12T10:00:00.000Z" }, "en")).toBe(
      "Shopify confirmed the items are available: authorization confirmed on Shopify, to be captured by 12/08/2026, 12:00:00",
    );
    expect(say("pending", { input: "confirmation", why: "PARTNER_ACTION_REQUIRED" }, "en")).toBe(
      "Shopify confirmed the items are available: payment pending on Shopify until Soisy decides",
    );
    // The state itself (added to the lifecycle by issue 15) has its words ready in both languages.
    expect(translate("en", "state.confirming")).toBe("Confirming: Shopify checks that the items are still available");
    for (const locale of LOCALES) expect(translate(locale, "state.label.confirming").length).toBeLessThanOrEqual(20);
  });

  it("names who decided, never an id", () => {
    const cases: [string, Locale, string][] = [
      ["merchant:soisy-demo.myshopify.com", "it", "Il negozio (tu)"],
      ["merchant:soisy-demo.myshopify.com", "en", "Your shop (you)"],
      ["owner@shop.it", "it", "Il negozio (tu, owner@shop.it)"],
      ["auto", "it", "L'app, in automatico"],
      ["app", "en", "The app"],
      ["operator", "it", "L'operatore"],
    ];
    for (const [by, locale, label] of cases) expect(deciderLabel(by, locale)).toBe(label);
    expect(whoActed({ source: "merchant", type: "merchant_reject", detail: { by: "merchant:x.myshopify.com" } }, "it")).toBe("Il negozio (tu)");
  });

  it("falls back to a readable sentence for what it does not know, keeping the code out", () => {
    for (const locale of LOCALES) {
      for (const [source, type] of [["app", "future_thing"], ["soisy_callback", "LoanWasTeleported"], ["shopify", "mystery"], ["elsewhere", "x_y"]] as const) {
        const sentence = timelineSentence({ source, type, detail: {} }, locale);
        expectWords(sentence, type);
        expect(sentence).not.toContain(type);
      }
    }
  });

  it("formats money one way: euro as elsewhere in the admin, other currencies with Intl", () => {
    expect(formatMoney(100_000, "EUR", "it")).toBe("€ 1.000,00");
    expect(formatMoney(100_000, "EUR", "en")).toBe("€1,000.00");
    expect(formatMoney(5_000, "USD", "en")).toBe("US$50.00");
    expect(formatMoney(123_456, "USD", "it")).toBe("1.234,56\u00a0USD");
    expect(formatMoney(5_000, "??", "it")).toBe("50.00 ??");
  });
});

function contexts(): LifecycleContext[] {
  const now = new Date("2026-07-13T10:00:00.000Z");
  const list: LifecycleContext[] = [];
  for (const state of PAYMENT_STATES as readonly PaymentState[]) {
    for (const flagReason of [null, "amount_mismatch"]) {
      for (const groupAlreadyResolved of [false, true]) {
        for (const confirmed of [false, true]) {
          list.push({
            state,
            amountCents: 50_000,
            flagReason,
            pendingExpiresAt: null,
            groupAlreadyResolved,
            settings: { resolveOn: "verified", pendingExpiryDays: 3, authorizationDays: 30 },
            now,
            kind: "sale",
            confirmed,
            deferred: state === "confirming" ? { outcome: "pending", reason: "PARTNER_ACTION_REQUIRED" } : null,
            confirmationRequestedAt: state === "confirming" ? new Date(now.getTime() - 20 * 60_000) : null,
          });
        }
      }
    }
  }
  return list;
}

const inputs = () => allLifecycleInputs(50_000);

// The short state labels (the demo hub's list) were the lifecycle's describeState; they are UI text, in the catalogue.
describe("state labels", () => {
  it("has a short, distinct Italian and English label for every state", () => {
    for (const locale of ["it", "en"] as const) {
      const labels = PAYMENT_STATES.map((s) => stateLabel(s, locale));
      expect(new Set(labels).size).toBe(PAYMENT_STATES.length);
      for (const label of labels) expect(label.length).toBeGreaterThan(0);
      for (const label of labels) expect(label.length).toBeLessThanOrEqual(20);
    }
    expect(stateLabel("resolved", "it")).toBe("Pagato");
    expect(stateLabel("pending", "en")).toBe("Pending");
    expect(stateLabel("redirected", "it")).not.toBe(stateLabel("redirected", "en"));
  });

  it("has a label in both languages for the pre-approval state", () => {
    expect(stateLabel("preapproval", "it")).toBe("In pre-approvazione");
    expect(stateLabel("preapproval", "en")).toBe("In pre-approval");
  });
});
