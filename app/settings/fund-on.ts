/**
 * "Quando Soisy finanzia" / "When Soisy funds" (issue 15, docs/fund-on-fulfilment.md): at approval
 * (today's flow, the default) or at fulfilment (authorization sessions resolved when Soisy verified the
 * loan, funded on capture; it needs Soisy's suspended-orders contract). No imports: the pure lifecycle,
 * the settings forms, the CLI and the eligibility check all read it.
 */
export const FUND_ON_VALUES = ["approval", "fulfilment"] as const;
export type FundOn = (typeof FUND_ON_VALUES)[number];
export const DEFAULT_FUND_ON: FundOn = "approval";

/**
 * How long an authorization stays capturable after Soisy verified the loan (the shop's
 * `authorizationDays`, sent to Shopify as `authorizationExpiresAt` = verification + the days).
 * Shopify documents no maximum for `authorizationExpiresAt` and Soisy publishes no figure for how long
 * a suspended order waits for its trigger: 30 days (the default, and the card-authorization window
 * merchants know) is the app's cap.
 */
export const DEFAULT_AUTHORIZATION_DAYS = 30;
export const MAX_AUTHORIZATION_DAYS = 30;
export const AUTHORIZATION_DAYS_LIMITS = { min: 1, max: MAX_AUTHORIZATION_DAYS } as const;

export function fundOnOf(value: string | null | undefined): FundOn {
  return value === "fulfilment" ? "fulfilment" : "approval";
}
