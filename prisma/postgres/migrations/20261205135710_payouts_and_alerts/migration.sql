-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "alertDigest" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "alertEmail" TEXT,
ADD COLUMN     "alertLocale" TEXT NOT NULL DEFAULT 'it',
ADD COLUMN     "payoutGraceDays" INTEGER NOT NULL DEFAULT 7,
ADD COLUMN     "settleRefundsFromSoisy" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "SoisyPayout" (
    "id" TEXT NOT NULL,
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
    "requestedAt" TIMESTAMP(3),
    "disbursedAt" TIMESTAMP(3),
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SoisyPayout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PayoutSync" (
    "shop" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "cursor" TIMESTAMP(3),
    "lastRunAt" TIMESTAMP(3),
    "lastSuccessAt" TIMESTAMP(3),
    "lastError" TEXT,
    "rowsSeen" INTEGER NOT NULL DEFAULT 0,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),

    CONSTRAINT "PayoutSync_pkey" PRIMARY KEY ("shop","environment")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "paymentSessionId" TEXT,
    "detailJson" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "sentAt" TIMESTAMP(3),
    "messageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

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

