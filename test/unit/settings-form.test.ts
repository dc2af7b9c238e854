import { describe, expect, it } from "vitest";
import {
  ISO_COUNTRY_CODES,
  optionsToForm,
  parseCredentialsForm,
  parseEuroInput,
  parseOptionsForm,
  type OptionsFormValues,
} from "~/settings/settings-form";
import { outcomeOfCheck } from "~/settings/verify.server";
import { readinessOf } from "~/shopify/configure.server";
import { SoisyAuthError, SoisyNetworkError, SoisyNotFoundError, SoisyServerError, SoisyTimeoutError, SoisyBadResponseError } from "~/soisy/errors";
import { MESSAGES } from "~/i18n/messages";

const valid: OptionsFormValues = {
  minAmount: "150,50",
  maxAmount: "9999.99",
  integrationLevel: "preapproval",
  resolveOn: "disbursed",
  pendingExpiryDays: "2",
  zeroInterest: "on",
  widgetInstalments: "10",
  excludedProductTags: "no-soisy, gift, no-soisy, ",
  excludeGiftCards: "",
  allowedCountries: "it, SM ,it",
  autoResolveRefunds: "on",
  fundOn: "fulfilment",
  authorizationDays: " 14 ",
};

describe("settings form: amounts", () => {
  it.each([
    ["150,50", 15050],
    ["150.50", 15050],
    ["19.99", 1999],
    ["0,10", 10],
    [" 100 ", 10000],
    ["€ 10", 1000],
    ["1.230", 123],
    // Grouped thousands with a decimal mark, as the settings page shows amounts.
    ["15.000,00", 1_500_000],
    ["1.000,5", 100_050],
    ["€ 1.234.567,89", 123_456_789],
    ["15,000.00", 1_500_000],
  ])("%j → %d cents", (input, cents) => {
    expect(parseEuroInput(input)).toBe(cents);
  });

  it.each(["12,5.3", "1,000,00", "1.00,00", "12.3456,00", "1.234", "-5", "", "abc", "1e3", "10,", "007", "1.000,00,00"])("%j is refused", (input) => {
    expect(parseEuroInput(input)).toBeNull();
  });
});

describe("settings form: options", () => {
  it("parses a valid form exactly (countries upper-cased, lists de-duplicated, unchecked boxes false)", () => {
    expect(parseOptionsForm(valid)).toEqual({
      ok: true,
      value: {
        minAmountCents: 15050,
        maxAmountCents: 999999,
        integrationLevel: "preapproval",
        resolveOn: "disbursed",
        pendingExpiryDays: 2,
        zeroInterest: true,
        widgetInstalments: 10,
        excludedProductTags: ["no-soisy", "gift"],
        excludeGiftCards: false,
        allowedCountries: ["IT", "SM"],
        autoResolveRefunds: true,
        fundOn: "fulfilment",
        authorizationDays: 14,
      },
    });
    const { excludeGiftCards: _unchecked, ...withoutBox } = valid;
    expect(parseOptionsForm(withoutBox)).toMatchObject({ ok: true, value: { excludeGiftCards: false } });
  });

  it("round-trips what the page shows", () => {
    const parsed = parseOptionsForm(valid);
    if (!parsed.ok) throw new Error("expected ok");
    expect(parseOptionsForm(optionsToForm(parsed.value))).toEqual(parsed);
    expect(optionsToForm(parsed.value).minAmount).toBe("150.50");
  });

  it("puts each error on its field", () => {
    const result = parseOptionsForm({
      ...valid,
      minAmount: "12,5.3",
      maxAmount: "0.50",
      integrationLevel: "magic",
      pendingExpiryDays: "0",
      widgetInstalments: "twelve",
      allowedCountries: "IT, xx, ZZ",
      fundOn: "shipment",
      authorizationDays: "31",
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        minAmount: { key: "settings.error.amountFormat" },
        maxAmount: { key: "settings.error.amountRange", params: { min: "1.00", max: "30000.00" } },
        integrationLevel: { key: "settings.error.choice" },
        pendingExpiryDays: { key: "settings.error.days" },
        widgetInstalments: { key: "settings.error.integer" },
        allowedCountries: { key: "settings.error.countryUnknown", params: { codes: "XX, ZZ" } },
        fundOn: { key: "settings.error.choice" },
        authorizationDays: { key: "settings.error.authorizationDays" },
      },
    });
  });

  it("wants min < max, at least one country and sane tags", () => {
    expect(parseOptionsForm({ ...valid, minAmount: "200", maxAmount: "200.00" })).toEqual({
      ok: false,
      errors: { minAmount: { key: "settings.error.minNotBelowMax" } },
    });
    expect(parseOptionsForm({ ...valid, allowedCountries: " , " })).toMatchObject({ ok: false, errors: { allowedCountries: { key: "settings.error.countriesEmpty" } } });
    expect(parseOptionsForm({ ...valid, excludedProductTags: "x".repeat(256) })).toMatchObject({ ok: false, errors: { excludedProductTags: { key: "settings.error.tags" } } });
    expect(parseOptionsForm({ ...valid, widgetInstalments: "61" })).toMatchObject({ ok: false, errors: { widgetInstalments: { key: "settings.error.instalments" } } });
    // Shopify refuses a pending expiry past 3 days (OUT_OF_RANGE_PENDING_EXPIRES_AT).
    expect(parseOptionsForm({ ...valid, pendingExpiryDays: "3" })).toMatchObject({ ok: true });
    expect(parseOptionsForm({ ...valid, pendingExpiryDays: "4" })).toMatchObject({ ok: false, errors: { pendingExpiryDays: { key: "settings.error.days" } } });
  });

  it("when Soisy funds: at approval (the default) or at fulfilment, with 1 to 30 days to capture", () => {
    expect(parseOptionsForm({ ...valid, fundOn: "approval", authorizationDays: "30" })).toMatchObject({ ok: true, value: { fundOn: "approval", authorizationDays: 30 } });
    expect(parseOptionsForm({ ...valid, authorizationDays: "1" })).toMatchObject({ ok: true, value: { fundOn: "fulfilment", authorizationDays: 1 } });
    for (const days of ["0", "31", "365"]) {
      expect(parseOptionsForm({ ...valid, authorizationDays: days }), days).toEqual({ ok: false, errors: { authorizationDays: { key: "settings.error.authorizationDays" } } });
    }
    expect(parseOptionsForm({ ...valid, authorizationDays: "7.5" })).toEqual({ ok: false, errors: { authorizationDays: { key: "settings.error.integer" } } });
    expect(parseOptionsForm({ ...valid, authorizationDays: "" })).toEqual({ ok: false, errors: { authorizationDays: { key: "settings.error.integer" } } });
    // A form without the choice (a page loaded before the setting existed) saves nothing rather than guessing.
    const { fundOn: _missing, ...withoutChoice } = valid;
    expect(parseOptionsForm(withoutChoice)).toEqual({ ok: false, errors: { fundOn: { key: "settings.error.choice" } } });
    expect(parseOptionsForm({ ...valid, fundOn: "Fulfilment" })).toEqual({ ok: false, errors: { fundOn: { key: "settings.error.choice" } } });
  });

  it("every error key exists in both languages", () => {
    const result = parseOptionsForm({ ...valid, minAmount: "x", resolveOn: "", pendingExpiryDays: "99", allowedCountries: "QQ", authorizationDays: "99" });
    if (result.ok) throw new Error("expected errors");
    for (const error of Object.values(result.errors)) {
      expect(MESSAGES.it[error!.key]).toBeTruthy();
      expect(MESSAGES.en[error!.key]).toBeTruthy();
    }
  });
});

describe("settings form: countries", () => {
  it("holds the 249 ISO 3166-1 alpha-2 codes, each a real region", () => {
    expect(ISO_COUNTRY_CODES.size).toBe(249);
    const names = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
    for (const code of ISO_COUNTRY_CODES) {
      expect(code).toMatch(/^[A-Z]{2}$/);
      expect(names.of(code), code).toBeTruthy();
    }
    for (const code of ["IT", "SM", "VA", "DE", "FR"]) expect(ISO_COUNTRY_CODES.has(code)).toBe(true);
    for (const code of ["XX", "ZZ", "EU", "UK"]) expect(ISO_COUNTRY_CODES.has(code)).toBe(false);
  });
});

describe("settings form: credentials", () => {
  it("a blank key keeps the stored one, and is required when none is stored", () => {
    expect(parseCredentialsForm({ soisyShopId: " partnershop ", apiKey: "  " }, true)).toEqual({ ok: true, value: { soisyShopId: "partnershop", apiKey: null } });
    expect(parseCredentialsForm({ soisyShopId: "partnershop", apiKey: "" }, false)).toEqual({ ok: false, errors: { apiKey: { key: "settings.error.apiKeyRequired" } } });
    expect(parseCredentialsForm({ soisyShopId: "partnershop", apiKey: " k " }, false)).toEqual({ ok: true, value: { soisyShopId: "partnershop", apiKey: "k" } });
  });

  it("checks the shop id and the key length", () => {
    expect(parseCredentialsForm({ soisyShopId: "", apiKey: "k" }, false)).toMatchObject({ ok: false, errors: { soisyShopId: { key: "settings.error.shopIdRequired" } } });
    expect(parseCredentialsForm({ soisyShopId: "a b/c", apiKey: "k" }, false)).toMatchObject({ ok: false, errors: { soisyShopId: { key: "settings.error.shopIdFormat" } } });
    expect(parseCredentialsForm({ soisyShopId: "shop", apiKey: "k".repeat(501) }, false)).toMatchObject({ ok: false, errors: { apiKey: { key: "settings.error.apiKeyFormat" } } });
  });
});

describe("verify outcome and readiness", () => {
  it("maps Soisy's answers to what the merchant is told", () => {
    const ctx = { method: "GET", path: "/api/shops/x/orders/t" };
    expect(outcomeOfCheck(null)).toBe("ok");
    expect(outcomeOfCheck(new SoisyNotFoundError({ ...ctx, status: 404 }))).toBe("ok");
    expect(outcomeOfCheck(new SoisyAuthError({ ...ctx, status: 403 }))).toBe("auth");
    expect(outcomeOfCheck(new SoisyTimeoutError({ ...ctx, timeoutMs: 10 }))).toBe("unreachable");
    expect(outcomeOfCheck(new SoisyNetworkError({ ...ctx, cause: new Error("ECONNREFUSED") }))).toBe("unreachable");
    expect(outcomeOfCheck(new SoisyServerError({ ...ctx, status: 502 }))).toBe("server");
    expect(outcomeOfCheck(new SoisyBadResponseError({ ...ctx, status: 200, reason: "not JSON" }))).toBe("unexpected");
    expect(outcomeOfCheck(new Error("boom"))).toBe("unexpected");
  });

  it("is ready only with verified production credentials", () => {
    const view = (production: { soisyShopId: string | null; apiKeySet: boolean; verifiedAt: Date | null }, ready = false) => ({
      ready,
      credentials: { sandbox: { soisyShopId: "s", apiKeySet: true, verifiedAt: new Date() }, production },
    });
    expect(readinessOf(view({ soisyShopId: "p", apiKeySet: true, verifiedAt: new Date() }))).toEqual({
      wanted: true,
      ready: false,
      missing: [],
      inSync: false,
      externalHandle: "p",
    });
    expect(readinessOf(view({ soisyShopId: "p", apiKeySet: true, verifiedAt: null }, true))).toMatchObject({ wanted: false, missing: ["production_unverified"], inSync: false });
    expect(readinessOf(view({ soisyShopId: null, apiKeySet: false, verifiedAt: null }))).toMatchObject({ wanted: false, missing: ["production_credentials"], inSync: true, externalHandle: null });
  });
});
