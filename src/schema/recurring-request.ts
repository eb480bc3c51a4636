/** Applications for recurring payments: the type, the sales unit's list and the list customer service works through. */
import { builder } from "./builder";
import { listedPage, nodeConnection } from "./connection";
import type { Context } from "../context";
import type { Prisma } from "../generated/prisma/client";
import type { RecurringRequestStatus } from "../generated/prisma/enums";
import { uuidOrNil } from "../domain/ids";
import { RecurringRequestStatusEnum } from "./enums";
import { int32Total, legacyTotalReason, Money, moneyOf } from "./money";
import { SalesUnit } from "./sales-unit";
import { APPLY_ACTION, canSeeRecurringRequest, recurringRequestWhere } from "../auth/policies/recurring-request";

export const RecurringRequest = builder.prismaNode("RecurringRequest", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "An application to enable recurring payments on a production sales unit.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [recurringRequestWhere(ctx)] }),
  authScopes: async (row, ctx) => canSeeRecurringRequest(ctx, await ctx.loaders.salesUnitOwner.load(row.salesUnitId)),
  fields: (t) => ({
    monthlyRevenue: t.field({
      type: Money,
      description: "The merchant's estimate of monthly revenue from recurring payments.",
      select: { salesUnit: { select: { currency: true } } },
      resolve: (row) => moneyOf(row.monthlyRevenueAmount, row.salesUnit.currency),
    }),
    monthlyRevenueAmount: t.int({
      nullable: true,
      description: "The monthly revenue estimate in minor units (øre/cents) as an Int; null, with an AMOUNT_OUT_OF_RANGE error, when it does not fit.",
      deprecationReason: legacyTotalReason("monthlyRevenue"),
      resolve: (row) => int32Total(row.monthlyRevenueAmount, "monthlyRevenue"),
    }),
    description: t.exposeString("description", { description: "What customers will pay for, as the merchant wrote it." }),
    status: t.expose("status", { type: RecurringRequestStatusEnum, description: "PENDING until customer service approves or rejects it." }),
    rejectionReason: t.exposeString("rejectionReason", { nullable: true, description: "Why customer service rejected it; null unless REJECTED." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the merchant applied." }),
    decidedAt: t.expose("decidedAt", { type: "DateTime", nullable: true, description: "When customer service approved or rejected it; null while PENDING." }),
    salesUnit: t.relation("salesUnit", { description: "The production sales unit the application is for." }),
  }),
});

const RecurringRequestConnection = nodeConnection(RecurringRequest, "RecurringRequest", "recurring applications");

builder.prismaObjectFields(SalesUnit, (t) => ({
  recurringRequests: t.relation("recurringRequests", {
    description: "The sales unit's applications for recurring payments, newest first. For whoever may edit the sales unit, and for customer service, who decides on them.",
    authScopes: (unit) => ({ operator: true, salesUnit: { action: APPLY_ACTION, salesUnitId: unit.id, merchantId: unit.merchantId } }),
    query: { orderBy: { createdAt: "desc" } },
  }),
}));

builder.queryFields((t) => ({
  recurringRequests: t.prismaConnection({
    type: "RecurringRequest",
    cursor: "id",
    description:
      "Applications for recurring payments, oldest first so customer service decides them in the order they came; filter by status (PENDING for the ones waiting for a decision). Customer service sees every application, a merchant those of the sales units it may edit.",
    authScopes: { authenticated: true },
    args: { status: t.arg({ type: [RecurringRequestStatusEnum], required: false, description: "Only applications in one of these statuses; all when left out." }) },
    resolve: (query, _root, args, ctx) => {
      const where = recurringRequestListWhere(ctx, args.status);
      return listedPage(
        query,
        (cursor) => ctx.db.recurringRequest.findFirst({ where: { AND: [where, cursor] }, select: { id: true } }),
        () => ctx.db.recurringRequest.findMany({ ...query, where, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
      );
    },
    totalCount: (_root, args, ctx) => ctx.db.recurringRequest.count({ where: recurringRequestListWhere(ctx, args.status) }),
  }, RecurringRequestConnection),
}));

function recurringRequestListWhere(ctx: Context, status: readonly RecurringRequestStatus[] | null | undefined): Prisma.RecurringRequestWhereInput {
  return { AND: [recurringRequestWhere(ctx), status?.length ? { status: { in: [...status] } } : {}] };
}
