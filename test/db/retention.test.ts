/**
 * The retention job's newer tables: finished webhook deliveries (with their attempts) and finished report runs (with
 * their files) go 30 days after they finished; pending ones, and younger ones, stay. Mail written to files goes 30
 * days after it was written.
 */
import { mkdtemp, mkdir, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { MAIL_FILE_RETENTION_MS, purgeExpiredRecords, REPORT_RUN_RETENTION_MS, WEBHOOK_DELIVERY_RETENTION_MS } from "../../src/services/retention";
import { reportRunFile } from "../../src/services/report-runs";

const HOUR = 3_600_000;
let gateway: TestGateway;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "retention-"));
  gateway = await startTestGateway({ DATA_DIR: dataDir, WEBHOOKS: "false" });
});

afterAll(async () => {
  await gateway?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const ago = (ms: number) => new Date(Date.now() - ms);

it("deletes webhook deliveries finished more than 30 days ago with their attempts, and keeps pending and younger ones", async () => {
  const db = gateway.services.db;
  const merchant = await db.merchant.findFirstOrThrow();
  const endpoint = await db.webhookEndpoint.create({ data: { merchantId: merchant.id, url: "https://hooks.example.com/retention", secretEncrypted: "unused here" } });
  const delivery = (status: "PENDING" | "SUCCEEDED" | "FAILED" | "SKIPPED", completedAt: Date | null, createdAt: Date) =>
    db.webhookDelivery.create({
      data: {
        endpointId: endpoint.id,
        outboxEventId: 1n,
        deliverySeq: 1n,
        eventType: "transaction.CAPTURED",
        aggregateId: merchant.id,
        status,
        completedAt,
        createdAt,
        attempts: { create: { number: 1, startedAt: createdAt, durationMs: 5, statusCode: 500 } },
      },
    });
  const old = WEBHOOK_DELIVERY_RETENTION_MS + HOUR;
  const [succeeded, failed, skipped, recent, pending] = await Promise.all([
    delivery("SUCCEEDED", ago(old), ago(old)),
    delivery("FAILED", ago(old), ago(old + 3 * 86_400_000)),
    delivery("SKIPPED", ago(old), ago(old)),
    // Created long ago, finished within the retention: kept.
    delivery("SUCCEEDED", ago(WEBHOOK_DELIVERY_RETENTION_MS - HOUR), ago(old)),
    delivery("PENDING", null, ago(old)),
  ]);

  expect((await purgeExpiredRecords(gateway.services)).webhookDeliveries).toBe(3);
  const left = await db.webhookDelivery.findMany({ where: { endpointId: endpoint.id }, select: { id: true } });
  expect(left.map((row) => row.id).sort()).toEqual([recent.id, pending.id].sort());
  expect(await db.webhookAttempt.count({ where: { deliveryId: { in: [succeeded.id, failed.id, skipped.id] } } })).toBe(0);
  expect(await db.webhookAttempt.count({ where: { deliveryId: { in: [recent.id, pending.id] } } })).toBe(2);
});

it("deletes report runs finished more than 30 days ago with their files, and keeps pending and younger ones", async () => {
  const db = gateway.services.db;
  const directory = path.join(dataDir, "report-runs");
  await mkdir(directory, { recursive: true });
  const user = await db.portalUser.findFirstOrThrow();
  const run = async (status: "PENDING" | "READY" | "FAILED", finishedAt: Date | null) => {
    const created = await db.reportRun.create({
      data: { kind: "TRANSACTIONS", format: "CSV", status, finishedAt, createdAt: ago(REPORT_RUN_RETENTION_MS + 2 * HOUR), createdByKind: "USER", createdById: user.id },
    });
    if (status === "READY") await writeFile(reportRunFile(directory, created), "Reference,Amount\r\n");
    return created;
  };
  const old = ago(REPORT_RUN_RETENTION_MS + HOUR);
  const [ready, failed, recent, pending] = [await run("READY", old), await run("FAILED", old), await run("READY", ago(REPORT_RUN_RETENTION_MS - HOUR)), await run("PENDING", null)];

  expect((await purgeExpiredRecords(gateway.services)).reportRuns).toBe(2);
  const left = await db.reportRun.findMany({ where: { id: { in: [ready.id, failed.id, recent.id, pending.id] } }, select: { id: true } });
  expect(left.map((row) => row.id).sort()).toEqual([recent.id, pending.id].sort());
  expect(await readdir(directory)).toEqual([path.basename(reportRunFile(directory, recent))]);
});

it("deletes mail files written more than 30 days ago, and keeps younger ones and other files", async () => {
  const directory = gateway.services.config.mailOutboxDir;
  await mkdir(directory, { recursive: true });
  const file = async (name: string, written: Date) => {
    await writeFile(path.join(directory, name), "To: kari@fjordkaffe.no\r\n\r\nReport attached.\r\n");
    await utimes(path.join(directory, name), written, written);
  };
  await file("old.eml", ago(MAIL_FILE_RETENTION_MS + HOUR));
  await file("recent.eml", ago(MAIL_FILE_RETENTION_MS - HOUR));
  await file("notes.txt", ago(MAIL_FILE_RETENTION_MS + HOUR));
  expect((await purgeExpiredRecords(gateway.services)).mailFiles).toBe(1);
  expect((await readdir(directory)).sort()).toEqual(["notes.txt", "recent.eml"]);
});
