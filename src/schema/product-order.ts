/** Product orders ("Order solution"). */
import { builder } from "./builder";
import { cursorSeen, listedPage, nodeConnection } from "./connection";
import { uuidOrNil } from "../domain/ids";
import { ChannelEnum, ProductOrderStatusEnum, ProductTypeEnum } from "./enums";
import { Merchant } from "./merchant";
import type { Context } from "../context";
import type { ProductOrderStatus } from "../generated/prisma/enums";
import { toPrismaWhere } from "../db/conditions";
import { canSeeProductOrder, visibleProductOrders } from "../auth/policies/product-order";

const productOrderWhere = (ctx: Context) => toPrismaWhere(visibleProductOrders(ctx));

export const ProductOrder = builder.prismaNode("ProductOrder", {
  id: { field: "id", description: "Global id: pass it to `node(id:)` and to arguments that take this object." },
  nullable: true,
  description: "An ordered product. A new production sales unit takes up to 10 working days: see `expectedBy`.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [productOrderWhere(ctx)] }),
  authScopes: (order, ctx) => canSeeProductOrder(ctx, order),
  fields: (t) => ({
    product: t.expose("product", { type: ProductTypeEnum, description: "What was ordered." }),
    status: t.expose("status", { type: ProductOrderStatusEnum, description: "Where the order stands." }),
    salesUnitName: t.exposeString("salesUnitName", { nullable: true, description: "The name of the new sales unit to create; null when the order is for an existing one." }),
    channel: t.expose("channel", { type: ChannelEnum, nullable: true, description: "The channel of the new sales unit; null when the order creates none." }),
    note: t.exposeString("note", { nullable: true, description: "The merchant's note to customer service; null if none." }),
    expectedBy: t.expose("expectedBy", { type: "Date", description: "When the merchant can expect it delivered: 10 working days after ordering." }),
    decidedAt: t.expose("decidedAt", { type: "DateTime", nullable: true, description: "When customer service completed or rejected it; null until then." }),
    rejectionReason: t.exposeString("rejectionReason", { nullable: true, description: "Why customer service rejected the order." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was ordered." }),
    merchant: t.relation("merchant", { description: "The merchant that ordered it." }),
    partner: t.relation("partner", { nullable: true, description: "The integration partner named in the order; null if none." }),
    salesUnit: t.relation("salesUnit", { nullable: true, description: "The existing sales unit the order is for, or the new one once completed; null until there is one." }),
  }),
});

const ProductOrderConnection = nodeConnection(ProductOrder, "ProductOrder", "product orders");

builder.prismaObjectFields(Merchant, (t) => ({
  productOrders: t.relatedConnection("productOrders", {
    cursor: "id",
    description: "The merchant's product orders, newest first (Administrators and operators).",
    authScopes: (merchant, _args, ctx) => canSeeProductOrder(ctx, { merchantId: merchant.id }),
    query: cursorSeen(
      () => ({ orderBy: [{ createdAt: "desc" as const }, { id: "desc" as const }] }),
      (id, ctx) => ctx.db.productOrder.findFirst({ where: { id: uuidOrNil(id), AND: [productOrderWhere(ctx)] }, select: { id: true } }),
    ),
    totalCount: true,
  }, ProductOrderConnection),
}));

builder.queryFields((t) => ({
  productOrders: t.prismaConnection({
    type: "ProductOrder",
    cursor: "id",
    description: "Product orders of the merchants you administer; operators see all, filterable by status.",
    authScopes: { authenticated: true },
    args: { status: t.arg({ type: [ProductOrderStatusEnum], required: false, description: "Only orders in these statuses; leave out (or empty) for all." }) },
    resolve: (query, _root, args, ctx) => {
      const where = productOrderListWhere(ctx, args.status);
      return listedPage(
        query,
        (cursor) => ctx.db.productOrder.findFirst({ where: { AND: [where, cursor] }, select: { id: true } }),
        () => ctx.db.productOrder.findMany({ ...query, where, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
      );
    },
    totalCount: (_root, args, ctx) => ctx.db.productOrder.count({ where: productOrderListWhere(ctx, args.status) }),
  }, ProductOrderConnection),
}));

/** The orders the list shows: what the caller may see, in the statuses asked for. */
function productOrderListWhere(ctx: Context, status: readonly ProductOrderStatus[] | null | undefined) {
  return { AND: [productOrderWhere(ctx), status?.length ? { status: { in: [...status] } } : {}] };
}
