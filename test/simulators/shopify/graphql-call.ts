/**
 * The record both simulated GraphQL endpoints keep of a call (the payments apps API in simulator.ts,
 * the Admin API subset in admin-api.ts): the request body parsed leniently, so faulted or invalid
 * calls still show what was attempted.
 */

/** The request body as sent (anything: it is validated by the endpoint afterwards). */
export type GraphqlBody = { query?: unknown; variables?: unknown; operationName?: unknown } | null;

/** `application/graphql` → the raw text is the query; anything else is parsed as JSON (null when not JSON). */
export function parseGraphqlBody(raw: string, contentType = ""): GraphqlBody {
  if (contentType.includes("application/graphql")) return { query: raw };
  try {
    return JSON.parse(raw) as GraphqlBody;
  } catch {
    return null;
  }
}

export interface GraphqlCallBase<ValidationError, Fault> {
  seq: number;
  at: string;
  shop: string;
  apiVersion: string;
  /** null: no token header, false: wrong token (or unknown shop). */
  tokenOk: boolean | null;
  /** The operationName given (then the one executed, when the document names it). */
  operationName: string | null;
  /** Root fields the operation selects, e.g. ["paymentSessionResolve"]. */
  rootFields: string[];
  query: string;
  variables: Record<string, unknown> | null;
  validationErrors: ValidationError[];
  fault: Fault | null;
  /** null while unanswered (e.g. hung). */
  status: number | null;
  responseBody: unknown;
}

/** A new call record: the identifying fields given, what the body says copied, nothing answered yet. */
export function newGraphqlCall(
  head: Pick<GraphqlCallBase<unknown, unknown>, "seq" | "at" | "shop" | "apiVersion" | "tokenOk">,
  body: GraphqlBody,
): GraphqlCallBase<never, never> {
  return {
    ...head,
    operationName: body && typeof body.operationName === "string" ? body.operationName : null,
    rootFields: [],
    query: body && typeof body.query === "string" ? body.query : "",
    variables: body?.variables && typeof body.variables === "object" ? (body.variables as Record<string, unknown>) : null,
    validationErrors: [],
    fault: null,
    status: null,
    responseBody: null,
  };
}
