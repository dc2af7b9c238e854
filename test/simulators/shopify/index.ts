/**
 * Shopify simulator for the payments app's tests and demo. See README.md in this folder.
 */
export {
  startShopifySimulator,
  DEFAULT_API_VERSION,
  DEFAULT_RETRY_DELAYS_MS,
  INVALID_TOKEN_BODY,
  MAX_REDIRECT_URL_BYTES,
  type ShopifySimulator,
} from "./simulator";
export { MESSAGES as SHOPIFY_USER_ERROR_MESSAGES } from "./store";
export { settlementMessages } from "./settlement-store";
export { defaultShopName } from "./admin-api";
export {
  DEFAULT_ADDRESS,
  defaultCustomer,
  newOpaqueToken,
  newSessionId,
  parseGid,
  paymentSessionGid,
  refundSessionGid,
  SESSION_ID_PATTERN,
} from "./fixtures";
export * from "./documents";
export type * from "./types";
export type { ConfirmationBehaviour } from "./settlement-requests";
