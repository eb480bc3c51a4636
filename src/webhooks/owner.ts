/** An endpoint owner's access as it is now, read afresh: the delivery-time check asks it before every send. */
import type { Db, Tx } from "../db/client";
import { Access } from "../auth/permissions";
import { ownerAccess } from "../auth/policies/webhook-endpoint";
import { EVENT_ACTIONS } from "../events/catalog";
import type { PartnerScope } from "../generated/prisma/enums";

export async function loadOwnerAccess(db: Db | Tx, endpoint: { merchantId: string | null; partnerId: string | null; salesUnitIds: readonly string[] }): Promise<Access> {
  if (endpoint.merchantId || !endpoint.partnerId) return ownerAccess(endpoint, null);
  const [keys, linkedUnits] = await Promise.all([
    db.partnerKey.findMany({ where: { partnerId: endpoint.partnerId, revokedAt: null }, select: { scopes: true } }),
    db.salesUnit.findMany({ where: { partnerId: endpoint.partnerId }, select: { id: true, merchantId: true } }),
  ]);
  const scopes = [...new Set(keys.flatMap((key) => key.scopes))] as PartnerScope[];
  return ownerAccess(endpoint, { scopes, linkedUnits });
}

/**
 * What a partner's endpoint can be sent: all its linked units, with the actions events require out of all its keys'
 * scopes (actions no event requires, such as requesting payments, decide nothing here).
 */
export async function partnerEventReach(db: Db | Tx, partnerId: string): Promise<Access> {
  const reach = await loadOwnerAccess(db, { merchantId: null, partnerId, salesUnitIds: [] });
  return new Access(reach.grants.map((grant) => ({ ...grant, actions: new Set([...grant.actions].filter((action) => EVENT_ACTIONS.has(action))) })));
}
