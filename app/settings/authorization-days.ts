/**
 * How long an authorization stays capturable after Soisy verified the loan (the shop's
 * `authorizationDays`, sent to Shopify as `authorizationExpiresAt` = verification + the days).
 * Shopify's Payments Apps API documents no maximum for `authorizationExpiresAt` and Soisy publishes
 * no figure for how long a suspended order waits for its trigger: 30 days (the default, and the
 * usual card-authorization window merchants know) is the app's cap. Its own file so the settings
 * forms and the lifecycle share it without settings importing payments.
 */
export const MAX_AUTHORIZATION_DAYS = 30;
export const FUND_ON_VALUES = ["approval", "fulfilment"] as const;
export type FundOn = (typeof FUND_ON_VALUES)[number];
