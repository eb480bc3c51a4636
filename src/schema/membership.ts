import { builder } from "./builder";
import { nodeConnection } from "./connection";
import { Merchant } from "./merchant";
import { uuidOrNil } from "../domain/ids";
import { PermissionEnum, RoleEnum } from "./enums";
import { SalesUnit } from "./sales-unit";
import { canSeeMembership, membershipWhere } from "../auth/policies/person";

export const Membership = builder.prismaNode("Membership", {
  id: { field: "id", description: "Global id: pass it to `node(id:)` and to arguments that take this object." },
  nullable: true,
  description: "A person's access to one merchant: a role, extra permissions and (for the lower roles) sales units.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [membershipWhere(ctx)] }),
  authScopes: (membership, ctx) => canSeeMembership(ctx, membership),
  fields: (t) => ({
    role: t.expose("role", { type: RoleEnum, description: "The person's role at the merchant." }),
    permissions: t.expose("permissions", { type: [PermissionEnum], description: "Extra permissions on top of the role; empty for an Administrator, who has them all." }),
    merchant: t.relation("merchant", { description: "The merchant the access is to." }),
    user: t.relation("user", { description: "The person who holds the access." }),
    salesUnits: t.field({
      type: [SalesUnit],
      description: "The sales units the membership reaches (all of the merchant's for an Administrator), by name.",
      select: (_args, _ctx, nestedSelection) => ({
        role: true,
        merchant: { select: { salesUnits: nestedSelection({ orderBy: [{ name: "asc" as const }, { id: "asc" as const }] }) } },
        salesUnits: { select: { salesUnit: nestedSelection() }, orderBy: [{ salesUnit: { name: "asc" as const } }, { salesUnitId: "asc" as const }] },
      }),
      resolve: (membership) =>
        membership.role === "ADMINISTRATOR" ? membership.merchant.salesUnits : membership.salesUnits.map((link) => link.salesUnit),
    }),
    acceptedAt: t.expose("acceptedAt", {
      type: "DateTime",
      nullable: true,
      description: "When the person first logged in holding this access. Until then the merchant sees no name or NIN: add by NIN or phone, and the person appears by name once they log in.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the access was given." }),
  }),
});

const MembershipConnection = nodeConnection(Membership, "Membership", "user accesses");

builder.prismaObjectFields(Merchant, (t) => ({
  memberships: t.relatedConnection(
    "memberships",
    {
      cursor: "id",
      description: "User accesses of the merchant (Administrators).",
      authScopes: (merchant) => ({ wholeMerchant: { action: "ADMINISTER_MERCHANT", merchantId: merchant.id } }),
      // Oldest access first. No order by name: a person's name is hidden until they accept the access, and a
      // sort by it would hint at it.
      query: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      totalCount: true,
    },
    MembershipConnection,
  ),
}));

