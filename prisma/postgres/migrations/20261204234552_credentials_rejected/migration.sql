-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "productionRejectedAt" TIMESTAMP(3),
ADD COLUMN     "sandboxRejectedAt" TIMESTAMP(3);

