/**
 * The worker's idle cost: with no endpoint enabled, a pass asks one cheap question and neither fans out nor claims;
 * the answer is trusted for a while, and once an endpoint is enabled (and the answer asked again) the work resumes.
 * The worker runs against the test gateway's real database; its client is wrapped to count the fan-out and claim
 * statements (the only raw statements a pass sends besides the question).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { encryptSecret } from "../../src/auth/secrets";
import type { Db } from "../../src/db/client";
import { WebhookWorker } from "../../src/webhooks/worker";

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({ WEBHOOKS: "false" });
});
afterAll(async () => {
  await gateway?.stop();
});

/** A worker over the gateway's database that counts its fan-out and claim statements. */
function countingWorker(enabledCheckMs: number) {
  const { db, config, clock, logger, encryptionKey } = gateway.services;
  const counted = { statements: 0 };
  const countingDb = new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== "$queryRawUnsafe" && property !== "$executeRawUnsafe") return value;
      return (...args: unknown[]) => {
        counted.statements++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Db;
  const worker = new WebhookWorker({ db: countingDb, config, clock, logger, encryptionKey, mail: { send: async () => {} }, enabledCheckMs });
  return { worker, counted };
}

describe("WebhookWorker with no endpoint enabled", () => {
  it("skips fan-out and claim, trusts the answer for a while, and works again once an endpoint is enabled", async () => {
    const db = gateway.services.db;
    await db.webhookEndpoint.updateMany({ data: { status: "DISABLED" } });
    const unit = await db.salesUnit.findFirstOrThrow({ where: { status: "ACTIVE" }, orderBy: { id: "asc" } });

    const asking = countingWorker(0);
    const trusting = countingWorker(3_600_000);
    await asking.worker.pass();
    await trusting.worker.pass();
    expect(asking.counted.statements).toBe(0);
    expect(trusting.counted.statements).toBe(0);

    const endpoint = await db.webhookEndpoint.create({
      data: {
        merchantId: unit.merchantId,
        url: "http://127.0.0.1:9/idle",
        eventTypes: ["transaction.CAPTURED"],
        secretEncrypted: encryptSecret("whsec_test", gateway.services.encryptionKey),
      },
    });
    try {
      await asking.worker.pass();
      // The claim at least: an enabled endpoint means the pass does its work.
      expect(asking.counted.statements).toBeGreaterThan(0);
      await trusting.worker.pass();
      expect(trusting.counted.statements).toBe(0);
    } finally {
      await db.webhookEndpoint.delete({ where: { id: endpoint.id } });
      await asking.worker.stop();
      await trusting.worker.stop();
    }
  });
});
