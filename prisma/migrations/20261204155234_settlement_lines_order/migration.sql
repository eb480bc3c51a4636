-- A settlement report reads one settlement's lines in pages, oldest first (settlementId, createdAt, id): this
-- index serves each page directly instead of sorting all of the settlement's operations once per page.

-- DropIndex
DROP INDEX "TransactionOperation_settlementId_idx";

-- CreateIndex
CREATE INDEX "TransactionOperation_settlementId_createdAt_id_idx" ON "TransactionOperation"("settlementId", "createdAt", "id");
