-- AlterTable
ALTER TABLE "PaymentSession" ADD COLUMN     "integrationLevel" TEXT NOT NULL DEFAULT 'redirect',
ADD COLUMN     "preapprovalInstalments" INTEGER,
ADD COLUMN     "preapprovalLockedUntil" TIMESTAMP(3),
ADD COLUMN     "preapprovalRedirectUrl" TEXT;

