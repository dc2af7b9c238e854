/**
 * Pure parts of the e-mail alerts: the digest hour in Europe/Rome across daylight-saving changes,
 * the alert settings form (validation → message keys), HTML escaping and the payment link.
 */
import { describe, expect, it } from "vitest";
import { smtpErrorText } from "~/notifications/mailer.server";
import { alertLink, escapeHtml, renderAlert } from "~/notifications/render";
import { nextDigestAt, romeDay } from "~/notifications/schedule";
import { parseAlertForm } from "~/settings/alert-settings-form";

describe("digest schedule (08:00 Europe/Rome)", () => {
  it("is 07:00 UTC in winter and 06:00 UTC in summer, the same day before the hour, else the next day", () => {
    expect(nextDigestAt(new Date("2026-01-15T05:00:00Z"), 8).toISOString()).toBe("2026-01-15T07:00:00.000Z");
    expect(nextDigestAt(new Date("2026-01-15T07:00:00Z"), 8).toISOString()).toBe("2026-01-16T07:00:00.000Z");
    expect(nextDigestAt(new Date("2026-07-15T12:00:00Z"), 8).toISOString()).toBe("2026-07-16T06:00:00.000Z");
  });
  it("crosses the DST changes (29 March and 25 October 2026)", () => {
    expect(nextDigestAt(new Date("2026-03-28T12:00:00Z"), 8).toISOString()).toBe("2026-03-29T06:00:00.000Z");
    expect(nextDigestAt(new Date("2026-10-24T12:00:00Z"), 8).toISOString()).toBe("2026-10-25T07:00:00.000Z");
  });
  it("names the Rome day, not the UTC one", () => {
    expect(romeDay(new Date("2026-01-15T23:30:00Z"))).toBe("2026-01-16");
  });
});

describe("alert settings form", () => {
  const good = { alertEmail: " owner@shop.it ", alertLocale: "en", alertDigest: "daily", settleRefundsFromSoisy: "on", payoutGraceDays: "14" };
  it("reads a valid form; an empty address means no e-mail", () => {
    expect(parseAlertForm(good)).toEqual({ ok: true, value: { alertEmail: "owner@shop.it", alertLocale: "en", alertDigest: true, settleRefundsFromSoisy: true, payoutGraceDays: 14 } });
    const none = parseAlertForm({ ...good, alertEmail: "", settleRefundsFromSoisy: undefined, alertDigest: "each" });
    expect(none).toEqual({ ok: true, value: { alertEmail: null, alertLocale: "en", alertDigest: false, settleRefundsFromSoisy: false, payoutGraceDays: 14 } });
  });
  it("reports each bad field with its message key", () => {
    const bad = parseAlertForm({ alertEmail: "not-an-address", alertLocale: "de", alertDigest: "weekly", payoutGraceDays: "61" });
    expect(bad).toEqual({
      ok: false,
      errors: {
        alertEmail: { key: "settings.error.email" },
        alertLocale: { key: "settings.error.choice" },
        alertDigest: { key: "settings.error.choice" },
        payoutGraceDays: { key: "settings.error.graceDays" },
      },
    });
    expect(parseAlertForm({ ...good, payoutGraceDays: "0" })).toMatchObject({ ok: false, errors: { payoutGraceDays: { key: "settings.error.graceDays" } } });
    expect(parseAlertForm({ ...good, payoutGraceDays: "1,5" })).toMatchObject({ ok: false, errors: { payoutGraceDays: { key: "settings.error.graceDays" } } });
  });
});

describe("rendering", () => {
  it("escapes HTML and links the payment's page (or the settings for credentials)", () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    expect(alertLink("https://app.example/", { paymentSessionId: "p/1" })).toBe("https://app.example/app/transactions/p%2F1");
    expect(alertLink("https://app.example", { paymentSessionId: null })).toBe("https://app.example/app/settings");
    const mail = renderAlert(
      { kind: "amount_mismatch", shop: "s.myshopify.com", paymentSessionId: "p1", detail: { amountCents: 10_000, loanAmountCents: 9_000, currency: "EUR", at: "2026-01-15T10:00:00Z" } },
      { locale: "en", appUrl: "https://app.example", shopLabel: "<b>Shop</b>" },
    );
    expect(mail.subject).toBe("[<b>Shop</b>] Soisy's amount differs from the order");
    expect(mail.html).toContain("&lt;b&gt;Shop&lt;/b&gt;");
    expect(mail.html).not.toContain("<b>Shop</b>");
    expect(mail.text).toContain("(€90.00) does not match the order amount (€100.00)");
  });
});

describe("SMTP error text", () => {
  it("blanks out e-mail addresses", () => {
    expect(smtpErrorText(new Error("Can't send mail - all recipients were rejected: 550 5.1.1 <owner@shop.example>: unknown"))).toBe(
      "Can't send mail - all recipients were rejected: 550 5.1.1 <<address>>: unknown",
    );
  });
});
