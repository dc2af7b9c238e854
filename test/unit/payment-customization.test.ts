/**
 * The payment customization function (extensions/soisy-payment-customization): its logic on every
 * scenario in tests/fixtures/*.json (Shopify's layout for function tests: {payload: {export, target,
 * input, output}}), whose inputs and outputs payment-customization-schema.test.ts validates against
 * Shopify's full Function API schema; the exact money parsing; the extension's files; and the input
 * query executed on a mock root to show its result has the shape the function reads.
 * The WebAssembly build needs Shopify's CLI and Javy (not available offline): the JavaScript is tested directly.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadFixture } from "@shopify/shopify-function-test-helpers";
import { buildSchema, execute, parse, type OperationDefinitionNode } from "graphql";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import {
  cartPaymentMethodsTransformRun,
  decimalToCents,
  parseConfig,
} from "../../extensions/soisy-payment-customization/src/index.js";

const dir = path.resolve(import.meta.dirname, "../../extensions/soisy-payment-customization");
const read = (file: string) => readFileSync(path.join(dir, file), "utf8");
const schema = buildSchema(read("schema.graphql"));
const inputQuery = read("src/cart_payment_methods_transform_run.graphql");
const toml = parseToml(read("shopify.extension.toml")) as {
  api_version: string;
  extensions: Array<{
    handle: string;
    type: string;
    name: string;
    targeting: Array<{ target: string; input_query: string; export: string }>;
    input: { variables: { namespace: string; key: string } };
  }>;
};

type Input = Parameters<typeof cartPaymentMethodsTransformRun>[0];

const SOISY = { id: "gid://shopify/PaymentCustomizationPaymentMethod/3", name: "Paga a rate con Soisy" };
const CARD = { id: "gid://shopify/PaymentCustomizationPaymentMethod/1", name: "Carta di credito" };

/** What the app writes (app/shopify/payment-customization.server.ts) for the default settings. */
const CONFIG = {
  minCents: 10_000,
  maxCents: 1_500_000,
  currency: "EUR",
  allowedCountries: ["IT"],
  excludedTags: ["no-rate"],
  excludeGiftCards: true,
};

const HIDE_SOISY = { operations: [{ paymentMethodHide: { paymentMethodId: SOISY.id } }] };
const NOTHING = { operations: [] };

const fixturesDir = path.join(dir, "tests/fixtures");
const fixtures = await Promise.all(
  readdirSync(fixturesDir)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map(async (file) => [file.replace(/\.json$/, ""), await loadFixture(path.join(fixturesDir, file))] as const),
);

describe("payment customization: which carts hide Soisy (tests/fixtures)", () => {
  it.each(fixtures)("%s", (_name, fixture) => {
    expect(cartPaymentMethodsTransformRun(fixture.input as Input)).toEqual(fixture.expectedOutput);
  });

  it("the fixtures cover every rule and the fail-open cases", () => {
    const names = fixtures.map(([name]) => name);
    for (const prefix of ["amount-", "currency-", "country-", "product-excluded-tag", "product-gift-card", "methods-", "config-invalid-"]) {
      expect(names.some((name) => name.startsWith(prefix)), prefix).toBe(true);
    }
  });

  it("fails open when the payment customization object is missing (the schema says Shopify always sends it)", () => {
    const input = fixtures.find(([name]) => name === "amount-one-cent-below-minimum")![1].input as Input;
    expect(cartPaymentMethodsTransformRun(input)).toEqual(HIDE_SOISY);
    expect(cartPaymentMethodsTransformRun({ ...input, paymentCustomization: null })).toEqual(NOTHING);
  });
});

describe("decimalToCents (exact, no floats)", () => {
  it.each([
    ["0", 0],
    ["0.1", 10],
    ["100.0", 10_000],
    ["450.00", 45_000],
    ["1234.56", 123_456],
    ["0.29", 29],
    ["4.35", 435],
    ["15000.010", 1_500_001],
    ["9999999999999.99", 999_999_999_999_999],
  ])("%s → %i", (amount, cents) => {
    expect(decimalToCents(amount)).toBe(cents);
  });

  it.each(["", "-1.00", "1e3", "1,50", "1.005", "abc", "12345678901234"])("rejects %j", (amount) => {
    expect(decimalToCents(amount)).toBeNull();
  });

  it("rejects what is not a string", () => {
    expect(decimalToCents(12.5)).toBeNull();
    expect(parseConfig(null)).toBeNull();
  });
});

describe("the extension's files", () => {
  const ext = toml.extensions[0]!;

  it("declares a function on cart.payment-methods.transform.run reading the config metafield as variables", () => {
    expect(toml.api_version).toBe("2026-04");
    expect(ext).toMatchObject({ type: "function", handle: "soisy-payment-customization", name: "t:name" });
    expect(ext.targeting).toEqual([
      {
        target: "cart.payment-methods.transform.run",
        input_query: "src/cart_payment_methods_transform_run.graphql",
        export: "cart-payment-methods-transform-run",
      },
    ]);
    expect(ext.input.variables).toEqual({ namespace: "$app:soisy", key: "payment-customization" });
    // The query reads the same metafield the variables come from.
    expect(inputQuery).toContain(`metafield(namespace: "${ext.input.variables.namespace}", key: "${ext.input.variables.key}")`);
  });

  it("has its name and description in Italian and English", () => {
    const en = JSON.parse(read("locales/en.default.json")) as Record<string, string>;
    const it = JSON.parse(read("locales/it.json")) as Record<string, string>;
    expect(Object.keys(en).sort()).toEqual(["description", "name"]);
    expect(Object.keys(it).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en)) expect(it[key]).not.toBe(en[key]);
  });

  it("declares exactly the variable the configuration feeds", () => {
    const operation = parse(inputQuery).definitions[0] as OperationDefinitionNode;
    expect(operation.variableDefinitions?.map((v) => v.variable.name.value)).toEqual(["excludedTags"]);
    // Every key of the config JSON that is a declared variable feeds it (Shopify passes the whole JSON).
    expect(Object.keys(CONFIG)).toContain("excludedTags");
  });

  it("the query's result has exactly the shape the function reads (executed on a mock root)", async () => {
    const seenTags: unknown[] = [];
    const root = {
      cart: {
        cost: { totalAmount: { amount: "99.99", currencyCode: "EUR" } },
        deliveryGroups: [{ deliveryAddress: { countryCode: "IT" } }],
        lines: [
          {
            merchandise: {
              __typename: "ProductVariant",
              id: "gid://shopify/ProductVariant/1",
              product: {
                id: "gid://shopify/Product/1",
                isGiftCard: false,
                hasAnyTag: ({ tags }: { tags: string[] }) => {
                  seenTags.push(tags);
                  return tags.includes("no-rate");
                },
              },
            },
          },
        ],
      },
      paymentMethods: [CARD, SOISY],
      paymentCustomization: { metafield: () => ({ jsonValue: CONFIG, type: "json", value: JSON.stringify(CONFIG) }) },
    };
    const result = await execute({ schema, document: parse(inputQuery), rootValue: root, variableValues: { excludedTags: CONFIG.excludedTags } });
    expect(result.errors).toBeUndefined();
    expect(seenTags).toEqual([["no-rate"]]);
    const data = result.data as unknown as Input;
    expect(data.cart.lines[0]!.merchandise).toEqual({ __typename: "ProductVariant", product: { isGiftCard: false, hasExcludedTag: true } });
    expect(cartPaymentMethodsTransformRun(data)).toEqual(HIDE_SOISY);
  });
});
