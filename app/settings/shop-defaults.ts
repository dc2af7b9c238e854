/**
 * A new shop's settings (€100–€15,000, as Soisy's own plugins; level 1; resolve on verification).
 * The one definition in code: the operator CLI, the demo and the tests start shops from it. The
 * database holds the same values as column defaults (prisma/schema.prisma, used when the admin first
 * creates a shop's row); test/unit/shop-defaults.test.ts fails when the two differ.
 */
import { DEFAULT_AUTHORIZATION_DAYS, DEFAULT_FUND_ON } from "./fund-on";
import type { ShopOptions } from "./settings.server";

export const DEFAULT_SHOP_OPTIONS: ShopOptions = {
  minAmountCents: 10_000,
  maxAmountCents: 1_500_000,
  integrationLevel: "redirect",
  resolveOn: "verified",
  pendingExpiryDays: 3,
  zeroInterest: false,
  widgetInstalments: 12,
  excludedProductTags: [],
  excludeGiftCards: true,
  allowedCountries: ["IT"],
  autoResolveRefunds: false,
  fundOn: DEFAULT_FUND_ON,
  authorizationDays: DEFAULT_AUTHORIZATION_DAYS,
};
