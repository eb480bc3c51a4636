/**
 * Who sees which sales units and merchants. The schema (Prisma path) and the compiled read path (src/sql/) both
 * filter with these conditions.
 */
import { all, any, EVERYTHING, type Condition } from "../../db/conditions";
import type { Access } from "../permissions";
import { likeLiteral, searchTerm } from "../../domain/search";
import type { Channel, Environment, SalesUnitStatus } from "../../generated/prisma/enums";

/** The sales units list filter, with global ids already decoded. */
export interface SalesUnitListFilter {
  search?: string | null;
  merchantId?: string | null;
  environment?: Environment | null;
  channel?: Channel | null;
  status?: readonly SalesUnitStatus[] | null;
}

/** Sales units the principal may view. */
export function viewableSalesUnits(access: Access): Condition {
  return access.salesUnitScope("VIEW_SALES_UNIT");
}

/** The rows of the sales units list: what the principal may view, narrowed by the filter. */
export function salesUnitListCondition(filter: SalesUnitListFilter | null | undefined, access: Access): Condition {
  const conditions: Condition[] = [viewableSalesUnits(access)];
  if (filter?.merchantId) conditions.push({ field: "merchantId", eq: filter.merchantId });
  if (filter?.environment) conditions.push({ field: "environment", eq: filter.environment });
  if (filter?.channel) conditions.push({ field: "channel", eq: filter.channel });
  if (filter?.status?.length) conditions.push({ field: "status", in: filter.status });
  const search = searchTerm(filter?.search);
  if (search) conditions.push(any([{ field: "name", contains: likeLiteral(search), insensitive: true }, { field: "msn", startsWith: likeLiteral(search) }]));
  return all(conditions);
}

/** Merchants the principal may see: those where it may view a sales unit. */
export function viewableMerchants(access: Access): Condition {
  const ids = access.merchantIds("VIEW_SALES_UNIT");
  return ids === "*" ? EVERYTHING : { field: "id", in: ids };
}

/** The payout account of a sales unit shows unmasked to Administrators of its merchant (others see it masked). */
export function maySeeSettlementAccount(access: Access, unit: { merchantId: string }): boolean {
  return access.canOnWholeMerchant("ADMINISTER_MERCHANT", unit.merchantId);
}

/** The SalesUnit rows (by `merchantId`) whose payout account `maySeeSettlementAccount` shows unmasked. */
export function settlementAccountVisible(access: Access): Condition {
  const ids = access.wholeMerchantIds("ADMINISTER_MERCHANT");
  return ids === "*" ? EVERYTHING : { field: "merchantId", in: ids };
}
