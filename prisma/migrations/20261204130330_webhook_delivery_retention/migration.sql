-- The retention job deletes webhook deliveries finished more than 30 days ago (src/services/retention.ts): this index
-- finds them without reading the whole table.
CREATE INDEX "WebhookDelivery_completedAt_idx" ON "WebhookDelivery"("completedAt");
