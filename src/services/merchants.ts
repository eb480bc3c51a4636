/** The merchant row as a lock: shared by the services that change a merchant's people, products and subscriptions. */
import type { Tx } from "../db/client";
import { lockRow } from "../db/locks";
import { NotFoundError } from "../domain/errors";

/**
 * Locks the merchant's row. Every change that can lower the number of Administrators takes this lock first, so
 * two of them cannot each see "another Administrator is left" and together remove both.
 */
export async function lockMerchant(tx: Tx, merchantId: string) {
  if (!(await lockRow(tx, "Merchant", merchantId))) throw new NotFoundError("merchant");
  return tx.merchant.findUniqueOrThrow({ where: { id: merchantId } });
}
