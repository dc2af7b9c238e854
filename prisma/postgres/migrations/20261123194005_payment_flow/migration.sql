-- AlterTable
ALTER TABLE "PaymentSession" ADD COLUMN     "abandonedAt" TIMESTAMP(3),
ADD COLUMN     "creationLockedBy" TEXT,
ADD COLUMN     "creationLockedUntil" TIMESTAMP(3),
ADD COLUMN     "flagReason" TEXT,
ADD COLUMN     "returnedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "GroupResolution" (
    "group" TEXT NOT NULL,
    "paymentSessionId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GroupResolution_pkey" PRIMARY KEY ("group")
);

-- CreateIndex
CREATE UNIQUE INDEX "GroupResolution_paymentSessionId_key" ON "GroupResolution"("paymentSessionId");

