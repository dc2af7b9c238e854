/**
 * The longest pending expiry the app asks Shopify for. Shopify refuses a `pendingExpiresAt` past its
 * limit (OUT_OF_RANGE_PENDING_EXPIRES_AT) and documents "recommended to be within 3 days"
 * (Payments Apps API, paymentSessionPending). Settings above it (stored before the cap) are clamped
 * by the lifecycle. Here, in its own file, so the settings forms and the lifecycle share it without
 * settings importing payments.
 */
export const MAX_PENDING_EXPIRY_DAYS = 3;
