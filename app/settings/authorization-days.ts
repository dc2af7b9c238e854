/**
 * How long an authorization stays capturable after Soisy verified the loan (the shop's
 * `authorizationDays`, sent to Shopify as `authorizationExpiresAt` = verification + the days).
 * Shopify's Payments Apps API documents no maximum for `authorizationExpiresAt` and Soisy publishes
 * no figure for how long a suspended order waits for its trigger: 30 days (the default, and the
 * usual card-authorization window merchants know) is the app's cap. Its own file so the settings
 * forms and the lifecycle share it without settings importing payments.
 */
import { AUTHORIZATION_DAYS_LIMITS } from "./fund-on";

export const MAX_AUTHORIZATION_DAYS = AUTHORIZATION_DAYS_LIMITS.max;
export { FUND_ON_VALUES, type FundOn } from "./fund-on";
