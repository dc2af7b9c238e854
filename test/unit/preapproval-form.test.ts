import { describe, expect, it } from "vitest";
import { withCheckChar } from "~/preapproval/fiscal-code";
import { normalizeMobile, readForm, soisyErrorsToForm, soisyInputs, validateForm, type FormValues } from "~/preapproval/form";
import { prefillOf } from "~/preapproval/preapproval.server";
import { shopHandle as shopNameOf } from "~/shopify/shop-handle";
import { CreateRequestInputSchema, ApproveRequestInputSchema } from "~/soisy/types";
import { buildTimeline } from "~/transactions/timeline";

const CODE = withCheckChar("RSSMRA80A01H501");
const valid: FormValues = {
  instalments: "12",
  fiscalCode: CODE.toLowerCase(),
  jobDescription: "employee_open_ended_contract",
  firstname: "Alice",
  lastname: "Rossi",
  email: "alice@example.com",
  mobilePhone: "+39 333 123 4567",
  address: "Via Roma, vicino alla piazza",
  civicNumber: "12/A",
  postalCode: "20121",
  city: "Milano",
  province: "mi",
  citizenship: "italian",
  privacy: "on",
};

describe("pre-approval form", () => {
  it("accepts a complete form and builds inputs Soisy's schemas accept", () => {
    expect(validateForm(valid)).toEqual({});
    const { request, approval } = soisyInputs(valid, { additional: false });
    expect(request).toEqual({ instalments: 12, privacy: true, marketing: false, fiscalCode: CODE, jobDescription: "employee_open_ended_contract" });
    expect(approval).toMatchObject({ mobilePhone: "3331234567", countryCallingCode: "+39", province: "MI", address: "Via Roma vicino alla piazza", loanFinality: "ecommerce_shop" });
    expect(CreateRequestInputSchema.safeParse({ amount: 48000, ...request }).success).toBe(true);
    expect(ApproveRequestInputSchema.safeParse({ amount: 48000, orderToken: "tok", ...approval }).success).toBe(true);
  });

  it("names each problem per field", () => {
    expect(validateForm({})).toMatchObject({ instalments: "required", fiscalCode: "required", jobDescription: "required", email: "required", privacy: "privacy" });
    expect(validateForm({ ...valid, fiscalCode: CODE.slice(0, 15) + (CODE.endsWith("A") ? "B" : "A") })).toEqual({ fiscalCode: "fiscalCodeCheck" });
    expect(validateForm({ ...valid, fiscalCode: "RSSMRA80" })).toEqual({ fiscalCode: "fiscalCodeLength" });
    expect(validateForm({ ...valid, instalments: "7" })).toEqual({ instalments: "instalments" });
    expect(validateForm({ ...valid, instalments: "48" }, { instalmentChoices: [3, 6, 12] })).toEqual({ instalments: "instalments" });
    expect(validateForm({ ...valid, jobDescription: "employee_fixed_term_contract" })).toEqual({ actualJobEndingDate: "required" });
    expect(validateForm({ ...valid, jobDescription: "employee_fixed_term_contract", actualJobEndingDate: "2027-06" })).toEqual({ actualJobEndingDate: "monthYear" });
    expect(validateForm({ ...valid, jobDescription: "entrepreneur", vatId: "123" })).toEqual({ vatId: "vatId" });
    expect(validateForm({ ...valid, postalCode: "2012", province: "Milano", mobilePhone: "+44 7911 123456x" })).toEqual({ postalCode: "postalCode", province: "province", mobilePhone: "mobilePhone" });
    expect(validateForm(valid, { additional: true })).toMatchObject({ residence: "required", children: "required" });
    expect(validateForm({ ...valid, residence: "rent", residenceStartDate: "03/2019", educationalQualification: "degree", children: "0", salaryType: "salary" }, { additional: true })).toEqual({});
  });

  it("reads only known fields from a post", () => {
    expect(readForm([["fiscalCode", "x"], ["evil", "y"], ["privacy", "on"]])).toEqual({ fiscalCode: "x", privacy: "on" });
    expect(normalizeMobile("0039 333-123.4567")).toBe("3331234567");
  });

  it("puts Soisy's field errors on the right fields, known messages translated, unknown ones generic", () => {
    expect(
      soisyErrorsToForm({
        postalCode: ["This postal code does not exist."],
        streetNumber: ["This value should not be blank."],
        email: ["This value is not a valid email address."],
        city: ["Something Soisy never documented."],
      }),
    ).toEqual({ errors: { postalCode: "postalCodeUnknown", civicNumber: "required", email: "email", city: "soisyRejected" }, unplaced: false });
    expect(soisyErrorsToForm({ orderToken: ["Order not found."] })).toEqual({ errors: {}, unplaced: true });
  });

  it("prefills from Shopify's customer (Italian mobile without +39, street split)", () => {
    const customer = {
      email: "alice@example.com",
      phone_number: "+39 333 1234567",
      billing_address: { given_name: "Alice", family_name: "Rossi", line1: "Via Roma 12", city: "Milano", postal_code: "20121", province_code: "MI", country_code: "IT" },
    };
    expect(prefillOf(JSON.stringify(customer))).toEqual({
      email: "alice@example.com",
      firstname: "Alice",
      lastname: "Rossi",
      mobilePhone: "3331234567",
      address: "Via Roma",
      civicNumber: "12",
      postalCode: "20121",
      city: "Milano",
      province: "MI",
    });
    expect(prefillOf(JSON.stringify({ ...customer, phone_number: "+44 7911 123456", billing_address: { ...customer.billing_address, phone_number: undefined } }))).not.toHaveProperty("mobilePhone");
    expect(prefillOf(null)).toEqual({});
    expect(prefillOf("{not json")).toEqual({});
    expect(shopNameOf("my-shop.myshopify.com")).toBe("my-shop");
  });

  it("the merchant's timeline words the pre-approval steps in both languages", () => {
    const events = ["preapproval_requested", "preapproval_approved", "preapproval_refused", "payment_session_received"].map((type, i) => ({
      id: `e${i}`,
      source: "app",
      type,
      detailJson: null,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    }));
    expect(buildTimeline(events, [], "it", String).map((e) => e.event)).toEqual([
      "Pre-approvazione richiesta (in negozio)",
      "Pre-approvazione approvata",
      "Pre-approvazione rifiutata",
      "Un evento che l'app non sa ancora descrivere (vedi i dettagli tecnici)",
    ]);
    expect(buildTimeline(events, [], "en", String).map((e) => e.event)).toEqual(["Pre-approval requested (in store)", "Pre-approval approved", "Pre-approval refused", "An event the app cannot describe yet (see the technical details)"]);
  });
});
