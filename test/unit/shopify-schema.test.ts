import path from "node:path";
import { GraphQLError, isObjectType, isUnionType } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import {
  loadPaymentsAppsSchemaFrom,
  paymentsAppsSchema,
  paymentsAppsSchemaPath,
  validatePaymentsAppsDocument,
} from "../helpers/payments-schema";
import {
  PAYMENT_SESSION_PENDING,
  PAYMENT_SESSION_REJECT,
  PAYMENT_SESSION_RESOLVE,
  PAYMENTS_APP_CONFIGURE,
  PAYMENTS_APPS_DOCUMENTS,
  PAYMENTS_APPS_OPERATION_NAMES,
  REFUND_SESSION_REJECT,
  REFUND_SESSION_RESOLVE,
} from "../simulators/shopify/documents";

describe("Payments Apps schema loading", () => {
  const savedEnv = process.env.SHOPIFY_PAYMENTS_SCHEMA_PATH;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.SHOPIFY_PAYMENTS_SCHEMA_PATH;
    else process.env.SHOPIFY_PAYMENTS_SCHEMA_PATH = savedEnv;
  });

  it("reads the 2026-04 introspection JSON from the repository's test fixtures by default", () => {
    delete process.env.SHOPIFY_PAYMENTS_SCHEMA_PATH;
    const repoRoot = path.resolve(import.meta.dirname, "../..");
    expect(paymentsAppsSchemaPath()).toBe(
      path.resolve(repoRoot, "test/fixtures/shopify/payments-apps-2026-04.introspection.json"),
    );
  });

  it("honours SHOPIFY_PAYMENTS_SCHEMA_PATH", () => {
    process.env.SHOPIFY_PAYMENTS_SCHEMA_PATH = "/tmp/elsewhere/schema.json";
    expect(paymentsAppsSchemaPath()).toBe("/tmp/elsewhere/schema.json");
  });

  it("fails with a clear message when the file is missing", () => {
    expect(() => loadPaymentsAppsSchemaFrom("/nonexistent/payments.json")).toThrow(
      /Cannot read Shopify's Payments Apps schema at \/nonexistent\/payments\.json/,
    );
  });

  it("builds the schema once and exposes Shopify's mutations and union types", () => {
    const schema = paymentsAppsSchema();
    expect(paymentsAppsSchema()).toBe(schema);
    const mutations = schema.getMutationType()?.getFields() ?? {};
    for (const name of Object.keys(PAYMENTS_APPS_DOCUMENTS)) expect(mutations).toHaveProperty(name);
    const states = schema.getType("PaymentSessionStates");
    expect(isUnionType(states) && states.getTypes().map((t) => t.name).sort()).toEqual([
      "PaymentSessionStateBuyerActionRequired",
      "PaymentSessionStateConfirming",
      "PaymentSessionStatePending",
      "PaymentSessionStateRedirecting",
      "PaymentSessionStateRejected",
      "PaymentSessionStateResolved",
    ]);
    // The pitfall the documents avoid: resolve/reject/configure return UserError, which has no `code`.
    const userError = schema.getType("UserError");
    expect(isObjectType(userError) && Object.keys(userError.getFields()).sort()).toEqual(["field", "message"]);
  });
});

describe("the app's documents validate against the Payments Apps schema", () => {
  it.each(Object.entries(PAYMENTS_APPS_DOCUMENTS))("%s has zero validation errors", (name, source) => {
    expect(validatePaymentsAppsDocument(source)).toEqual([]);
    const operation = PAYMENTS_APPS_OPERATION_NAMES[name as keyof typeof PAYMENTS_APPS_OPERATION_NAMES];
    expect(source).toContain(`mutation ${operation}(`);
    expect(source).toContain(`${name}(`);
  });

  it("each payment session document asks for state and the nextAction redirect", () => {
    for (const source of [PAYMENT_SESSION_RESOLVE, PAYMENT_SESSION_REJECT, PAYMENT_SESSION_PENDING]) {
      expect(source).toMatch(/nextAction\s*{\s*action\s*context\s*{[^}]*\.\.\. on PaymentSessionActionsRedirect\s*{\s*redirectUrl/);
      expect(source).toMatch(/state\s*{/);
    }
    expect(PAYMENT_SESSION_PENDING).toMatch(/userErrors\s*{\s*field\s*message\s*code\s*}/);
    expect(REFUND_SESSION_RESOLVE).toMatch(/userErrors\s*{\s*field\s*message\s*code\s*}/);
    expect(REFUND_SESSION_REJECT).toMatch(/userErrors\s*{\s*field\s*message\s*code\s*}/);
    expect(PAYMENTS_APP_CONFIGURE).toMatch(/paymentsAppConfiguration\s*{\s*externalHandle\s*ready\s*}/);
  });
});

describe("invalid documents produce errors (never throw)", () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      "unknown field",
      `mutation R($id: ID!) { paymentSessionResolve(id: $id) { paymentSession { id orderId } userErrors { field message } } }`,
      /Cannot query field "orderId" on type "PaymentSession"/,
    ],
    [
      "code requested on UserError (resolve has no coded user errors)",
      `mutation R($id: ID!) { paymentSessionResolve(id: $id) { userErrors { field message code } } }`,
      /Cannot query field "code" on type "UserError"/,
    ],
    [
      "wrong argument type (literal)",
      `mutation { paymentsAppConfigure(ready: "yes") { userErrors { field message } } }`,
      /Boolean cannot represent a non boolean value/,
    ],
    [
      "wrong variable type",
      `mutation C($ready: String!) { paymentsAppConfigure(ready: $ready) { userErrors { field message } } }`,
      /Variable "\$ready" of type "String!" used in position expecting type "Boolean!"/,
    ],
    [
      "unknown enum value",
      `mutation { paymentSessionReject(id: "gid://shopify/PaymentSession/x", reason: {code: DECLINED}) { userErrors { message } } }`,
      /Value "DECLINED" does not exist in "PaymentSessionStateRejectedReason" enum/,
    ],
    [
      "missing required argument",
      `mutation J($id: ID!) { paymentSessionReject(id: $id) { userErrors { field message } } }`,
      /argument "reason" of type "PaymentSessionRejectionReasonInput!" is required/,
    ],
    [
      "missing required input field",
      `mutation { paymentSessionReject(id: "gid://shopify/PaymentSession/x", reason: {merchantMessage: "no"}) { userErrors { message } } }`,
      /Field "PaymentSessionRejectionReasonInput.code" of required type "PaymentSessionStateRejectedReason!" was not provided/,
    ],
    [
      "union selected without fragments",
      `mutation R($id: ID!) { paymentSessionResolve(id: $id) { paymentSession { state { code } } userErrors { message } } }`,
      /Cannot query field "code" on type "PaymentSessionStates"/,
    ],
    [
      "pending and rejected `reason` selected together without an alias",
      `mutation R($id: ID!) { paymentSessionResolve(id: $id) { paymentSession { state {
         ... on PaymentSessionStatePending { reason } ... on PaymentSessionStateRejected { reason } } }
         userErrors { message } } }`,
      /Fields "reason" conflict because they return conflicting types/,
    ],
    [
      "unknown mutation",
      `mutation { paymentSessionCapture(id: "x") { userErrors { message } } }`,
      /Cannot query field "paymentSessionCapture" on type "MutationRoot"/,
    ],
  ];

  it.each(cases)("%s", (_label, source, message) => {
    const errors = validatePaymentsAppsDocument(source);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e instanceof GraphQLError)).toBe(true);
    expect(errors.map((e) => e.message).join("\n")).toMatch(message);
    expect(errors[0]?.locations?.length).toBeGreaterThan(0);
  });

  it("returns a syntax error as a GraphQLError with its location", () => {
    const errors = validatePaymentsAppsDocument(`mutation R($id: ID!) { paymentSessionResolve(id: $id) { userErrors { field }`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(GraphQLError);
    expect(errors[0]?.message).toMatch(/^Syntax Error/);
    expect(errors[0]?.locations?.[0]).toEqual({ line: 1, column: expect.any(Number) });
  });

  it("returns an error for an empty document", () => {
    expect(validatePaymentsAppsDocument("")[0]?.message).toMatch(/Syntax Error/);
  });
});
