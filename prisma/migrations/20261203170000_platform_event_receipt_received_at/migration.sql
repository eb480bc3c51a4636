-- The retention job (src/services/retention.ts) deletes receipts by age.
CREATE INDEX "PlatformEventReceipt_receivedAt_idx" ON "PlatformEventReceipt"("receivedAt");
