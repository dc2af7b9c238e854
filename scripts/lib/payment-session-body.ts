/**
 * A payment session request as Shopify sends it to the app (offsite, EUR), for the load script and the
 * tests that post sessions directly instead of through the Shopify simulator.
 */
import { randomBytes } from "node:crypto";

export const EXAMPLE_CUSTOMER = {
  email: "buyer@example.com",
  phone_number: "3331234567",
  locale: "it",
  billing_address: { given_name: "Alice", family_name: "Rossi", line1: "Via Roma 1", line2: "", city: "Milano", postal_code: "20121", province: "Milano", province_code: "MI", country_code: "IT", phone_number: "3331234567", company: "" },
};

export function paymentSessionBody(id: string, options: { shop: string; amount: string; customer?: Record<string, unknown> }) {
  return {
    id,
    gid: `gid://shopify/PaymentSession/${id}`,
    group: randomBytes(32).toString("base64"),
    session_id: randomBytes(32).toString("base64"),
    amount: options.amount,
    currency: "EUR",
    test: true,
    merchant_locale: "it",
    payment_method: { type: "offsite", data: { cancel_url: `https://${options.shop}/checkouts/x` } },
    proposed_at: new Date().toISOString(),
    kind: "sale",
    customer: options.customer ?? EXAMPLE_CUSTOMER,
  };
}
