/**
 * Administering a merchant: its people, product orders and audit trail. Administrators (ADMINISTER_MERCHANT on
 * every sales unit) reach their merchants; customer service reaches every merchant.
 */
import { EVERYTHING, toPrismaWhere, type Condition } from "../../db/conditions";
import { isOperator, type Who } from "./who";

/** May the caller see what the merchant's Administrators see (its people, product orders, audit trail)? */
export function administersOrOperates(who: Who, merchantId: string): boolean {
  return isOperator(who) || who.access.canOnWholeMerchant("ADMINISTER_MERCHANT", merchantId);
}

/** Rows (by `merchantId`) of the merchants `administersOrOperates` allows. */
export function administeredMerchants(who: Who): Condition {
  if (isOperator(who)) return EVERYTHING;
  const ids = who.access.wholeMerchantIds("ADMINISTER_MERCHANT");
  return ids === "*" ? EVERYTHING : { field: "merchantId", in: ids };
}

/** `administeredMerchants` as a Prisma filter. */
export function administeredMerchantsWhere(who: Who): Record<string, unknown> {
  return toPrismaWhere(administeredMerchants(who));
}
