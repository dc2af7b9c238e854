// @ts-check
/**
 * Hides "Paga a rate con Soisy" at checkout where Soisy cannot be used. Pure: input → operations.
 *
 * Soisy is hidden when any of these holds (configuration: the payment customization's metafield
 * `$app:soisy.payment-customization`, JSON written by the app — app/shopify/payment-customization.server.ts):
 * - the cart total is below `minCents` or above `maxCents` (bounds included in the range);
 * - the cart's currency is not `currency` ("EUR");
 * - a delivery group ships to a country not in `allowedCountries`;
 * - a line's product has one of `excludedTags` (Shopify evaluates `hasAnyTag` with the same list,
 *   passed as the input query's variable);
 * - `excludeGiftCards` and a line is a gift card.
 *
 * Decisions:
 * - Missing or invalid configuration → nothing is hidden (fail open). The app still refuses an
 *   ineligible payment session server-side (app/payments/eligibility.ts), so the shopper is never
 *   charged wrongly; hiding is a convenience, not the safety net.
 * - No delivery address yet (e.g. before the shopper typed it, or digital goods): the country rule
 *   does not apply; Soisy stays visible and the app's own check decides at payment time.
 * - An amount that is not a plain decimal with at most two non-zero decimals → treated as unknown,
 *   the amount rule does not apply (same reason).
 * - Soisy's method is found by name: it contains "soisy" (case-insensitive) — the payments
 *   extension's buyer label is "Paga a rate con Soisy" / "Pay in instalments with Soisy".
 *
 * Money is compared in integer cents, parsed from Shopify's decimal strings without floats.
 */

/** @typedef {{ amount: string, currencyCode: string }} MoneyV2 */
/**
 * @typedef {{
 *   cart: {
 *     cost: { totalAmount: MoneyV2 },
 *     deliveryGroups: Array<{ deliveryAddress: { countryCode: string | null } | null }>,
 *     lines: Array<{ merchandise: { __typename: string, product?: { isGiftCard: boolean, hasExcludedTag: boolean } } }>,
 *   },
 *   paymentMethods: Array<{ id: string, name: string }>,
 *   paymentCustomization: { metafield: { jsonValue: unknown } | null } | null,
 * }} CartPaymentMethodsTransformRunInput
 */
/** @typedef {{ paymentMethodHide: { paymentMethodId: string } }} Operation */
/** @typedef {{ operations: Operation[] }} CartPaymentMethodsTransformRunResult */
/**
 * @typedef {{
 *   minCents: number, maxCents: number, currency: string,
 *   allowedCountries: string[], excludedTags: string[], excludeGiftCards: boolean,
 * }} SoisyCheckoutConfig
 */

/** @type {CartPaymentMethodsTransformRunResult} */
const NO_CHANGES = { operations: [] };

/**
 * "123.45" / "123.4" / "123" / "123.450" → 12345; anything else (negative, exponent, more than two
 * non-zero decimals, too long) → null.
 * @param {unknown} amount
 * @returns {number | null}
 */
export function decimalToCents(amount) {
  if (typeof amount !== "string") return null;
  const match = /^(\d{1,13})(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) return null;
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? "";
  if (/[1-9]/.test(fraction.slice(2))) return null;
  const cents = fraction.slice(0, 2).padEnd(2, "0");
  return Number(whole) * 100 + Number(cents);
}

/**
 * @param {unknown} list
 * @returns {list is string[]}
 */
function isStringList(list) {
  return Array.isArray(list) && list.every((item) => typeof item === "string");
}

/**
 * @param {unknown} n
 * @returns {n is number}
 */
function isCents(n) {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

/**
 * The configuration from the metafield's JSON, or null when it is missing or malformed.
 * @param {unknown} json
 * @returns {SoisyCheckoutConfig | null}
 */
export function parseConfig(json) {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
  const c = /** @type {Record<string, unknown>} */ (json);
  if (!isCents(c.minCents) || !isCents(c.maxCents) || c.minCents > c.maxCents) return null;
  if (typeof c.currency !== "string" || !/^[A-Z]{3}$/.test(c.currency)) return null;
  if (!isStringList(c.allowedCountries) || c.allowedCountries.length === 0) return null;
  if (!isStringList(c.excludedTags) || typeof c.excludeGiftCards !== "boolean") return null;
  return {
    minCents: c.minCents,
    maxCents: c.maxCents,
    currency: c.currency,
    allowedCountries: c.allowedCountries.map((country) => country.toUpperCase()),
    excludedTags: c.excludedTags,
    excludeGiftCards: c.excludeGiftCards,
  };
}

/**
 * Why Soisy cannot pay this cart (the first reason found), or null when it can.
 * @param {CartPaymentMethodsTransformRunInput["cart"]} cart
 * @param {SoisyCheckoutConfig} config
 * @returns {"currency" | "amount" | "country" | "excludedProduct" | "giftCard" | null}
 */
export function ineligibility(cart, config) {
  const total = cart.cost.totalAmount;
  if (total.currencyCode !== config.currency) return "currency";
  const cents = decimalToCents(total.amount);
  if (cents !== null && (cents < config.minCents || cents > config.maxCents)) return "amount";
  for (const group of cart.deliveryGroups) {
    const country = group.deliveryAddress?.countryCode;
    if (country && !config.allowedCountries.includes(country.toUpperCase())) return "country";
  }
  for (const line of cart.lines) {
    const product = line.merchandise.__typename === "ProductVariant" ? line.merchandise.product : undefined;
    if (!product) continue;
    if (config.excludedTags.length > 0 && product.hasExcludedTag) return "excludedProduct";
    if (config.excludeGiftCards && product.isGiftCard) return "giftCard";
  }
  return null;
}

/**
 * @param {{ name: string }} method
 */
export function isSoisy(method) {
  return method.name.toLowerCase().includes("soisy");
}

/**
 * @param {CartPaymentMethodsTransformRunInput} input
 * @returns {CartPaymentMethodsTransformRunResult}
 */
export function cartPaymentMethodsTransformRun(input) {
  const soisy = input.paymentMethods.filter(isSoisy);
  if (soisy.length === 0) return NO_CHANGES;
  const config = parseConfig(input.paymentCustomization?.metafield?.jsonValue);
  if (!config) return NO_CHANGES;
  if (ineligibility(input.cart, config) === null) return NO_CHANGES;
  return { operations: soisy.map((method) => ({ paymentMethodHide: { paymentMethodId: method.id } })) };
}
