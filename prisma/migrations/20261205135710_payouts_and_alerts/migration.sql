-- CreateTable
CREATE TABLE "SoisyPayout" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "soisyOrderReference" TEXT NOT NULL,
    "orderReference" TEXT,
    "status" TEXT NOT NULL,
    "loanAmountCents" INTEGER,
    "loanNetAmountCents" INTEGER,
    "feeCents" INTEGER,
    "zeroInterest" BOOLEAN,
    "instalments" INTEGER,
    "requestedAt" DATETIME,
    "disbursedAt" DATETIME,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PayoutSync" (
    "shop" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "cursor" DATETIME,
    "lastRunAt" DATETIME,
    "lastSuccessAt" DATETIME,
    "lastError" TEXT,
    "rowsSeen" INTEGER NOT NULL DEFAULT 0,
    "lockedBy" TEXT,
    "lockedUntil" DATETIME,

    PRIMARY KEY ("shop", "environment")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "paymentSessionId" TEXT,
    "detailJson" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "sentAt" DATETIME,
    "messageId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ShopSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "shopName" TEXT,
    "sandboxSoisyShopId" TEXT,
    "sandboxApiKeyEncrypted" TEXT,
    "sandboxApiKeyKeyId" TEXT,
    "sandboxVerifiedAt" DATETIME,
    "sandboxRejectedAt" DATETIME,
    "productionSoisyShopId" TEXT,
    "productionApiKeyEncrypted" TEXT,
    "productionApiKeyKeyId" TEXT,
    "productionVerifiedAt" DATETIME,
    "productionRejectedAt" DATETIME,
    "minAmountCents" INTEGER NOT NULL DEFAULT 10000,
    "maxAmountCents" INTEGER NOT NULL DEFAULT 1500000,
    "integrationLevel" TEXT NOT NULL DEFAULT 'redirect',
    "resolveOn" TEXT NOT NULL DEFAULT 'verified',
    "pendingExpiryDays" INTEGER NOT NULL DEFAULT 3,
    "zeroInterest" BOOLEAN NOT NULL DEFAULT false,
    "widgetInstalments" INTEGER NOT NULL DEFAULT 12,
    "excludedProductTags" TEXT NOT NULL DEFAULT '[]',
    "excludeGiftCards" BOOLEAN NOT NULL DEFAULT true,
    "allowedCountries" TEXT NOT NULL DEFAULT '["IT"]',
    "autoResolveRefunds" BOOLEAN NOT NULL DEFAULT false,
    "fundOn" TEXT NOT NULL DEFAULT 'approval',
    "authorizationDays" INTEGER NOT NULL DEFAULT 30,
    "settleRefundsFromSoisy" BOOLEAN NOT NULL DEFAULT true,
    "alertEmail" TEXT,
    "alertLocale" TEXT NOT NULL DEFAULT 'it',
    "alertDigest" BOOLEAN NOT NULL DEFAULT false,
    "payoutGraceDays" INTEGER NOT NULL DEFAULT 7,
    "ready" BOOLEAN NOT NULL DEFAULT false,
    "readyChangedAt" DATETIME,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_ShopSettings" ("allowedCountries", "authorizationDays", "autoResolveRefunds", "createdAt", "excludeGiftCards", "excludedProductTags", "fundOn", "installedAt", "integrationLevel", "maxAmountCents", "minAmountCents", "pendingExpiryDays", "productionApiKeyEncrypted", "productionApiKeyKeyId", "productionRejectedAt", "productionSoisyShopId", "productionVerifiedAt", "ready", "readyChangedAt", "resolveOn", "sandboxApiKeyEncrypted", "sandboxApiKeyKeyId", "sandboxRejectedAt", "sandboxSoisyShopId", "sandboxVerifiedAt", "shop", "shopName", "uninstalledAt", "updatedAt", "widgetInstalments", "zeroInterest") SELECT "allowedCountries", "authorizationDays", "autoResolveRefunds", "createdAt", "excludeGiftCards", "excludedProductTags", "fundOn", "installedAt", "integrationLevel", "maxAmountCents", "minAmountCents", "pendingExpiryDays", "productionApiKeyEncrypted", "productionApiKeyKeyId", "productionRejectedAt", "productionSoisyShopId", "productionVerifiedAt", "ready", "readyChangedAt", "resolveOn", "sandboxApiKeyEncrypted", "sandboxApiKeyKeyId", "sandboxRejectedAt", "sandboxSoisyShopId", "sandboxVerifiedAt", "shop", "shopName", "uninstalledAt", "updatedAt", "widgetInstalments", "zeroInterest" FROM "ShopSettings";
DROP TABLE "ShopSettings";
ALTER TABLE "new_ShopSettings" RENAME TO "ShopSettings";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "SoisyPayout_shop_disbursedAt_idx" ON "SoisyPayout"("shop", "disbursedAt");

-- CreateIndex
CREATE INDEX "SoisyPayout_shop_orderReference_idx" ON "SoisyPayout"("shop", "orderReference");

-- CreateIndex
CREATE UNIQUE INDEX "SoisyPayout_shop_environment_soisyOrderReference_key" ON "SoisyPayout"("shop", "environment", "soisyOrderReference");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_eventKey_key" ON "Notification"("eventKey");

-- CreateIndex
CREATE INDEX "Notification_status_nextAttemptAt_idx" ON "Notification"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Notification_shop_status_idx" ON "Notification"("shop", "status");

