/** Ids shaped like Shopify's and the default (Italian) customer the simulator sends. */
import { randomBytes } from "node:crypto";
import type { ShopifyAddress, ShopifyCustomer } from "./types";

/** Session id: 24 URL-safe characters, like "u0nwmSrNntjIWozmNslK5Tlq". */
export function newSessionId(): string {
  return randomBytes(18).toString("base64url");
}

/** `group` / `session_id`: base64 of 32 random bytes (44 chars, may hold "+", "/" and "="). */
export function newOpaqueToken(): string {
  return randomBytes(32).toString("base64");
}

export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{24}$/;

export function paymentSessionGid(id: string): string {
  return `gid://shopify/PaymentSession/${id}`;
}

export function refundSessionGid(id: string): string {
  return `gid://shopify/RefundSession/${id}`;
}

/** Parses "gid://shopify/{type}/{id}"; returns the id or null. */
export function parseGid(gid: unknown, type: string): string | null {
  if (typeof gid !== "string") return null;
  const prefix = `gid://shopify/${type}/`;
  if (!gid.startsWith(prefix)) return null;
  const id = gid.slice(prefix.length);
  return id.length > 0 && !id.includes("/") ? id : null;
}

/** ISO-8601 UTC without milliseconds, as Shopify writes `proposed_at`. */
export function shopifyTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const DEFAULT_ADDRESS: ShopifyAddress = {
  given_name: "Alice",
  family_name: "Rossi",
  line1: "Via Roma 1",
  line2: "",
  city: "Milano",
  postal_code: "20121",
  province: "Milano",
  province_code: "MI",
  country_code: "IT",
  phone_number: "+393331234567",
  company: "",
};

export function defaultCustomer(locale = "it"): Required<ShopifyCustomer> {
  return {
    email: "alice.rossi@example.com",
    phone_number: "+393331234567",
    locale,
    billing_address: { ...DEFAULT_ADDRESS },
    shipping_address: { ...DEFAULT_ADDRESS },
  };
}

export const ADDRESS_KEYS = Object.keys(DEFAULT_ADDRESS) as Array<keyof ShopifyAddress>;
