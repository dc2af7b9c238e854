/**
 * Which stored payments belong to a customer named by a Shopify compliance webhook, and how to
 * scrub personal data out of a timeline detail. Pure functions (unit-tested); the I/O is in
 * customer-data.server.ts.
 *
 * A payment session holds the shopper data Shopify sent (`customerJson`: email, phone, locale,
 * billing / shipping addresses) plus two copies (`customerEmail`, `customerLocale`). Shopify's
 * payment sessions carry no customer id, but one is honoured if present (`id` / `customer_id`).
 */

export interface CustomerIdentity {
  email: string | null;
  phone: string | null;
  /** Shopify's customer id (numeric id or gid), as a string. */
  shopifyCustomerId: string | null;
}

export interface StoredCustomerRow {
  customerEmail: string | null;
  customerJson: string | null;
}

export function normaliseEmail(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const v = value.trim().toLowerCase();
  return v.includes("@") ? v : null;
}

/** Digits only, without an international prefix for Italy (+39 / 0039): "+39 333 123 4567" → "3331234567". */
export function normalisePhone(value: unknown): string | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  let digits = String(value).replace(/\D/g, "");
  if (digits.startsWith("00")) digits = digits.slice(2);
  if (digits.startsWith("39") && digits.length >= 11) digits = digits.slice(2);
  return digits.length >= 6 ? digits : null;
}

function normaliseCustomerId(value: unknown): string | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  const s = String(value).trim();
  if (!s) return null;
  const gid = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(s);
  return gid ? gid[1]! : s;
}

export function identityFrom(customer: { id?: unknown; email?: unknown; phone?: unknown }): CustomerIdentity {
  return {
    email: normaliseEmail(customer.email),
    phone: normalisePhone(customer.phone),
    shopifyCustomerId: normaliseCustomerId(customer.id),
  };
}

export function hasIdentity(who: CustomerIdentity): boolean {
  return who.email !== null || who.phone !== null || who.shopifyCustomerId !== null;
}

export function parseCustomerJson(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function phonesOf(customer: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (v: unknown) => {
    const p = normalisePhone(v);
    if (p) out.push(p);
  };
  add(customer.phone_number);
  add(customer.phone);
  for (const key of ["billing_address", "shipping_address"]) {
    const address = customer[key];
    if (address && typeof address === "object") add((address as Record<string, unknown>).phone_number);
  }
  return out;
}

/** True when the stored shopper data names this customer (email, Shopify customer id or phone). */
export function matchesCustomer(row: StoredCustomerRow, who: CustomerIdentity): boolean {
  const customer = parseCustomerJson(row.customerJson);
  if (who.email) {
    if (normaliseEmail(row.customerEmail) === who.email) return true;
    if (customer && normaliseEmail(customer.email) === who.email) return true;
  }
  if (!customer) return false;
  if (who.shopifyCustomerId) {
    const stored = normaliseCustomerId(customer.id) ?? normaliseCustomerId(customer.customer_id);
    if (stored === who.shopifyCustomerId) return true;
  }
  if (who.phone && phonesOf(customer).includes(who.phone)) return true;
  return false;
}

/** The personal fields a payment row holds (dotted paths), for the merchant's data-request answer. */
export function storedPersonalFields(row: StoredCustomerRow & { customerLocale: string | null }): string[] {
  const fields = new Set<string>();
  if (row.customerEmail) fields.add("customerEmail");
  if (row.customerLocale) fields.add("customerLocale");
  const customer = parseCustomerJson(row.customerJson);
  const walk = (value: unknown, path: string) => {
    if (value === null || value === undefined || value === "") return;
    if (typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, path ? `${path}.${k}` : k);
      return;
    }
    fields.add(`customer.${path}`);
  };
  if (customer) walk(customer, "");
  return [...fields].sort();
}

/** Keys whose values are personal data wherever they appear in a timeline detail. */
const PERSONAL_KEYS = new Set(
  [
    "email",
    "phone",
    "phone_number",
    "mobilephone",
    "name",
    "firstname",
    "lastname",
    "first_name",
    "last_name",
    "given_name",
    "family_name",
    "fiscalcode",
    "fiscal_code",
    "address",
    "line1",
    "line2",
    "civicnumber",
    "city",
    "postal_code",
    "postcode",
    "zip",
    "province",
    "company",
    "customer",
    "billing_address",
    "shipping_address",
  ].map((k) => k.toLowerCase()),
);

export const REDACTED = "[redacted]";

/**
 * Removes personal data from a timeline detail (JSON): values under personal keys become
 * "[redacted]", and any string naming the customer's email or phone is replaced. Returns the new
 * JSON, or null when nothing changed. Unparseable details are dropped entirely (null JSON).
 */
export function scrubDetailJson(detailJson: string | null, who: CustomerIdentity): { changed: boolean; detailJson: string | null } {
  if (detailJson === null) return { changed: false, detailJson };
  let value: unknown;
  try {
    value = JSON.parse(detailJson);
  } catch {
    return { changed: true, detailJson: null };
  }
  let changed = false;
  const mentionsCustomer = (s: string) => {
    const lower = s.toLowerCase();
    if (who.email && lower.includes(who.email)) return true;
    if (who.phone && s.replace(/\D/g, "").includes(who.phone)) return true;
    return false;
  };
  const scrub = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (mentionsCustomer(v)) {
        changed = true;
        return REDACTED;
      }
      return v;
    }
    if (Array.isArray(v)) return v.map(scrub);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v as Record<string, unknown>)) {
        if (PERSONAL_KEYS.has(k.toLowerCase()) && inner !== null && inner !== REDACTED) {
          changed = true;
          out[k] = REDACTED;
        } else {
          out[k] = scrub(inner);
        }
      }
      return out;
    }
    return v;
  };
  const scrubbed = scrub(value);
  return changed ? { changed, detailJson: JSON.stringify(scrubbed) } : { changed, detailJson };
}
