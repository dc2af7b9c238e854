-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "productionRejectedAt" DATETIME;
ALTER TABLE "ShopSettings" ADD COLUMN "sandboxRejectedAt" DATETIME;

