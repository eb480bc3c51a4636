import { builder } from "./builder";
import { nodeConnection } from "./connection";
import { Merchant } from "./merchant";
import { uuidOrNil } from "../domain/ids";
import { OrderDirectionEnum, PermissionEnum, RoleEnum } from "./enums";
import { SalesUnit } from "./sales-unit";
import { canSeeMembership, membershipWhere, registerDataReadableSql } from "../auth/policies/person";
import DataLoader from "dataloader";
import { SqlParams } from "../db/conditions";
import { type MEMBERSHIP_ORDER_FIELDS, orderColumns, pageOfOrderedIds, type CursorPage, type OrderDirection } from "../domain/ordering";
import type { Context } from "../context";
import { NOT_CACHED, remembered } from "./remembered";

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
      description:
        "User accesses of the merchant, for its Administrators and customer service (who hands a sole Administrator's role over with `transferAdministrator`), oldest first unless `orderBy` says otherwise.",
      authScopes: (merchant) => ({ $any: { operator: true, wholeMerchant: { action: "ADMINISTER_MERCHANT", merchantId: merchant.id } } }),
      args: { orderBy: t.arg({ type: MembershipOrder, required: false, description: "The order of the list; oldest access first when left out." }) },
      resolve: async (query, merchant, args, ctx) => {
        const { cursor, skip, take, ...selection } = query as typeof query & CursorPage;
        const order = orderOf(args.orderBy);
        const ids = pageOfOrderedIds(await accessIdsOf(ctx, merchant, order), { cursor, skip, take } as CursorPage);
        const rows = accessesOf(ctx, order).rows(selection);
        return Promise.all(ids.map((id) => rows.load(id)));
      },
      totalCount: async (merchant, args, ctx) => (await accessIdsOf(ctx, merchant, orderOf(args.orderBy))).length,
    },
    MembershipConnection,
  ),
}));

type AccessOrder = { field: (typeof MEMBERSHIP_ORDER_FIELDS)[number]; direction: OrderDirection };
type MembershipRow = Awaited<ReturnType<Context["db"]["membership"]["findFirstOrThrow"]>>;

function orderOf(orderBy: { field: AccessOrder["field"]; direction?: OrderDirection | null } | null | undefined): AccessOrder {
  return { field: orderBy?.field ?? "CREATED_AT", direction: orderBy?.direction ?? "ASC" };
}

/**
 * `Merchant.memberships` for every merchant of a page at once. One statement lists the accesses of all the merchants
 * asked for, each merchant's in the requested order; each connection cuts its page from its own list (whose length is
 * its total count), and one more statement reads the rows of all the pages. A merchant has a few to a few hundred
 * accesses, so reading its whole list of ids costs less than two statements per merchant on the page; it is also the
 * only way to page by the readable name, an order Prisma cannot express.
 */
interface AccessLoaders {
  ids: DataLoader<string, string[]>;
  /** The rows of accesses by id, with one Prisma selection (what the document asks of them). */
  rows(selection: object): DataLoader<string, MembershipRow>;
}

const accessLoaders = new WeakMap<Context, Map<string, AccessLoaders>>();

function accessesOf(ctx: Context, order: AccessOrder): AccessLoaders {
  const byOrder = remembered(accessLoaders, ctx, () => new Map<string, AccessLoaders>());
  return remembered(byOrder, keyOf(order), () => {
    const bySelection = new Map<string, DataLoader<string, MembershipRow>>();
    return {
      ids: new DataLoader(async (merchantIds) => {
        const lists = new Map<string, string[]>(merchantIds.map((id) => [id, []]));
        for (const row of await orderedAccessIds(ctx, merchantIds, order)) lists.get(row.merchantId)!.push(row.id);
        return merchantIds.map((id) => lists.get(id)!);
      }, NOT_CACHED),
      rows: (selection) =>
        remembered(bySelection, JSON.stringify(selection), () =>
          new DataLoader<string, MembershipRow>(async (ids) => {
            const rows = await ctx.db.membership.findMany({ ...selection, where: { id: { in: [...ids] } } });
            const byId = new Map(rows.map((row) => [row.id, row]));
            return ids.map((id) => byId.get(id) ?? new Error(`The user access ${id} was removed while it was read`));
          }, NOT_CACHED),
        ),
    };
  });
}

/** The merchant's ordered access ids, read once for its page and its total count (the same parent object asks twice). */
const idsByParent = new WeakMap<object, Map<string, Promise<string[]>>>();

function accessIdsOf(ctx: Context, merchant: { id: string }, order: AccessOrder): Promise<string[]> {
  const byOrder = remembered(idsByParent, merchant, () => new Map<string, Promise<string[]>>());
  return remembered(byOrder, keyOf(order), () => accessesOf(ctx, order).ids.load(merchant.id));
}

const keyOf = (order: AccessOrder) => `${order.field} ${order.direction}`;

/**
 * The accesses of `merchantIds`, each merchant's in `order`: oldest first (or last), or by the person's name where the
 * caller may read it (the same rule as `PortalUser.name`), the others after them, oldest first, whichever the
 * direction, so their order reveals nothing about their names.
 */
async function orderedAccessIds(ctx: Context, merchantIds: readonly string[], order: AccessOrder): Promise<{ id: string; merchantId: string }[]> {
  const params = new SqlParams();
  const merchants = params.add(merchantIds, "uuid[]");
  const direction = order.direction;
  const sorted =
    order.field === "NAME"
      ? `CASE WHEN ${registerDataReadableSql(ctx, "u", params)} THEN u.name END ${direction} NULLS LAST, m."createdAt" ASC, m.id ASC`
      : orderColumns("createdAt", direction).map(({ column, direction }) => `m."${column}" ${direction}`).join(", ");
  const join = order.field === "NAME" ? `JOIN "PortalUser" u ON u.id = m."userId" ` : "";
  return ctx.db.$queryRawUnsafe<{ id: string; merchantId: string }[]>(
    `SELECT m.id::text AS id, m."merchantId"::text AS "merchantId" FROM "Membership" m ${join}WHERE m."merchantId" = ANY(${merchants}) ORDER BY ${sorted}`,
    ...params.values,
  );
}
