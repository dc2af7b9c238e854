/**
 * Keeps Shopify in step with the merchant's settings for what happens before the payment session:
 * 1. the payment customization running the app's function `soisy-payment-customization` (hides Soisy at
 *    checkout where it cannot be used) exists — found by its function's handle and the app's client id,
 *    created (enabled) when missing — and its configuration metafield `$app:soisy` / `payment-customization`
 *    holds the settings as JSON (`CheckoutRulesConfig`, what the function and its input query read);
 * 2. the app-data metafield `soisy` / `widget` on the app installation holds `{ready, minCents, maxCents,
 *    instalments}` for the theme widget (Liquid: `app.metafields.soisy.widget`).
 *
 * Admin GraphQL API (scope `write_payment_customizations`) through the library's `admin.graphql`.
 * Decisions:
 * - run after every options save, after a change of readiness and after install; idempotent (find or
 *   create, then `metafieldsSet`), so a failed run is simply repeated by the next one — nothing is queued;
 * - a customization the merchant disabled in Shopify's admin stays disabled (their choice); only a missing
 *   one is created;
 * - failures never undo the saved settings: it returns an outcome (synced / unreachable / refused) and the
 *   settings page turns it into a warning (app/settings/checkout-rules-notice.ts); logs carry no token or body.
 */
import { z } from "zod";
import { appConfig } from "~/config.server";
import { db } from "~/db.server";
import { logger } from "~/logger.server";
import { getShopSettings, type ShopSettingsView } from "~/settings/settings.server";

export const FUNCTION_HANDLE = "soisy-payment-customization";
export const CUSTOMIZATION_TITLE = "Soisy: nascondi dove non disponibile / hide where not available";
/** The function reads this metafield (and Shopify feeds its JSON to the input query's variables). */
export const CONFIG_METAFIELD = { namespace: "$app:soisy", key: "payment-customization" } as const;
/** App-data metafield on the app installation, for the theme widget. */
export const WIDGET_METAFIELD = { namespace: "soisy", key: "widget" } as const;

/** The function's configuration (extensions/soisy-payment-customization, `parseConfig`). */
export interface CheckoutRulesConfig {
  minCents: number;
  maxCents: number;
  currency: "EUR";
  allowedCountries: string[];
  excludedTags: string[];
  excludeGiftCards: boolean;
}

export interface WidgetConfig {
  ready: boolean;
  minCents: number;
  maxCents: number;
  instalments: number;
}

type Settings = Pick<
  ShopSettingsView,
  "ready" | "minAmountCents" | "maxAmountCents" | "allowedCountries" | "excludedProductTags" | "excludeGiftCards" | "widgetInstalments"
>;

export function checkoutRulesConfig(settings: Settings): CheckoutRulesConfig {
  return {
    minCents: settings.minAmountCents,
    maxCents: settings.maxAmountCents,
    currency: "EUR",
    allowedCountries: [...settings.allowedCountries],
    excludedTags: [...settings.excludedProductTags],
    excludeGiftCards: settings.excludeGiftCards,
  };
}

export function widgetConfig(settings: Settings): WidgetConfig {
  return { ready: settings.ready, minCents: settings.minAmountCents, maxCents: settings.maxAmountCents, instalments: settings.widgetInstalments };
}

// ----- documents (validated against test/simulators/shopify/admin-schema.graphql in test/integration/admin-api.test.ts) -----

export const CHECKOUT_RULES_STATE = /* GraphQL */ `
  query SoisyCheckoutRulesState {
    currentAppInstallation {
      id
    }
    paymentCustomizations(first: 100) {
      nodes {
        id
        title
        enabled
        shopifyFunction {
          id
          handle
          appKey
        }
      }
    }
  }
`;

export const PAYMENT_CUSTOMIZATION_CREATE = /* GraphQL */ `
  mutation SoisyPaymentCustomizationCreate($paymentCustomization: PaymentCustomizationInput!) {
    paymentCustomizationCreate(paymentCustomization: $paymentCustomization) {
      paymentCustomization {
        id
        enabled
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const METAFIELDS_SET = /* GraphQL */ `
  mutation SoisyMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        id
        namespace
        key
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const CHECKOUT_RULES_DOCUMENTS = { CHECKOUT_RULES_STATE, PAYMENT_CUSTOMIZATION_CREATE, METAFIELDS_SET } as const;

// ----- answers (validated: Shopify's answer is outside input) -----

const userErrors = z.array(z.object({ field: z.array(z.string()).nullable().optional(), message: z.string(), code: z.string().nullable().optional() }));

const stateAnswer = z.object({
  currentAppInstallation: z.object({ id: z.string().min(1) }),
  paymentCustomizations: z.object({
    nodes: z.array(
      z.object({
        id: z.string().min(1),
        title: z.string(),
        enabled: z.boolean(),
        shopifyFunction: z.object({ id: z.string(), handle: z.string(), appKey: z.string() }),
      }),
    ),
  }),
});

const createAnswer = z.object({
  paymentCustomizationCreate: z.object({
    paymentCustomization: z.object({ id: z.string().min(1), enabled: z.boolean() }).nullable(),
    userErrors,
  }),
});

const setAnswer = z.object({
  metafieldsSet: z.object({ metafields: z.array(z.object({ id: z.string() })).nullable(), userErrors }),
});

/** The library's `admin.graphql` (authenticate.admin / afterAuth), or any client with its shape. */
export type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

export type CheckoutRulesOutcome =
  | { kind: "synced"; customizationId: string; created: boolean; enabled: boolean }
  /** Shopify could not be reached / answered 5xx, 429, or the request failed before an answer. */
  | { kind: "unreachable" }
  /** Shopify answered but refused (GraphQL errors such as ACCESS_DENIED, user errors, unexpected shape). */
  | { kind: "refused"; detail: string };

class Refused extends Error {}

async function call<T>(graphql: AdminGraphql, query: string, schema: z.ZodType<T>, variables?: Record<string, unknown>): Promise<T> {
  const response = await graphql(query, variables ? { variables } : undefined);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (body.errors) {
    const messages = Array.isArray(body.errors) ? body.errors.map((e: { message?: unknown }) => String(e?.message ?? "")).join("; ") : String(body.errors);
    throw new Refused(`GraphQL errors: ${messages}`);
  }
  const parsed = schema.safeParse(body.data);
  if (!parsed.success) throw new Refused(`unexpected answer: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function userErrorText(errors: z.infer<typeof userErrors>): string {
  return errors.map((e) => `${e.code ?? "ERROR"} ${(e.field ?? []).join(".")}: ${e.message}`).join("; ");
}

/** Is it an error of the library's client for a status we would retry (network, 5xx, 429)? */
function isUnreachable(error: unknown): boolean {
  if (error instanceof Refused) return false;
  if (error instanceof Response) return error.status >= 500 || error.status === 429;
  const response = (error as { response?: { code?: unknown; statusCode?: unknown } } | null)?.response;
  const status = Number(response?.code ?? response?.statusCode ?? NaN);
  if (Number.isFinite(status)) return status >= 500 || status === 429;
  const text = error instanceof Error ? error.message : String(error);
  if (/GraphQL Client: (Forbidden|Unauthorized|Not Found)|\b(401|403|404)\b/.test(text)) return false;
  return true;
}

/** A sync taking longer than this answers "unreachable" (the page and the install callback must not hang). */
export const SYNC_TIMEOUT_MS = 10_000;

/**
 * Makes Shopify hold the shop's payment customization and both metafields for these settings. Never throws;
 * gives up waiting after `timeoutMs` (the requests under way may still complete: every step is repeatable).
 */
export async function syncCheckoutRules(
  graphql: AdminGraphql,
  shop: string,
  settings: Settings,
  apiKey: string,
  timeoutMs = SYNC_TIMEOUT_MS,
): Promise<CheckoutRulesOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckoutRulesOutcome>((resolve) => {
    timer = setTimeout(() => {
      logger.warn({ shop, outcome: "unreachable", timeoutMs }, "syncing the checkout rules to Shopify timed out; the next save retries");
      resolve({ kind: "unreachable" });
    }, timeoutMs);
  });
  try {
    return await Promise.race([runSync(graphql, shop, settings, apiKey), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runSync(graphql: AdminGraphql, shop: string, settings: Settings, apiKey: string): Promise<CheckoutRulesOutcome> {
  const started = performance.now();
  try {
    const state = await call(graphql, CHECKOUT_RULES_STATE, stateAnswer);
    const config = JSON.stringify(checkoutRulesConfig(settings));
    const ours = state.paymentCustomizations.nodes.find(
      (n) => n.shopifyFunction.handle === FUNCTION_HANDLE && n.shopifyFunction.appKey === apiKey,
    );
    let customizationId = ours?.id;
    let enabled = ours?.enabled ?? true;
    const created = !ours;
    if (!customizationId) {
      const answer = await call(graphql, PAYMENT_CUSTOMIZATION_CREATE, createAnswer, {
        paymentCustomization: {
          functionHandle: FUNCTION_HANDLE,
          title: CUSTOMIZATION_TITLE,
          enabled: true,
          metafields: [{ ...CONFIG_METAFIELD, type: "json", value: config }],
        },
      });
      const payload = answer.paymentCustomizationCreate;
      if (!payload.paymentCustomization || payload.userErrors.length > 0) throw new Refused(`paymentCustomizationCreate: ${userErrorText(payload.userErrors)}`);
      customizationId = payload.paymentCustomization.id;
      enabled = payload.paymentCustomization.enabled;
    }
    const set = await call(graphql, METAFIELDS_SET, setAnswer, {
      metafields: [
        { ownerId: customizationId, ...CONFIG_METAFIELD, type: "json", value: config },
        { ownerId: state.currentAppInstallation.id, ...WIDGET_METAFIELD, type: "json", value: JSON.stringify(widgetConfig(settings)) },
      ],
    });
    if (set.metafieldsSet.userErrors.length > 0) throw new Refused(`metafieldsSet: ${userErrorText(set.metafieldsSet.userErrors)}`);
    logger.info({ shop, customizationId, created, enabled, ms: Math.round(performance.now() - started) }, "checkout rules synced to Shopify");
    return { kind: "synced", customizationId, created, enabled };
  } catch (error) {
    const unreachable = isUnreachable(error);
    const detail = error instanceof Error ? error.message : error instanceof Response ? `HTTP ${error.status}` : "unknown error";
    logger.warn({ shop, outcome: unreachable ? "unreachable" : "refused", detail: detail.slice(0, 500) }, "syncing the checkout rules to Shopify failed; the next save retries");
    return unreachable ? { kind: "unreachable" } : { kind: "refused", detail };
  }
}

/** Syncs the shop's stored settings (null when the shop has none). Never throws. */
export async function syncShopCheckoutRules(graphql: AdminGraphql, shop: string): Promise<CheckoutRulesOutcome | null> {
  try {
    const settings = await getShopSettings(db(), shop);
    if (!settings) return null;
    return await syncCheckoutRules(graphql, shop, settings, appConfig().SHOPIFY_API_KEY);
  } catch (error) {
    logger.error({ shop, err: error }, "reading the settings to sync the checkout rules failed");
    return { kind: "refused", detail: "settings unreadable" };
  }
}
