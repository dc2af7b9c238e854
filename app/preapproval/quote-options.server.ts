/**
 * The instalment options of the pre-approval page: the numbers of instalments the shop's Soisy
 * contract allows, each with the widget's representative example (its quote cache, app/quotes).
 */
import { LRUCache } from "lru-cache";
import type { PaymentRow, SettingsRow } from "~/payments/payment-deps.server";
import { cachedLoanQuotes, type QuoteDeps } from "~/quotes/quote-service.server";
import { representativeExample, type RepresentativeExample } from "~/quotes/representative-example";
import type { SoisyClient } from "~/soisy/client.server";
import { SOISY_MAX_INSTALMENTS, SOISY_MIN_INSTALMENTS } from "~/soisy/types";
import { INSTALMENT_CHOICES } from "./form";

export interface QuoteOption {
  instalments: number;
  /** The representative example for this number of instalments (the widget's); null when Soisy did not answer. */
  example: RepresentativeExample | null;
}

/**
 * The shop's contract maximum (Soisy's shop info), per Soisy account: remembered 10 minutes (a
 * failure 30 s), one call in flight per account, and never waited for more than 2 s — the page and
 * the submit go on with Soisy's own 3–60 meanwhile (Soisy validates the instalments anyway), so a
 * slow Soisy does not hold the shopper behind a GET with retries.
 */
const SHOP_INFO_TTL_MS = 10 * 60_000;
const SHOP_INFO_FAILURE_TTL_MS = 30_000;
const SHOP_INFO_WAIT_MS = 2_000;
const shopMaxCache = new LRUCache<string, { max: number | null }>({ max: 1_000, ttl: SHOP_INFO_TTL_MS });
const shopMaxInflight = new Map<string, Promise<number | null>>();

async function shopMaxInstalments(client: SoisyClient): Promise<number | null> {
  const key = `${client.environment}|${client.shopId}`;
  const hit = shopMaxCache.get(key);
  if (hit) return hit.max;
  let running = shopMaxInflight.get(key);
  if (!running) {
    running = client
      .shopInfo()
      .then(
        (info) => {
          const max = info.maxLoanInstalmentsNumber && info.maxLoanInstalmentsNumber >= SOISY_MIN_INSTALMENTS ? Math.min(SOISY_MAX_INSTALMENTS, info.maxLoanInstalmentsNumber) : null;
          shopMaxCache.set(key, { max });
          return max;
        },
        () => {
          shopMaxCache.set(key, { max: null }, { ttl: SHOP_INFO_FAILURE_TTL_MS });
          return null;
        },
      )
      .finally(() => shopMaxInflight.delete(key));
    shopMaxInflight.set(key, running);
  }
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), SHOP_INFO_WAIT_MS);
  });
  try {
    return await Promise.race([running, waited]);
  } finally {
    clearTimeout(timer);
  }
}

export async function instalmentChoices(client: SoisyClient | null): Promise<number[]> {
  // Without the shop's maximum, Soisy's own 3–60 applies (it is only a limit; Soisy validates anyway).
  const max = (client ? await shopMaxInstalments(client) : null) ?? SOISY_MAX_INSTALMENTS;
  return INSTALMENT_CHOICES.filter((n) => n <= max);
}

export async function quoteOptions(quotes: QuoteDeps, client: SoisyClient | null, session: PaymentRow, settings: SettingsRow | null) {
  const choices = await instalmentChoices(client);
  const zeroInterest = settings?.zeroInterest ?? false;
  const options = await Promise.all(
    choices.map(async (n): Promise<QuoteOption> => {
      const answer = client
        ? await cachedLoanQuotes(quotes, { environment: client.environment, soisyShopId: client.shopId, amountCents: session.amountCents, instalments: n, zeroInterest })
        : null;
      const example = answer?.outcome.ok ? representativeExample(answer.outcome.quotes, { amountCents: session.amountCents, instalments: n, zeroInterest }) : null;
      return { instalments: n, example };
    }),
  );
  return { choices, options, quotesAvailable: options.some((o) => o.example !== null) };
}
