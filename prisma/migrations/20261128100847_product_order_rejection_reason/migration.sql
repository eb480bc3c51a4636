-- AlterTable
ALTER TABLE "ProductOrder" ADD COLUMN     "rejectionReason" TEXT;
