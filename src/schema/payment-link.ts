/** Payment links: the type and the sales unit's list. */
import { builder } from "./builder";
import { cursorSeen, nodeConnection } from "./connection";
import { uuidOrNil } from "../domain/ids";
import { CurrencyEnum, } from "./enums";
import { SalesUnit } from "./sales-unit";
import { paymentLinkPolicy } from "../auth/policies/payment-link";
import { paymentLinkUrl } from "../services/payment-links";

export const PaymentLink = builder.prismaNode("PaymentLink", {
  id: { field: "id", description: "Global id: pass it to `node(id:)` and to arguments that take this object." },
  nullable: true,
  description: "A shareable link anyone can pay through.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), salesUnit: paymentLinkPolicy.unitWhere(ctx.access) }),
  authScopes: (row) => ({ salesUnit: { action: paymentLinkPolicy.action, salesUnitId: row.salesUnitId } }),
  fields: (t) => ({
    amount: t.exposeInt("amount", { description: "What the payer pays, in minor units (øre, cents)." }),
    currency: t.expose("currency", { type: CurrencyEnum, description: "The sales unit's currency." }),
    description: t.exposeString("description", { description: "What the payment is for, shown to the payer." }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true, description: "When the link stops taking payments; null if it never expires." }),
    singleUse: t.exposeBoolean("singleUse", { description: "Whether the link stops taking payments after the first one." }),
    active: t.exposeBoolean("active", { description: "False once deactivated. An active link still takes no payments once past `expiresAt` or, single-use, once paid." }),
    url: t.string({ description: "The public address to share with the payer: a page that shows the amount and sends the payment request to the payer's app.", resolve: (link, _args, ctx) => paymentLinkUrl(ctx.services.config.publicBaseUrl, link.slug) }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the link was created." }),
    salesUnit: t.relation("salesUnit", { description: "The sales unit the payments go to." }),
  }),
});

const PaymentLinkConnection = nodeConnection(PaymentLink, "PaymentLink", "payment links");

builder.prismaObjectFields(SalesUnit, (t) => ({
  paymentLinks: t.relatedConnection("paymentLinkList", {
    cursor: "id",
    description: "The sales unit's payment links, newest first (for callers who may request payments on it).",
    authScopes: (unit) => ({ salesUnit: { action: paymentLinkPolicy.action, salesUnitId: unit.id, merchantId: unit.merchantId } }),
    query: cursorSeen(
      () => ({ orderBy: [{ createdAt: "desc" as const }, { id: "desc" as const }] }),
      (id, ctx) => ctx.db.paymentLink.findFirst({ where: { id: uuidOrNil(id), salesUnit: paymentLinkPolicy.unitWhere(ctx.access) }, select: { id: true } }),
    ),
    totalCount: true,
  }, PaymentLinkConnection),
}));
