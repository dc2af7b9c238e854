/**
 * The payment customization function's test assets checked against Shopify's full Function API schema
 * (extensions/soisy-payment-customization/schema.graphql, as `shopify app function schema` writes it),
 * with Shopify's own helpers (@shopify/shopify-function-test-helpers, the library Shopify's function
 * templates test with): the input query, and every fixture in tests/fixtures/*.json — its input must be
 * exactly what Shopify would send for that query (no missing or extra field, right types and
 * nullability) and its output a valid CartPaymentMethodsTransformRunResult. Shows the checks can fail.
 * The fixtures' outputs are checked against the function itself in payment-customization.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  loadFixture,
  loadInputQuery,
  loadSchema,
  validateInputQuery,
  validateTestAssets,
  type FixtureData,
} from "@shopify/shopify-function-test-helpers";
import { parse, print } from "graphql";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";

const dir = path.resolve(import.meta.dirname, "../../extensions/soisy-payment-customization");
const fixturesDir = path.join(dir, "tests/fixtures");
const toml = parseToml(readFileSync(path.join(dir, "shopify.extension.toml"), "utf8")) as {
  extensions: Array<{ targeting: Array<{ target: string; input_query: string; export: string }> }>;
};
const targeting = toml.extensions[0]!.targeting[0]!;
const schema = await loadSchema(path.join(dir, "schema.graphql"));
const inputQueryAST = await loadInputQuery(path.join(dir, targeting.input_query));
const fixtureFiles = readdirSync(fixturesDir).filter((file) => file.endsWith(".json")).sort();
const fixtures = await Promise.all(fixtureFiles.map(async (file) => [file, await loadFixture(path.join(fixturesDir, file))] as const));

/** Every error validateTestAssets reports, as "part: message" lines (empty when the assets are valid). */
async function problems(fixture: FixtureData, query = inputQueryAST): Promise<string[]> {
  const result = await validateTestAssets({ schema, fixture, inputQueryAST: query });
  return [
    ...(result.error ? [`error: ${result.error}`] : []),
    ...result.inputQuery.errors.map((e) => `query: ${e.message}`),
    ...result.inputFixture.errors.map((e) => `input: ${e.message} at ${e.path.join(".")}`),
    ...result.outputFixture.errors.map((e) => `output: ${e.message}`),
  ];
}

const clone = <T>(value: T): T => structuredClone(value);

describe("the function's input query against the full Function API schema", () => {
  it("is valid", () => {
    expect(validateInputQuery(inputQueryAST, schema)).toEqual([]);
  });

  it("fails on a field the schema does not have, an undeclared variable, a wrongly typed variable", () => {
    const source = print(inputQueryAST);
    const messages = (text: string) => validateInputQuery(parse(text), schema).map((e) => e.message);
    expect(messages(source.replace("isGiftCard", "giftCard"))).toEqual([expect.stringContaining('Cannot query field "giftCard"')]);
    expect(messages(source.replace("($excludedTags: [String!])", ""))).toEqual([expect.stringContaining('Variable "$excludedTags" is not defined')]);
    expect(messages(source.replace("($excludedTags: [String!])", "($excludedTags: Int)")).length).toBeGreaterThan(0);
  });
});

describe("the fixtures (extensions/soisy-payment-customization/tests/fixtures)", () => {
  it("exist, hide Soisy in some and nothing in others", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
    const outcomes = new Set(fixtures.map(([, f]) => ((f.expectedOutput as { operations: unknown[] }).operations.length > 0 ? "hide" : "nothing")));
    expect([...outcomes].sort()).toEqual(["hide", "nothing"]);
  });

  it.each(fixtures)("%s: target and export are the extension's, input and output valid against the schema", async (_file, fixture) => {
    expect(fixture.target).toBe(targeting.target);
    expect(fixture.export).toBe(targeting.export);
    expect(await problems(fixture)).toEqual([]);
  });
});

describe("the fixture validation can fail", () => {
  const base = fixtures.find(([file]) => file === "product-excluded-tag.json")![1];

  it("on an input field the query does not select", async () => {
    const fixture = clone(base);
    (fixture.input.cart as Record<string, unknown>).note = "extra";
    expect(await problems(fixture)).toEqual(["input: Extra field `note` found in fixture data not in query at cart.note"]);
  });

  it("on an input field the query selects but the fixture lacks", async () => {
    const fixture = clone(base);
    delete (fixture.input.cart as Record<string, unknown>).deliveryGroups;
    expect(await problems(fixture)).toEqual(["input: Missing expected fixture data for `deliveryGroups` at cart.deliveryGroups"]);
  });

  it("on a wrongly typed input value", async () => {
    const fixture = clone(base);
    fixture.input.cart.lines[0].merchandise.product.isGiftCard = "no";
    expect(await problems(fixture)).toEqual([expect.stringMatching(/^input: Boolean cannot represent .*"no".* at cart\.lines\.0\.merchandise\.product\.isGiftCard$/)]);
  });

  it("on null where the schema says Shopify always sends a value (paymentCustomization is non-null)", async () => {
    const fixture = clone(base);
    fixture.input.paymentCustomization = null;
    expect(await problems(fixture)).toEqual(["input: Expected object, but got null at paymentCustomization"]);
  });

  it("on an output that is not a CartPaymentMethodsTransformRunResult", async () => {
    const fixture = clone(base);
    fixture.expectedOutput = { operations: [{ hide: { paymentMethodId: "gid://shopify/PaymentCustomizationPaymentMethod/3" } }] };
    expect((await problems(fixture)).some((p) => p.startsWith("output: ") && p.includes("hide"))).toBe(true);
  });

  it("on an input query field the schema does not have", async () => {
    const query = parse(print(inputQueryAST).replace("isGiftCard", "giftCard"));
    expect((await problems(base, query)).some((p) => p.startsWith('query: Cannot query field "giftCard"'))).toBe(true);
  });
});
