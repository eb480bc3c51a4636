/**
 * Each policy in src/auth/policies/ exports a check for one object and a filter for lists. Here both are asked about
 * the same rows for every kind of caller: the filter, evaluated in memory, must admit exactly the rows the check
 * allows. A policy whose two halves drift apart fails here, without a database.
 */
import { describe, expect, it } from "vitest";
import type { Condition } from "../../src/db/conditions";
import { Access, membershipGrant, operatorGrant, partnerGrants } from "../../src/auth/permissions";
import type { Who } from "../../src/auth/policies/who";
import { canSeeAgreement, visibleAgreements } from "../../src/auth/policies/agreement";
import { administeredMerchants, administersOrOperates } from "../../src/auth/policies/merchant";
import { canSeeMembership, visibleMemberships } from "../../src/auth/policies/person";
import { canSeePartnerKey, visiblePartnerKeys } from "../../src/auth/policies/partner";
import { canSeeProductOrder, visibleProductOrders } from "../../src/auth/policies/product-order";
import { canSeeSubscription, visibleSubscriptions } from "../../src/auth/policies/report-subscription";
import { canSeePayer, canViewTransactionsOf, payerVisible, viewableTransactions } from "../../src/auth/policies/transaction";
import { maySeeSettlementAccount, settlementAccountVisible, viewableSalesUnits } from "../../src/auth/policies/sales-unit";
import { accessCoversRun } from "../../src/auth/policies/report-run";

type Row = Record<string, string | null>;

/** A condition evaluated on one row, as PostgreSQL would (a null column equals nothing). */
function admits(condition: Condition, row: Row): boolean {
  if ("all" in condition) return condition.all.every((c) => admits(c, row));
  if ("any" in condition) return condition.any.some((c) => admits(c, row));
  const value = row[condition.field] ?? null;
  if ("eq" in condition) return value !== null && value === condition.eq;
  if ("in" in condition) return value !== null && condition.in.includes(value);
  throw new Error(`no in-memory form for ${JSON.stringify(condition)}`);
}

const [M1, M2, M3] = ["m1", "m2", "m3"];
const [U1a, U1b, U2a] = ["u1a", "u1b", "u2a"];
const UNITS = [{ id: U1a, merchantId: M1 }, { id: U1b, merchantId: M1 }, { id: U2a, merchantId: M2 }];
const user = (id: string, access: Access): Who => ({ principal: { kind: "USER", id }, access });

const CALLERS: Record<string, Who> = {
  "administrator of m1": user("p-admin", new Access([membershipGrant({ merchantId: M1, role: "ADMINISTRATOR", permissions: [], salesUnitIds: [] })])),
  "sales unit manager of u1a": user("p-sum", new Access([membershipGrant({ merchantId: M1, role: "SALES_UNIT_MANAGER", permissions: ["TRANSACTION_MANAGEMENT"], salesUnitIds: [U1a] })])),
  "assistant of u1b and administrator of m2": user(
    "p-two",
    new Access([
      membershipGrant({ merchantId: M1, role: "ASSISTANT", permissions: [], salesUnitIds: [U1b] }),
      membershipGrant({ merchantId: M2, role: "ADMINISTRATOR", permissions: [], salesUnitIds: [] }),
    ]),
  ),
  "person without a merchant": user("p-none", Access.none),
  partner: { principal: { kind: "PARTNER", id: "partner" }, access: new Access(partnerGrants(["TRANSACTIONS_READ"], [UNITS[0]!, UNITS[2]!])) },
  "api key": { principal: { kind: "API_KEY", id: "key" }, access: new Access(partnerGrants(["TRANSACTIONS_MANAGE"], [UNITS[1]!])) },
  operator: { principal: { kind: "OPERATOR", id: "op" }, access: new Access([operatorGrant]) },
  anonymous: { principal: null, access: Access.none },
};

const PEOPLE = ["p-admin", "p-sum", "p-two", "p-none", "p-other"];
const subscriptions: Row[] = [M1, M2, M3].flatMap((merchantId) => [
  { id: `s-${merchantId}`, merchantId, salesUnitId: null },
  ...UNITS.filter((u) => u.merchantId === merchantId).map((u) => ({ id: `s-${u.id}`, merchantId, salesUnitId: u.id })),
]);
const memberships: Row[] = PEOPLE.flatMap((userId) => [M1, M2, M3].map((merchantId) => ({ id: `${userId}-${merchantId}`, userId, merchantId })));
const byMerchant: Row[] = [M1, M2, M3].map((merchantId) => ({ id: `o-${merchantId}`, merchantId }));
const agreements: Row[] = PEOPLE.map((applicantId) => ({ id: `a-${applicantId}`, applicantId }));
const transactions: Row[] = UNITS.map((u) => ({ id: `t-${u.id}`, salesUnitId: u.id, merchantId: u.merchantId }));
const salesUnits: Row[] = UNITS.map((u) => ({ id: u.id, merchantId: u.merchantId }));

/** [policy, rows, check, filter]: the check and filter of one policy over rows that span every caller's reach. */
const POLICIES: [string, Row[], (who: Who, row: Row) => boolean, (who: Who) => Condition][] = [
  ["report subscriptions", subscriptions, (who, r) => canSeeSubscription(who, { merchantId: r.merchantId!, salesUnitId: r.salesUnitId ?? null }), visibleSubscriptions],
  ["memberships", memberships, (who, r) => canSeeMembership(who, { userId: r.userId!, merchantId: r.merchantId! }), visibleMemberships],
  ["administered merchants", byMerchant, (who, r) => administersOrOperates(who, r.merchantId!), administeredMerchants],
  ["product orders", byMerchant, (who, r) => canSeeProductOrder(who, { merchantId: r.merchantId! }), visibleProductOrders],
  ["merchant agreements", agreements, (who, r) => canSeeAgreement(who, { applicantId: r.applicantId! }), visibleAgreements],
  ["partner keys", [{ id: "k1" }], (who) => canSeePartnerKey(who), visiblePartnerKeys],
  [
    "transactions",
    transactions,
    (who, r) => canViewTransactionsOf(who.access, { id: r.salesUnitId!, merchantId: r.merchantId! }),
    (who) => viewableTransactions(who.access),
  ],
  [
    "payer details",
    transactions,
    (who, r) => canSeePayer(who.access, { salesUnitId: r.salesUnitId!, merchantId: r.merchantId! }),
    (who) => payerVisible(who.access),
  ],
  ["sales units", salesUnits, (who, r) => who.access.canOnSalesUnit("VIEW_SALES_UNIT", { id: r.id!, merchantId: r.merchantId! }), (who) => viewableSalesUnits(who.access)],
  [
    "unmasked payout accounts",
    salesUnits,
    (who, r) => maySeeSettlementAccount(who.access, { merchantId: r.merchantId! }),
    (who) => settlementAccountVisible(who.access),
  ],
];

describe("each policy's filter admits exactly the rows its check allows", () => {
  for (const [policy, rows, check, filter] of POLICIES) {
    it(`${policy}, for every kind of caller`, () => {
      const mismatches: string[] = [];
      for (const [caller, who] of Object.entries(CALLERS)) {
        for (const row of rows) {
          if (check(who, row) !== admits(filter(who), row)) mismatches.push(`${caller}: ${row.id} (check says ${check(who, row)})`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }

  it("lets each caller see some rows and not others, so agreement is not agreement on nothing", () => {
    const admin = CALLERS["administrator of m1"]!;
    expect(subscriptions.filter((r) => canSeeSubscription(admin, { merchantId: r.merchantId!, salesUnitId: r.salesUnitId ?? null })).map((r) => r.id)).toEqual([
      "s-m1",
      "s-u1a",
      "s-u1b",
    ]);
    const manager = CALLERS["sales unit manager of u1a"]!;
    expect(subscriptions.filter((r) => admits(visibleSubscriptions(manager), r)).map((r) => r.id)).toEqual(["s-u1a"]);
    expect(memberships.filter((r) => admits(visibleMemberships(manager), r)).map((r) => r.id)).toEqual(["p-sum-m1", "p-sum-m2", "p-sum-m3"]);
    expect(byMerchant.filter((r) => admits(administeredMerchants(CALLERS["assistant of u1b and administrator of m2"]!), r)).map((r) => r.id)).toEqual(["o-m2"]);
  });
});

describe("an export's stored access", () => {
  it("still covers the run when the same memberships come in another order", () => {
    const grants = [
      membershipGrant({ merchantId: M1, role: "SALES_UNIT_MANAGER", permissions: [], salesUnitIds: [U1a, U1b] }),
      membershipGrant({ merchantId: M2, role: "ADMINISTRATOR", permissions: [], salesUnitIds: [] }),
    ];
    const reordered = [membershipGrant({ merchantId: M2, role: "ADMINISTRATOR", permissions: [], salesUnitIds: [] }), membershipGrant({ merchantId: M1, role: "SALES_UNIT_MANAGER", permissions: [], salesUnitIds: [U1b, U1a] })];
    const run = (access: Access) => ({ kind: "TRANSACTIONS", condition: JSON.parse(JSON.stringify({ access: viewableTransactions(access) })), includePersonalData: false, merchantId: null, salesUnitIds: [] });
    expect(accessCoversRun(new Access(reordered), run(new Access(grants)))).toBe(true);
    // A different access still does not.
    const fewer = [membershipGrant({ merchantId: M1, role: "SALES_UNIT_MANAGER", permissions: [], salesUnitIds: [U1a] }), grants[1]!];
    expect(accessCoversRun(new Access(fewer), run(new Access(grants)))).toBe(false);
  });

  it("still covers a partner's export stored with one term per linked unit, as access was written before", () => {
    const units = [UNITS[0]!, UNITS[1]!, UNITS[2]!];
    const access = new Access(partnerGrants(["TRANSACTIONS_READ"], units));
    const perUnit = { any: units.map((u) => ({ all: [{ field: "merchantId", eq: u.merchantId }, { field: "salesUnitId", in: [u.id] }] })) };
    const run = { kind: "TRANSACTIONS", condition: { access: perUnit }, includePersonalData: false, merchantId: null, salesUnitIds: [] };
    expect(accessCoversRun(access, run)).toBe(true);
    expect(accessCoversRun(new Access(partnerGrants(["TRANSACTIONS_READ"], units.slice(0, 2))), run)).toBe(false);
  });
});
