/** Merchant agreements: applications to become a merchant. */
import { builder } from "./builder";
import { listedPage, nodeConnection } from "./connection";
import { uuidOrNil } from "../domain/ids";
import { AgreementStatusEnum, CountryEnum } from "./enums";
import type { Context } from "../context";
import type { AgreementStatus } from "../generated/prisma/enums";
import { toPrismaWhere } from "../db/conditions";
import { canSeeAgreement, visibleAgreements } from "../auth/policies/agreement";

const agreementWhere = (ctx: Context) => toPrismaWhere(visibleAgreements(ctx));

export const MerchantAgreement = builder.prismaNode("MerchantAgreement", {
  id: { field: "id", description: "Global id: pass it to `node(id:)` and to arguments that take this object." },
  nullable: true,
  description: "An application to become a merchant: DRAFT → SUBMITTED → APPROVED / REJECTED.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [agreementWhere(ctx)] }),
  authScopes: (agreement, ctx) => canSeeAgreement(ctx, agreement),
  fields: (t) => ({
    merchantName: t.exposeString("merchantName", { description: "The company's legal name; the merchant's name once approved." }),
    organizationNumber: t.exposeString("organizationNumber", { description: "The company's organisation number in its country's register (NO: 9 digits; DK: CVR, 8 digits; FI: Y-tunnus)." }),
    country: t.expose("country", { type: CountryEnum, description: "The country the company is registered in." }),
    addressLine: t.exposeString("addressLine", { nullable: true, description: "Street address; null if not given." }),
    postalCode: t.exposeString("postalCode", { nullable: true, description: "Postal code; null if not given." }),
    city: t.exposeString("city", { nullable: true, description: "City; null if not given." }),
    contactEmail: t.exposeString("contactEmail", { nullable: true, description: "Where customer service reaches the applicant; null until given (required to submit)." }),
    status: t.expose("status", { type: AgreementStatusEnum, description: "Where the application stands." }),
    submittedAt: t.expose("submittedAt", { type: "DateTime", nullable: true, description: "When it was sent to customer service; null while a draft." }),
    decidedAt: t.expose("decidedAt", { type: "DateTime", nullable: true, description: "When customer service approved or rejected it; null until then." }),
    rejectionReason: t.exposeString("rejectionReason", { nullable: true, description: "Why customer service rejected it, for the applicant; null unless REJECTED." }),
    merchant: t.relation("merchant", { nullable: true, description: "The merchant created on approval; null until APPROVED." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the application was started." }),
  }),
});

const MerchantAgreementConnection = nodeConnection(MerchantAgreement, "MerchantAgreement", "merchant agreements");

builder.queryFields((t) => ({
  merchantAgreements: t.prismaConnection({
    type: "MerchantAgreement",
    cursor: "id",
    description: "Your own applications; operators see every application, filterable by status.",
    authScopes: { $any: { portalUser: true, operator: true } },
    args: { status: t.arg({ type: [AgreementStatusEnum], required: false, description: "Only applications in these statuses; leave out (or empty) for all." }) },
    resolve: (query, _root, args, ctx) => {
      const where = agreementListWhere(ctx, args.status);
      return listedPage(
        query,
        (cursor) => ctx.db.merchantAgreement.findFirst({ where: { AND: [where, cursor] }, select: { id: true } }),
        () => ctx.db.merchantAgreement.findMany({ ...query, where, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
      );
    },
    totalCount: (_root, args, ctx) => ctx.db.merchantAgreement.count({ where: agreementListWhere(ctx, args.status) }),
  }, MerchantAgreementConnection),
}));

/** The applications the list shows: what the caller may see, in the statuses asked for. */
function agreementListWhere(ctx: Context, status: readonly AgreementStatus[] | null | undefined) {
  return { AND: [agreementWhere(ctx), status?.length ? { status: { in: [...status] } } : {}] };
}
