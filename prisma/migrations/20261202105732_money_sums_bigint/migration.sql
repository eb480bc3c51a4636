-- Sums and totals become 64-bit: int4 widens to int8 in place, every existing value is kept exactly.
-- AlterTable
ALTER TABLE "RecurringRequest" ALTER COLUMN "monthlyRevenueAmount" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "Settlement" ALTER COLUMN "grossAmount" SET DATA TYPE BIGINT,
ALTER COLUMN "refundedAmount" SET DATA TYPE BIGINT,
ALTER COLUMN "feeAmount" SET DATA TYPE BIGINT,
ALTER COLUMN "netAmount" SET DATA TYPE BIGINT;
