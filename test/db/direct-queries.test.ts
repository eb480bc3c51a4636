/**
 * The money path's statements on pg directly (`directQueries`, src/db/client.ts) must read rows exactly as Prisma's
 * `$queryRaw` reads them: the state machine plans a change on that row, and the mutation answers with it. pg's own
 * parser reads a `timestamp` column in the process's time zone, which is UTC on most servers, so the comparison runs
 * in a zone far from it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directQueries, type RawQueries } from "../../src/db/client";
import { SQLSTATE, sqlStateOf } from "../../src/db/errors";
import { startTestGateway, type TestGateway } from "../support/gateway";

let gateway: TestGateway;
const zone = process.env.TZ;

beforeAll(async () => {
  gateway = await startTestGateway();
  process.env.TZ = "Pacific/Auckland";
});
afterAll(async () => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
  await gateway?.stop();
});

describe("directQueries", () => {
  it("reads a payment as Prisma's $queryRaw does, in any time zone of the process", async () => {
    expect(new Date(2026, 0, 1).getTimezoneOffset()).not.toBe(0);
    const db = gateway.services.db;
    const direct = directQueries(db);
    expect(direct).not.toBe(db);
    const read = (raw: RawQueries) =>
      raw.$queryRaw<Record<string, unknown>[]>`SELECT t.*, s.environment::text AS "unitEnvironment", s."directCapture", l.id::text AS "linkId",
        '{"a": [1, "b"]}'::jsonb AS document, 42::bigint::text AS "bigText"
        FROM "Transaction" t JOIN "SalesUnit" s ON s.id = t."salesUnitId" LEFT JOIN "PaymentLink" l ON l.id = t."paymentLinkId"
        WHERE t."reservedAt" IS NOT NULL ORDER BY t.id LIMIT 5`;
    const [mine, prisma] = [await read(direct), await read(db)];
    expect(prisma).toHaveLength(5);
    expect(mine).toEqual(prisma);
    expect(mine[0]!.createdAt).toBeInstanceOf(Date);
  });

  it("prepares a statement again when a migration changed the columns it returns", async () => {
    const direct = directQueries(gateway.services.db);
    const read = () => direct.$queryRaw<Record<string, unknown>[]>`SELECT t.* FROM "Transaction" t ORDER BY t.id LIMIT 1`;
    // One at a time, so the pool hands out the connection that prepared the statement.
    for (let i = 0; i < 3; i++) expect(await read()).toHaveLength(1);
    await gateway.services.db.$executeRawUnsafe(`ALTER TABLE "Transaction" ADD COLUMN "migrationProbe" integer NOT NULL DEFAULT 7`);
    try {
      for (let i = 0; i < 3; i++) expect((await read())[0]).toMatchObject({ migrationProbe: 7 });
    } finally {
      await gateway.services.db.$executeRawUnsafe(`ALTER TABLE "Transaction" DROP COLUMN "migrationProbe"`);
    }
  });

  it("fails with an error whose SQLSTATE the money path tells apart", async () => {
    const failed = await directQueries(gateway.services.db).$queryRaw`SELECT expect_rows(0, 1, 'nothing changed')`.catch((error: unknown) => error);
    expect(sqlStateOf(failed)).toBe(SQLSTATE.serializationFailure);
  });
});
