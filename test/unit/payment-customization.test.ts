/**
 * The payment customization function (extensions/soisy-payment-customization): its logic on realistic
 * inputs shaped exactly like its input query's result, its input query validated against Shopify's
 * full Function API schema (schema.graphql, as `shopify app function schema` writes it), and its
 * output validated as the target's result type.
 * The WebAssembly build needs Shopify's CLI and Javy (not available offline): the JavaScript is tested directly.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  buildSchema,
  coerceInputValue,
  execute,
  Kind,
  parse,
  validate,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from "graphql";
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
const PAYPAL = { id: "gid://shopify/PaymentCustomizationPaymentMethod/2", name: "PayPal" };

/** What the app writes (app/shopify/payment-customization.server.ts) for the default settings. */
const CONFIG = {
  minCents: 10_000,
  maxCents: 1_500_000,
  currency: "EUR",
  allowedCountries: ["IT"],
  excludedTags: ["no-rate"],
  excludeGiftCards: true,
};

const variant = (product: { isGiftCard?: boolean; hasExcludedTag?: boolean } = {}) => ({
  merchandise: { __typename: "ProductVariant", product: { isGiftCard: false, hasExcludedTag: false, ...product } },
});

function cart(overrides: { amount?: string; currency?: string; countries?: Array<string | null>; lines?: Input["cart"]["lines"] } = {}): Input["cart"] {
  return {
    cost: { totalAmount: { amount: overrides.amount ?? "450.0", currencyCode: overrides.currency ?? "EUR" } },
    deliveryGroups: (overrides.countries ?? ["IT"]).map((countryCode) => ({ deliveryAddress: countryCode === null ? null : { countryCode } })),
    lines: overrides.lines ?? [variant(), variant()],
  };
}

function input(c: Input["cart"], config: unknown = CONFIG, methods = [CARD, PAYPAL, SOISY]): Input {
  return {
    cart: c,
    paymentMethods: methods,
    paymentCustomization: { metafield: config === null ? null : { jsonValue: config } },
  };
}

const HIDE_SOISY = { operations: [{ paymentMethodHide: { paymentMethodId: SOISY.id } }] };
const NOTHING = { operations: [] };

describe("payment customization: which carts hide Soisy", () => {
  it.each([
    ["a cart in range, EUR, shipped to Italy", cart(), NOTHING],
    ["exactly the minimum (bounds are in the range)", cart({ amount: "100.00" }), NOTHING],
    ["exactly the maximum", cart({ amount: "15000" }), NOTHING],
    ["one cent below the minimum", cart({ amount: "99.99" }), HIDE_SOISY],
    ["one cent above the maximum", cart({ amount: "15000.01" }), HIDE_SOISY],
    ["a USD cart", cart({ currency: "USD" }), HIDE_SOISY],
    ["shipping to France", cart({ countries: ["FR"] }), HIDE_SOISY],
    ["two deliveries, one of them to Germany", cart({ countries: ["IT", "DE"] }), HIDE_SOISY],
    ["no delivery address yet (visible; the app checks at payment time)", cart({ countries: [null] }), NOTHING],
    ["no delivery group at all", cart({ countries: [] }), NOTHING],
    ["a product with an excluded tag", cart({ lines: [variant(), variant({ hasExcludedTag: true })] }), HIDE_SOISY],
    ["a gift card", cart({ lines: [variant({ isGiftCard: true })] }), HIDE_SOISY],
    ["a custom product line (no product to check)", cart({ lines: [{ merchandise: { __typename: "CustomProduct" } }] }), NOTHING],
  ])("%s", (_name, c, expected) => {
    expect(cartPaymentMethodsTransformRun(input(c))).toEqual(expected);
  });

  it("keeps gift cards when the merchant allows them, and ignores the tag result when no tag is excluded", () => {
    const giftCard = cart({ lines: [variant({ isGiftCard: true })] });
    expect(cartPaymentMethodsTransformRun(input(giftCard, { ...CONFIG, excludeGiftCards: false }))).toEqual(NOTHING);
    const tagged = cart({ lines: [variant({ hasExcludedTag: true })] });
    expect(cartPaymentMethodsTransformRun(input(tagged, { ...CONFIG, excludedTags: [] }))).toEqual(NOTHING);
  });

  it("allows every configured country (case-insensitive), not only Italy", () => {
    const config = { ...CONFIG, allowedCountries: ["IT", "sm"] };
    expect(cartPaymentMethodsTransformRun(input(cart({ countries: ["SM"] }), config))).toEqual(NOTHING);
    expect(cartPaymentMethodsTransformRun(input(cart({ countries: ["VA"] }), config))).toEqual(HIDE_SOISY);
  });

  it("does nothing when Soisy is not among the methods", () => {
    expect(cartPaymentMethodsTransformRun(input(cart({ amount: "1.00" }), CONFIG, [CARD, PAYPAL]))).toEqual(NOTHING);
  });

  it("finds Soisy by name in any language and case, and hides every such method", () => {
    const english = { id: "gid://shopify/PaymentCustomizationPaymentMethod/7", name: "Pay in instalments with SOISY" };
    expect(cartPaymentMethodsTransformRun(input(cart({ currency: "GBP" }), CONFIG, [english, CARD, SOISY]))).toEqual({
      operations: [{ paymentMethodHide: { paymentMethodId: english.id } }, { paymentMethodHide: { paymentMethodId: SOISY.id } }],
    });
  });

  it.each([
    ["no metafield", null],
    ["not an object", "oops"],
    ["min above max", { ...CONFIG, minCents: 2_000_000 }],
    ["fractional cents", { ...CONFIG, minCents: 100.5 }],
    ["no countries", { ...CONFIG, allowedCountries: [] }],
    ["tags not a list", { ...CONFIG, excludedTags: "no-rate" }],
    ["gift-card flag missing", { ...CONFIG, excludeGiftCards: undefined }],
    ["bad currency", { ...CONFIG, currency: "euro" }],
  ])("fails open (hides nothing) with a missing or invalid configuration: %s", (_name, config) => {
    expect(cartPaymentMethodsTransformRun(input(cart({ amount: "1.00", currency: "USD" }), config))).toEqual(NOTHING);
  });

  it("fails open when the payment customization gives no metafield object at all", () => {
    expect(cartPaymentMethodsTransformRun({ ...input(cart({ amount: "1.00" })), paymentCustomization: null })).toEqual(NOTHING);
  });

  it("treats an amount it cannot read exactly as unknown (other rules still apply)", () => {
    expect(cartPaymentMethodsTransformRun(input(cart({ amount: "50.005" })))).toEqual(NOTHING);
    expect(cartPaymentMethodsTransformRun(input(cart({ amount: "50.005", countries: ["FR"] })))).toEqual(HIDE_SOISY);
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

  it("its input query is valid against the Function API subset, and its variables are declared and used", () => {
    const document = parse(inputQuery);
    expect(validate(schema, document)).toEqual([]);
    const operation = document.definitions[0] as OperationDefinitionNode;
    expect(operation.variableDefinitions?.map((v) => v.variable.name.value)).toEqual(["excludedTags"]);
    // Every key of the config JSON that is a declared variable feeds it (Shopify passes the whole JSON).
    expect(Object.keys(CONFIG)).toContain("excludedTags");
  });

  it("the validation catches a wrong field, an undeclared variable and a wrongly typed variable", () => {
    const wrongField = inputQuery.replace("isGiftCard", "giftCard");
    expect(validate(schema, parse(wrongField)).map((e) => e.message)).toEqual([expect.stringContaining('Cannot query field "giftCard"')]);
    const undeclared = inputQuery.replace("($excludedTags: [String!])", "");
    expect(validate(schema, parse(undeclared)).map((e) => e.message)).toEqual([expect.stringContaining('Variable "$excludedTags" is not defined')]);
    const wrongType = inputQuery.replace("($excludedTags: [String!])", "($excludedTags: Int)");
    expect(validate(schema, parse(wrongType)).length).toBeGreaterThan(0);
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

  it("its output is a valid CartPaymentMethodsTransformRunResult", () => {
    const type = schema.getType("CartPaymentMethodsTransformRunResult") as GraphQLInputType;
    const outputs = [cartPaymentMethodsTransformRun(input(cart({ amount: "1.00" }))), cartPaymentMethodsTransformRun(input(cart()))];
    for (const output of outputs) {
      const errors: string[] = [];
      coerceInputValue(output, type, (_path, _value, error) => errors.push(error.message));
      expect(errors).toEqual([]);
    }
    const errors: string[] = [];
    coerceInputValue({ operations: [{ hide: { paymentMethodId: SOISY.id } }] }, type, (_p, _v, e) => errors.push(e.message));
    expect(errors.length).toBeGreaterThan(0);
    expect(Kind.DOCUMENT).toBe("Document");
  });
});
