-- A webhook delivery's retry window counts from its first attempt, not from its creation, so a delivery that waited
-- (behind its object's earlier events, or while its endpoint was disabled) still gets the whole window
-- (src/webhooks/worker.ts). Pending deliveries tried before this migration start from their first recorded attempt.
ALTER TABLE "WebhookDelivery" ADD COLUMN "firstAttemptAt" TIMESTAMP(3);
UPDATE "WebhookDelivery" d SET "firstAttemptAt" = COALESCE(
  (SELECT min(a."startedAt") FROM "WebhookAttempt" a WHERE a."deliveryId" = d.id),
  CASE WHEN d."attemptCount" > 0 THEN d."createdAt" END
)
WHERE d.status = 'PENDING';
