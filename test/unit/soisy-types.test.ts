import { describe, expect, it } from "vitest";
import {
  ApproveRequestResponseSchema,
  CreateOrderInputSchema,
  CreateRequestInputSchema,
  LoanQuotesSchema,
  OrderStatusSchema,
  SOISY_CALLBACK_EVENT_IDS,
  SOISY_ORDER_STATUSES,
  ShopInfoSchema,
  approveDecisionOf,
  isKnownCallbackEvent,
  isKnownOrderStatus,
  parseSoisyCallback,
} from "~/soisy/types";
import { soisyApiBaseUrl, soisyWebappUrl } from "~/soisy/urls.server";

describe("CreateOrderInputSchema", () => {
  it("accepts an empty order (every field is optional) and a full one", () => {
    expect(CreateOrderInputSchema.parse({})).toEqual({});
    const full = CreateOrderInputSchema.parse({
      amount: 123456,
      instalments: 12,
      email: "mario.rossi@example.it",
      firstname: "Mario",
      lastname: "Rossi",
      mobilePhone: "3331234567",
      countryCallingCode: "+39",
      fiscalCode: "rssmra80a01f205x",
      vatId: "12345678901",
      vatCountry: "IT",
      city: "Milano",
      province: "MI",
      address: "Via Roma",
      civicNumber: "10/B",
      postalCode: "20121",
      zeroInterestRate: false,
      successUrl: "https://app.example/return/ok",
      errorUrl: "https://app.example/return/ko",
      callbackUrl: "https://app.example/callback/abc",
      orderReference: "gid://shopify/PaymentSession/1",
    });
    expect(full.fiscalCode).toBe("RSSMRA80A01F205X");
  });

  it.each([
    ["amount", 12.5],
    ["amount", 0],
    ["amount", "1000"],
    ["instalments", 2],
    ["instalments", 61],
    ["email", "not-an-email"],
    ["mobilePhone", "+393331234567"],
    ["mobilePhone", "333 1234567"],
    ["province", "mi"],
    ["province", "MIL"],
    ["postalCode", "2012"],
    ["fiscalCode", "RSSMRA80A01F205"],
    ["vatId", "1234567890"],
    ["vatCountry", "it"],
    ["successUrl", "javascript:alert(1)"],
    ["callbackUrl", "/relative"],
    ["firstname", ""],
    ["unknownField", "x"],
  ])("rejects %s = %j", (field, value) => {
    const result = CreateOrderInputSchema.safeParse({ [field]: value });
    expect(result.success).toBe(false);
  });
});

describe("CreateRequestInputSchema", () => {
  const base = {
    amount: 50000,
    instalments: 10,
    privacy: true,
    fiscalCode: "RSSMRA80A01F205X",
    jobDescription: "employee_open_ended_contract",
  };
  it("requires privacy consent, a known job, and job-specific fields", () => {
    expect(CreateRequestInputSchema.safeParse(base).success).toBe(true);
    expect(CreateRequestInputSchema.safeParse({ ...base, privacy: false }).success).toBe(false);
    expect(CreateRequestInputSchema.safeParse({ ...base, jobDescription: "astronaut" }).success).toBe(false);
    const fixed = CreateRequestInputSchema.safeParse({ ...base, jobDescription: "employee_fixed_term_contract" });
    expect(fixed.success).toBe(false);
    expect(fixed.error?.issues[0]?.path).toEqual(["actualJobEndingDate"]);
    expect(
      CreateRequestInputSchema.safeParse({
        ...base,
        jobDescription: "employee_fixed_term_contract",
        actualJobEndingDate: "12/2027",
      }).success,
    ).toBe(true);
    expect(CreateRequestInputSchema.safeParse({ ...base, jobDescription: "entrepreneur" }).success).toBe(false);
    expect(
      CreateRequestInputSchema.safeParse({ ...base, jobDescription: "entrepreneur", vatId: "12345678901" }).success,
    ).toBe(true);
  });
});

describe("OrderStatusSchema (lenient where the spec is uncertain)", () => {
  it("is strict on token and status", () => {
    expect(OrderStatusSchema.safeParse({ status: "quote" }).success).toBe(false);
    expect(OrderStatusSchema.safeParse({ token: "t" }).success).toBe(false);
    expect(OrderStatusSchema.safeParse({ token: "", status: "quote" }).success).toBe(false);
    expect(OrderStatusSchema.safeParse({ token: "t", status: 3 }).success).toBe(false);
  });

  it("keeps unknown statuses as they are and fills missing / odd fields with null", () => {
    const parsed = OrderStatusSchema.parse({
      token: "t",
      status: "some_new_status",
      loanAmount: "123456",
      loanNetAmount: 12.5,
      instalmentsNumber: 12,
      zeroInterestRate: "1",
      email: { weird: true },
      createdAt: "2025-01-01 10:00:00",
      extra: "kept",
    });
    expect(parsed.status).toBe("some_new_status");
    expect(isKnownOrderStatus(parsed.status)).toBe(false);
    expect(parsed.loanAmount).toBe(123456);
    expect(parsed.loanNetAmount).toBeNull();
    expect(parsed.instalmentsNumber).toBe(12);
    expect(parsed.zeroInterestRate).toBe(true);
    expect(parsed.email).toBeNull();
    expect(parsed.loanVerifiedAt).toBeNull();
    expect(parsed.createdAt).toBe("2025-01-01 10:00:00");
    expect((parsed as Record<string, unknown>).extra).toBe("kept");
  });

  it("knows the documented statuses", () => {
    for (const s of SOISY_ORDER_STATUSES) expect(isKnownOrderStatus(s)).toBe(true);
    expect(isKnownOrderStatus("QUOTE")).toBe(false);
  });
});

describe("LoanQuotesSchema and ShopInfoSchema", () => {
  it("coerces numeric strings and requires all three profiles", () => {
    const q = { instalmentAmount: "8792", totalRepaid: 105504, fee: null, interest: 5504, interestRate: "9,90", apr: "10.36" };
    const parsed = LoanQuotesSchema.parse({ min: q, median: q, max: q });
    expect(parsed.min).toMatchObject({ instalmentAmount: 8792, fee: 0, interestRate: 9.9, apr: 10.36 });
    expect(LoanQuotesSchema.safeParse({ min: q, median: q }).success).toBe(false);
    expect(LoanQuotesSchema.safeParse({ min: q, median: q, max: { ...q, instalmentAmount: 87.92 } }).success).toBe(false);
  });

  it("accepts the widget's maxInstalmentsNumber alias", () => {
    expect(ShopInfoSchema.parse({ active: true, maxInstalmentsNumber: 24 })).toEqual({
      active: true,
      maxLoanInstalmentsNumber: 24,
      zeroInterestRate: false,
    });
    expect(ShopInfoSchema.parse({ active: "1", maxLoanInstalmentsNumber: 36, zeroInterestRate: true })).toMatchObject({
      active: true,
      maxLoanInstalmentsNumber: 36,
      zeroInterestRate: true,
    });
    expect(ShopInfoSchema.safeParse({ maxLoanInstalmentsNumber: 36 }).success).toBe(false);
  });
});

describe("approveDecisionOf", () => {
  const decide = (body: unknown) => approveDecisionOf(ApproveRequestResponseSchema.parse(body));
  it.each([
    [{ approved: true }, "approved"],
    [{ approved: false }, "rejected"],
    [{ status: "approved" }, "approved"],
    [{ status: "REJECTED" }, "rejected"],
    [{ outcome: "refused" }, "rejected"],
    [{ outcome: { status: "accepted" } }, "approved"],
    [{ outcome: true }, "approved"],
    [{ approved: "1", redirectUrl: "https://x.test/y" }, "approved"],
    [{}, "unknown"],
    [{ status: "pending" }, "unknown"],
    [{ approved: true, status: "rejected" }, "unknown"],
  ])("%j → %s", (body, decision) => {
    expect(decide(body)).toBe(decision);
  });

  it("keeps unknown keys", () => {
    const parsed = ApproveRequestResponseSchema.parse({ approved: true, somethingNew: 1, redirectUrl: "not a url" });
    expect((parsed as Record<string, unknown>).somethingNew).toBe(1);
    expect(parsed.redirectUrl).toBeNull();
  });
});

describe("callbacks", () => {
  it("lists the five events", () => {
    expect(SOISY_CALLBACK_EVENT_IDS).toEqual([
      "LoanWasApproved",
      "RequestCompleted",
      "LoanWasVerified",
      "LoanWasDisbursed",
      "UserWasRejected",
    ]);
    expect(isKnownCallbackEvent("LoanWasDisbursed")).toBe(true);
    expect(isKnownCallbackEvent("toString")).toBe(false);
  });

  it("parses a form-encoded body (string, URLSearchParams or object)", () => {
    const raw =
      "eventId=LoanWasDisbursed&eventMessage=payment+received&eventDate=2025-01-01T10%3A00%3A00Z&orderToken=abc&orderReference=ref%201&amount=123456";
    for (const input of [raw, new URLSearchParams(raw), Object.fromEntries(new URLSearchParams(raw))]) {
      const result = parseSoisyCallback(input);
      expect(result.success).toBe(true);
      expect(result.data).toMatchObject({
        eventId: "LoanWasDisbursed",
        eventMessage: "payment received",
        eventDate: "2025-01-01T10:00:00Z",
        orderToken: "abc",
        orderReference: "ref 1",
        amount: 123456,
      });
    }
  });

  it("requires eventId and orderToken, keeps unknown events, treats an empty reference as null", () => {
    expect(parseSoisyCallback("eventId=LoanWasApproved").success).toBe(false);
    expect(parseSoisyCallback("orderToken=abc").success).toBe(false);
    const unknown = parseSoisyCallback("eventId=SomethingNew&orderToken=abc&orderReference=");
    expect(unknown.success).toBe(true);
    expect(unknown.data?.eventId).toBe("SomethingNew");
    expect(unknown.data?.orderReference).toBeNull();
    expect(unknown.data?.amount).toBeNull();
  });
});

describe("base URLs", () => {
  it("uses Soisy's hosts by default", () => {
    expect(soisyApiBaseUrl("sandbox", {})).toBe("https://api.sandbox.soisy.it");
    expect(soisyApiBaseUrl("production", {})).toBe("https://api.soisy.it");
  });

  it("SOISY_API_URL overrides both environments; the specific variables override one", () => {
    const env = {
      SOISY_API_URL: "http://127.0.0.1:4100/",
      SOISY_SANDBOX_API_URL: "https://sb.example",
      SOISY_PRODUCTION_API_URL: "https://prod.example",
    };
    expect(soisyApiBaseUrl("sandbox", env)).toBe("http://127.0.0.1:4100");
    expect(soisyApiBaseUrl("production", env)).toBe("http://127.0.0.1:4100");
    const specific = { SOISY_SANDBOX_API_URL: "https://sb.example", SOISY_PRODUCTION_API_URL: " https://prod.example/ " };
    expect(soisyApiBaseUrl("sandbox", specific)).toBe("https://sb.example");
    expect(soisyApiBaseUrl("production", specific)).toBe("https://prod.example");
    expect(soisyApiBaseUrl("production", { SOISY_API_URL: "  " })).toBe("https://api.soisy.it");
  });

  it("rejects malformed overrides and unknown environments", () => {
    expect(() => soisyApiBaseUrl("sandbox", { SOISY_API_URL: "not a url" })).toThrow(/SOISY_API_URL/);
    expect(() => soisyApiBaseUrl("sandbox", { SOISY_API_URL: "ftp://x" })).toThrow(/http/);
    expect(() => soisyApiBaseUrl("sandbox", { SOISY_API_URL: "https://u:p@x" })).toThrow(/credentials/);
    expect(() => soisyApiBaseUrl("staging" as "sandbox", {})).toThrow(/environment/);
  });

  it("builds the webapp fallback URL, encoded, overridable by SOISY_WEBAPP_URL", () => {
    expect(soisyWebappUrl("sandbox", "partnershop", "tok123", {})).toBe(
      "https://shop.sandbox.soisy.it/partnershop#/loan-request?token=tok123",
    );
    expect(soisyWebappUrl("production", "my shop", "a&b", {})).toBe(
      "https://shop.soisy.it/my%20shop#/loan-request?token=a%26b",
    );
    expect(soisyWebappUrl("production", "s", "t", { SOISY_WEBAPP_URL: "http://127.0.0.1:4100/" })).toBe(
      "http://127.0.0.1:4100/s#/loan-request?token=t",
    );
  });
});
