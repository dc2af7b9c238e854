-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" DATETIME
);

-- CreateTable
CREATE TABLE "ShopSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "sandboxSoisyShopId" TEXT,
    "sandboxApiKeyEncrypted" TEXT,
    "sandboxApiKeyKeyId" TEXT,
    "sandboxVerifiedAt" DATETIME,
    "productionSoisyShopId" TEXT,
    "productionApiKeyEncrypted" TEXT,
    "productionApiKeyKeyId" TEXT,
    "productionVerifiedAt" DATETIME,
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
    "ready" BOOLEAN NOT NULL DEFAULT false,
    "readyChangedAt" DATETIME,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PaymentSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gid" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "group" TEXT NOT NULL,
    "checkoutSessionId" TEXT,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "kind" TEXT NOT NULL,
    "merchantLocale" TEXT,
    "customerLocale" TEXT,
    "cancelUrl" TEXT,
    "proposedAt" DATETIME NOT NULL,
    "environment" TEXT NOT NULL,
    "customerJson" TEXT,
    "customerEmail" TEXT,
    "state" TEXT NOT NULL,
    "notEligibleReason" TEXT,
    "soisyToken" TEXT,
    "soisyRedirectUrl" TEXT,
    "soisyStatus" TEXT,
    "soisyLoanAmountCents" INTEGER,
    "callbackSecret" TEXT NOT NULL,
    "amountMismatch" BOOLEAN NOT NULL DEFAULT false,
    "pendingExpiresAt" DATETIME,
    "nextActionUrl" TEXT,
    "rejectReasonCode" TEXT,
    "resolvedAt" DATETIME,
    "rejectedAt" DATETIME,
    "lastCheckedAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RefundSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gid" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "paymentSessionId" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "merchantLocale" TEXT,
    "proposedAt" DATETIME NOT NULL,
    "state" TEXT NOT NULL,
    "rejectReason" TEXT,
    "decidedBy" TEXT,
    "decidedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "RefundSession_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SoisyEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "paymentSessionId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "dedupeKey" TEXT,
    "detailJson" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SoisyEvent_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "paymentSessionId" TEXT,
    "refundSessionId" TEXT,
    "mutation" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "variablesJson" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "resultJson" TEXT,
    "deliveredAt" DATETIME,
    "deadAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "OutboxMessage_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OutboxAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "outboxMessageId" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "durationMs" INTEGER NOT NULL,
    "httpStatus" INTEGER,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    CONSTRAINT "OutboxAttempt_outboxMessageId_fkey" FOREIGN KEY ("outboxMessageId") REFERENCES "OutboxMessage" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "PaymentSession_gid_key" ON "PaymentSession"("gid");

-- CreateIndex
CREATE UNIQUE INDEX "PaymentSession_soisyToken_key" ON "PaymentSession"("soisyToken");

-- CreateIndex
CREATE INDEX "PaymentSession_shop_state_idx" ON "PaymentSession"("shop", "state");

-- CreateIndex
CREATE INDEX "PaymentSession_shop_createdAt_idx" ON "PaymentSession"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "PaymentSession_group_idx" ON "PaymentSession"("group");

-- CreateIndex
CREATE INDEX "PaymentSession_state_lastCheckedAt_idx" ON "PaymentSession"("state", "lastCheckedAt");

-- CreateIndex
CREATE UNIQUE INDEX "RefundSession_gid_key" ON "RefundSession"("gid");

-- CreateIndex
CREATE INDEX "RefundSession_shop_state_idx" ON "RefundSession"("shop", "state");

-- CreateIndex
CREATE INDEX "RefundSession_paymentSessionId_idx" ON "RefundSession"("paymentSessionId");

-- CreateIndex
CREATE UNIQUE INDEX "SoisyEvent_dedupeKey_key" ON "SoisyEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "SoisyEvent_paymentSessionId_createdAt_idx" ON "SoisyEvent"("paymentSessionId", "createdAt");

-- CreateIndex
CREATE INDEX "SoisyEvent_shop_createdAt_idx" ON "SoisyEvent"("shop", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_dedupeKey_key" ON "OutboxMessage"("dedupeKey");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_nextAttemptAt_idx" ON "OutboxMessage"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "OutboxMessage_shop_status_idx" ON "OutboxMessage"("shop", "status");

-- CreateIndex
CREATE INDEX "OutboxAttempt_outboxMessageId_idx" ON "OutboxAttempt"("outboxMessageId");

