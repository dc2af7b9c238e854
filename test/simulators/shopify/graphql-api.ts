/**
 * The Payments Apps API as the simulator executes it: graphql-js `execute` against the client schema
 * built from Shopify's introspection JSON, with a root value whose functions implement the mutations
 * (state machines in store.ts). Objects returned for unions/interfaces carry `__typename`.
 */
import {
  execute,
  GraphQLError,
  GraphQLScalarType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { loadPaymentsAppsSchemaFrom, paymentsAppsSchemaPath } from "../../helpers/payments-schema";
import { settlementSessionObject, type SettlementOutcome, type SettlementType } from "./settlement-store";
import type { SimStore, UserErrorOut } from "./store";
import type { SimPaymentSession, SimRefundSession, SimShop } from "./types";

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function coerceDateTime(value: unknown): string {
  if (typeof value !== "string" || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`Invalid DateTime: ${JSON.stringify(value)} is not an ISO-8601 date and time.`);
  }
  return value;
}

function coerceUrl(value: unknown): string {
  if (typeof value !== "string") throw new GraphQLError(`Invalid URL: ${JSON.stringify(value)}`);
  try {
    new URL(value);
  } catch {
    throw new GraphQLError(`Invalid URL: ${JSON.stringify(value)}`);
  }
  return value;
}

function tightenScalar(schema: GraphQLSchema, name: string, coerce: (value: unknown) => string): void {
  const type = schema.getType(name);
  if (!(type instanceof GraphQLScalarType)) return;
  type.parseValue = coerce;
  type.parseLiteral = (node) => {
    if (node.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string literal.`, { nodes: node });
    return coerce(node.value);
  };
}

let simSchema: GraphQLSchema | undefined;

/**
 * The simulator's own copy of the schema (same introspection JSON as the app's validator), with
 * `DateTime` and `URL` input coercion made strict like Shopify's: a malformed value is a top-level error
 * and the mutation does not run.
 */
export function simulatorSchema(): GraphQLSchema {
  if (!simSchema) {
    const schema = loadPaymentsAppsSchemaFrom(paymentsAppsSchemaPath());
    tightenScalar(schema, "DateTime", coerceDateTime);
    tightenScalar(schema, "URL", coerceUrl);
    simSchema = schema;
  }
  return simSchema;
}

// ----- GraphQL shapes -----

function paymentStateObject(session: SimPaymentSession): Record<string, unknown> {
  const state = session.state;
  switch (state.code) {
    case "RESOLVED":
      return { __typename: "PaymentSessionStateResolved", code: "RESOLVED" };
    case "PENDING":
      return { __typename: "PaymentSessionStatePending", code: "PENDING", reason: state.reason };
    case "CONFIRMING":
      return { __typename: "PaymentSessionStateConfirming", code: "CONFIRMING" };
    case "REJECTED":
      return {
        __typename: "PaymentSessionStateRejected",
        code: "REJECTED",
        reason: state.reason,
        merchantMessage: state.merchantMessage,
        source: state.source,
      };
    default:
      return { __typename: "PaymentSessionStateRedirecting", code: "REDIRECTING" };
  }
}

export function paymentSessionObject(session: SimPaymentSession): Record<string, unknown> {
  return {
    __typename: "PaymentSession",
    id: session.gid,
    state: paymentStateObject(session),
    pendingExpiresAt: session.pendingExpiresAt,
    authorizationExpiresAt: session.authorizationExpiresAt,
    nextAction: session.nextAction
      ? {
          action: session.nextAction.action,
          context: { __typename: "PaymentSessionActionsRedirect", redirectUrl: session.nextAction.redirectUrl },
        }
      : null,
  };
}

function refundSessionObject(session: SimRefundSession): Record<string, unknown> {
  const state = session.state;
  return {
    __typename: "RefundSession",
    id: session.gid,
    state:
      state.code === "REJECTED"
        ? {
            __typename: "RefundSessionStateRejected",
            code: "REJECTED",
            reason: state.reason,
            merchantMessage: state.merchantMessage,
          }
        : { __typename: "RefundSessionStateResolved", code: "RESOLVED" },
  };
}

function userErrors(errors: UserErrorOut[]): UserErrorOut[] {
  return errors.map((e) => ({ field: e.field, message: e.message, ...(e.code ? { code: e.code } : {}) }));
}

/** A capture/void mutation's payload under its session key (`captureSession` / `voidSession`). */
function settlementPayload(out: SettlementOutcome, type: SettlementType): Record<string, unknown> {
  const key = type === "CaptureSession" ? "captureSession" : "voidSession";
  return out.ok
    ? { [key]: settlementSessionObject(out.session, type), userErrors: [] }
    : { [key]: null, userErrors: userErrors(out.userErrors) };
}

type SettlementReason = { code: string; merchantMessage?: string | null };

interface Context {
  shop: SimShop;
  store: SimStore;
  apiVersion: string;
}

type Args = Record<string, unknown>;

/** Root value: one function per root field (graphql-js's default resolver calls them with (args, ctx)). */
const rootValue = {
  publicApiVersions: (_args: Args, ctx: Context) => [
    { handle: "2025-10", displayName: "2025-10", supported: true },
    { handle: "2026-01", displayName: "2026-01", supported: true },
    { handle: ctx.apiVersion, displayName: `${ctx.apiVersion} (Latest)`, supported: true },
    { handle: "unstable", displayName: "unstable", supported: false },
  ],

  paymentSessionResolve: (args: Args, ctx: Context) => {
    const out = ctx.store.resolvePayment(ctx.shop.domain, {
      id: args.id,
      authorizationExpiresAt: args.authorizationExpiresAt,
    });
    return out.ok
      ? { paymentSession: paymentSessionObject(out.session), userErrors: [] }
      : { paymentSession: null, userErrors: userErrors(out.userErrors) };
  },

  paymentSessionReject: (args: Args, ctx: Context) => {
    const reason = args.reason as { code: string; merchantMessage?: string | null; source?: string | null };
    const out = ctx.store.rejectPayment(ctx.shop.domain, { id: args.id, reason });
    return out.ok
      ? { paymentSession: paymentSessionObject(out.session), userErrors: [] }
      : { paymentSession: null, userErrors: userErrors(out.userErrors) };
  },

  paymentSessionPending: (args: Args, ctx: Context) => {
    const out = ctx.store.pendPayment(ctx.shop.domain, {
      id: args.id,
      pendingExpiresAt: args.pendingExpiresAt as string,
      reason: args.reason as string,
    });
    return out.ok
      ? { paymentSession: paymentSessionObject(out.session), userErrors: [] }
      : { paymentSession: null, userErrors: userErrors(out.userErrors) };
  },

  refundSessionResolve: (args: Args, ctx: Context) => {
    const out = ctx.store.resolveRefund(ctx.shop.domain, { id: args.id });
    return out.ok
      ? { refundSession: refundSessionObject(out.session), userErrors: [] }
      : { refundSession: null, userErrors: userErrors(out.userErrors) };
  },

  refundSessionReject: (args: Args, ctx: Context) => {
    const reason = args.reason as { code: string; merchantMessage?: string | null };
    const out = ctx.store.rejectRefund(ctx.shop.domain, { id: args.id, reason });
    return out.ok
      ? { refundSession: refundSessionObject(out.session), userErrors: [] }
      : { refundSession: null, userErrors: userErrors(out.userErrors) };
  },

  paymentsAppConfigure: (args: Args, ctx: Context) => {
    const shop = ctx.store.configure(ctx.shop, {
      externalHandle: (args.externalHandle as string | null | undefined) ?? null,
      ready: args.ready as boolean,
    });
    return { paymentsAppConfiguration: shop.configuration, userErrors: [] };
  },

  captureSessionResolve: (args: Args, ctx: Context) =>
    settlementPayload(ctx.store.captures.resolve(ctx.shop.domain, { id: args.id }), "CaptureSession"),
  captureSessionReject: (args: Args, ctx: Context) =>
    settlementPayload(ctx.store.captures.reject(ctx.shop.domain, { id: args.id, reason: args.reason as SettlementReason }), "CaptureSession"),
  voidSessionResolve: (args: Args, ctx: Context) =>
    settlementPayload(ctx.store.voids.resolve(ctx.shop.domain, { id: args.id }), "VoidSession"),
  voidSessionReject: (args: Args, ctx: Context) =>
    settlementPayload(ctx.store.voids.reject(ctx.shop.domain, { id: args.id, reason: args.reason as SettlementReason }), "VoidSession"),

  paymentSessionConfirm: (args: Args, ctx: Context) => {
    const out = ctx.store.confirmPayment(ctx.shop.domain, { id: args.id });
    return out.ok
      ? { paymentSession: paymentSessionObject(out.session), userErrors: [] }
      : { paymentSession: null, userErrors: userErrors(out.userErrors) };
  },

  // Onsite/credit-card only mutations: answered as Shopify answers an offsite payments app.
  paymentSessionRedirect: () => ({
    paymentSession: null,
    userErrors: [
      {
        field: ["id"],
        message: "Redirect is not supported for offsite payment methods.",
        code: "REDIRECT_NOT_SUPPORTED_FOR_OFFSITE",
      },
    ],
  }),
  paymentSessionModal: () => ({
    paymentSession: null,
    userErrors: [
      {
        field: ["id"],
        message: "Modal is not supported for this payment method.",
        code: "UNSUPPORTED_PAYMENT_METHOD_FOR_MODAL",
      },
    ],
  }),
};

// ----- request processing -----

export interface PreparedDocument {
  document: DocumentNode | null;
  operationName: string | null;
  rootFields: string[];
  errors: readonly GraphQLError[];
}

/** Parses and validates (never throws); picks the operation and lists its root fields. */
export function prepareDocument(query: string, requestedOperationName: string | null): PreparedDocument {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    const gqlError = error instanceof GraphQLError ? error : new GraphQLError(String(error));
    return { document: null, operationName: requestedOperationName, rootFields: [], errors: [gqlError] };
  }
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    requestedOperationName !== null
      ? operations.find((o) => o.name?.value === requestedOperationName)
      : operations.length === 1
        ? operations[0]
        : undefined;
  const rootFields =
    operation?.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) ?? [];
  const operationName = requestedOperationName ?? operation?.name?.value ?? null;
  return { document, operationName, rootFields, errors: validate(simulatorSchema(), document) };
}

export async function executeDocument(input: {
  document: DocumentNode;
  variables: Record<string, unknown> | null;
  operationName: string | null;
  shop: SimShop;
  store: SimStore;
  apiVersion: string;
}): Promise<ExecutionResult> {
  const context: Context = { shop: input.shop, store: input.store, apiVersion: input.apiVersion };
  return execute({
    schema: simulatorSchema(),
    document: input.document,
    rootValue,
    contextValue: context,
    variableValues: input.variables,
    operationName: input.operationName,
  });
}
