-- CreateEnum
CREATE TYPE "ReportRunKind" AS ENUM ('SETTLEMENTS', 'TRANSACTIONS');

-- CreateEnum
CREATE TYPE "ReportRunStatus" AS ENUM ('PENDING', 'READY', 'FAILED');

-- CreateTable
CREATE TABLE "ReportRun" (
    "id" UUID NOT NULL,
    "kind" "ReportRunKind" NOT NULL,
    "merchantId" UUID,
    "salesUnitIds" UUID[],
    "periodFrom" DATE,
    "periodTo" DATE,
    "format" "ReportFormat" NOT NULL,
    "includePersonalData" BOOLEAN NOT NULL DEFAULT false,
    "condition" JSONB,
    "status" "ReportRunStatus" NOT NULL DEFAULT 'PENDING',
    "failureReason" TEXT,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "totals" JSONB,
    "fileName" TEXT,
    "byteSize" BIGINT,
    "createdByKind" "PrincipalKind" NOT NULL,
    "createdById" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReportRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReportRun_createdById_createdAt_idx" ON "ReportRun"("createdById", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "ReportRun_status_createdAt_idx" ON "ReportRun"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Transaction_aggregates_merchant_idx" ON "Transaction"("merchantId", "createdAt", "currency", "status", "salesUnitId", "amount", "capturedAmount", "refundedAmount", "cancelledAmount");

-- CreateIndex
CREATE INDEX "Transaction_aggregates_sales_unit_idx" ON "Transaction"("salesUnitId", "createdAt", "currency", "status", "amount", "capturedAmount", "refundedAmount", "cancelledAmount");
