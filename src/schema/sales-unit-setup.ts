/** What hangs off a sales unit: API key metadata, Login set-up, recurring requests, QR codes, payment links. */
import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { ConsentTypeEnum, CurrencyEnum, RecurringRequestStatusEnum } from "./enums";
import { SalesUnit } from "./sales-unit";
import { paymentLinkPolicy } from "../auth/policies/payment-link";
import { qrCodePolicy } from "../auth/policies/qr-code";
import { APPLY_ACTION, canSeeRecurringRequest, recurringRequestWhere } from "../auth/policies/recurring-request";

const unitScope = (action: "VIEW_SALES_UNIT" | "EDIT_SALES_UNIT" | "DEVELOPER") => (row: { salesUnitId: string }) => ({
  salesUnit: { action, salesUnitId: row.salesUnitId },
});

export const ApiKeysMetadata = builder.prismaObject("ApiKeys", {
  name: "ApiKeyInfo",
  description: "The sales unit's API keys without their secrets; reveal them with `revealApiKeys`.",
  authScopes: unitScope("DEVELOPER"),
  fields: (t) => ({
    clientId: t.exposeString("clientId"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    rotatedAt: t.expose("rotatedAt", { type: "DateTime", nullable: true }),
  }),
});

export const LoginConfig = builder.prismaObject("LoginConfig", {
  description: "Login set-up of a sales unit.",
  authScopes: unitScope("DEVELOPER"),
  fields: (t) => ({
    activated: t.exposeBoolean("activated"),
    redirectUris: t.exposeStringList("redirectUris", { description: "Compared exactly, trailing slash included." }),
    termsUrl: t.exposeString("termsUrl", { nullable: true }),
    privacyUrl: t.exposeString("privacyUrl", { nullable: true }),
    consents: t.relation("consents", { query: { orderBy: { type: "asc" } } }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.prismaObject("LoginConsent", {
  name: "MarketingConsent",
  fields: (t) => ({
    type: t.expose("type", { type: ConsentTypeEnum }),
    required: t.exposeBoolean("required"),
    text: t.exposeString("text"),
  }),
});

export const RecurringRequest = builder.prismaNode("RecurringRequest", {
  id: { field: "id" },
  nullable: true,
  description: "An application to enable recurring payments on a production sales unit.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [recurringRequestWhere(ctx)] }),
  authScopes: async (row, ctx) => canSeeRecurringRequest(ctx, await ctx.loaders.salesUnitOwner.load(row.salesUnitId)),
  fields: (t) => ({
    monthlyRevenueAmount: t.exposeInt("monthlyRevenueAmount"),
    description: t.exposeString("description"),
    status: t.expose("status", { type: RecurringRequestStatusEnum }),
    rejectionReason: t.exposeString("rejectionReason", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    decidedAt: t.expose("decidedAt", { type: "DateTime", nullable: true }),
    salesUnit: t.relation("salesUnit"),
  }),
});

export const QrCode = builder.prismaNode("QrCode", {
  id: { field: "id" },
  nullable: true,
  description: "A merchant redirect QR code. Changing its URL keeps the image.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), salesUnit: qrCodePolicy.unitWhere(ctx.access) }),
  authScopes: (row) => ({ salesUnit: { action: qrCodePolicy.action, salesUnitId: row.salesUnitId } }),
  fields: (t) => ({
    name: t.exposeString("name"),
    url: t.exposeString("url"),
    svgUrl: t.string({ resolve: (qr) => `/qr/${qr.id}.svg` }),
    pngUrl: t.string({ args: { size: t.arg.int({ required: false }) }, resolve: (qr, args) => `/qr/${qr.id}.png${args.size ? `?size=${args.size}` : ""}` }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    salesUnit: t.relation("salesUnit"),
  }),
});

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
    url: t.string({ description: "The public URL to share.", resolve: (link) => `/pay/${link.slug}` }),
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
  apiKeys: t.relation("apiKeys", { nullable: true, authScopes: (unit) => ({ salesUnit: { action: "DEVELOPER", salesUnitId: unit.id, merchantId: unit.merchantId } }) }),
  loginConfig: t.relation("loginConfig", { nullable: true, authScopes: (unit) => ({ salesUnit: { action: "DEVELOPER", salesUnitId: unit.id, merchantId: unit.merchantId } }) }),
  recurringRequests: t.relation("recurringRequests", {
    authScopes: (unit) => ({ salesUnit: { action: APPLY_ACTION, salesUnitId: unit.id, merchantId: unit.merchantId } }),
    query: { orderBy: { createdAt: "desc" } },
  }),
  qrCodes: t.relatedConnection("qrCodes", {
    cursor: "id",
    authScopes: (unit) => ({ salesUnit: { action: qrCodePolicy.action, salesUnitId: unit.id, merchantId: unit.merchantId } }),
    query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
    totalCount: true,
  }),
  paymentLinks: t.relatedConnection("paymentLinkList", {
    cursor: "id",
    authScopes: (unit) => ({ salesUnit: { action: paymentLinkPolicy.action, salesUnitId: unit.id, merchantId: unit.merchantId } }),
    query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
    totalCount: true,
  }),
}));
