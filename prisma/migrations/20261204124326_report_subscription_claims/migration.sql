-- A report subscription's delivery lease: the pass that sends a report holds it until "claimedUntil", and
-- "lastSentAt" is set only after the mail server accepted the report, so an instance that dies mid-send delays
-- that period's report instead of losing it (src/services/report-subscriptions.ts).
ALTER TABLE "ReportSubscription" ADD COLUMN "claimedUntil" TIMESTAMP(3);
