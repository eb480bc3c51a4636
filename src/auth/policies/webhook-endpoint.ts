/**
 * Webhook endpoints (docs/webhooks.md). A merchant's endpoint is the merchant's: it covers its sales units (all, or a
 * list), so managing one needs DEVELOPER on every sales unit of the merchant (Administrators; the lower roles'
 * DEVELOPER reaches only their assigned units). A partner's endpoint is the partner's own: only the partner manages
 * it, and it covers the sales units linked to the partner. It receives what all of the partner's keys reach, so only
 * a token that reaches as much (in the actions events require) manages one: a token asked for with fewer of those
 * scopes, or for one sales unit with `Merchant-Serial-Number`, does not (it could otherwise have events sent that it
 * may not read itself).
 *
 * What an endpoint receives is decided at delivery time with its owner's access as it is then (`ownerAccess`), so a
 * partner's endpoint stops receiving a sales unit's events as soon as the link is removed or its keys lose the scope.
 */
import { ACTIONS, Access, partnerGrants, type Action } from "../permissions";
import type { PartnerScope } from "../../generated/prisma/enums";
import type { Principal } from "../principal";

export const WEBHOOK_ACTION: Action = "DEVELOPER";

export type WebhookOwner = { merchantId: string; partnerId: null } | { merchantId: null; partnerId: string };

/**
 * May the caller create or manage endpoints of this owner? `partnerReach` is what a partner's endpoint can receive
 * (the event actions of `ownerAccess` over all its linked units), asked for only when the owner is the caller's
 * partner.
 */
export async function mayManageWebhooks(
  principal: Principal | null,
  access: Access,
  owner: { merchantId: string | null; partnerId: string | null },
  partnerReach: (partnerId: string) => Promise<Access>,
): Promise<boolean> {
  if (owner.partnerId) return principal?.kind === "PARTNER" && principal.id === owner.partnerId && reachesAll(access, await partnerReach(owner.partnerId));
  if (owner.merchantId) return access.canOnWholeMerchant(WEBHOOK_ACTION, owner.merchantId);
  return false;
}

/** Does `access` allow every action on every sales unit `reach` grants? (A grant over a whole merchant: no.) */
export function reachesAll(access: Access, reach: Access): boolean {
  return reach.grants.every(
    (grant) =>
      grant.salesUnitIds !== "ALL" &&
      [...grant.salesUnitIds].every((id) => [...grant.actions].every((action) => access.canOnSalesUnit(action, { id, merchantId: grant.merchantId }))),
  );
}

/** Prisma filter for the endpoints `mayManageWebhooks` allows (what the `webhookEndpoints` list shows). */
export function manageableWebhookEndpoints(principal: Principal | null, access: Access): Record<string, unknown> {
  const merchants = access.wholeMerchantIds(WEBHOOK_ACTION);
  const terms: Record<string, unknown>[] = [];
  if (principal?.kind === "PARTNER") terms.push({ partnerId: principal.id });
  if (merchants === "*") terms.push({ merchantId: { not: null } });
  else if (merchants.length > 0) terms.push({ merchantId: { in: merchants } });
  return terms.length === 0 ? { id: { in: [] } } : { OR: terms };
}

/**
 * The owner's reach now, narrowed to the endpoint's sales units (when it lists some): a merchant reaches all of its
 * own sales units; a partner its linked units, with the scopes of its keys that are not revoked.
 */
export function ownerAccess(
  endpoint: { merchantId: string | null; salesUnitIds: readonly string[] },
  partner: { scopes: readonly PartnerScope[]; linkedUnits: readonly { id: string; merchantId: string }[] } | null,
): Access {
  const listed = endpoint.salesUnitIds.length > 0 ? new Set(endpoint.salesUnitIds) : null;
  if (endpoint.merchantId) {
    return new Access([{ merchantId: endpoint.merchantId, salesUnitIds: listed ?? "ALL", actions: new Set(ACTIONS) }]);
  }
  if (!partner) return Access.none;
  const units = listed ? partner.linkedUnits.filter((unit) => listed.has(unit.id)) : partner.linkedUnits;
  return new Access(partnerGrants(partner.scopes, units));
}
