/**
 * One connection, one statement at a time: Prisma's adapter sends the statements of an interactive transaction it
 * can run together on the transaction's connection at once, and pg's own queue for that is deprecated (a warning
 * now, an error in pg 9). The gateway queues them itself, so a capture makes pg warn about nothing.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { reservePayment, startWriteLoad } from "../support/write-load";
import { waitFor } from "../events/support";

let gateway: TestGateway;
const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(warning.message);

beforeAll(async () => {
  process.on("warning", onWarning);
  gateway = await startTestGateway();
});
afterAll(async () => {
  process.off("warning", onWarning);
  await gateway?.stop();
});

describe("statements on one connection", () => {
  it("are queued by the gateway: payments requested, approved and captured without pg's concurrent-query warning", async () => {
    const token = await gateway.token("no-admin");
    const unit = await gateway.services.db.salesUnit.findFirstOrThrow({ where: { name: "Fjordkaffe Test Nettbutikk" } });
    const payments = await Promise.all([1, 2, 3].map(() => reservePayment(gateway.url, token, encodeGlobalID("SalesUnit", unit.id))));
    const load = startWriteLoad({ baseUrl: () => gateway.url, token, transactionIds: payments });
    await waitFor("captures", () => load.confirmedCount >= 15, 30_000);
    const report = await load.stop();
    expect(report.failures.filter((failure) => failure.status >= 500)).toEqual([]);
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warnings.filter((message) => message.includes("already executing a query"))).toEqual([]);
  });
});
