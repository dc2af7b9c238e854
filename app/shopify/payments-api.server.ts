/**
 * The app's side of Shopify's Payments Apps API (2026-04): `callPaymentsApi` sends one mutation and
 * CLASSIFIES the answer (ok, already_done, conflict, retry, fatal: payments-api-results.ts) so the
 * outbox knows what to do with it. The documents and the typed variables are in
 * payments-api-documents.ts; this module re-exports both, so callers import from one place.
 *
 * Shopify de-duplicates mutations per session id and mutation name, so repeating one is safe: a
 * repeated resolve answers like the first one (that is how a lost response is recovered).
 *
 * The access token only ever goes into the request header: it is never part of a result, an error text
 * or a log line (any echo of it in a response body is replaced by "[redacted]").
 */
import { outgoingRequest } from "~/http/outgoing.server";
import { PAYMENTS_API_DOCUMENTS, type PaymentsApiMutation, type PaymentsApiVariables } from "./payments-api-documents";
import { classifyPaymentsApiResponse, redact, type PaymentsApiResult } from "./payments-api-results";

export * from "./payments-api-documents";
export * from "./payments-api-results";

// ---------------------------------------------------------------------------------------------
// Calling
// ---------------------------------------------------------------------------------------------

export interface CallPaymentsApiOptions<M extends PaymentsApiMutation> {
  /** `https://{shop}/payments_apps/api/{version}/graphql.json` (config.server.ts `paymentsApiEndpoint`). */
  endpoint: string;
  accessToken: string;
  mutation: M;
  variables: PaymentsApiVariables[M];
  /** Whole request, body included (default 10 s). */
  timeoutMs?: number;
  /** Largest accepted response body (default 1 MiB; a larger one is retried). */
  maxResponseBytes?: number;
  fetch?: typeof fetch;
  /** Clock for HTTP-date Retry-After values. */
  now?: () => Date;
}

/** Sends one mutation and classifies the answer. Never throws for network or HTTP problems. */
export async function callPaymentsApi<M extends PaymentsApiMutation>(
  options: CallPaymentsApiOptions<M>,
): Promise<PaymentsApiResult<M>> {
  const { endpoint, accessToken, mutation, variables, timeoutMs = 10_000 } = options;
  const now = options.now ?? (() => new Date());
  const secrets = [accessToken];
  const result = await outgoingRequest({
    url: endpoint,
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-Shopify-Access-Token": accessToken,
    },
    body: JSON.stringify({ query: PAYMENTS_API_DOCUMENTS[mutation], variables }),
    timeoutMs,
    maxBytes: options.maxResponseBytes,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  switch (result.kind) {
    case "timeout":
      return { kind: "retry", reason: `timeout: no answer from Shopify within ${result.timeoutMs} ms` };
    case "network":
      return { kind: "retry", reason: redact(`network error: ${result.message}`, secrets) };
    case "too_large":
      return { kind: "retry", reason: `HTTP ${result.status}: ${result.message}`, httpStatus: result.status };
    case "ok":
    case "http":
      return classifyPaymentsApiResponse(
        mutation,
        { status: result.status, retryAfter: result.headers.get("retry-after"), bodyText: result.bodyText },
        { now: now(), secrets },
      );
  }
}
