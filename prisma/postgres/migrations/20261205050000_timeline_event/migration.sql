-- The payment timeline table is renamed for what it holds (Shopify, Soisy, shopper, merchant and
-- app events), keeping every row: a rename, not the drop-and-create a schema diff would write.
ALTER TABLE "SoisyEvent" RENAME TO "TimelineEvent";
ALTER TABLE "TimelineEvent" RENAME CONSTRAINT "SoisyEvent_pkey" TO "TimelineEvent_pkey";
ALTER TABLE "TimelineEvent" RENAME CONSTRAINT "SoisyEvent_paymentSessionId_fkey" TO "TimelineEvent_paymentSessionId_fkey";
ALTER INDEX "SoisyEvent_dedupeKey_key" RENAME TO "TimelineEvent_dedupeKey_key";
ALTER INDEX "SoisyEvent_paymentSessionId_createdAt_idx" RENAME TO "TimelineEvent_paymentSessionId_createdAt_idx";
ALTER INDEX "SoisyEvent_shop_createdAt_idx" RENAME TO "TimelineEvent_shop_createdAt_idx";
