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
  not_eligible: { reason: "amount_too_large", code: "AMOUNT_TOO_LARGE" },
  soisy_order_failed: { kind: "timeout", message: "no answer" },
  outbox_dead_letter: { mutation: "paymentSessionResolve", attempts: 12 },
  soisy_status: { status: "waiting_for_disbursement" },
  merchant_resolve: { by: "merchant:shop.myshopify.com" },
  resolved: { input: "soisy_callback", from: "redirected", to: "resolved", soisyStatus: "waiting_for_disbursement", progress: "verified" },
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
      const mutations = ["paymentSessionResolve", "paymentSessionReject", "paymentSessionPending", "refundSessionResolve", "refundSessionReject", "paymentsAppConfigure"];
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
