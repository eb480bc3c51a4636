/** Payment links: the type and the sales unit's list. */
import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { CurrencyEnum, } from "./enums";
import { SalesUnit } from "./sales-unit";
import { paymentLinkPolicy } from "../auth/policies/payment-link";
import { paymentLinkUrl } from "../services/payment-links";

export const PaymentLink = builder.prismaNode("PaymentLink", {
  id: { field: "id" },
  nullable: true,
  description: "A shareable link anyone can pay through.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), salesUnit: paymentLinkPolicy.unitWhere(ctx.access) }),
  authScopes: (row) => ({ salesUnit: { action: paymentLinkPolicy.action, salesUnitId: row.salesUnitId } }),
  fields: (t) => ({
    amount: t.exposeInt("amount"),
    currency: t.expose("currency", { type: CurrencyEnum }),
    description: t.exposeString("description"),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    singleUse: t.exposeBoolean("singleUse"),
    active: t.exposeBoolean("active"),
    url: t.string({ description: "The public address to share with the payer: a page that shows the amount and sends the payment request to the payer's app.", resolve: (link, _args, ctx) => paymentLinkUrl(ctx.services.config.publicBaseUrl, link.slug) }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    salesUnit: t.relation("salesUnit"),
    transactions: t.relatedConnection("transactions", {
      cursor: "id",
      nullable: true,
      description: "Payments made through the link, newest first (for callers who may view the unit's transactions).",
      authScopes: (link) => ({ salesUnit: { action: "VIEW_TRANSACTIONS", salesUnitId: link.salesUnitId } }),
      query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
      totalCount: true,
    }),
  }),
});

builder.prismaObjectFields(SalesUnit, (t) => ({
  paymentLinks: t.relatedConnection("paymentLinkList", {
    cursor: "id",
    authScopes: (unit) => ({ salesUnit: { action: paymentLinkPolicy.action, salesUnitId: unit.id, merchantId: unit.merchantId } }),
    query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
    totalCount: true,
  }),
}));
