import { describe, expect, it } from "vitest";
import { Access, apiKeyGrant, membershipGrant, operatorGrant, partnerGrants, type Action } from "../../src/auth/permissions";

const M = "merchant-1";
const OTHER = "merchant-2";
const U1 = { id: "unit-1", merchantId: M };
const U2 = { id: "unit-2", merchantId: M };
const FOREIGN = { id: "unit-9", merchantId: OTHER };

function member(role: "ADMINISTRATOR" | "SALES_UNIT_MANAGER" | "ASSISTANT", permissions: ("TRANSACTION_MANAGEMENT" | "DEVELOPER")[] = []) {
  return new Access([membershipGrant({ merchantId: M, role, permissions, salesUnitIds: [U1.id] })]);
}

/** docs/permissions.md, row by row: the action, then who may do it on an assigned unit. */
const TABLE: [Action, Record<string, boolean>][] = [
  ["VIEW_TRANSACTIONS", { admin: true, sum: true, "sum+tm": true, "sum+dev": true, assistant: true, "assistant+tm": true, "assistant+dev": true }],
  ["REQUEST_PAYMENT", { admin: true, sum: true, "sum+tm": true, "sum+dev": true, assistant: true, "assistant+tm": true, "assistant+dev": true }],
  ["EDIT_SALES_UNIT", { admin: true, sum: true, "sum+tm": true, "sum+dev": true, assistant: false, "assistant+tm": false, "assistant+dev": false }],
  ["ADMINISTER_MERCHANT", { admin: true, sum: false, "sum+tm": false, "sum+dev": false, assistant: false, "assistant+tm": false, "assistant+dev": false }],
  ["MANAGE_TRANSACTIONS", { admin: true, sum: false, "sum+tm": true, "sum+dev": false, assistant: false, "assistant+tm": true, "assistant+dev": false }],
  ["DEVELOPER", { admin: true, sum: false, "sum+tm": false, "sum+dev": true, assistant: false, "assistant+tm": false, "assistant+dev": true }],
  ["PERSONAL_DATA_REPORTS", { admin: true, sum: false, "sum+tm": true, "sum+dev": false, assistant: false, "assistant+tm": false, "assistant+dev": false }],
];

const WHO: Record<string, Access> = {
  admin: member("ADMINISTRATOR"),
  sum: member("SALES_UNIT_MANAGER"),
  "sum+tm": member("SALES_UNIT_MANAGER", ["TRANSACTION_MANAGEMENT"]),
  "sum+dev": member("SALES_UNIT_MANAGER", ["DEVELOPER"]),
  assistant: member("ASSISTANT"),
  "assistant+tm": member("ASSISTANT", ["TRANSACTION_MANAGEMENT"]),
  "assistant+dev": member("ASSISTANT", ["DEVELOPER"]),
};

describe("the permission table", () => {
  for (const [action, expected] of TABLE) {
    for (const [who, allowed] of Object.entries(expected)) {
      it(`${allowed ? "lets" : "does not let"} ${who} ${action} on an assigned sales unit`, () => {
        expect(WHO[who]!.canOnSalesUnit(action, U1)).toBe(allowed);
      });
    }
  }

  it("gives the lower roles nothing on sales units they are not assigned", () => {
    for (const who of ["sum+tm", "assistant+dev"]) {
      expect(WHO[who]!.canOnSalesUnit("VIEW_TRANSACTIONS", U2)).toBe(false);
    }
    expect(WHO.admin!.canOnSalesUnit("VIEW_TRANSACTIONS", U2)).toBe(true);
  });

  it("never reaches another merchant's sales units", () => {
    for (const access of Object.values(WHO)) {
      expect(access.canOnSalesUnit("VIEW_SALES_UNIT", FOREIGN)).toBe(false);
      expect(access.canOnMerchant("VIEW_SALES_UNIT", OTHER)).toBe(false);
    }
  });

  it("treats only Administrators as acting on the whole merchant", () => {
    expect(WHO.admin!.canOnWholeMerchant("ADMINISTER_MERCHANT", M)).toBe(true);
    expect(WHO["sum+dev"]!.canOnWholeMerchant("DEVELOPER", M)).toBe(false);
    expect(WHO["sum+dev"]!.canOnMerchant("DEVELOPER", M)).toBe(true);
  });
});

describe("partners, API keys and operators", () => {
  it("gives a partner only its linked units and only what its scopes allow", () => {
    const access = new Access(partnerGrants(["TRANSACTIONS_READ"], [U1]));
    expect(access.canOnSalesUnit("VIEW_TRANSACTIONS", U1)).toBe(true);
    expect(access.canOnSalesUnit("VIEW_TRANSACTIONS", U2)).toBe(false);
    expect(access.canOnSalesUnit("MANAGE_TRANSACTIONS", U1)).toBe(false);
    expect(access.canOnSalesUnit("VIEW_PAYER_DETAILS", U1)).toBe(false);
  });

  it("limits a merchant API key to payment operations on its own sales unit", () => {
    const access = new Access([apiKeyGrant(U1)]);
    expect(access.canOnSalesUnit("MANAGE_TRANSACTIONS", U1)).toBe(true);
    expect(access.canOnSalesUnit("EDIT_SALES_UNIT", U1)).toBe(false);
    expect(access.canOnSalesUnit("DEVELOPER", U1)).toBe(false);
    expect(access.canOnSalesUnit("VIEW_TRANSACTIONS", U2)).toBe(false);
  });

  it("lets an operator read every merchant but not manage money or keys", () => {
    const access = new Access([operatorGrant]);
    expect(access.canOnSalesUnit("VIEW_TRANSACTIONS", FOREIGN)).toBe(true);
    expect(access.canOnSalesUnit("MANAGE_TRANSACTIONS", FOREIGN)).toBe(false);
    expect(access.canOnSalesUnit("DEVELOPER", FOREIGN)).toBe(false);
  });
});

describe("row filters", () => {
  it("match nothing for a principal without the action", () => {
    expect(member("ASSISTANT").salesUnitWhere("EDIT_SALES_UNIT")).toEqual({ id: { in: [] } });
    expect(member("ASSISTANT").salesUnitChildWhere("EDIT_SALES_UNIT")).toEqual({ salesUnitId: { in: [] } });
  });

  it("cover the whole merchant for an Administrator and the assigned units otherwise", () => {
    expect(member("ADMINISTRATOR").salesUnitWhere("VIEW_SALES_UNIT")).toEqual({ OR: [{ merchantId: M }] });
    expect(member("ASSISTANT").salesUnitChildWhere("VIEW_TRANSACTIONS")).toEqual({ OR: [{ AND: [{ merchantId: M }, { salesUnitId: { in: [U1.id] } }] }] });
  });
});
