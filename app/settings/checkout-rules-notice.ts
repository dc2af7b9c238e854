/**
 * The settings page's warning after syncing the checkout rules to Shopify
 * (`syncShopCheckoutRules` in app/shopify/payment-customization.server.ts returns the outcome; the page
 * turns it into a message here). Typed by the outcome's `kind` only, so settings does not import the
 * Shopify adapter (which reads the settings).
 */
import type { MessageKey } from "~/i18n/messages";

export interface CheckoutRulesWarning {
  tone: "warning";
  key: MessageKey;
}

/** A warning when the sync failed, none when it worked (or the shop has no settings). */
export function checkoutRulesWarnings<O extends { kind: "synced" | "unreachable" | "refused" }>(outcome: O | null): CheckoutRulesWarning[] {
  if (!outcome || outcome.kind === "synced") return [];
  return [{ tone: "warning", key: outcome.kind === "unreachable" ? "checkoutRules.syncUnreachable" : "checkoutRules.syncRefused" }];
}
