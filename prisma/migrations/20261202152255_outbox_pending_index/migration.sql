-- CreateIndex
CREATE INDEX "OutboxEvent_pending_idx" ON "OutboxEvent"("id") WHERE ("deliverySeq" IS NULL);
