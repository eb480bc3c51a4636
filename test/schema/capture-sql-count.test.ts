/**
 * What one partial capture costs in SQL statements, pinned so a change that adds a round trip to the money path is
 * seen. The idempotency record, the check that the payment is still as read (its version), the payment's update, the
 * history, the outbox event and the audit row are all still there: they are written by fewer statements, not left
 * out. Without concurrent changes of the payment a capture holds no database transaction open: the permission check
 * reads the payment, the state machine decides on that read, and one statement that cannot half-succeed writes it all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestGateway } from "../support/gateway";
import { uuidOf } from "../support/ids";
import { key, mutate, requestPayment, startMoneyGateway, succeeded, unitByName } from "../transactions/support";

/** A statement's kind and its table, enough to tell which is which. */
function shapeOf(sql: string): string {
  const text = sql.replace(/\s+/g, " ").trim();
  if (/^(BEGIN|COMMIT|ROLLBACK)/i.test(text)) return text.split(" ")[0]!.toUpperCase();
  const updates = [...text.matchAll(/UPDATE "(\w+)"/g)].map((m) => m[1]);
  const inserts = [...text.matchAll(/INSERT INTO "(\w+)"/g)].map((m) => m[1]);
  if (updates.length + inserts.length > 1) {
    return [updates.length ? `UPDATE ${updates.sort().join(" + ")}` : "", `INSERT ${inserts.sort().join(" + ")}`].filter(Boolean).join(", ");
  }
  if (/FOR UPDATE/i.test(text)) return "lock Transaction with its unit, merchant and link";
  if (text.startsWith("SELECT t.*")) return "read Transaction with its unit, merchant and link";
  const verb = text.split(" ")[0]!.toUpperCase();
  const table = /(?:FROM|INTO|UPDATE) "(?:public"\.")?(\w+)"/i.exec(text)?.[1] ?? text.slice(0, 50);
  return `${verb} ${table}`;
}

describe("SQL statements of a partial capture", () => {
  let gateway: TestGateway;
  let admin: string;
  let shop: string;

  beforeAll(async () => {
    gateway = await startMoneyGateway();
    admin = await gateway.login("no-admin");
    shop = (await unitByName(gateway, "Fjordkaffe Test Nettbutikk")).globalId;
  });
  afterAll(async () => gateway?.stop());

  /** The statements of one capture of 1 minor unit; background jobs share the log, so the quietest of three counts. */
  async function captureStatements(): Promise<string[]> {
    const tries: string[][] = [];
    const db = gateway.services.db;
    for (let attempt = 0; attempt < 3; attempt++) {
      const request = await requestPayment(gateway, admin, shop, 10_000);
      succeeded(await mutate(gateway, admin, "simulateCustomerAction", { transactionId: request.id, action: "APPROVE" }));
      const id = uuidOf(request.id);
      const rows = async () => [
        await db.transactionOperation.count({ where: { transactionId: id, type: "CAPTURE" } }),
        await db.outboxEvent.count({ where: { aggregateId: id, type: "transaction.CAPTURED" } }),
        await db.auditEvent.count({ where: { objectId: id, action: "transaction.capture" } }),
      ];
      gateway.resetQueries();
      const captured = succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: request.id, amount: 1, idempotencyKey: key() }));
      tries.push([...gateway.queries]);
      expect(captured.capturedAmount).toBe(1);
      // One history row, one outbox event and one audit row, whatever the number of statements that wrote them.
      expect(await rows()).toEqual([1, 1, 1]);
    }
    return tries.sort((a, b) => a.length - b.length)[0]!;
  }

  it("captures in two statements and no database transaction (was seventeen, then ten), every row of the change still written", async () => {
    const statements = await captureStatements();
    // The caller's principal is not read again: the previous request (the approval) moved money, which changes
    // nobody's access, so it left the principal cache alone. A database transaction would show as its COMMIT (Prisma's
    // log leaves BEGIN out): there is none.
    expect(statements.map(shapeOf)).toEqual([
      // The payment, for the mutation's permission check and then for the change.
      "read Transaction with its unit, merchant and link",
      "UPDATE Transaction, INSERT AuditEvent + IdempotencyRecord + OutboxEvent + TransactionOperation",
    ]);
  });
});
