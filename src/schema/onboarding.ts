/** Merchant agreements and product orders ("Order solution"). */
import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { AgreementStatusEnum, ChannelEnum, CountryEnum, ProductOrderStatusEnum, ProductTypeEnum } from "./enums";
import { Merchant, administeredMerchantsWhere } from "./merchant";
import type { Context } from "../context";

function agreementWhere(ctx: Context) {
  if (ctx.principal?.kind === "OPERATOR") return {};
  if (ctx.principal?.kind === "USER") return { applicantId: ctx.principal.id };
  return { id: { in: [] as string[] } };
}

export const MerchantAgreement = builder.prismaNode("MerchantAgreement", {
  id: { field: "id" },
  nullable: true,
  description: "An application to become a merchant: DRAFT → SUBMITTED → APPROVED / REJECTED.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [agreementWhere(ctx)] }),
  authScopes: (agreement, ctx) => ctx.principal?.kind === "OPERATOR" || (ctx.principal?.kind === "USER" && ctx.principal.id === agreement.applicantId),
  fields: (t) => ({
    merchantName: t.exposeString("merchantName"),
    organizationNumber: t.exposeString("organizationNumber"),
    country: t.expose("country", { type: CountryEnum }),
    addressLine: t.exposeString("addressLine", { nullable: true }),
    postalCode: t.exposeString("postalCode", { nullable: true }),
    city: t.exposeString("city", { nullable: true }),
    contactEmail: t.exposeString("contactEmail", { nullable: true }),
    status: t.expose("status", { type: AgreementStatusEnum }),
    submittedAt: t.expose("submittedAt", { type: "DateTime", nullable: true }),
    decidedAt: t.expose("decidedAt", { type: "DateTime", nullable: true }),
    rejectionReason: t.exposeString("rejectionReason", { nullable: true }),
    merchant: t.relation("merchant", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const ProductOrder = builder.prismaNode("ProductOrder", {
  id: { field: "id" },
  nullable: true,
  description: "An ordered product. A new production sales unit takes up to 10 working days: see `expectedBy`.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [administeredMerchantsWhere(ctx)] }),
  authScopes: (order) => ({ $any: { wholeMerchant: { action: "ADMINISTER_MERCHANT", merchantId: order.merchantId }, operator: true } }),
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
    authScopes: (merchant) => ({ $any: { wholeMerchant: { action: "ADMINISTER_MERCHANT", merchantId: merchant.id }, operator: true } }),
    query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
    totalCount: true,
  }),
}));

builder.queryFields((t) => ({
  merchantAgreements: t.prismaConnection({
    type: "MerchantAgreement",
    cursor: "id",
    description: "Your own applications; operators see every application, filterable by status.",
    authScopes: { $any: { portalUser: true, operator: true } },
    args: { status: t.arg({ type: [AgreementStatusEnum], required: false }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.merchantAgreement.findMany({
        ...query,
        where: { AND: [agreementWhere(ctx), args.status?.length ? { status: { in: args.status } } : {}] },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      }),
  }),
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
            administeredMerchantsWhere(ctx),
            args.status?.length ? { status: { in: args.status } } : {},
          ],
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      }),
  }),
}));

