/**
 * Pure pieces of the instalment-widget quotes: the answer's types, the cache key and the mapping of
 * Soisy's loan quotes to the widget's answer (one representative example). No I/O here.
 */
import type { LoanQuotes, SoisyEnvironment } from "~/soisy/types";
import { representativeExample, type ExampleRequest, type RepresentativeExample } from "./representative-example";

export type QuoteEnvironment = SoisyEnvironment;

/**
 * Why no quote is shown (the widget hides itself for all of them). `busy`: the Soisy account's limit
 * on storefront cache misses is used up (HTTP 429); never cached.
 */
export type QuoteUnavailableReason = "not_ready" | "out_of_range" | "not_configured" | "soisy_unavailable" | "busy";

/** The lender named next to every offer (docs/compliance.md): from the operator's configuration. */
export interface LenderInfo {
  /** Legal name, e.g. "Soisy S.p.A.". */
  name: string;
  /** Registration text (register and number); empty when not configured: nothing is asserted then. */
  registration: string;
  /** Transparency documents (SECCI, "Informazioni europee di base sul credito ai consumatori"). */
  transparencyUrl: string;
  privacyUrl: string;
  /** Where a shopper asks Soisy for a human review or an explanation of a decision. */
  contactUrl: string;
}

export interface AvailableQuote {
  available: true;
  /** The financed amount, cents. */
  amount: number;
  instalments: number;
  zeroInterest: boolean;
  /** The one representative example every surface shows (app/quotes/representative-example.ts). */
  example: RepresentativeExample;
  /** The lender, from configuration (added by the route, never cached with Soisy's answer). */
  lender?: LenderInfo;
  /** The shop's amount range (cents), so a widget can tell the shopper where Soisy applies. */
  minAmount: number;
  maxAmount: number;
}

export interface UnavailableQuote {
  available: false;
  reason: QuoteUnavailableReason;
  /** The shop's amount range (cents), when known (only with "out_of_range"). */
  minAmount?: number;
  maxAmount?: number;
}

export type WidgetQuote = AvailableQuote | UnavailableQuote;

/** What decides Soisy's answer: the cache key's parts. */
export interface QuoteKeyParts {
  environment: QuoteEnvironment;
  soisyShopId: string;
  amountCents: number;
  instalments: number;
  zeroInterest: boolean;
}

/**
 * The cache key of one Soisy loan-quotes answer. Every part is validated upstream (the shop id holds
 * only [A-Za-z0-9_-], the numbers are integers) so "|" cannot appear inside a part.
 */
export function quoteCacheKey(p: QuoteKeyParts): string {
  return `${p.environment}|${p.soisyShopId}|${p.amountCents}|${p.instalments}|${p.zeroInterest ? "z1" : "z0"}`;
}

/** Soisy's quotes → the widget's answer (without the shop's range, added by the caller); null when
 * Soisy's figures do not add up (never advertised). */
export function quoteFromLoanQuotes(
  q: LoanQuotes,
  request: ExampleRequest,
): Omit<AvailableQuote, "minAmount" | "maxAmount"> | null {
  const example = representativeExample(q, request);
  if (!example) return null;
  return { available: true, amount: request.amountCents, instalments: request.instalments, zeroInterest: request.zeroInterest, example };
}
