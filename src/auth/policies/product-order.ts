/** Product orders: the Administrators of the ordering merchant and customer service, who fulfils them. */
import type { Condition } from "../../db/conditions";
import { administeredMerchants, administersOrOperates } from "./merchant";
import type { Who } from "./who";

export function canSeeProductOrder(who: Who, order: { merchantId: string }): boolean {
  return administersOrOperates(who, order.merchantId);
}

/** The ProductOrder rows `canSeeProductOrder` allows. */
export function visibleProductOrders(who: Who): Condition {
  return administeredMerchants(who);
}
