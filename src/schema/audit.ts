import { builder } from "./builder";
import { PrincipalKindEnum } from "./enums";
import { Merchant } from "./merchant";
import { mayReadAuditTrail, visibleAuditEvents } from "../auth/policies/audit-event";
import { toPrismaWhere } from "../db/conditions";
import { likeLiteral } from "../domain/search";
import type { Context } from "../context";
import type { Prisma } from "../generated/prisma/client";

builder.prismaObject("AuditEvent", {
  description: "Who did what to which object, when, and as which kind of principal.",
  fields: (t) => ({
    id: t.id({ resolve: (event) => event.id.toString() }),
    action: t.exposeString("action", { description: "e.g. salesUnit.update, apiKeys.reveal, transaction.capture" }),
    objectType: t.exposeString("objectType"),
    objectId: t.exposeString("objectId"),
    actorKind: t.expose("actorKind", { type: PrincipalKindEnum }),
    actorId: t.exposeString("actorId", { nullable: true }),
    actorLabel: t.exposeString("actorLabel", { nullable: true }),
    data: t.expose("data", { type: "JSON", nullable: true }),
    requestId: t.exposeString("requestId", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const AuditEventFilter = builder.inputType("AuditEventFilter", {
  fields: (t) => ({
    merchantId: t.globalID({ for: Merchant }),
    actorId: t.string(),
    objectType: t.string(),
    objectId: t.string(),
    action: t.string({ description: "Exact action, or a prefix ending in `.` (e.g. `salesUnit.`)." }),
    from: t.field({ type: "DateTime", description: "Inclusive." }),
    to: t.field({ type: "DateTime", description: "Exclusive." }),
  }),
});

function auditWhere(filter: typeof AuditEventFilter.$inferInput | null | undefined, ctx: Context): Prisma.AuditEventWhereInput {
  const conditions: Prisma.AuditEventWhereInput[] = [toPrismaWhere(visibleAuditEvents(ctx))];
  if (filter?.merchantId) conditions.push({ merchantId: filter.merchantId.id });
  if (filter?.actorId) conditions.push({ actorId: filter.actorId });
  if (filter?.objectType) conditions.push({ objectType: filter.objectType });
  if (filter?.objectId) conditions.push({ objectId: filter.objectId });
  if (filter?.action) conditions.push(filter.action.endsWith(".") ? { action: { startsWith: likeLiteral(filter.action) } } : { action: filter.action });
  if (filter?.from || filter?.to) {
    conditions.push({ createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } });
  }
  return { AND: conditions };
}

builder.queryFields((t) => ({
  auditEvents: t.prismaConnection({
    type: "AuditEvent",
    cursor: "id",
    description: "The audit trail of the merchants you administer (operators: all), newest first.",
    authScopes: (_root, _args, ctx) => mayReadAuditTrail(ctx),
    args: { filter: t.arg({ type: AuditEventFilter, required: false }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.auditEvent.findMany({ ...query, where: auditWhere(args.filter, ctx), orderBy: { id: "desc" } }),
    totalCount: (_root, args, ctx) => ctx.db.auditEvent.count({ where: auditWhere(args.filter, ctx) }),
  }),
}));
