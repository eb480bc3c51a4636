import { builder } from "./builder";
import { listedPage, nodeConnection } from "./connection";
import { PrincipalKindEnum } from "./enums";
import { Merchant } from "./merchant";
import { canSeeAuditEvent, mayReadAuditTrail, visibleAuditEvents } from "../auth/policies/audit-event";
import { encodeGlobalID, resolveNodes } from "@pothos/plugin-relay";
import { decodeGlobalId } from "../domain/ids";
import { isObjectType, type GraphQLResolveInfo } from "graphql";
import { toPrismaWhere } from "../db/conditions";
import { likeLiteral } from "../domain/search";
import type { Context } from "../context";
import type { Prisma } from "../generated/prisma/client";

/** Audit ids are bigint sequence numbers; anything else names no event. */
function auditIdOrZero(id: string): bigint {
  return /^\d{1,18}$/.test(id) ? BigInt(id) : 0n;
}

/** The node type an audit row's `objectType` names, when the schema has one (the object is then a `Node`). */
function nodeTypeOf(objectType: string, info: GraphQLResolveInfo): string | null {
  const type = info.schema.getType(objectType);
  return isObjectType(type) && type.getInterfaces().some((face) => face.name === "Node") ? type.name : null;
}

const AuditEvent = builder.prismaNode("AuditEvent", {
  id: { field: "id", description: "Global id: pass it to `node(id:)` and to arguments that take this object." },
  nullable: true,
  description: "Who did what to which object, when, and as which kind of principal.",
  findUnique: (id, ctx) => ({ id: auditIdOrZero(id), AND: [toPrismaWhere(visibleAuditEvents(ctx))] }),
  authScopes: (event, ctx) => canSeeAuditEvent(ctx, event),
  fields: (t) => ({
    action: t.exposeString("action", { description: "What was done, as `<object>.<verb>`: e.g. salesUnit.update, apiKeys.reveal, transaction.capture." }),
    objectType: t.exposeString("objectType", { description: "The type of the object the action was done to, e.g. SalesUnit or Transaction." }),
    objectId: t.id({
      description: "The global id of the object the action was done to (what `node(id:)` takes); the plain stored id for objects that are not nodes.",
      resolve: (event, _args, _ctx, info) => {
        const typename = nodeTypeOf(event.objectType, info);
        return typename ? encodeGlobalID(typename, event.objectId) : event.objectId;
      },
    }),
    object: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description: "The object the action was done to, as it is now; null when it no longer exists or you may not see it.",
      resolve: async (event, _args, ctx, info) => {
        const typename = nodeTypeOf(event.objectType, info);
        if (!typename) return null;
        const [object] = await resolveNodes(builder, ctx, info, [{ typename, id: event.objectId }]);
        return (await object) ?? null;
      },
    }),
    actorKind: t.expose("actorKind", { type: PrincipalKindEnum, description: "The kind of principal that did it." }),
    actorId: t.exposeString("actorId", { nullable: true, description: "The stored id of who did it (person, partner key, API key or operator); null for the platform." }),
    actorLabel: t.exposeString("actorLabel", { nullable: true, description: "Who did it, as a name people recognise." }),
    data: t.expose("data", { type: "JSON", nullable: true, description: "The change: before and after values where the action has them. Never holds a NIN or a secret." }),
    requestId: t.exposeString("requestId", { nullable: true, description: "The request that made the change (the `x-request-id` of its response), to find it in the logs." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was done." }),
  }),
});

const AuditEventConnection = nodeConnection(AuditEvent, "AuditEvent", "audit events");

const AuditEventFilter = builder.inputType("AuditEventFilter", {
  description: "Narrows the audit trail; every field given must match.",
  fields: (t) => ({
    merchantId: t.globalID({ for: Merchant, description: "Only this merchant's events." }),
    actorId: t.string({ description: "Only what this actor did (`AuditEvent.actorId`)." }),
    objectType: t.string({ description: "Only events of objects of this type, e.g. SalesUnit." }),
    objectId: t.string({ description: "The object's global id (as `AuditEvent.objectId` answers it) or its stored id." }),
    action: t.string({ description: "Exact action, or a prefix ending in `.` (e.g. `salesUnit.`)." }),
    from: t.field({ type: "DateTime", description: "Inclusive." }),
    to: t.field({ type: "DateTime", description: "Exclusive." }),
  }),
});

/** A global id (as `objectId` answers) names the type and the stored id; anything else is taken as a stored id. */
function objectWhere(objectId: string): Prisma.AuditEventWhereInput {
  try {
    const { typename, id } = decodeGlobalId(objectId);
    if (/^[A-Z][A-Za-z]+$/.test(typename) && id) return { objectType: typename, objectId: id };
  } catch {
    // Not a global id: a stored id.
  }
  return { objectId };
}

function auditWhere(filter: typeof AuditEventFilter.$inferInput | null | undefined, ctx: Context): Prisma.AuditEventWhereInput {
  const conditions: Prisma.AuditEventWhereInput[] = [toPrismaWhere(visibleAuditEvents(ctx))];
  if (filter?.merchantId) conditions.push({ merchantId: filter.merchantId.id });
  if (filter?.actorId) conditions.push({ actorId: filter.actorId });
  if (filter?.objectType) conditions.push({ objectType: filter.objectType });
  if (filter?.objectId) conditions.push(objectWhere(filter.objectId));
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
    args: { filter: t.arg({ type: AuditEventFilter, required: false, description: "Leave out for the whole trail you may read." }) },
    resolve: (query, _root, args, ctx) => {
      const where = auditWhere(args.filter, ctx);
      return listedPage(
        query,
        (cursor) => ctx.db.auditEvent.findFirst({ where: { AND: [where, cursor] }, select: { id: true } }),
        () => ctx.db.auditEvent.findMany({ ...query, where, orderBy: { id: "desc" } }),
      );
    },
    totalCount: (_root, args, ctx) => ctx.db.auditEvent.count({ where: auditWhere(args.filter, ctx) }),
  }, AuditEventConnection),
}));
