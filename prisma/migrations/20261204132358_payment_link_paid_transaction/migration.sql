-- A single-use payment link records the one payment it was paid with. The approval that pays it sets the column
-- under the link's row lock and only while it is empty, so two payments through one single-use link are never both
-- approved, whichever instance and clock decide them (src/services/transactions.ts). Links paid before this
-- migration name their first approved payment.
ALTER TABLE "PaymentLink" ADD COLUMN "paidTransactionId" UUID;
UPDATE "PaymentLink" l SET "paidTransactionId" = (
  SELECT t.id FROM "Transaction" t WHERE t."paymentLinkId" = l.id AND t."reservedAt" IS NOT NULL ORDER BY t."reservedAt", t.id LIMIT 1
)
WHERE l."singleUse";
