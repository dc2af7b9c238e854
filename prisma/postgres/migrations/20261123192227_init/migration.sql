-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
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
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShopSettings" (
    "shop" TEXT NOT NULL,
    "sandboxSoisyShopId" TEXT,
    "sandboxApiKeyEncrypted" TEXT,
    "sandboxApiKeyKeyId" TEXT,
    "sandboxVerifiedAt" TIMESTAMP(3),
    "productionSoisyShopId" TEXT,
    "productionApiKeyEncrypted" TEXT,
    "productionApiKeyKeyId" TEXT,
    "productionVerifiedAt" TIMESTAMP(3),
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
    "readyChangedAt" TIMESTAMP(3),
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopSettings_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "PaymentSession" (
    "id" TEXT NOT NULL,
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
    "proposedAt" TIMESTAMP(3) NOT NULL,
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
    "pendingExpiresAt" TIMESTAMP(3),
    "nextActionUrl" TEXT,
    "rejectReasonCode" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "rejectedAt" TIMESTAMP(3),
    "lastCheckedAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaymentSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RefundSession" (
    "id" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "paymentSessionId" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "merchantLocale" TEXT,
    "proposedAt" TIMESTAMP(3) NOT NULL,
    "state" TEXT NOT NULL,
    "rejectReason" TEXT,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RefundSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SoisyEvent" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "paymentSessionId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "dedupeKey" TEXT,
    "detailJson" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SoisyEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "paymentSessionId" TEXT,
    "refundSessionId" TEXT,
    "mutation" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "variablesJson" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "resultJson" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "deadAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxAttempt" (
    "id" TEXT NOT NULL,
    "outboxMessageId" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "durationMs" INTEGER NOT NULL,
    "httpStatus" INTEGER,
    "outcome" TEXT NOT NULL,
    "error" TEXT,

    CONSTRAINT "OutboxAttempt_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "RefundSession" ADD CONSTRAINT "RefundSession_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SoisyEvent" ADD CONSTRAINT "SoisyEvent_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboxMessage" ADD CONSTRAINT "OutboxMessage_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboxAttempt" ADD CONSTRAINT "OutboxAttempt_outboxMessageId_fkey" FOREIGN KEY ("outboxMessageId") REFERENCES "OutboxMessage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

