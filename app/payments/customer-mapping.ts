/**
 * Shopify payment-session `customer` → the customer fields of Soisy's POST /orders, and the few
 * fields the app keeps itself (email, billing country, locale). Pure; the one place that reads
 * Shopify's customer object.
 *
 * Everything is optional at Soisy (its webapp asks for what is missing), so this never throws and
 * never sends something Soisy would refuse: a value that does not fit Soisy's rules is left out.
 * Every field it returns passes `CreateOrderInputSchema`.
 *
 * Rules
 * - Names: `given_name` / `family_name` of the billing address, else of the shipping address (as a
 *   pair, never one from each). Emojis and symbols are removed; empty or > 100 characters → left out.
 * - Email: `customer.email`, only if zod's email check accepts it.
 * - Mobile: the first of customer.phone_number, billing and shipping phone that parses. Spaces,
 *   dashes, dots, slashes and parentheses are removed; "+39…" / "0039…" → the digits after 39 and
 *   countryCallingCode "+39"; another "+CC…" / "00CC…" → the digits after CC and "+CC" (the country
 *   code is found with the ITU prefix table below); no prefix → Italian (+39) unless the number's
 *   address is known to be outside Italy (then left out: its calling code is unknown). The national
 *   part must be 6–15 digits.
 * - Postal address (city, province, address, civicNumber, postalCode) comes from ONE address, never
 *   mixed: the billing address if it has a street, else the shipping address if it has one, else
 *   whichever has a city / postal code / province. Only Italian addresses (country_code IT or
 *   missing) are used: Soisy lends to Italian residents and its fields (province, 5-digit CAP, "street
 *   + civic number") are Italian; a foreign address is left for the shopper to enter at Soisy.
 *   Province: province_code (or province) if two letters ("IT-MI" accepted), upper-cased. Postal
 *   code: five digits. Street: see `splitStreet`.
 */
import { z } from "zod";
import type { CreateOrderInput } from "~/soisy/types";

export type SoisyCustomerFields = Partial<
  Pick<
    CreateOrderInput,
    "email" | "firstname" | "lastname" | "mobilePhone" | "countryCallingCode" | "city" | "province" | "address" | "civicNumber" | "postalCode"
  >
>;

/** Longer raw strings are not addresses or names: they are left out before any parsing. */
const MAX_RAW = 300;
const MAX_NAME = 100;
const MAX_CITY = 100;
const MAX_STREET = 150;
const MAX_CIVIC = 20;

const text = z.string().max(MAX_RAW).optional().catch(undefined);
const AddressSchema = z
  .object({
    given_name: text,
    family_name: text,
    line1: text,
    line2: text,
    city: text,
    postal_code: text,
    province: text,
    province_code: text,
    country_code: text,
    phone_number: text,
  })
  .nullish()
  .catch(null);
type Address = NonNullable<z.output<typeof AddressSchema>>;

const CustomerSchema = z
  .object({ email: text, phone_number: text, billing_address: AddressSchema, shipping_address: AddressSchema })
  .nullish()
  .catch(null);

const EmailSchema = z.email().max(254);

export function soisyCustomerFields(customer: unknown): SoisyCustomerFields {
  const parsed = CustomerSchema.parse(customer);
  if (!parsed) return {};
  const billing = parsed.billing_address ?? null;
  const shipping = parsed.shipping_address ?? null;
  const out: SoisyCustomerFields = {};

  const email = parsed.email?.trim();
  if (email && EmailSchema.safeParse(email).success) out.email = email;

  const named = [billing, shipping].find((a) => cleanName(a?.given_name) || cleanName(a?.family_name));
  const firstname = cleanName(named?.given_name);
  const lastname = cleanName(named?.family_name);
  if (firstname) out.firstname = firstname;
  if (lastname) out.lastname = lastname;

  const billingCountry = countryOf(billing) ?? countryOf(shipping);
  const phone =
    parsePhone(parsed.phone_number, billingCountry) ??
    parsePhone(billing?.phone_number, countryOf(billing)) ??
    parsePhone(shipping?.phone_number, countryOf(shipping));
  if (phone) {
    out.mobilePhone = phone.mobilePhone;
    out.countryCallingCode = phone.countryCallingCode;
  }

  const place = pickAddress(billing, shipping);
  if (place && (countryOf(place) ?? "IT") === "IT") {
    const city = cleanText(place.city, MAX_CITY);
    const province = provinceOf(place);
    const postalCode = place.postal_code?.trim();
    const street = splitStreet(place.line1, place.line2);
    if (city) out.city = city;
    if (province) out.province = province;
    if (street.address) out.address = street.address;
    if (street.civicNumber) out.civicNumber = street.civicNumber;
    if (postalCode && /^[0-9]{5}$/.test(postalCode)) out.postalCode = postalCode;
  }
  return out;
}

/* ------------------------------------------------------------------------------------------------
 * What the app itself keeps of the customer (the payment session row, the eligibility check)
 * ---------------------------------------------------------------------------------------------- */

/** `customer.email` as Shopify sent it (not checked: it is only shown), at most 320 characters. */
export function customerEmailOf(customer: unknown): string | null {
  const email = (customer as { email?: unknown } | null | undefined)?.email;
  return typeof email === "string" ? email.slice(0, 320) : null;
}

/** The billing address's country code (else the shipping address's), upper-cased; null unless two letters. */
export function billingCountryOf(customer: unknown): string | null {
  const c = customer as { billing_address?: { country_code?: unknown }; shipping_address?: { country_code?: unknown } } | null | undefined;
  const code = c?.billing_address?.country_code ?? c?.shipping_address?.country_code;
  return typeof code === "string" && /^[A-Za-z]{2}$/.test(code) ? code.toUpperCase() : null;
}

/** `customer.locale`, at most 35 characters (a BCP 47 tag's practical maximum). */
export function customerLocaleOf(customer: unknown): string | null {
  const locale = (customer as { locale?: unknown } | null | undefined)?.locale;
  return typeof locale === "string" ? locale.slice(0, 35) : null;
}

/* ------------------------------------------------------------------------------------------------
 * Street and civic number
 * ---------------------------------------------------------------------------------------------- */

// A civic number: "1", "12A", "12 A", "12/A", "12-14", "3 bis", "3bis", or "snc" (senza numero civico).
const CIVIC = String.raw`\d+(?:\s?[a-z](?![a-z]))?(?:\s?[/-]\s?[a-z0-9]+)?(?:\s?(?:bis|ter|quater))?|snc|s\.n\.c\.?|s\.n\.?`;
// Optional "n." / "nr." / "n°" before it ("Via Roma n. 5").
const CIVIC_PREFIX = String.raw`(?:(?:nr|num|n)\.?\s?|n°\s?)?`;
const STREET_THEN_CIVIC = new RegExp(String.raw`^(.*?)[\s,]+${CIVIC_PREFIX}(${CIVIC})$`, "i");
const CIVIC_ONLY = new RegExp(String.raw`^${CIVIC_PREFIX}(${CIVIC})$`, "i");

/**
 * Splits an Italian street line into the street (no civic number, no commas) and the civic number:
 * "Via Roma 1" / "Via Roma, 1" → ("Via Roma", "1"); "Corso Vittorio Emanuele II 12/A" →
 * ("Corso Vittorio Emanuele II", "12/A"); "Viale 20 Settembre 5" → ("Viale 20 Settembre", "5");
 * "Via Roma 1, scala B" → ("Via Roma", "1") (what follows the number is dropped); "Strada Provinciale
 * 12, 34" → ("Strada Provinciale 12", "34"); a number only in
 * line2 ("Via Roma" + "12") → ("Via Roma", "12"); no number → street only.
 */
export function splitStreet(line1: string | undefined, line2?: string): { address?: string; civicNumber?: string } {
  const line = cleanText(line1, MAX_RAW);
  if (!line) return {};
  const parts = line.split(",").map((p) => p.trim());
  // "Via Roma, 1" / "Strada Provinciale 12, 34": a part that is only a civic number ends the street.
  for (let i = 1; i < parts.length; i++) {
    const only = CIVIC_ONLY.exec(parts[i] ?? "");
    if (only) return both(parts.slice(0, i).join(" "), only[1]);
  }
  // "Via Roma 1" / "Via Roma 1, scala B, interno 4": the first part ending with a civic number (what
  // follows it — staircase, flat — has no Soisy field and is dropped).
  for (let n = 1; n <= parts.length; n++) {
    const match = STREET_THEN_CIVIC.exec(parts.slice(0, n).join(" "));
    if (match) return both(match[1], match[2]);
  }
  const address = street(line);
  if (!address) return {};
  const extra = cleanText(line2, MAX_RAW);
  const civicNumber = extra ? civic(CIVIC_ONLY.exec(extra)?.[1]) : undefined;
  return civicNumber ? { address, civicNumber } : { address };
}

function both(rawStreet: string | undefined, rawCivic: string | undefined): { address?: string; civicNumber?: string } {
  const address = street(rawStreet);
  const civicNumber = civic(rawCivic);
  return address && civicNumber ? { address, civicNumber } : {};
}

function street(raw: string | undefined): string | undefined {
  const s = (raw ?? "").replace(/,/g, " ").replace(/\s+/g, " ").replace(/^[\s.\-/]+|[\s.\-/]+$/g, "");
  return s.length <= MAX_STREET && /\p{L}/u.test(s) ? s : undefined;
}

function civic(raw: string | undefined): string | undefined {
  const s = raw?.replace(/\s+/g, " ").trim();
  return s && s.length <= MAX_CIVIC ? s : undefined;
}

/* ------------------------------------------------------------------------------------------------
 * Phone
 * ---------------------------------------------------------------------------------------------- */

// ITU-T E.164 country calling codes are prefix-free: these start with 1 digit or 2 digits; every
// other code has 3 digits.
const ONE_DIGIT_CODES = new Set(["1", "7"]);
const TWO_DIGIT_CODES = new Set(
  "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split(" "),
);

function callingCodeLength(digits: string): number {
  if (digits.startsWith("0")) return 0;
  if (ONE_DIGIT_CODES.has(digits.slice(0, 1))) return 1;
  if (TWO_DIGIT_CODES.has(digits.slice(0, 2))) return 2;
  return 3;
}

/** "+39 333 123 4567" → { mobilePhone: "3331234567", countryCallingCode: "+39" }. */
export function parsePhone(
  raw: string | undefined,
  country: string | null,
): { mobilePhone: string; countryCallingCode: string } | undefined {
  if (!raw) return undefined;
  const compact = raw.replace(/[\s\-./()]/g, "");
  let code: string;
  let national: string;
  const international = /^(?:\+|00)([0-9]+)$/.exec(compact);
  if (international?.[1]) {
    const length = callingCodeLength(international[1]);
    if (length === 0) return undefined;
    code = international[1].slice(0, length);
    national = international[1].slice(length);
  } else if (/^[0-9]+$/.test(compact) && (country === null || country === "IT")) {
    code = "39";
    national = compact;
  } else {
    return undefined;
  }
  return /^[0-9]{6,15}$/.test(national) ? { mobilePhone: national, countryCallingCode: `+${code}` } : undefined;
}

/* ------------------------------------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------------------------------- */

function pickAddress(billing: Address | null, shipping: Address | null): Address | null {
  const candidates = [billing, shipping].filter((a): a is Address => a !== null);
  return (
    candidates.find((a) => splitStreet(a.line1).address) ??
    candidates.find((a) => cleanText(a.city, MAX_CITY) || a.postal_code?.trim() || provinceOf(a)) ??
    null
  );
}

function countryOf(address: Address | null): string | null {
  const code = address?.country_code?.trim().toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) ? code : null;
}

function provinceOf(address: Address): string | undefined {
  for (const raw of [address.province_code, address.province]) {
    const match = /^(?:IT-)?([A-Za-z]{2})$/i.exec(raw?.trim() ?? "");
    if (match?.[1]) return match[1].toUpperCase();
  }
  return undefined;
}

/** Keeps letters, digits and ordinary punctuation; drops emojis, symbols and control characters. */
function cleanText(raw: string | undefined, max: number): string | undefined {
  if (!raw) return undefined;
  const s = raw
    .normalize("NFC")
    .replace(/[^\p{L}\p{M}\p{N}\s'’.,\-/°()&]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return s.length > 0 && s.length <= max && /[\p{L}\p{N}]/u.test(s) ? s : undefined;
}

/** Names: letters, spaces, apostrophes, hyphens and dots only. */
function cleanName(raw: string | undefined): string | undefined {
  const s = cleanText(raw, MAX_RAW)
    ?.replace(/[^\p{L}\p{M}\s'’.-]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return s && s.length <= MAX_NAME && /\p{L}/u.test(s) ? s : undefined;
}
