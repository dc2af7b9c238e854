-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "authorizationDays" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "fundOn" TEXT NOT NULL DEFAULT 'approval';

-- AlterTable
ALTER TABLE "PaymentSession" ADD COLUMN     "authorizationExpiresAt" TIMESTAMP(3),
ADD COLUMN     "confirmationAnsweredAt" TIMESTAMP(3),
ADD COLUMN     "confirmationRequestedAt" TIMESTAMP(3),
ADD COLUMN     "confirmationResult" BOOLEAN,
ADD COLUMN     "deferredJson" TEXT;

-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "settlementSessionId" TEXT;

-- CreateTable
CREATE TABLE "SettlementSession" (
    "id" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "paymentSessionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "amountCents" INTEGER,
    "currency" TEXT,
    "test" BOOLEAN NOT NULL,
    "merchantLocale" TEXT,
    "proposedAt" TIMESTAMP(3) NOT NULL,
    "state" TEXT NOT NULL,
    "rejectCode" TEXT,
    "rejectReason" TEXT,
    "soisyResult" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SettlementSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SettlementSession_gid_key" ON "SettlementSession"("gid");

-- CreateIndex
CREATE INDEX "SettlementSession_shop_state_idx" ON "SettlementSession"("shop", "state");

-- CreateIndex
CREATE INDEX "SettlementSession_paymentSessionId_idx" ON "SettlementSession"("paymentSessionId");

-- CreateIndex
CREATE INDEX "SettlementSession_state_nextAttemptAt_idx" ON "SettlementSession"("state", "nextAttemptAt");

-- AddForeignKey
ALTER TABLE "SettlementSession" ADD CONSTRAINT "SettlementSession_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

