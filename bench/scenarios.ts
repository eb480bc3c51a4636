/**
 * The questions the benchmark asks, as each server is asked them, and how their answers are brought to one shape so
 * the harness can check that every server answers the same before it measures anything.
 */
import pg from "pg";
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { DATASET_END, CAPTURE_POOL_REFERENCE_PREFIX } from "./dataset";
import type { LoadRequest } from "./load";

/** `baseline`: a second gateway from another checkout (`--baseline DIR`), asked exactly as the gateway is. */
export type ServerName = "gateway" | "baseline" | "postgraphile" | "floor";
export type ScenarioName = "q1" | "q2" | "q3" | "m1";

export interface Variant {
  requests: Partial<Record<ServerName, LoadRequest>>;
  /** Brings a server's answer to the shared shape. */
  normalize: Record<Exclude<ServerName, "baseline">, (body: unknown) => unknown> & Partial<Record<"baseline", (body: unknown) => unknown>>;
}

export interface Scenario {
  name: ScenarioName;
  title: string;
  servers: ServerName[];
  variants: Variant[];
}

/** How many different requests each scenario cycles through (different sales units, users, payments). */
const VARIANTS = 20;
const DAY_MS = 86_400_000;
const Q1_PERIOD_DAYS = 120;
const METHOD_BY_COUNTRY: Record<string, string> = { NO: "BANKID_NO", DK: "MITID", FI: "FTN", SE: "BANKID_SE" };

// ---------------------------------------------------------------------------------------------------------------
// Tokens, minted exactly as the gateway's TokenService issues them

export interface TokenMinter {
  /** The PKCS#8 PEM handed to the gateway as JWT_SIGNING_KEY. */
  signingKeyPem: string;
  userToken(userId: string, country: string): Promise<string>;
}

export async function createTokenMinter(issuer = "urn:portal-gateway", audience = "portal-gateway"): Promise<TokenMinter> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  const cache = new Map<string, string>();
  return {
    signingKeyPem: await exportPKCS8(privateKey),
    userToken: async (userId, country) => {
      const cached = cache.get(userId);
      if (cached) return cached;
      const token = await new SignJWT({ amr: [METHOD_BY_COUNTRY[country] ?? "BANKID_NO"], kind: "user" })
        .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setNotBefore("0s")
        .setExpirationTime("4h")
        .setJti(crypto.randomUUID())
        .sign(privateKey as CryptoKey);
      cache.set(userId, token);
      return token;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Answers in one shape: plain uuids, epoch milliseconds, sorted where order carries no meaning

/** Relay global ids are base64 of "Type:uuid"; PostGraphile and the floor give the uuid itself. */
export function rowId(id: unknown): string {
  const value = String(id);
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const match = /^[A-Za-z]+:([0-9a-f-]{36})$/.exec(decoded);
  return match ? match[1]! : value;
}

export const globalId = (type: string, uuid: string) => Buffer.from(`${type}:${uuid}`).toString("base64");

/** `timestamp without time zone` columns come back without a zone from PostgreSQL; they hold UTC. */
function instant(value: unknown): number {
  const text = String(value);
  return Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`);
}

const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => a.id.localeCompare(b.id));

/** Answers are checked by shape at run time (they must normalise equal), so they are read loosely here. */
type Json = Record<string, any>;

function dataOf(body: unknown): Json {
  const answer = body as { data?: Json; errors?: unknown[] };
  if (answer.errors?.length) throw new Error(`answered with errors: ${JSON.stringify(answer.errors).slice(0, 500)}`);
  if (!answer.data) throw new Error(`answered without data: ${JSON.stringify(body).slice(0, 500)}`);
  return answer.data;
}

const q1Row = (t: Json, unit: Json, merchant: Json) => ({
  id: rowId(t.id),
  reference: t.reference,
  status: t.status,
  amount: t.amount,
  capturedAmount: t.capturedAmount,
  refundedAmount: t.refundedAmount,
  currency: t.currency,
  createdAt: instant(t.createdAt),
  salesUnit: { id: rowId(unit.id), msn: unit.msn, name: unit.name, merchant: { id: rowId(merchant.id), name: merchant.name } },
});

const q2Row = (t: Json, operations: Json[]) => ({
  id: rowId(t.id),
  reference: t.reference,
  status: t.status,
  amount: t.amount,
  capturedAmount: t.capturedAmount,
  refundedAmount: t.refundedAmount,
  cancelledAmount: t.cancelledAmount,
  currency: t.currency,
  createdAt: instant(t.createdAt),
  operations: operations.map((o) => ({ type: o.type, amount: o.amount, actorKind: o.actorKind, actorLabel: o.actorLabel, createdAt: instant(o.createdAt) })),
});

const unitRow = (u: Json) => ({ id: rowId(u.id), msn: u.msn, name: u.name });

const q3Row = (name: unknown, memberships: { id: unknown; role: unknown; permissions: unknown[]; merchant: Json; salesUnits: Json[] }[]) => ({
  name,
  memberships: byId(
    memberships.map((m) => ({
      id: rowId(m.id),
      role: m.role,
      permissions: [...m.permissions].map(String).sort(),
      merchant: { id: rowId(m.merchant.id), name: m.merchant.name },
      salesUnits: byId(m.salesUnits.map(unitRow)),
    })),
  ),
});

// ---------------------------------------------------------------------------------------------------------------
// The questions

const GATEWAY_Q1 = `query Q1($salesUnitId: ID!, $from: DateTime!, $to: DateTime!) {
  transactions(first: 50, filter: { salesUnitIds: [$salesUnitId], createdFrom: $from, createdTo: $to }) {
    edges { node { id reference status amount capturedAmount refundedAmount currency createdAt salesUnit { id msn name merchant { id name } } } }
  }
}`;

const POSTGRAPHILE_Q1 = `query Q1($salesUnitId: UUID!, $from: Datetime!, $to: Datetime!) {
  allTransactions(first: 50, orderBy: [CREATED_AT_DESC, ID_DESC], condition: { salesUnitId: $salesUnitId },
      filter: { createdAt: { greaterThanOrEqualTo: $from, lessThan: $to } }) {
    nodes { id reference status amount capturedAmount refundedAmount currency createdAt
      salesUnitBySalesUnitId { id msn name merchantByMerchantId { id name } } }
  }
}`;

const GATEWAY_Q2 = `query Q2($id: ID!) {
  node(id: $id) { ... on Transaction { id reference status amount capturedAmount refundedAmount cancelledAmount currency createdAt
    operations { type amount actorKind actorLabel createdAt } } }
}`;

const POSTGRAPHILE_Q2 = `query Q2($id: UUID!) {
  transactionById(id: $id) { id reference status amount capturedAmount refundedAmount cancelledAmount currency createdAt
    transactionOperationsByTransactionId(orderBy: [CREATED_AT_ASC, ID_ASC]) { nodes { type amount actorKind actorLabel createdAt } } }
}`;

const GATEWAY_Q3 = `query Q3 { viewer { label memberships { id role permissions merchant { id name } salesUnits { id msn name } } } }`;

const POSTGRAPHILE_Q3 = `query Q3($id: UUID!) {
  portalUserById(id: $id) { name membershipsByUserId(orderBy: [CREATED_AT_ASC, ID_ASC]) { nodes { id role permissions
    merchantByMerchantId { id name salesUnitsByMerchantId(orderBy: NAME_ASC) { nodes { id msn name } } }
    membershipSalesUnitsByMembershipId { nodes { salesUnitBySalesUnitId { id msn name } } } } } }
}`;

const GATEWAY_M1 = `mutation M1($input: CaptureTransactionInput!) {
  captureTransaction(input: $input) { __typename ... on MutationCaptureTransactionSuccess { data { id status capturedAmount } } }
}`;

const graphql = (query: string, variables: Json, token?: string): LoadRequest => ({
  path: "/graphql",
  headers: token ? { authorization: `Bearer ${token}` } : {},
  body: JSON.stringify({ query, variables }),
});

const floor = (route: string, body: Json): LoadRequest => ({ path: `/${route}`, headers: {}, body: JSON.stringify(body) });

/** Every n-th of the rows, so the variants spread over the whole dataset. */
function spread<T>(rows: T[], count: number): T[] {
  if (rows.length <= count) return rows;
  const step = rows.length / count;
  return Array.from({ length: count }, (_, i) => rows[Math.floor(i * step)]!);
}

interface Member {
  userId: string;
  country: string;
}

export async function buildScenarios(client: pg.Client, tokens: TokenMinter): Promise<Scenario[]> {
  const units = await client.query<Member & { salesUnitId: string }>(`
    SELECT s.id AS "salesUnitId", m."userId", u.country FROM "SalesUnit" s
    JOIN "Membership" m ON m."merchantId" = s."merchantId" AND m.role = 'ADMINISTRATOR' JOIN "PortalUser" u ON u.id = m."userId"
    ORDER BY s.msn`);
  const q1: Variant[] = [];
  for (const [i, unit] of spread(units.rows, VARIANTS).entries()) {
    const to = new Date(DATASET_END.getTime() - (i % 12) * 30 * DAY_MS);
    const from = new Date(to.getTime() - Q1_PERIOD_DAYS * DAY_MS);
    const period = { from: from.toISOString(), to: to.toISOString() };
    q1.push({
      requests: {
        gateway: graphql(GATEWAY_Q1, { salesUnitId: globalId("SalesUnit", unit.salesUnitId), ...period }, await tokens.userToken(unit.userId, unit.country)),
        postgraphile: graphql(POSTGRAPHILE_Q1, { salesUnitId: unit.salesUnitId, ...period }),
        floor: floor("q1", { salesUnitId: unit.salesUnitId, ...period, userId: unit.userId }),
      },
      normalize: {
        gateway: (body) => dataOf(body).transactions.edges.map(({ node }: Json) => q1Row(node, node.salesUnit, node.salesUnit.merchant)),
        postgraphile: (body) => dataOf(body).allTransactions.nodes.map((t: Json) => q1Row(t, t.salesUnitBySalesUnitId, t.salesUnitBySalesUnitId.merchantByMerchantId)),
        floor: (body) => (dataOf(body) as unknown as Json[]).map((t) => q1Row(t, t.salesUnit, t.salesUnit.merchant)),
      },
    });
  }

  // Refunded payments have the longest histories (request, approval, one or two captures, refund).
  const payments = await client.query<Member & { transactionId: string }>(`
    SELECT t.id AS "transactionId", m."userId", u.country FROM "Transaction" t
    JOIN "Membership" m ON m."merchantId" = t."merchantId" AND m.role = 'ADMINISTRATOR' JOIN "PortalUser" u ON u.id = m."userId"
    WHERE t.status = 'REFUNDED' ORDER BY t.id LIMIT ${VARIANTS}`);
  const q2: Variant[] = [];
  for (const payment of payments.rows) {
    q2.push({
      requests: {
        gateway: graphql(GATEWAY_Q2, { id: globalId("Transaction", payment.transactionId) }, await tokens.userToken(payment.userId, payment.country)),
        postgraphile: graphql(POSTGRAPHILE_Q2, { id: payment.transactionId }),
        floor: floor("q2", { transactionId: payment.transactionId, userId: payment.userId }),
      },
      normalize: {
        gateway: (body) => {
          const t = dataOf(body).node;
          return q2Row(t, t.operations);
        },
        postgraphile: (body) => {
          const t = dataOf(body).transactionById;
          return q2Row(t, t.transactionOperationsByTransactionId.nodes);
        },
        floor: (body) => {
          const t = dataOf(body);
          return q2Row(t, t.operations);
        },
      },
    });
  }

  // Administrators, each also a Sales Unit Manager of the next merchant: both kinds of membership in one answer.
  const admins = await client.query<Member>(`
    SELECT m."userId", u.country FROM "Membership" m JOIN "PortalUser" u ON u.id = m."userId"
    WHERE m.role = 'ADMINISTRATOR' ORDER BY u.id`);
  const q3: Variant[] = [];
  for (const admin of spread(admins.rows, VARIANTS)) {
    q3.push({
      requests: {
        gateway: graphql(GATEWAY_Q3, {}, await tokens.userToken(admin.userId, admin.country)),
        postgraphile: graphql(POSTGRAPHILE_Q3, { id: admin.userId }),
        floor: floor("q3", { userId: admin.userId }),
      },
      normalize: {
        gateway: (body) => {
          const viewer = dataOf(body).viewer;
          return q3Row(viewer.label, viewer.memberships);
        },
        postgraphile: (body) => {
          const user = dataOf(body).portalUserById;
          return q3Row(
            user.name,
            user.membershipsByUserId.nodes.map((m: Json) => ({
              ...m,
              merchant: m.merchantByMerchantId,
              // The rule the schema documents: an Administrator reaches all of the merchant's sales units.
              salesUnits:
                m.role === "ADMINISTRATOR"
                  ? m.merchantByMerchantId.salesUnitsByMerchantId.nodes
                  : m.membershipSalesUnitsByMembershipId.nodes.map((link: Json) => link.salesUnitBySalesUnitId),
            })),
          );
        },
        floor: (body) => {
          const user = dataOf(body);
          return q3Row(user.name, user.memberships);
        },
      },
    });
  }

  const pool = await client.query<Member & { transactionId: string }>(`
    SELECT t.id AS "transactionId", m."userId", u.country FROM "Transaction" t
    JOIN "Membership" m ON m."merchantId" = t."merchantId" AND m.role = 'ADMINISTRATOR' JOIN "PortalUser" u ON u.id = m."userId"
    WHERE t.reference LIKE '${CAPTURE_POOL_REFERENCE_PREFIX}%' ORDER BY t.reference`);
  const m1: Variant[] = [];
  const captured = (t: Json) => ({ id: rowId(t.id), status: t.status });
  for (const payment of pool.rows) {
    m1.push({
      requests: {
        gateway: graphql(
          GATEWAY_M1,
          { input: { transactionId: globalId("Transaction", payment.transactionId), amount: 1, idempotencyKey: "__KEY__" } },
          await tokens.userToken(payment.userId, payment.country),
        ),
        floor: floor("m1", { transactionId: payment.transactionId, amount: 1, userId: payment.userId, idempotencyKey: "__KEY__" }),
      },
      normalize: {
        gateway: (body) => captured(dataOf(body).captureTransaction.data),
        postgraphile: () => null,
        floor: (body) => captured(dataOf(body)),
      },
    });
  }

  return [
    { name: "q1", title: "Q1 50 transactions of a sales unit in a period, with unit and merchant", servers: ["gateway", "postgraphile", "floor"], variants: q1 },
    { name: "q2", title: "Q2 one transaction with its operation history", servers: ["gateway", "postgraphile", "floor"], variants: q2 },
    { name: "q3", title: "Q3 viewer: memberships, merchants, sales units", servers: ["gateway", "postgraphile", "floor"], variants: q3 },
    { name: "m1", title: "M1 partial capture with a unique idempotency key", servers: ["gateway", "floor"], variants: m1 },
  ];
}

/** Puts the capture pool back to reserved and nothing captured, and clears what earlier runs' captures wrote. */
export async function resetCapturePool(client: pg.Client): Promise<void> {
  await client.query("BEGIN");
  await client.query(`CREATE TEMP TABLE capture_pool ON COMMIT DROP AS SELECT id FROM "Transaction" WHERE reference LIKE '${CAPTURE_POOL_REFERENCE_PREFIX}%'`);
  await client.query(`DELETE FROM "TransactionOperation" WHERE type = 'CAPTURE' AND "transactionId" IN (SELECT id FROM capture_pool)`);
  await client.query(`UPDATE "Transaction" SET status = 'RESERVED', "capturedAmount" = 0, "firstCapturedAt" = NULL, "lastCapturedAt" = NULL,
    "reservedAt" = now() AT TIME ZONE 'UTC', version = 1 WHERE id IN (SELECT id FROM capture_pool)`);
  await client.query(`DELETE FROM "IdempotencyRecord"`);
  await client.query(`DELETE FROM "OutboxEvent"`);
  await client.query(`DELETE FROM "AuditEvent"`);
  await client.query("COMMIT");
}

export async function captureOperationCount(client: pg.Client): Promise<number> {
  const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "TransactionOperation" WHERE type = 'CAPTURE' AND "transactionId" IN (
    SELECT id FROM "Transaction" WHERE reference LIKE '${CAPTURE_POOL_REFERENCE_PREFIX}%')`);
  return Number(result.rows[0]!.n);
}
