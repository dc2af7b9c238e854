// `npm run bench`: throughput of the foundation's hot paths (printed by vitest's benchmark reporter).
import { bench, describe } from "vitest";
import { centsToDecimal, parseDecimalToCents } from "~/money/cents";
import { decrypt, encrypt, generateKeyMaterial, parseKeyring } from "~/security/encryption.server";
import { validatePaymentsAppsDocument } from "../test/helpers/payments-schema";
import { PAYMENT_SESSION_RESOLVE } from "../test/simulators/shopify/documents";

const ring = parseKeyring(generateKeyMaterial());
const ctx = "shop-settings:bench.myshopify.com:sandbox:apiKey";
const stored = encrypt("partnerkey", ctx, ring).ciphertext;
const amounts = ["0.10", "19.99", "1234567.89", "100", "15000.00"];

describe("money", () => {
  bench("parseDecimalToCents ×5", () => {
    for (const a of amounts) parseDecimalToCents(a);
  });
  bench("centsToDecimal ×5", () => {
    for (const c of [10, 1999, 123456789, 10000, 1500000]) centsToDecimal(c);
  });
});

describe("API key encryption (AES-256-GCM)", () => {
  bench("encrypt", () => {
    encrypt("partnerkey", ctx, ring);
  });
  bench("decrypt", () => {
    decrypt(stored, ctx, ring);
  });
});

describe("GraphQL document validation against the Payments Apps schema", () => {
  bench("validate paymentSessionResolve", () => {
    validatePaymentsAppsDocument(PAYMENT_SESSION_RESOLVE);
  });
});
