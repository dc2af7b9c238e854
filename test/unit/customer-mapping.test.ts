import { describe, expect, it } from "vitest";
import { billingCountryOf, customerEmailOf, customerLocaleOf, parsePhone, soisyCustomerFields, splitStreet } from "~/payments/customer-mapping";
import { CreateOrderInputSchema } from "~/soisy/types";

const milano = {
  given_name: "Alice",
  family_name: "Rossi",
  line1: "Via Roma 1",
  line2: "",
  city: "Milano",
  postal_code: "20121",
  province: "Milano",
  province_code: "MI",
  country_code: "IT",
  phone_number: "3331234567",
  company: "",
};

/** What Shopify sends (docs/shopify-payments-contract.md). */
const shopifyCustomer = {
  email: "buyer@example.com",
  phone_number: "3331234567",
  locale: "it",
  billing_address: milano,
  shipping_address: { ...milano },
};

/** Every result must be accepted by Soisy's create-order schema. */
function fields(customer: unknown) {
  const out = soisyCustomerFields(customer);
  const check = CreateOrderInputSchema.safeParse(out);
  expect(check.success, JSON.stringify(check.error?.issues)).toBe(true);
  return out;
}

describe("soisyCustomerFields", () => {
  it("maps Shopify's example customer", () => {
    expect(fields(shopifyCustomer)).toEqual({
      email: "buyer@example.com",
      firstname: "Alice",
      lastname: "Rossi",
      mobilePhone: "3331234567",
      countryCallingCode: "+39",
      city: "Milano",
      province: "MI",
      address: "Via Roma",
      civicNumber: "1",
      postalCode: "20121",
    });
  });

  it.each([[null], [undefined], [""], ["buyer@example.com"], [42], [true], [[]], [[shopifyCustomer]], [{}]])("returns {} for %j", (customer) => {
    expect(fields(customer)).toEqual({});
  });

  it("keeps what fits when parts are malformed", () => {
    expect(
      fields({
        email: 12,
        phone_number: { n: 1 },
        billing_address: { given_name: ["Alice"], family_name: "Rossi", line1: null, city: 5, postal_code: 20121, province_code: "MI", country_code: "IT" },
      }),
    ).toEqual({ lastname: "Rossi", province: "MI" });
  });

  it("falls back to the shipping address when billing is missing or has no street", () => {
    const shipping = { ...milano, given_name: "Bruno", family_name: "Bianchi", line1: "Corso Buenos Aires 33", postal_code: "20124" };
    expect(fields({ shipping_address: shipping })).toMatchObject({ firstname: "Bruno", address: "Corso Buenos Aires", civicNumber: "33", postalCode: "20124", mobilePhone: "3331234567" });
    expect(fields({ billing_address: { given_name: "Alice", family_name: "Rossi", country_code: "IT" }, shipping_address: shipping })).toMatchObject({
      firstname: "Alice",
      lastname: "Rossi",
      address: "Corso Buenos Aires",
      civicNumber: "33",
      city: "Milano",
    });
  });

  it("prefers billing and never mixes the parts of two addresses", () => {
    const billing = { line1: "Via Toledo 256", city: "Napoli", country_code: "IT" }; // no CAP, no province
    const out = fields({ billing_address: billing, shipping_address: milano });
    expect(out).toMatchObject({ address: "Via Toledo", civicNumber: "256", city: "Napoli" });
    expect(out.postalCode).toBeUndefined();
    expect(out.province).toBeUndefined();
  });

  it("takes first and last name as a pair", () => {
    const out = fields({ billing_address: { given_name: "Alice" }, shipping_address: { given_name: "Bruno", family_name: "Bianchi" } });
    expect(out).toEqual({ firstname: "Alice" });
  });

  it("takes the phone from the customer, then billing, then shipping", () => {
    expect(fields({ phone_number: "+39 347 000 1111", billing_address: { ...milano, phone_number: "3330000000" } }).mobilePhone).toBe("3470001111");
    expect(fields({ phone_number: "n/a", billing_address: { phone_number: "abc" }, shipping_address: { phone_number: "+39 320 555 6666" } }).mobilePhone).toBe(
      "3205556666",
    );
  });

  it("cleans names and cities: trims, drops emojis and symbols, limits lengths", () => {
    const out = fields({
      billing_address: { given_name: "  Maria   Grazia 🌸 ", family_name: "D'Angelo‍", city: " Reggio   nell'Emilia ", country_code: "IT" },
    });
    expect(out).toEqual({ firstname: "Maria Grazia", lastname: "D'Angelo", city: "Reggio nell'Emilia" });
    expect(fields({ billing_address: { given_name: "😀😀", family_name: "x".repeat(101), city: "🏙️" } })).toEqual({});
    expect(fields({ billing_address: { given_name: "Ñoño Ærø", family_name: "Çelik-Øst" } })).toEqual({ firstname: "Ñoño Ærø", lastname: "Çelik-Øst" });
  });

  it("drops very long strings instead of truncating them", () => {
    const long = "a".repeat(100_000);
    expect(fields({ email: `${long}@example.com`, phone_number: "3".repeat(100_000), billing_address: { given_name: long, line1: `Via ${long} 1`, city: long } })).toEqual({});
  });

  it("keeps only valid emails", () => {
    expect(fields({ email: "  mario.rossi+shop@example.it " }).email).toBe("mario.rossi+shop@example.it");
    for (const email of ["mario", "mario@", "@example.com", "mario rossi@example.com", "mario@example", ""]) expect(fields({ email }).email).toBeUndefined();
  });

  it("province: a two-letter code, upper-cased; postal code: five digits", () => {
    const at = (over: object) => fields({ billing_address: { ...milano, ...over } });
    expect(at({ province_code: "mi" }).province).toBe("MI");
    expect(at({ province_code: "IT-RM" }).province).toBe("RM");
    expect(at({ province_code: "", province: "TO" }).province).toBe("TO");
    expect(at({ province_code: "MIL", province: "Milano" }).province).toBeUndefined();
    expect(at({ postal_code: "00184" }).postalCode).toBe("00184");
    for (const postal_code of ["2012", "201210", "20 121", "AB123", ""]) expect(at({ postal_code }).postalCode).toBeUndefined();
  });

  describe("non-Italian customers", () => {
    const zurich = { given_name: "Lukas", family_name: "Müller", line1: "Bahnhofstrasse 10", city: "Zürich", postal_code: "8001", province_code: "ZH", country_code: "CH", phone_number: "+41 79 123 45 67" };

    it("keeps names, email and an international mobile, leaves the foreign address to Soisy's webapp", () => {
      expect(fields({ email: "lukas@example.ch", billing_address: zurich })).toEqual({
        email: "lukas@example.ch",
        firstname: "Lukas",
        lastname: "Müller",
        mobilePhone: "791234567",
        countryCallingCode: "+41",
      });
    });

    it("a German address with a five-digit postcode is still left out", () => {
      const berlin = { line1: "Unter den Linden 5", city: "Berlin", postal_code: "10117", country_code: "DE" };
      expect(fields({ billing_address: berlin })).toEqual({});
    });

    it("a national number of a foreign address is left out (its calling code is unknown)", () => {
      expect(fields({ billing_address: { ...zurich, phone_number: "079 123 45 67" } }).mobilePhone).toBeUndefined();
      expect(fields({ phone_number: "079 123 45 67", billing_address: { ...zurich, phone_number: "" } }).mobilePhone).toBeUndefined();
    });

    it("an address without a country is treated as Italian", () => {
      const { country_code: _ignored, ...noCountry } = milano;
      expect(fields({ billing_address: noCountry })).toMatchObject({ address: "Via Roma", postalCode: "20121", mobilePhone: "3331234567" });
    });
  });
});

describe("splitStreet", () => {
  it.each([
    ["Via Roma 1", undefined, { address: "Via Roma", civicNumber: "1" }],
    ["Via Roma, 1", undefined, { address: "Via Roma", civicNumber: "1" }],
    ["Via Roma,1", undefined, { address: "Via Roma", civicNumber: "1" }],
    ["Corso Vittorio Emanuele II 12/A", undefined, { address: "Corso Vittorio Emanuele II", civicNumber: "12/A" }],
    ["Piazza IV Novembre 3 bis", undefined, { address: "Piazza IV Novembre", civicNumber: "3 bis" }],
    ["Via Roma 3bis", undefined, { address: "Via Roma", civicNumber: "3bis" }],
    ["Viale 20 Settembre 5", undefined, { address: "Viale 20 Settembre", civicNumber: "5" }],
    ["Via XX Settembre 10 A", undefined, { address: "Via XX Settembre", civicNumber: "10 A" }],
    ["Via Garibaldi 12-14", undefined, { address: "Via Garibaldi", civicNumber: "12-14" }],
    ["Via Roma snc", undefined, { address: "Via Roma", civicNumber: "snc" }],
    ["Via Roma SNC", undefined, { address: "Via Roma", civicNumber: "SNC" }],
    ["Via Roma n. 5", undefined, { address: "Via Roma", civicNumber: "5" }],
    ["Via Roma n°5", undefined, { address: "Via Roma", civicNumber: "5" }],
    ["Via Roma 1, scala B, interno 4", undefined, { address: "Via Roma", civicNumber: "1" }],
    ["Via Roma, 1, scala B", undefined, { address: "Via Roma", civicNumber: "1" }],
    ["Strada Provinciale 12, 34", undefined, { address: "Strada Provinciale 12", civicNumber: "34" }],
    ["Frazione Alta, Via dei Pini 3", undefined, { address: "Frazione Alta Via dei Pini", civicNumber: "3" }],
    ["Via Roma", "12", { address: "Via Roma", civicNumber: "12" }],
    ["Via Roma", "n. 12/B", { address: "Via Roma", civicNumber: "12/B" }],
    ["Via Roma", "Scala B", { address: "Via Roma" }],
    ["Via Roma 7", "99", { address: "Via Roma", civicNumber: "7" }],
    ["Via Roma", undefined, { address: "Via Roma" }],
    ["Via IV Novembre", undefined, { address: "Via IV Novembre" }],
    ["Via 4 Novembre", undefined, { address: "Via 4 Novembre" }],
    ["Località Case Sparse, Frazione Alta", undefined, { address: "Località Case Sparse Frazione Alta" }],
    ["  Via   dei  Mille   24  ", undefined, { address: "Via dei Mille", civicNumber: "24" }],
    ["Via Roma 🏠 1", undefined, { address: "Via Roma", civicNumber: "1" }],
    ["12", undefined, {}],
    ["", undefined, {}],
    [undefined, "12", {}],
    ["🏠🏠", undefined, {}],
  ])("%j + %j → %j", (line1, line2, expected) => {
    const out = splitStreet(line1, line2);
    expect(out).toEqual(expected);
    if (out.address) expect(out.address).not.toMatch(/,/);
  });
});

describe("parsePhone", () => {
  it.each([
    ["+39 333 123 4567", null, { mobilePhone: "3331234567", countryCallingCode: "+39" }],
    ["0039 333 1234567", null, { mobilePhone: "3331234567", countryCallingCode: "+39" }],
    ["3331234567", null, { mobilePhone: "3331234567", countryCallingCode: "+39" }],
    ["333-123.45.67", "IT", { mobilePhone: "3331234567", countryCallingCode: "+39" }],
    ["(+39) 333 1234567", null, { mobilePhone: "3331234567", countryCallingCode: "+39" }],
    ["+41 79 123 45 67", null, { mobilePhone: "791234567", countryCallingCode: "+41" }],
    ["+41791234567", null, { mobilePhone: "791234567", countryCallingCode: "+41" }],
    ["+1 (415) 555-0100", null, { mobilePhone: "4155550100", countryCallingCode: "+1" }],
    ["+378 0549 123456", null, { mobilePhone: "0549123456", countryCallingCode: "+378" }],
    ["+356 7912 3456", null, { mobilePhone: "79123456", countryCallingCode: "+356" }],
    ["+39 12345", null, undefined],
    ["+39 1234567890123456", null, undefined],
    ["12345", null, undefined],
    ["+0 1234567", null, undefined],
    ["333 123 4567 ext. 2", null, undefined],
    ["+39 333 123 4567 📱", null, undefined],
    ["3331234567", "CH", undefined],
    ["", null, undefined],
    [undefined, null, undefined],
  ])("%j (country %j) → %j", (raw, country, expected) => {
    expect(parsePhone(raw, country)).toEqual(expected);
  });
});

describe("what the app keeps of the customer", () => {
  it("email: as sent, cut at 320 characters; null when absent or not a string", () => {
    expect(customerEmailOf({ email: "Mario.Rossi@example.com" })).toBe("Mario.Rossi@example.com");
    expect(customerEmailOf({ email: "x".repeat(400) })).toHaveLength(320);
    expect(customerEmailOf({ email: 42 })).toBeNull();
    expect(customerEmailOf(null)).toBeNull();
    expect(customerEmailOf(undefined)).toBeNull();
  });

  it("billing country: the billing address's, else the shipping address's; two letters, upper-cased", () => {
    expect(billingCountryOf({ billing_address: { country_code: "it" }, shipping_address: { country_code: "FR" } })).toBe("IT");
    expect(billingCountryOf({ shipping_address: { country_code: "fr" } })).toBe("FR");
    expect(billingCountryOf({ billing_address: { country_code: "ITA" } })).toBeNull();
    expect(billingCountryOf({ billing_address: { country_code: 39 }, shipping_address: { country_code: "IT" } })).toBeNull();
    expect(billingCountryOf(null)).toBeNull();
  });

  it("locale: as sent, cut at 35 characters; null when absent or not a string", () => {
    expect(customerLocaleOf({ locale: "it-IT" })).toBe("it-IT");
    expect(customerLocaleOf({ locale: "x".repeat(50) })).toHaveLength(35);
    expect(customerLocaleOf({ locale: ["it"] })).toBeNull();
    expect(customerLocaleOf(undefined)).toBeNull();
  });
});
