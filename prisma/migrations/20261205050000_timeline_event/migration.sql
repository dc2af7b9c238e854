-- The payment timeline table is renamed for what it holds (Shopify, Soisy, shopper, merchant and
-- app events), keeping every row: a rename, not the drop-and-create a schema diff would write.
ALTER TABLE "SoisyEvent" RENAME TO "TimelineEvent";

-- SQLite cannot rename an index: each is recreated under the name Prisma expects.
DROP INDEX "SoisyEvent_dedupeKey_key";
CREATE UNIQUE INDEX "TimelineEvent_dedupeKey_key" ON "TimelineEvent"("dedupeKey");
DROP INDEX "SoisyEvent_paymentSessionId_createdAt_idx";
CREATE INDEX "TimelineEvent_paymentSessionId_createdAt_idx" ON "TimelineEvent"("paymentSessionId", "createdAt");
DROP INDEX "SoisyEvent_shop_createdAt_idx";
CREATE INDEX "TimelineEvent_shop_createdAt_idx" ON "TimelineEvent"("shop", "createdAt");
