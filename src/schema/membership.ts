import { builder } from "./builder";
import { nodeConnection } from "./connection";
import { Merchant } from "./merchant";
import { uuidOrNil } from "../domain/ids";
import { OrderDirectionEnum, PermissionEnum, RoleEnum } from "./enums";
import { SalesUnit } from "./sales-unit";
import { canSeeMembership, membershipWhere, registerDataReadableSql } from "../auth/policies/person";
import { SqlParams } from "../db/conditions";
import { type MEMBERSHIP_ORDER_FIELDS, orderColumns, pageOfOrderedIds, prismaOrderBy, type CursorPage, type OrderDirection } from "../domain/ordering";
import type { Context } from "../context";

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

const MembershipOrderFieldEnum = builder.enumType("MembershipOrderField", {
  description: "What a list of user accesses can be sorted by.",
  values: {
    CREATED_AT: { description: "When the access was given." },
    NAME: {
      description:
        "The person's name, where you may read it. A name hidden from you (until the person logs in holding an access to a merchant you administer) " +
        "has no place in this order: those accesses come after the named ones, oldest first, in either direction, so the order says nothing about the hidden names.",
    },
  } as const satisfies Record<(typeof MEMBERSHIP_ORDER_FIELDS)[number], unknown>,
});

const MembershipOrder = builder.inputType("MembershipOrder", {
  description: "How to sort user accesses; ties keep one fixed order, so pages never repeat or skip an access.",
  fields: (t) => ({
    field: t.field({ type: MembershipOrderFieldEnum, required: true, description: "The column to sort by." }),
    direction: t.field({ type: OrderDirectionEnum, required: true, defaultValue: "ASC", description: "Which way; ASC when left out." }),
  }),
});

builder.prismaObjectFields(Merchant, (t) => ({
  memberships: t.prismaConnection(
    {
      type: "Membership",
      cursor: "id",
      description: "User accesses of the merchant (Administrators), oldest first unless `orderBy` says otherwise.",
      authScopes: (merchant) => ({ wholeMerchant: { action: "ADMINISTER_MERCHANT", merchantId: merchant.id } }),
      args: { orderBy: t.arg({ type: MembershipOrder, required: false, description: "The order of the list; oldest access first when left out." }) },
      resolve: async (query, merchant, args, ctx) => {
        if (args.orderBy?.field !== "NAME") {
          const order = prismaOrderBy(orderColumns("createdAt", args.orderBy?.direction ?? "ASC"));
          return ctx.db.membership.findMany({ ...query, where: { merchantId: merchant.id }, orderBy: order });
        }
        // Prisma cannot order by "the name where the caller may read it": the order comes from SQL, the page from it.
        const ordered = await membershipIdsByReadableName(ctx, merchant.id, args.orderBy.direction);
        const ids = pageOfOrderedIds(ordered, query as CursorPage);
        const { cursor: _cursor, skip: _skip, take: _take, ...selection } = query as typeof query & CursorPage;
        const rows = await ctx.db.membership.findMany({ ...selection, where: { id: { in: ids } } });
        const position = new Map(ids.map((id, index) => [id, index]));
        return rows.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
      },
      totalCount: (merchant, _args, ctx) => ctx.db.membership.count({ where: { merchantId: merchant.id } }),
    },
    MembershipConnection,
  ),
}));

/**
 * The merchant's accesses by the person's name where the caller may read it (the same rule as `PortalUser.name`);
 * the others after them, oldest first, whichever the direction, so their order reveals nothing about their names.
 */
async function membershipIdsByReadableName(ctx: Context, merchantId: string, direction: OrderDirection): Promise<string[]> {
  const params = new SqlParams();
  const merchant = params.add(merchantId, "uuid");
  const readable = registerDataReadableSql(ctx, "u", params);
  const rows = await ctx.db.$queryRawUnsafe<{ id: string }[]>(
    `SELECT m.id::text AS id FROM "Membership" m JOIN "PortalUser" u ON u.id = m."userId" WHERE m."merchantId" = ${merchant} ` +
      `ORDER BY CASE WHEN ${readable} THEN u.name END ${direction} NULLS LAST, m."createdAt" ASC, m.id ASC`,
    ...params.values,
  );
  return rows.map((row) => row.id);
}
