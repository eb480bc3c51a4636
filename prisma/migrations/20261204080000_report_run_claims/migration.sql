-- A report run's claim: the worker that took it up writes its own token and renews "heartbeatAt" while it works, so
-- another instance takes the run over only when the claim stopped being renewed (src/services/report-runs.ts).
ALTER TABLE "ReportRun" ADD COLUMN "claim" UUID;
ALTER TABLE "ReportRun" ADD COLUMN "heartbeatAt" TIMESTAMP(3);
