/**
 * One delivery of an outbox message to Shopify's Payments Apps API, for the worker (outbox-worker.server.ts):
 * the message's variables checked again, the shop's current token and endpoint, the call made under the
 * claim's lease (its AbortSignal joins the request's own), and Shopify's answer classified
 * (callPaymentsApi). A paymentSessionPending whose expiry Shopify refuses (OUT_OF_RANGE_PENDING_EXPIRES_AT)
 * is asked again with shorter ones. Never throws: a failure is a `retry` or `fatal` answer.
 */
import type { Logger } from "~/logger.server";
import {
  callPaymentsApi,
  PAYMENTS_API_VARIABLE_SCHEMAS,
  redact,
  type PaymentsApiResult,
} from "~/shopify/payments-api.server";
import { MAX_PENDING_EXPIRY_MS } from "./lifecycle";
import type { OutboxMessageRow } from "./outbox-effects.server";
import { isOutboxMutation } from "./outbox.server";

const HOUR = 3_600_000;

/**
 * Expiries (from now) tried, longest first, when Shopify answers OUT_OF_RANGE_PENDING_EXPIRES_AT: the
 * documented maximum (minus a minute for clock skew), then one day, then one hour.
 */
const PENDING_EXPIRY_FALLBACKS_MS = [MAX_PENDING_EXPIRY_MS - 60_000, 24 * HOUR, HOUR];

/** A delivery result; `adjustedPendingExpiry` when Shopify took a pending only with a shorter expiry. */
export type SendResult = PaymentsApiResult & { adjustedPendingExpiry?: { at: Date; variablesJson: string } };

function isOutOfRangeExpiry(result: PaymentsApiResult): boolean {
  return result.kind === "conflict" && result.userErrors.some((e) => e.code === "OUT_OF_RANGE_PENDING_EXPIRES_AT");
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface OutboxSenderOptions {
  /** The shop's current offline access token (asked before every attempt, so a refreshed one is used). */
  tokenProvider: (shop: string) => Promise<string>;
  /** The shop's Payments Apps GraphQL endpoint. */
  endpointFor: (shop: string) => string;
  /** Per request to Shopify. */
  timeoutMs: number;
  now: () => Date;
  log: Logger;
  fetch?: typeof fetch;
}

export function createOutboxSender(options: OutboxSenderOptions): (message: OutboxMessageRow, signal: AbortSignal) => Promise<SendResult> {
  const { tokenProvider, endpointFor, timeoutMs, now, log, fetch: fetchImpl } = options;

  return async function send(message: OutboxMessageRow, signal: AbortSignal): Promise<SendResult> {
    const mutation = message.mutation;
    if (!isOutboxMutation(mutation)) {
      return { kind: "fatal", reason: `unknown outbox mutation "${mutation}"` };
    }
    let variables: unknown;
    try {
      variables = JSON.parse(message.variablesJson);
    } catch {
      return { kind: "fatal", reason: "variablesJson is not JSON" };
    }
    const parsed = PAYMENTS_API_VARIABLE_SCHEMAS[mutation].safeParse(variables);
    if (!parsed.success) return { kind: "fatal", reason: `invalid variables for ${mutation}: ${parsed.error.message}` };
    let accessToken: string;
    let endpoint: string;
    try {
      accessToken = await tokenProvider(message.shop);
      endpoint = endpointFor(message.shop);
    } catch (error) {
      return { kind: "retry", reason: `no access token / endpoint for ${message.shop}: ${errorText(error)}` };
    }
    if (!accessToken) return { kind: "retry", reason: `no access token for ${message.shop}` };
    // callPaymentsApi takes no AbortSignal: the lease's signal joins the request's own through fetch.
    const baseFetch = fetchImpl ?? globalThis.fetch;
    const leasedFetch: typeof fetch = (input, init) =>
      baseFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    const call = async (variables: unknown): Promise<PaymentsApiResult> => {
      if (signal.aborted) return { kind: "retry", reason: "the claim was lost before the request was sent" };
      const result = await callPaymentsApi({
        endpoint,
        accessToken,
        mutation,
        variables: variables as never,
        timeoutMs,
        now,
        fetch: leasedFetch,
      });
      // An abandoned call's outcome is unknown (Shopify may have applied it): a retry, like a timeout.
      return signal.aborted && result.kind === "retry"
        ? { kind: "retry", reason: `call abandoned: the claim was lost or could not be renewed (${result.reason})` }
        : result;
    };
    try {
      let result: PaymentsApiResult = await call(parsed.data);
      if (mutation === "paymentSessionPending") {
        // Shopify refuses an expiry past its limit: never lose the pending, ask again with a shorter one.
        const requested = Date.parse((parsed.data as unknown as { pendingExpiresAt: string }).pendingExpiresAt);
        for (const fallbackMs of PENDING_EXPIRY_FALLBACKS_MS) {
          if (!isOutOfRangeExpiry(result)) break;
          const at = new Date(now().getTime() + fallbackMs);
          if (at.getTime() >= requested) continue;
          const variables = { ...(parsed.data as object), pendingExpiresAt: at.toISOString() };
          log.warn(
            { messageId: message.id, requested: new Date(requested).toISOString(), retryWith: at.toISOString() },
            "Shopify refused the pending expiry (OUT_OF_RANGE_PENDING_EXPIRES_AT); asking again with a shorter one",
          );
          result = await call(variables);
          if (result.kind === "ok" || result.kind === "already_done") {
            return { ...result, adjustedPendingExpiry: { at, variablesJson: JSON.stringify(variables) } };
          }
        }
      }
      return result;
    } catch (error) {
      // callPaymentsApi does not throw for HTTP problems; anything else is still worth a retry.
      return { kind: "retry", reason: redact(`unexpected error: ${errorText(error)}`, [accessToken]) };
    }
  };
}
