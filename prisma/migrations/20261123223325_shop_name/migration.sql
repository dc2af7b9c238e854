-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "shopName" TEXT;

