-- AlterTable
ALTER TABLE "PaymentSession" ADD COLUMN "authorizationExpiresAt" DATETIME;
ALTER TABLE "PaymentSession" ADD COLUMN "confirmationAnsweredAt" DATETIME;
ALTER TABLE "PaymentSession" ADD COLUMN "confirmationRequestedAt" DATETIME;
ALTER TABLE "PaymentSession" ADD COLUMN "confirmationResult" BOOLEAN;
ALTER TABLE "PaymentSession" ADD COLUMN "deferredJson" TEXT;

-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "settlementSessionId" TEXT;

-- CreateTable
CREATE TABLE "SettlementSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gid" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "paymentSessionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "amountCents" INTEGER,
    "currency" TEXT,
    "test" BOOLEAN NOT NULL,
    "merchantLocale" TEXT,
    "proposedAt" DATETIME NOT NULL,
    "state" TEXT NOT NULL,
    "rejectCode" TEXT,
    "rejectReason" TEXT,
    "soisyResult" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "decidedBy" TEXT,
    "decidedAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SettlementSession_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
    "ready" BOOLEAN NOT NULL DEFAULT false,
    "readyChangedAt" DATETIME,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_ShopSettings" ("allowedCountries", "autoResolveRefunds", "createdAt", "excludeGiftCards", "excludedProductTags", "installedAt", "integrationLevel", "maxAmountCents", "minAmountCents", "pendingExpiryDays", "productionApiKeyEncrypted", "productionApiKeyKeyId", "productionRejectedAt", "productionSoisyShopId", "productionVerifiedAt", "ready", "readyChangedAt", "resolveOn", "sandboxApiKeyEncrypted", "sandboxApiKeyKeyId", "sandboxRejectedAt", "sandboxSoisyShopId", "sandboxVerifiedAt", "shop", "shopName", "uninstalledAt", "updatedAt", "widgetInstalments", "zeroInterest") SELECT "allowedCountries", "autoResolveRefunds", "createdAt", "excludeGiftCards", "excludedProductTags", "installedAt", "integrationLevel", "maxAmountCents", "minAmountCents", "pendingExpiryDays", "productionApiKeyEncrypted", "productionApiKeyKeyId", "productionRejectedAt", "productionSoisyShopId", "productionVerifiedAt", "ready", "readyChangedAt", "resolveOn", "sandboxApiKeyEncrypted", "sandboxApiKeyKeyId", "sandboxRejectedAt", "sandboxSoisyShopId", "sandboxVerifiedAt", "shop", "shopName", "uninstalledAt", "updatedAt", "widgetInstalments", "zeroInterest" FROM "ShopSettings";
DROP TABLE "ShopSettings";
ALTER TABLE "new_ShopSettings" RENAME TO "ShopSettings";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "SettlementSession_gid_key" ON "SettlementSession"("gid");

-- CreateIndex
CREATE INDEX "SettlementSession_shop_state_idx" ON "SettlementSession"("shop", "state");

-- CreateIndex
CREATE INDEX "SettlementSession_paymentSessionId_idx" ON "SettlementSession"("paymentSessionId");

-- CreateIndex
CREATE INDEX "SettlementSession_state_nextAttemptAt_idx" ON "SettlementSession"("state", "nextAttemptAt");

