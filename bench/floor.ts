/**
 * The floor: `node:http` and `pg` answering each benchmark question with one hand-written SQL statement that also
 * applies the caller's membership, and PostgreSQL building the JSON. No GraphQL, no token check, no ORM: what is
 * left is HTTP, one round trip to the database and the query itself, so no server answering the same question can be
 * expected to go faster. Run as a process of its own; DATABASE_URL, PORT and POOL_SIZE come from the environment.
 */
import http from "node:http";
import pg from "pg";

/** The caller may see a sales unit's payments: Administrator of its merchant, or a membership assigned to it. */
const MAY_VIEW_UNIT = (unit: string, user: string) => `EXISTS (
  SELECT 1 FROM "SalesUnit" su JOIN "Membership" ms ON ms."merchantId" = su."merchantId"
  WHERE su.id = ${unit} AND ms."userId" = ${user}
    AND (ms.role = 'ADMINISTRATOR' OR EXISTS (SELECT 1 FROM "MembershipSalesUnit" x WHERE x."membershipId" = ms.id AND x."salesUnitId" = su.id)))`;

/** As above, with Transaction Management where the role does not carry it. */
const MAY_MANAGE_UNIT = (unit: string, user: string) => `EXISTS (
  SELECT 1 FROM "SalesUnit" su JOIN "Membership" ms ON ms."merchantId" = su."merchantId"
  WHERE su.id = ${unit} AND ms."userId" = ${user}
    AND (ms.role = 'ADMINISTRATOR' OR ('TRANSACTION_MANAGEMENT' = ANY (ms.permissions)
      AND EXISTS (SELECT 1 FROM "MembershipSalesUnit" x WHERE x."membershipId" = ms.id AND x."salesUnitId" = su.id))))`;

const STATEMENTS = {
  /** $1 sales unit, $2 from (inclusive), $3 to (exclusive), $4 user. */
  q1: `SELECT COALESCE(json_agg(json_build_object(
      'id', t.id, 'reference', t.reference, 'status', t.status, 'amount', t.amount, 'capturedAmount', t."capturedAmount",
      'refundedAmount', t."refundedAmount", 'currency', t.currency, 'createdAt', t."createdAt",
      'salesUnit', json_build_object('id', s.id, 'msn', s.msn, 'name', s.name, 'merchant', json_build_object('id', m.id, 'name', m.name))
    ) ORDER BY t."createdAt" DESC, t.id DESC), '[]') AS data
    FROM (SELECT * FROM "Transaction" t
          WHERE t."salesUnitId" = $1::uuid AND t."createdAt" >= $2::timestamp AND t."createdAt" < $3::timestamp AND ${MAY_VIEW_UNIT("$1::uuid", "$4::uuid")}
          ORDER BY t."createdAt" DESC, t.id DESC LIMIT 50) t
    JOIN "SalesUnit" s ON s.id = t."salesUnitId" JOIN "Merchant" m ON m.id = s."merchantId"`,
  /** $1 transaction, $2 user. */
  q2: `SELECT json_build_object(
      'id', t.id, 'reference', t.reference, 'status', t.status, 'amount', t.amount, 'capturedAmount', t."capturedAmount",
      'refundedAmount', t."refundedAmount", 'cancelledAmount', t."cancelledAmount", 'currency', t.currency, 'createdAt', t."createdAt",
      'operations', (SELECT COALESCE(json_agg(json_build_object('type', o.type, 'amount', o.amount, 'actorKind', o."actorKind",
          'actorLabel', o."actorLabel", 'createdAt', o."createdAt") ORDER BY o."createdAt", o.id), '[]')
        FROM "TransactionOperation" o WHERE o."transactionId" = t.id)) AS data
    FROM "Transaction" t WHERE t.id = $1::uuid AND ${MAY_VIEW_UNIT('t."salesUnitId"', "$2::uuid")}`,
  /** $1 user: the user's memberships, each with its merchant and the sales units it reaches. */
  q3: `SELECT json_build_object('id', u.id, 'name', u.name, 'memberships', COALESCE((
      SELECT json_agg(json_build_object('id', ms.id, 'role', ms.role, 'permissions', ms.permissions,
        'merchant', json_build_object('id', m.id, 'name', m.name),
        'salesUnits', (SELECT COALESCE(json_agg(json_build_object('id', s.id, 'msn', s.msn, 'name', s.name) ORDER BY s.name), '[]')
          FROM "SalesUnit" s WHERE s."merchantId" = ms."merchantId"
            AND (ms.role = 'ADMINISTRATOR' OR s.id IN (SELECT x."salesUnitId" FROM "MembershipSalesUnit" x WHERE x."membershipId" = ms.id)))
      ) ORDER BY ms."createdAt", ms.id)
      FROM "Membership" ms JOIN "Merchant" m ON m.id = ms."merchantId" WHERE ms."userId" = u.id), '[]')) AS data
    FROM "PortalUser" u WHERE u.id = $1::uuid AND u."anonymizedAt" IS NULL`,
  /**
   * $1 transaction, $2 amount, $3 user, $4 idempotency key. The gateway's capture in one statement (one implicit SQL
   * transaction): lock the row, check state, limit and reservation window, update the aggregates, append the
   * operation, the outbox event (with its per-payment advisory lock and NOTIFY), the audit row and the idempotency record.
   */
  m1: `WITH actor AS (
      SELECT u.id, COALESCE(u.name, 'Portal user') AS label FROM "PortalUser" u WHERE u.id = $3::uuid
    ), locked AS (
      SELECT t.* FROM "Transaction" t WHERE t.id = $1::uuid AND ${MAY_MANAGE_UNIT('t."salesUnitId"', "$3::uuid")} FOR UPDATE
    ), updated AS (
      UPDATE "Transaction" t SET status = 'CAPTURED', "capturedAmount" = t."capturedAmount" + $2::int,
        "firstCapturedAt" = COALESCE(t."firstCapturedAt", now() AT TIME ZONE 'UTC'), "lastCapturedAt" = now() AT TIME ZONE 'UTC',
        version = t.version + 1, "updatedAt" = now() AT TIME ZONE 'UTC'
      FROM locked l
      WHERE t.id = l.id AND l.status IN ('RESERVED', 'CAPTURED') AND $2::int > 0
        AND l."authorizedAmount" - l."capturedAmount" - l."cancelledAmount" >= $2::int
        AND now() AT TIME ZONE 'UTC' < COALESCE(l."reservedAt", l."createdAt") + interval '180 days'
      RETURNING t.*
    ), operation AS (
      INSERT INTO "TransactionOperation" (id, "transactionId", type, amount, "actorKind", "actorId", "actorLabel", "createdAt")
      SELECT gen_random_uuid(), u.id, 'CAPTURE', $2::int, 'USER', a.id::text, a.label, u."updatedAt" FROM updated u, actor a
      RETURNING 1
    ), signal AS (
      SELECT pg_advisory_xact_lock(hashtextextended(u.id::text, 0)), pg_notify('outbox_event', '') FROM updated u
    ), outbox AS (
      INSERT INTO "OutboxEvent" (type, "aggregateType", "aggregateId", "merchantId", "salesUnitId", payload, "createdAt")
      SELECT 'transaction.CAPTURED', 'Transaction', u.id, u."merchantId", u."salesUnitId", json_build_object(
          'transactionId', u.id, 'merchantId', u."merchantId", 'salesUnitId', u."salesUnitId", 'event', 'CAPTURED', 'status', u.status,
          'operationAmount', $2::int, 'amount', u.amount, 'authorizedAmount', u."authorizedAmount", 'capturedAmount', u."capturedAmount",
          'refundedAmount', u."refundedAmount", 'cancelledAmount', u."cancelledAmount", 'currency', u.currency, 'reference', u.reference,
          'paymentLinkId', u."paymentLinkId", 'version', u.version, 'occurredAt', u."updatedAt"), u."updatedAt"
      FROM updated u, signal
      RETURNING 1
    ), audit AS (
      INSERT INTO "AuditEvent" ("merchantId", "actorKind", "actorId", "actorLabel", action, "objectType", "objectId", data, "createdAt")
      SELECT u."merchantId", 'USER', a.id::text, a.label, 'transaction.capture', 'Transaction', u.id::text,
        json_build_object('event', 'CAPTURED', 'amount', $2::int, 'status', u.status, 'version', u.version), u."updatedAt"
      FROM updated u, actor a
      RETURNING 1
    ), idempotency AS (
      INSERT INTO "IdempotencyRecord" (id, scope, key, operation, "requestHash", response, "createdAt")
      SELECT gen_random_uuid(), 'USER:' || a.id || ':captureTransaction', $4, 'captureTransaction', md5($1 || ':' || $2),
        json_build_object('transactionId', u.id), u."updatedAt"
      FROM updated u, actor a
      RETURNING 1
    )
    SELECT json_build_object('id', u.id, 'status', u.status, 'capturedAmount', u."capturedAmount") AS data FROM updated u`,
} as const;

type Route = keyof typeof STATEMENTS;

const ARGUMENTS: Record<Route, (body: Record<string, unknown>) => unknown[]> = {
  q1: (b) => [b.salesUnitId, b.from, b.to, b.userId],
  q2: (b) => [b.transactionId, b.userId],
  q3: (b) => [b.userId],
  m1: (b) => [b.transactionId, b.amount, b.userId, b.idempotencyKey],
};

function main(): void {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
  const server = http.createServer((request, response) => {
    const route = request.url?.slice(1) as Route;
    if (request.method !== "POST" || !(route in STATEMENTS)) {
      response.writeHead(request.url === "/healthz" ? 200 : 404).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      pool.query<{ data: unknown }>({ name: route, text: STATEMENTS[route], values: ARGUMENTS[route](body) }).then(
        (result) => {
          const row = result.rows[0];
          // A refused capture or an unknown id: no row, as a 404 so the load generator counts it as an error.
          const status = row && row.data !== null ? 200 : 404;
          response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ data: row?.data ?? null }));
        },
        (error: Error) => response.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: error.message })),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
    console.log(JSON.stringify({ ready: true, port: (server.address() as { port: number }).port }));
  });
  process.on("SIGTERM", () => {
    server.close();
    void pool.end().then(() => process.exit(0));
  });
}

main();
