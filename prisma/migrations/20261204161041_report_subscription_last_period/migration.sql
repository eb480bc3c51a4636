-- The last period a subscription's report covered, so the delivery job can send every period after it that has
-- ended (a period missed while the mail server was down goes out late, not never). Existing rows stay null: the
-- job then takes the period before the one lastSentAt fell in, which is what such a pass sent.

ALTER TABLE "ReportSubscription" ADD COLUMN "lastPeriodEnd" DATE;
