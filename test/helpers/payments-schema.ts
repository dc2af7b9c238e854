/**
 * Shopify's Payments Apps GraphQL schema (API 2026-04), built from the introspection result kept in the
 * repository at `test/fixtures/shopify/payments-apps-2026-04.introspection.json` (origin and how to
 * refresh it: test/fixtures/shopify/README.md).
 *
 * Every GraphQL document the app sends to Shopify is validated against this schema in tests (and by the
 * Shopify simulator on every request), so a typo in a field name or a wrong argument type fails a test
 * instead of a shopper's payment.
 *
 * The file path can be overridden with `SHOPIFY_PAYMENTS_SCHEMA_PATH`.
 *
 * Test-only (the unit tests, the Shopify simulator, the benchmarks): it uses `graphql`, a
 * devDependency, so it lives under test/ and the app never imports it.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildClientSchema,
  GraphQLError,
  parse,
  validate,
  type GraphQLSchema,
  type IntrospectionQuery,
} from "graphql";

export const PAYMENTS_APPS_API_VERSION = "2026-04";
const SCHEMA_FILE = `payments-apps-${PAYMENTS_APPS_API_VERSION}.introspection.json`;

/**
 * The project root: the nearest directory above this module holding a package.json. Walking up (rather
 * than a fixed `../..`) keeps this right wherever the module is run or bundled from.
 */
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** Where the introspection JSON is read from: `$SHOPIFY_PAYMENTS_SCHEMA_PATH`, else the repository's `test/fixtures/shopify/…`. */
export function paymentsAppsSchemaPath(): string {
  const fromEnv = process.env.SHOPIFY_PAYMENTS_SCHEMA_PATH;
  if (fromEnv && fromEnv.trim() !== "") return path.resolve(fromEnv);
  return path.resolve(findRepoRoot(), "test/fixtures/shopify", SCHEMA_FILE);
}

/** Reads an introspection result (`{data: {__schema}}` or bare `{__schema}`) and builds a client schema. */
export function loadPaymentsAppsSchemaFrom(filePath: string): GraphQLSchema {
  let raw: string;
  try {
    raw = fs.readFileSync(filePath, "utf8");
  } catch (error) {
    throw new Error(
      `Cannot read Shopify's Payments Apps schema at ${filePath} (set SHOPIFY_PAYMENTS_SCHEMA_PATH to override): ${
        (error as Error).message
      }`,
    );
  }
  const json = JSON.parse(raw) as { data?: IntrospectionQuery } & Partial<IntrospectionQuery>;
  const introspection = json.data ?? (json.__schema ? (json as IntrospectionQuery) : undefined);
  if (!introspection?.__schema) {
    throw new Error(`${filePath} is not a GraphQL introspection result (no __schema)`);
  }
  return buildClientSchema(introspection);
}

let cached: GraphQLSchema | undefined;

/** The Payments Apps schema, loaded once per process. */
export function paymentsAppsSchema(): GraphQLSchema {
  cached ??= loadPaymentsAppsSchemaFrom(paymentsAppsSchemaPath());
  return cached;
}

/**
 * Parses and validates a GraphQL document against the Payments Apps schema. Syntax errors are returned
 * (never thrown) as a single-element list, so callers can treat every problem the same way.
 */
export function validatePaymentsAppsDocument(source: string): readonly GraphQLError[] {
  const schema = paymentsAppsSchema();
  let document;
  try {
    document = parse(source);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    return [new GraphQLError(error instanceof Error ? error.message : String(error))];
  }
  return validate(schema, document);
}
