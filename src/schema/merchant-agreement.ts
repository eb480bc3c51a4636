/** Merchant agreements: applications to become a merchant. */
import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { AgreementStatusEnum, CountryEnum } from "./enums";
import type { Context } from "../context";
import { toPrismaWhere } from "../db/conditions";
import { canSeeAgreement, visibleAgreements } from "../auth/policies/agreement";

const agreementWhere = (ctx: Context) => toPrismaWhere(visibleAgreements(ctx));

export const MerchantAgreement = builder.prismaNode("MerchantAgreement", {
  id: { field: "id" },
  nullable: true,
  description: "An application to become a merchant: DRAFT → SUBMITTED → APPROVED / REJECTED.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [agreementWhere(ctx)] }),
  authScopes: (agreement, ctx) => canSeeAgreement(ctx, agreement),
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
}));
