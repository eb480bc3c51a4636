/**
 * The permission table (docs/permissions.md) for reads: every persona asks `node(id:)` for real seeded objects of
 * each type, of its own merchant and of others, and the query roots for their lists. What it may see is computed
 * from `Access` (src/auth/permissions.ts) and the action each type needs; the schema must answer exactly that.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Access } from "../../src/auth/permissions";
import { resolvePrincipal } from "../../src/auth/principal";
import { startTestGateway, type TestGateway } from "../support/gateway";

const PERSONAS = [
  "no-admin", "no-sum", "no-sum-tm", "no-sum-dev", "no-assistant", "no-assistant-tm", "no-assistant-dev",
  "se-assistant", "dk-admin", "two-merchants", "applicant", "partner", "partner-unlinked", "operator",
] as const;

interface Unit {
  id: string;
  merchantId: string;
}

/** A seeded object, the sales unit it belongs to (if any) and its merchant. */
interface Sample {
  typename: "SalesUnit" | "Transaction" | "Settlement" | "QrCode" | "PaymentLink" | "Merchant";
  id: string;
  unit: Unit | null;
  merchantId: string;
}

/** Which action on the object's sales unit (or merchant) makes each type readable. */
const READ_RULE: Record<Sample["typename"], (access: Access, sample: Sample) => boolean> = {
  SalesUnit: (access, s) => access.canOnSalesUnit("VIEW_SALES_UNIT", s.unit!),
  Transaction: (access, s) => access.canOnSalesUnit("VIEW_TRANSACTIONS", s.unit!),
  Settlement: (access, s) => access.canOnSalesUnit("VIEW_TRANSACTIONS", s.unit!),
  // The QrCode type also admits customer service, but node(id:) filters rows by the table: the operator sees none.
  QrCode: (access, s) => access.canOnSalesUnit("EDIT_SALES_UNIT", s.unit!),
  PaymentLink: (access, s) => access.canOnSalesUnit("REQUEST_PAYMENT", s.unit!),
  Merchant: (access, s) => access.canOnMerchant("VIEW_SALES_UNIT", s.merchantId),
};

let gateway: TestGateway;
let units: Unit[];
let samples: Sample[];
const accessOf = new Map<string, Access>();

beforeAll(async () => {
  gateway = await startTestGateway();
  const db = gateway.services.db;
  units = await db.salesUnit.findMany({ select: { id: true, merchantId: true }, orderBy: { msn: "asc" } });
  const unitById = new Map(units.map((u) => [u.id, u]));
  const sample = (typename: Sample["typename"], rows: { id: string; salesUnitId: string }[]): Sample[] =>
    rows.map((row) => ({ typename, id: row.id, unit: unitById.get(row.salesUnitId)!, merchantId: unitById.get(row.salesUnitId)!.merchantId }));
  // One object per sales unit of each type, so every persona meets units it reaches and units it does not.
  const distinctByUnit = { distinct: ["salesUnitId"] as ["salesUnitId"], select: { id: true, salesUnitId: true } };
  samples = [
    ...units.map((unit) => ({ typename: "SalesUnit" as const, id: unit.id, unit, merchantId: unit.merchantId })),
    ...sample("Transaction", await db.transaction.findMany(distinctByUnit)),
    ...sample("Settlement", await db.settlement.findMany(distinctByUnit)),
    ...sample("QrCode", await db.qrCode.findMany(distinctByUnit)),
    ...sample("PaymentLink", await db.paymentLink.findMany(distinctByUnit)),
    ...(await db.merchant.findMany({ select: { id: true } })).map((m) => ({ typename: "Merchant" as const, id: m.id, unit: null, merchantId: m.id })),
  ];
  for (const key of PERSONAS) {
    const verified = await gateway.services.tokens.verify(await gateway.token(key));
    accessOf.set(key, (await resolvePrincipal(db, verified)).access);
  }
});
afterAll(async () => gateway?.stop());

function expectedVisible(key: string, sample: Sample): boolean {
  return READ_RULE[sample.typename](accessOf.get(key)!, sample);
}

/** Asks `node(id:)` for every sample, a few aliases per request; answers the ids the schema returned. */
async function visibleThroughNode(token: string): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let start = 0; start < samples.length; start += 10) {
    const chunk = samples.slice(start, start + 10);
    const query = `{ ${chunk.map((s, i) => `n${i}: node(id: "${encodeGlobalID(s.typename, s.id)}") { __typename id }`).join(" ")} }`;
    const response = await gateway.graphql<Record<string, { __typename: string; id: string } | null>>(token, query);
    chunk.forEach((s, i) => {
      const node = response.data?.[`n${i}`];
      if (node) {
        expect(node.__typename).toBe(s.typename);
        seen.add(s.id);
      }
    });
  }
  return seen;
}

describe("reads follow the permission table", () => {
  it("covers every readable type with objects of more than one merchant", () => {
    for (const typename of Object.keys(READ_RULE)) {
      const merchants = new Set(samples.filter((s) => s.typename === typename).map((s) => s.merchantId));
      expect(merchants.size, typename).toBeGreaterThan(1);
    }
  });

  for (const key of PERSONAS) {
    it(`shows ${key} through node(id:) exactly the objects the table allows`, async () => {
      const seen = await visibleThroughNode(await gateway.token(key));
      const mismatches = samples
        .filter((s) => seen.has(s.id) !== expectedVisible(key, s))
        .map((s) => `${s.typename} ${s.id}: expected ${expectedVisible(key, s) ? "visible" : "invisible"}`);
      expect(mismatches).toEqual([]);
    });

    it(`lists for ${key} exactly the sales units, merchants and transactions the table allows`, async () => {
      const token = await gateway.token(key);
      const access = accessOf.get(key)!;
      const response = await gateway.graphql<{
        salesUnits: { totalCount: number; nodes: { id: string }[] };
        merchants: { nodes: { id: string }[] };
        transactions: { totalCount: number };
        transactionAggregates: { totals: { count: number }[] };
      }>(token, "{ salesUnits(first: 100) { totalCount nodes { id } } merchants(first: 100) { nodes { id } } transactions(first: 1) { totalCount } transactionAggregates { totals { count } } }");
      expect(response.errors).toBeUndefined();
      const ids = (nodes: { id: string }[]) => nodes.map((n) => n.id).sort();
      const visibleUnits = units.filter((u) => access.canOnSalesUnit("VIEW_SALES_UNIT", u));
      expect(ids(response.data!.salesUnits.nodes)).toEqual(visibleUnits.map((u) => encodeGlobalID("SalesUnit", u.id)).sort());
      const merchantIds = [...new Set(units.map((u) => u.merchantId))].filter((m) => access.canOnMerchant("VIEW_SALES_UNIT", m));
      expect(ids(response.data!.merchants.nodes)).toEqual(merchantIds.map((m) => encodeGlobalID("Merchant", m)).sort());
      const transactionUnits = units.filter((u) => access.canOnSalesUnit("VIEW_TRANSACTIONS", u)).map((u) => u.id);
      const expectedTransactions = await gateway.services.db.transaction.count({ where: { salesUnitId: { in: transactionUnits } } });
      expect(response.data!.transactions.totalCount).toBe(expectedTransactions);
      // The dashboard figures count the same transactions.
      expect(response.data!.transactionAggregates.totals.reduce((sum, t) => sum + t.count, 0)).toBe(expectedTransactions);
    });

    it(`answers ${key}'s salesUnit(msn:) and settlements(salesUnitId:) for reached units only`, async () => {
      const token = await gateway.token(key);
      const access = accessOf.get(key)!;
      const rows = await gateway.services.db.salesUnit.findMany({ select: { id: true, merchantId: true, msn: true } });
      const mismatches: string[] = [];
      for (let start = 0; start < rows.length; start += 10) {
        const chunk = rows.slice(start, start + 10);
        const query = `{ ${chunk.map((u, i) => `u${i}: salesUnit(msn: "${u.msn}") { id }`).join(" ")} }`;
        const response = await gateway.graphql<Record<string, { id: string } | null>>(token, query);
        chunk.forEach((u, i) => {
          if (Boolean(response.data?.[`u${i}`]) !== access.canOnSalesUnit("VIEW_SALES_UNIT", u)) mismatches.push(`salesUnit(msn: ${u.msn})`);
        });
      }
      for (const unit of rows) {
        const response = await gateway.graphql<{ settlements: { totalCount: number } | null }>(
          token,
          `{ settlements(salesUnitId: "${encodeGlobalID("SalesUnit", unit.id)}", first: 1) { totalCount } }`,
        );
        const allowed = access.canOnSalesUnit("VIEW_TRANSACTIONS", unit);
        if (allowed !== (response.errors === undefined)) mismatches.push(`settlements(${unit.msn}): ${response.errors?.[0]?.extensions?.code ?? "answered"}`);
        if (!allowed && response.errors) expect(["FORBIDDEN", "UNAUTHENTICATED"]).toContain(response.errors[0]!.extensions?.code);
      }
      expect(mismatches).toEqual([]);
    });
  }
});
