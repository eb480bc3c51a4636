/** Sums and totals past 2^31 minor units, stored 64-bit and read back exactly through GraphQL as Money. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { uuidOf } from "../support/ids";

let gateway: TestGateway;
let token: string;
let unit: { id: string; msn: string; currency: "NOK" | "DKK" | "EUR" };

const BIG = 5_000_000_123n;

beforeAll(async () => {
  gateway = await startTestGateway();
  token = await gateway.login("no-admin");
  unit = (
    await gateway.graphql<{ salesUnits: { nodes: { id: string; msn: string; currency: "NOK"; environment: string }[] } }>(
      token,
      "{ salesUnits(first: 50) { nodes { id msn currency environment } } }",
    )
  ).data!.salesUnits.nodes.find((u) => u.environment === "PRODUCTION")!;
});
afterAll(async () => gateway?.stop());

describe("settlement totals past 2^31", () => {
  it("stores them 64-bit and answers them exactly as Money; the deprecated Int field fails alone, not the settlement", async () => {
    const row = await gateway.services.db.settlement.create({
      data: {
        salesUnitId: uuidOf(unit.id),
        periodStart: new Date("2001-01-01"),
        periodEnd: new Date("2001-01-01"),
        payoutDate: new Date("2001-01-03"),
        currency: unit.currency,
        grossAmount: BIG,
        refundedAmount: 123n,
        feeAmount: 2_147_483_648n,
        netAmount: BIG - 123n - 2_147_483_648n,
        status: "PAID",
      },
    });
    const response = await gateway.graphql<{ node: Record<string, unknown> }>(
      token,
      `query($id: ID!) { node(id: $id) { ... on Settlement { id
        gross { minor currency decimal formatted } refunded { minor } fee { minor } net { minor }
        grossAmount refundedAmount } } }`,
      { id: encodeGlobalID("Settlement", row.id) },
    );
    expect(response.data!.node).toEqual({
      id: expect.any(String),
      gross: { minor: "5000000123", currency: unit.currency, decimal: "50000001.23", formatted: expect.stringMatching(/^50\s000\s001,23\s/) },
      refunded: { minor: "123" },
      fee: { minor: "2147483648" },
      net: { minor: String(BIG - 123n - 2_147_483_648n) },
      grossAmount: null,
      refundedAmount: 123,
    });
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ["node", "grossAmount"], extensions: expect.objectContaining({ code: "AMOUNT_OUT_OF_RANGE" }) }),
    ]);
  });
});

describe("a recurring revenue estimate past 2^31", () => {
  it("is taken as MinorUnits and read back exactly", async () => {
    const units = await gateway.services.db.salesUnit.findMany({
      where: { merchant: { salesUnits: { some: { msn: unit.msn } } }, environment: "PRODUCTION", recurring: false, recurringRequests: { none: { status: "PENDING" } } },
      select: { id: true },
    });
    expect(units.length).toBeGreaterThan(0);
    const salesUnitId = encodeGlobalID("SalesUnit", units[0]!.id);
    const response = await gateway.graphql<{ requestRecurring: { __typename: string; data?: { monthlyRevenue: { minor: string }; monthlyRevenueAmount: number | null } } }>(
      token,
      `mutation($input: RequestRecurringInput!) { requestRecurring(input: $input) { __typename
        ... on MutationRequestRecurringSuccess { data { monthlyRevenue { minor } } } } }`,
      { input: { salesUnitId, monthlyRevenue: "3000000000", description: "Strømabonnement for hele landet" } },
    );
    expect(response.data!.requestRecurring).toEqual({ __typename: "MutationRequestRecurringSuccess", data: { monthlyRevenue: { minor: "3000000000" } } });
    const stored = await gateway.services.db.recurringRequest.findFirstOrThrow({ where: { salesUnitId: units[0]!.id, status: "PENDING" } });
    expect(stored.monthlyRevenueAmount).toBe(3_000_000_000n);
  });
});
