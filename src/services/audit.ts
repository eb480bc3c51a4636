/** The audit trail: one row per change, written in the same database transaction as the change. */
import { Prisma, type PrincipalKind } from "../generated/prisma/client";
import type { Principal } from "../auth/principal";
import type { Tx } from "../db/client";

export interface Actor {
  kind: PrincipalKind;
  id: string | null;
  label: string | null;
  requestId: string | null;
}

/** System work (background jobs, platform events) has no principal. */
export const SYSTEM_ACTOR: Actor = { kind: "SYSTEM", id: null, label: "Portal Gateway", requestId: null };

export function actorOf(principal: Principal | null, requestId: string | null): Actor {
  if (!principal) return { ...SYSTEM_ACTOR, requestId };
  return { kind: principal.kind, id: principal.id, label: principal.label, requestId };
}

export interface AuditEntry {
  merchantId: string | null;
  action: string;
  objectType: string;
  objectId: string;
  /** What changed; never secrets or full personal data. */
  data?: Prisma.InputJsonValue;
}

/**
 * The one way a change writes its audit row: in the change's transaction, naming the caller's actor (a service's
 * `Caller`, or an `Actor` for work no caller asked for: jobs, the payment platform).
 */
export async function recordAudit(tx: Tx, by: { actor: Actor } | Actor, entry: AuditEntry): Promise<void> {
  const actor = "actor" in by ? by.actor : by;
  await tx.auditEvent.create({
    data: {
      merchantId: entry.merchantId,
      actorKind: actor.kind,
      actorId: actor.id,
      actorLabel: actor.label,
      requestId: actor.requestId,
      action: entry.action,
      objectType: entry.objectType,
      objectId: entry.objectId,
      ...(entry.data === undefined ? {} : { data: entry.data }),
    },
  });
}

/**
 * The same row as `recordAudit`, as an INSERT to run inside another statement (a data-modifying CTE), for paths that
 * write a change's rows in one round trip. createdAt is the UTC wall clock, as the column keeps it.
 */
export function auditInsertSql(actor: Actor, entry: AuditEntry): Prisma.Sql {
  return Prisma.sql`INSERT INTO "AuditEvent" ("merchantId", "actorKind", "actorId", "actorLabel", "requestId", "action", "objectType", "objectId", "data", "createdAt")
    VALUES (${entry.merchantId}::uuid, ${actor.kind}::"PrincipalKind", ${actor.id}, ${actor.label}, ${actor.requestId}, ${entry.action}, ${entry.objectType},
      ${entry.objectId}, ${entry.data === undefined ? null : JSON.stringify(entry.data)}::jsonb, (clock_timestamp() AT TIME ZONE 'UTC')::timestamp(3))`;
}
