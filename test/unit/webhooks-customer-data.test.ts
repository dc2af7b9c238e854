/** Matching a compliance webhook's customer to stored payments, and scrubbing timeline details. */
import { describe, expect, it } from "vitest";
import {
  identityFrom,
  matchesCustomer,
  normalisePhone,
  REDACTED,
  scrubDetailJson,
  storedPersonalFields,
} from "~/webhooks/customer-data";

const stored = (customer: Record<string, unknown> | null, customerEmail: string | null = null) => ({
  customerEmail,
  customerJson: customer === null ? null : JSON.stringify(customer),
});

describe("matchesCustomer", () => {
  const mario = identityFrom({ id: 191167, email: " Mario.Rossi@Example.com ", phone: "+39 333 111 2222" });

  it("matches the email whatever its case, in the column or in the JSON", () => {
    expect(matchesCustomer(stored(null, "mario.rossi@example.com"), mario)).toBe(true);
    expect(matchesCustomer(stored({ email: "MARIO.ROSSI@EXAMPLE.COM" }), mario)).toBe(true);
    expect(matchesCustomer(stored({ email: "mario.rossi@example.org" }, "mario.rossi@example.org"), mario)).toBe(false);
  });

  it("matches the phone in any of its places and spellings (+39, 0039, spaces)", () => {
    expect(matchesCustomer(stored({ phone_number: "3331112222" }), mario)).toBe(true);
    expect(matchesCustomer(stored({ billing_address: { phone_number: "0039 333-111-2222" } }), mario)).toBe(true);
    expect(matchesCustomer(stored({ shipping_address: { phone_number: "333 111 2222" } }), mario)).toBe(true);
    expect(matchesCustomer(stored({ phone_number: "3331112223" }), mario)).toBe(false);
  });

  it("matches a Shopify customer id, numeric or gid, when the JSON holds one", () => {
    const byId = identityFrom({ id: "gid://shopify/Customer/191167" });
    expect(matchesCustomer(stored({ id: 191167 }), byId)).toBe(true);
    expect(matchesCustomer(stored({ customer_id: "191167" }), byId)).toBe(true);
    expect(matchesCustomer(stored({ id: 191168 }), byId)).toBe(false);
  });

  it("an identity with nothing usable matches nothing; short phones are not identities", () => {
    const nobody = identityFrom({ email: "", phone: "12" });
    expect(nobody).toEqual({ email: null, phone: null, shopifyCustomerId: null });
    expect(matchesCustomer(stored({ email: "", phone_number: "12" }, ""), nobody)).toBe(false);
    expect(matchesCustomer(stored(null, null), mario)).toBe(false);
  });

  it("tolerates unparseable JSON", () => {
    expect(matchesCustomer({ customerEmail: null, customerJson: "{not json" }, mario)).toBe(false);
    expect(matchesCustomer({ customerEmail: "mario.rossi@example.com", customerJson: "{not json" }, mario)).toBe(true);
  });
});

describe("normalisePhone", () => {
  it.each([
    ["+39 333 123 4567", "3331234567"],
    ["0039 333 123 4567", "3331234567"],
    ["(333) 123-4567", "3331234567"],
    ["+44 20 7946 0958", "442079460958"],
    ["123", null],
  ])("%s → %s", (input, expected) => {
    expect(normalisePhone(input)).toBe(expected);
  });
});

describe("storedPersonalFields", () => {
  it("lists the dotted paths of non-empty personal values", () => {
    const row = { ...stored({ email: "a@b.it", phone_number: "", billing_address: { city: "Milano", line2: "" } }, "a@b.it"), customerLocale: "it" };
    expect(storedPersonalFields(row)).toEqual(["customer.billing_address.city", "customer.email", "customerEmail", "customerLocale"]);
  });
});

describe("scrubDetailJson", () => {
  const who = identityFrom({ email: "anna@example.com", phone: "3471234567" });

  it("blanks personal keys at any depth and strings naming the customer; keeps the rest", () => {
    const detail = { status: "disbursed", amountCents: 100, order: { customer: { name: "Anna" }, email: "x@y.z" }, note: "mail ANNA@example.com", tel: "call +39 347 123 4567", list: ["ok", "anna@example.com"] };
    const result = scrubDetailJson(JSON.stringify(detail), who);
    expect(result.changed).toBe(true);
    expect(JSON.parse(result.detailJson!)).toEqual({
      status: "disbursed",
      amountCents: 100,
      order: { customer: REDACTED, email: REDACTED },
      note: REDACTED,
      tel: REDACTED,
      list: ["ok", REDACTED],
    });
  });

  it("leaves details without personal data unchanged (and says so); null stays null", () => {
    const detail = JSON.stringify({ input: "soisy_callback", from: "pending", to: "resolved", soisyStatus: "disbursed", email: null });
    expect(scrubDetailJson(detail, who)).toEqual({ changed: false, detailJson: detail });
    expect(scrubDetailJson(null, who)).toEqual({ changed: false, detailJson: null });
    const already = JSON.stringify({ email: REDACTED });
    expect(scrubDetailJson(already, who)).toEqual({ changed: false, detailJson: already });
  });

  it("drops a detail that is not JSON (it cannot be checked)", () => {
    expect(scrubDetailJson("anna@example.com wrote", who)).toEqual({ changed: true, detailJson: null });
  });
});
