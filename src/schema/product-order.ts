/** Product orders ("Order solution"). */
import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { ChannelEnum, ProductOrderStatusEnum, ProductTypeEnum } from "./enums";
import { Merchant } from "./merchant";
import type { Context } from "../context";
import { toPrismaWhere } from "../db/conditions";
import { canSeeProductOrder, visibleProductOrders } from "../auth/policies/product-order";

const productOrderWhere = (ctx: Context) => toPrismaWhere(visibleProductOrders(ctx));

export const ProductOrder = builder.prismaNode("ProductOrder", {
  id: { field: "id" },
  nullable: true,
  description: "An ordered product. A new production sales unit takes up to 10 working days: see `expectedBy`.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [productOrderWhere(ctx)] }),
  authScopes: (order, ctx) => canSeeProductOrder(ctx, order),
  fields: (t) => ({
    product: t.expose("product", { type: ProductTypeEnum }),
    status: t.expose("status", { type: ProductOrderStatusEnum }),
    salesUnitName: t.exposeString("salesUnitName", { nullable: true }),
    channel: t.expose("channel", { type: ChannelEnum, nullable: true }),
    note: t.exposeString("note", { nullable: true }),
    expectedBy: t.expose("expectedBy", { type: "Date" }),
    decidedAt: t.expose("decidedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    merchant: t.relation("merchant"),
    partner: t.relation("partner", { nullable: true }),
    salesUnit: t.relation("salesUnit", { nullable: true }),
  }),
});

builder.prismaObjectFields(Merchant, (t) => ({
  productOrders: t.relatedConnection("productOrders", {
    cursor: "id",
    authScopes: (merchant, _args, ctx) => canSeeProductOrder(ctx, { merchantId: merchant.id }),
    query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
    totalCount: true,
  }),
}));

builder.queryFields((t) => ({
  productOrders: t.prismaConnection({
    type: "ProductOrder",
    cursor: "id",
    description: "Product orders of the merchants you administer; operators see all, filterable by status.",
    authScopes: { authenticated: true },
    args: { status: t.arg({ type: [ProductOrderStatusEnum], required: false }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.productOrder.findMany({
        ...query,
        where: {
          AND: [
            productOrderWhere(ctx),
            args.status?.length ? { status: { in: args.status } } : {},
          ],
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      }),
  }),
}));
