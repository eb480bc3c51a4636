/**
 * The permission model, in one place (explained in docs/permissions.md). Everything else asks `Access` which actions a principal may
 * take on which merchant or sales unit; nothing re-derives a rule from roles.
 */
import type { Permission, PartnerScope, Role } from "../generated/prisma/enums";
import { all, EVERYTHING, toPrismaWhere, type Condition } from "../db/conditions";

export const ACTIONS = [
  "VIEW_SALES_UNIT",
  "VIEW_TRANSACTIONS",
  "VIEW_PAYER_DETAILS",
  "REQUEST_PAYMENT",
  "EDIT_SALES_UNIT",
  "ADMINISTER_MERCHANT",
  "MANAGE_TRANSACTIONS",
  "DEVELOPER",
  "PERSONAL_DATA_REPORTS",
] as const;
export type Action = (typeof ACTIONS)[number];

const VIEW: Action[] = ["VIEW_SALES_UNIT", "VIEW_TRANSACTIONS", "VIEW_PAYER_DETAILS", "REQUEST_PAYMENT"];

/** What each role may do on the sales units it reaches (an Administrator reaches all of its merchant's). */
export const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  ADMINISTRATOR: ACTIONS,
  SALES_UNIT_MANAGER: [...VIEW, "EDIT_SALES_UNIT"],
  ASSISTANT: VIEW,
};

/** What an extra permission adds to the two lower roles. */
export const PERMISSION_ACTIONS: Record<Exclude<Role, "ADMINISTRATOR">, Record<Permission, readonly Action[]>> = {
  SALES_UNIT_MANAGER: {
    TRANSACTION_MANAGEMENT: ["MANAGE_TRANSACTIONS", "PERSONAL_DATA_REPORTS"],
    DEVELOPER: ["DEVELOPER"],
  },
  ASSISTANT: {
    TRANSACTION_MANAGEMENT: ["MANAGE_TRANSACTIONS"],
    DEVELOPER: ["DEVELOPER"],
  },
};

/** What a partner key's scopes allow on the sales units linked to the partner. */
export const PARTNER_SCOPE_ACTIONS: Record<PartnerScope, readonly Action[]> = {
  SALES_UNITS_READ: ["VIEW_SALES_UNIT"],
  TRANSACTIONS_READ: ["VIEW_SALES_UNIT", "VIEW_TRANSACTIONS"],
  PAYMENTS_WRITE: ["VIEW_SALES_UNIT", "REQUEST_PAYMENT"],
  TRANSACTIONS_MANAGE: ["VIEW_SALES_UNIT", "VIEW_TRANSACTIONS", "MANAGE_TRANSACTIONS"],
  PERSONAL_DATA_READ: ["VIEW_PAYER_DETAILS", "PERSONAL_DATA_REPORTS"],
};

/** A merchant API key: its own sales unit, payment operations only. */
export const API_KEY_ACTIONS: readonly Action[] = ["VIEW_SALES_UNIT", "VIEW_TRANSACTIONS", "REQUEST_PAYMENT", "MANAGE_TRANSACTIONS"];

/** Customer service reads every merchant to help it; its own decisions are operator-only mutations. */
export const OPERATOR_ACTIONS: readonly Action[] = ["VIEW_SALES_UNIT", "VIEW_TRANSACTIONS"];

/**
 * One reach of a principal: a merchant (or every merchant), all of its sales units or a list, and the actions
 * allowed there.
 */
export interface Grant {
  merchantId: string | "*";
  salesUnitIds: ReadonlySet<string> | "ALL";
  actions: ReadonlySet<Action>;
}

export interface MembershipInput {
  merchantId: string;
  role: Role;
  permissions: readonly Permission[];
  salesUnitIds: readonly string[];
}

export function membershipGrant(membership: MembershipInput): Grant {
  if (membership.role === "ADMINISTRATOR") {
    return { merchantId: membership.merchantId, salesUnitIds: "ALL", actions: new Set(ROLE_ACTIONS.ADMINISTRATOR) };
  }
  const extra = membership.permissions.flatMap((permission) => PERMISSION_ACTIONS[membership.role as Exclude<Role, "ADMINISTRATOR">][permission]);
  return {
    merchantId: membership.merchantId,
    salesUnitIds: new Set(membership.salesUnitIds),
    actions: new Set([...ROLE_ACTIONS[membership.role], ...extra]),
  };
}

export function partnerGrants(scopes: readonly PartnerScope[], linkedUnits: readonly { id: string; merchantId: string }[]): Grant[] {
  const actions = new Set(scopes.flatMap((scope) => PARTNER_SCOPE_ACTIONS[scope]));
  return linkedUnits.map((unit) => ({ merchantId: unit.merchantId, salesUnitIds: new Set([unit.id]), actions }));
}

export function apiKeyGrant(unit: { id: string; merchantId: string }): Grant {
  return { merchantId: unit.merchantId, salesUnitIds: new Set([unit.id]), actions: new Set(API_KEY_ACTIONS) };
}

export const operatorGrant: Grant = { merchantId: "*", salesUnitIds: "ALL", actions: new Set(OPERATOR_ACTIONS) };

/** The answer to "may this principal do A on X", and the row filters that make lists show only that. */
export class Access {
  private canonical: string | undefined;

  constructor(readonly grants: readonly Grant[]) {}

  /** The same string for two access objects with the same grants, in any order of their sets (a cache or group key). */
  get key(): string {
    this.canonical ??= JSON.stringify(
      this.grants.map((grant) => [grant.merchantId, grant.salesUnitIds === "ALL" ? "ALL" : [...grant.salesUnitIds].sort(), [...grant.actions].sort()]),
    );
    return this.canonical;
  }

  static none = new Access([]);

  /** May the principal do `action` somewhere in the merchant (e.g. create a test sales unit, add users)? */
  canOnMerchant(action: Action, merchantId: string): boolean {
    return this.grants.some((g) => (g.merchantId === "*" || g.merchantId === merchantId) && g.actions.has(action));
  }

  /** May the principal do `action` on every sales unit of the merchant, present and future (Administrator-like)? */
  canOnWholeMerchant(action: Action, merchantId: string): boolean {
    return this.grants.some(
      (g) => (g.merchantId === "*" || g.merchantId === merchantId) && g.salesUnitIds === "ALL" && g.actions.has(action),
    );
  }

  canOnSalesUnit(action: Action, unit: { id: string; merchantId: string }): boolean {
    return this.grants.some(
      (g) =>
        (g.merchantId === "*" || g.merchantId === unit.merchantId) &&
        (g.salesUnitIds === "ALL" || g.salesUnitIds.has(unit.id)) &&
        g.actions.has(action),
    );
  }

  /** The merchants where the principal may do `action` at all ("*" when every merchant). */
  merchantIds(action: Action): string[] | "*" {
    const ids = new Set<string>();
    for (const g of this.grants) {
      if (!g.actions.has(action)) continue;
      if (g.merchantId === "*") return "*";
      ids.add(g.merchantId);
    }
    return [...ids];
  }

  /** The merchants where the principal may do `action` on every sales unit ("*" when every merchant). */
  wholeMerchantIds(action: Action): string[] | "*" {
    const ids = new Set<string>();
    for (const g of this.grants) {
      if (g.salesUnitIds !== "ALL" || !g.actions.has(action)) continue;
      if (g.merchantId === "*") return "*";
      ids.add(g.merchantId);
    }
    return [...ids];
  }

  /** The sales units reached one by one (not through a whole merchant) with `action`. */
  listedSalesUnitIds(action: Action): string[] {
    return this.grants.flatMap((g) => (g.salesUnitIds !== "ALL" && g.actions.has(action) ? [...g.salesUnitIds] : []));
  }

  /**
   * The SalesUnit rows the principal may do `action` on, as a condition on `id` and `merchantId`: one term per grant,
   * the same test as `canOnSalesUnit`.
   */
  salesUnitScope(action: Action): Condition {
    return this.unitScope(action, "id");
  }

  /** Rows that belong to a sales unit (transactions, QR codes, settlements…), by `salesUnitId` and `merchantId`. */
  salesUnitChildScope(action: Action): Condition {
    return this.unitScope(action, "salesUnitId");
  }

  /** Prisma filter for SalesUnit rows the principal may do `action` on. */
  salesUnitWhere(action: Action): Record<string, unknown> {
    return toPrismaWhere(this.salesUnitScope(action));
  }

  /** Prisma filter for rows that belong to a sales unit, by their foreign keys. */
  salesUnitChildWhere(action: Action): Record<string, unknown> {
    return toPrismaWhere(this.salesUnitChildScope(action));
  }

  private unitScope(action: Action, unitField: "id" | "salesUnitId"): Condition {
    // One term per merchant, whatever the number of grants: a partner holds one grant per linked sales unit, and a
    // term per grant made statements with thousands of parameters.
    const byMerchant = new Map<string, Set<string> | "ALL">();
    for (const g of this.grants) {
      if (!g.actions.has(action)) continue;
      if (g.merchantId === "*") return EVERYTHING;
      const units = byMerchant.get(g.merchantId);
      if (g.salesUnitIds === "ALL" || units === "ALL") byMerchant.set(g.merchantId, "ALL");
      else if (units) for (const id of g.salesUnitIds) units.add(id);
      else byMerchant.set(g.merchantId, new Set(g.salesUnitIds));
    }
    const terms: Condition[] = [...byMerchant].map(([merchantId, units]) => {
      const merchant: Condition = { field: "merchantId", eq: merchantId };
      return units === "ALL" ? merchant : all([merchant, { field: unitField, in: [...units] }]);
    });
    // Nothing is an empty `in` on the key rather than an empty OR, which Prisma reads as "no condition".
    return terms.length === 0 ? { field: unitField, in: [] } : { any: terms };
  }
}
