-- AlterTable
ALTER TABLE "ReportSubscription" ADD COLUMN     "disabledAt" TIMESTAMP(3);
