-- AlterTable
ALTER TABLE "PaymentSession" ADD COLUMN "abandonedAt" DATETIME;
ALTER TABLE "PaymentSession" ADD COLUMN "creationLockedBy" TEXT;
ALTER TABLE "PaymentSession" ADD COLUMN "creationLockedUntil" DATETIME;
ALTER TABLE "PaymentSession" ADD COLUMN "flagReason" TEXT;
ALTER TABLE "PaymentSession" ADD COLUMN "returnedAt" DATETIME;

-- CreateTable
CREATE TABLE "GroupResolution" (
    "group" TEXT NOT NULL PRIMARY KEY,
    "paymentSessionId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "GroupResolution_paymentSessionId_key" ON "GroupResolution"("paymentSessionId");

