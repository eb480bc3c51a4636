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

type Typename =
  | "SalesUnit" | "Transaction" | "Settlement" | "QrCode" | "PaymentLink" | "Merchant" | "RecurringRequest"
  | "Membership" | "PortalUser" | "ReportSubscription" | "MerchantAgreement" | "ProductOrder" | "PartnerKey" | "Partner";

/**
 * A seeded object, the sales unit it belongs to (if any) and its merchant; `userId` is the person a Membership or
 * PortalUser is about (or an agreement's applicant), `userMerchants` the merchants that person belongs to.
 */
interface Sample {
  typename: Typename;
  id: string;
  unit: Unit | null;
  merchantId: string | null;
  userId?: string;
  userMerchants?: string[];
}

/** The caller as the table sees it: its kind, its id and its access. */
interface Caller {
  kind: string;
  id: string;
  access: Access;
}

const administers = (c: Caller, merchantId: string | null) => merchantId !== null && c.access.canOnWholeMerchant("ADMINISTER_MERCHANT", merchantId);
const operator = (c: Caller) => c.kind === "OPERATOR";
const himself = (c: Caller, s: Sample) => c.kind === "USER" && c.id === s.userId;

/** What makes each type readable: an action on the object's sales unit or merchant, or who the caller is. */
const READ_RULE: Record<Typename, (caller: Caller, sample: Sample) => boolean> = {
  SalesUnit: (c, s) => c.access.canOnSalesUnit("VIEW_SALES_UNIT", s.unit!),
  Transaction: (c, s) => c.access.canOnSalesUnit("VIEW_TRANSACTIONS", s.unit!),
  Settlement: (c, s) => c.access.canOnSalesUnit("VIEW_TRANSACTIONS", s.unit!),
  // QR codes are managed with EDIT_SALES_UNIT, which customer service does not hold: it sees none.
  QrCode: (c, s) => c.access.canOnSalesUnit("EDIT_SALES_UNIT", s.unit!),
  PaymentLink: (c, s) => c.access.canOnSalesUnit("REQUEST_PAYMENT", s.unit!),
  Merchant: (c, s) => c.access.canOnMerchant("VIEW_SALES_UNIT", s.merchantId!),
  // Customer service decides on recurring requests, so it sees them all.
  RecurringRequest: (c, s) => c.access.canOnSalesUnit("EDIT_SALES_UNIT", s.unit!) || operator(c),
  Membership: (c, s) => himself(c, s) || administers(c, s.merchantId) || operator(c),
  PortalUser: (c, s) => himself(c, s) || s.userMerchants!.some((m) => administers(c, m)) || operator(c),
  // Seen by the portal users who could have created it (without personal data).
  ReportSubscription: (c, s) =>
    c.kind === "USER" && (s.unit ? c.access.canOnSalesUnit("VIEW_TRANSACTIONS", s.unit) : c.access.canOnWholeMerchant("VIEW_TRANSACTIONS", s.merchantId!)),
  MerchantAgreement: (c, s) => himself(c, s) || operator(c),
  ProductOrder: (c, s) => administers(c, s.merchantId) || operator(c),
  PartnerKey: (c) => operator(c),
  Partner: () => true,
};

let gateway: TestGateway;
let units: Unit[];
let samples: Sample[];
const callerOf = new Map<string, Caller>();

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
    ...sample("RecurringRequest", await db.recurringRequest.findMany(distinctByUnit)),
    ...(await db.reportSubscription.findMany({ select: { id: true, merchantId: true, salesUnitId: true } })).map((row) => ({
      typename: "ReportSubscription" as const,
      id: row.id,
      unit: row.salesUnitId ? unitById.get(row.salesUnitId)! : null,
      merchantId: row.merchantId,
    })),
    ...(await db.productOrder.findMany({ distinct: ["merchantId"], select: { id: true, merchantId: true } })).map((row) => ({
      typename: "ProductOrder" as const, id: row.id, unit: null, merchantId: row.merchantId,
    })),
    ...(await db.merchantAgreement.findMany({ select: { id: true, applicantId: true } })).map((row) => ({
      typename: "MerchantAgreement" as const, id: row.id, unit: null, merchantId: null, userId: row.applicantId,
    })),
    ...(await db.partnerKey.findMany({ select: { id: true } })).map((row) => ({ typename: "PartnerKey" as const, id: row.id, unit: null, merchantId: null })),
    ...(await db.partner.findMany({ select: { id: true } })).map((row) => ({ typename: "Partner" as const, id: row.id, unit: null, merchantId: null })),
  ];
  // One access per merchant and role, and the people holding them (with every merchant they belong to).
  const memberships = await db.membership.findMany({ distinct: ["merchantId", "role"], select: { id: true, userId: true, merchantId: true } });
  const merchantsOf = async (userId: string) => (await db.membership.findMany({ where: { userId }, select: { merchantId: true } })).map((m) => m.merchantId);
  for (const m of memberships) {
    samples.push({ typename: "Membership", id: m.id, unit: null, merchantId: m.merchantId, userId: m.userId });
    samples.push({ typename: "PortalUser", id: m.userId, unit: null, merchantId: m.merchantId, userId: m.userId, userMerchants: await merchantsOf(m.userId) });
  }
  for (const key of PERSONAS) {
    const verified = await gateway.services.tokens.verify(await gateway.token(key));
    const { principal, access } = await resolvePrincipal(db, verified);
    callerOf.set(key, { kind: principal.kind, id: principal.id, access });
  }
});
afterAll(async () => gateway?.stop());

function expectedVisible(key: string, sample: Sample): boolean {
  return READ_RULE[sample.typename](callerOf.get(key)!, sample);
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
    for (const typename of Object.keys(READ_RULE).filter((name) => !["MerchantAgreement", "PartnerKey", "Partner"].includes(name))) {
      const merchants = new Set(samples.filter((s) => s.typename === typename).map((s) => s.merchantId));
      expect(merchants.size, typename).toBeGreaterThan(1);
    }
    // Objects of no merchant: some visible to one persona and not to another.
    for (const typename of ["MerchantAgreement", "PartnerKey", "Partner"]) {
      expect(samples.filter((s) => s.typename === typename).length, typename).toBeGreaterThan(0);
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
      const access = callerOf.get(key)!.access;
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
      const access = callerOf.get(key)!.access;
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
