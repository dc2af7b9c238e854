/**
 * Suspended orders (fund on fulfilment): what `SoisyClient.matchTrigger` returns and how Soisy's
 * refusals are read. Soisy documents only `POST /orders/{token}/match-trigger` with `amount` (integer
 * cents) answering 204; everything else here is an assumption written down in README.md
 * ("Suspended orders"), so that the lifecycle gets precise reasons when Soisy's answers allow it and
 * `rejected` (with Soisy's own messages) when they do not.
 *
 * Three outcomes, as values: the caller must treat `unknown` as "maybe triggered" (confirm with
 * getOrder; never trigger again blindly — a second trigger is refused, see `already_triggered`).
 */
import { z } from "zod";
import {
  SoisyValidationError,
  parseSoisyErrorBody,
  soisyErrorFromResponse,
  type SoisyError,
  type SoisyErrorContext,
} from "./errors";

/** The amount to release: a positive integer of euro cents (≤ the loan amount, checked by Soisy). */
export const MatchTriggerAmountSchema = z
  .number({ error: "must be an integer amount in euro cents" })
  .int("must be an integer amount in euro cents")
  .positive("must be greater than zero")
  .max(Number.MAX_SAFE_INTEGER, "is too large");

export const MATCH_TRIGGER_REFUSALS = [
  /** 404: Soisy does not know the token (or not for this shop id). */
  "unknown_order",
  /** The order was not created suspended: the shop has no suspended-orders contract, or the order predates it. */
  "not_suspended",
  /** The loan is not verified yet (application still in progress): nothing to release. */
  "not_verified",
  /** The amount is above the loan amount. */
  "amount_exceeds_loan",
  /** Soisy refused the amount for another reason (format, zero…). */
  "invalid_amount",
  /** A trigger was already accepted, or the loan was disbursed already (e.g. our earlier call whose answer was lost). */
  "already_triggered",
  /** The application was cancelled or rejected. */
  "order_cancelled",
  /** 401/403: wrong shop id or key, or the order belongs to another shop. */
  "auth",
  /** Any other 4xx: Soisy's messages say why (`messages`). */
  "rejected",
] as const;
export type MatchTriggerRefusal = (typeof MATCH_TRIGGER_REFUSALS)[number];

export type MatchTriggerResult =
  /** 2xx (Soisy documents 204): Soisy accepted; it will fund `amountCents` (LoanWasDisbursed follows). */
  | { outcome: "triggered"; token: string; amountCents: number }
  /** Soisy answered and did not trigger: known not to have happened. */
  | {
      outcome: "refused";
      reason: MatchTriggerRefusal;
      status: number | undefined;
      /** Soisy's messages (top-level and per field), scrubbed and clipped: for logs and the merchant. */
      messages: string[];
      error: SoisyError;
    }
  /** Timeout, network error, 5xx/408/429, redirect or unreadable answer: Soisy MAY have triggered. */
  | { outcome: "unknown"; error: SoisyError };

// Soisy's texts are not published (and may be English or Italian): keyword groups, most specific first.
const STATE_WORDS: ReadonlyArray<[MatchTriggerRefusal, RegExp]> = [
  ["order_cancelled", /cancel|annullat/i],
  ["already_triggered", /already|già|gia'|disbursed|erogat/i],
  ["not_suspended", /suspend|sospes/i],
  ["not_verified", /verif/i],
];
const EXCEEDS_WORDS = /exceed|greater|higher|more than|above|too (high|large|big)|superior|maggiore|supera/i;

/** Classifies a refused match-trigger (a SoisyError from a 4xx) into a reason. */
export function matchTriggerRefusalOf(error: SoisyError): MatchTriggerRefusal {
  if (error.kind === "not_found") return "unknown_order";
  if (error.kind === "auth") return "auth";
  if (!(error instanceof SoisyValidationError)) return "rejected";
  const isAmount = (field: string) => field === "amount" || field.startsWith("amount.");
  const fields = Object.entries(error.fields);
  const amountMessages = fields.filter(([field]) => isAmount(field)).flatMap(([, messages]) => messages);
  const otherMessages = fields.filter(([field]) => !isAmount(field)).flatMap(([, messages]) => messages);
  const stateText = [...error.generalErrors, ...otherMessages].join(" | ");
  for (const [reason, words] of STATE_WORDS) if (words.test(stateText)) return reason;
  if (amountMessages.length) return amountMessages.some((m) => EXCEEDS_WORDS.test(m)) ? "amount_exceeds_loan" : "invalid_amount";
  return EXCEEDS_WORDS.test(stateText) && /amount|importo/i.test(stateText) ? "amount_exceeds_loan" : "rejected";
}

/**
 * Like soisyErrorFromResponse, but every 4xx that is not auth / 404 / 408 / 429 is read as a refusal
 * with Soisy's messages (a 409 or 412 "already triggered" would otherwise be a bare bad_response).
 */
export function matchTriggerErrorFromResponse(args: SoisyErrorContext & { status: number; bodyText: string }): SoisyError {
  const { status } = args;
  if (status >= 400 && status < 500 && ![401, 403, 404, 408, 429].includes(status)) {
    let body: unknown;
    try {
      body = JSON.parse(args.bodyText) as unknown;
    } catch {
      body = undefined;
    }
    return new SoisyValidationError({ ...args, ...parseSoisyErrorBody(body), origin: "soisy" });
  }
  return soisyErrorFromResponse(args);
}

/** Whether Soisy answered a refusal (the trigger did not happen) rather than leaving the outcome open. */
export function isMatchTriggerRefusal(error: SoisyError): boolean {
  return (error.kind === "validation" || error.kind === "auth" || error.kind === "not_found") && error.status !== undefined;
}

/** The result of a match-trigger that failed with `error`: refused (known) or unknown. */
export function matchTriggerFailure(error: SoisyError): Exclude<MatchTriggerResult, { outcome: "triggered" }> {
  if (!isMatchTriggerRefusal(error)) return { outcome: "unknown", error };
  return { outcome: "refused", reason: matchTriggerRefusalOf(error), status: error.status, messages: soisyMessagesOf(error), error };
}

/** Soisy's messages carried by an error, for `refused.messages`. */
export function soisyMessagesOf(error: SoisyError): string[] {
  if (error instanceof SoisyValidationError) {
    return [...error.generalErrors, ...Object.entries(error.fields).map(([field, messages]) => `${field}: ${messages.join("; ")}`)];
  }
  return [error.message];
}
