import { Prisma } from "../generated/prisma/client";
import { isUuid } from "../domain/ids";
import type { Tx } from "./client";

/** The tables whose rows are locked by id: a fixed list, so the table name in the SQL never comes from input. */
export type LockedTable = "Merchant" | "MerchantAgreement" | "PartnerKey" | "PaymentLink" | "PortalUser" | "ProductOrder" | "SalesUnit" | "Transaction";

/**
 * Locks the row (SELECT … FOR UPDATE) until the transaction ends, so checks on its state hold until commit, and
 * tells whether it exists. Ids come from clients: one that is not a UUID names no row, rather than making
 * PostgreSQL reject the query.
 */
export async function lockRow(tx: Tx, table: LockedTable, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM ${Prisma.raw(`"${table}"`)} WHERE id = ${id}::uuid FOR UPDATE`;
  return rows.length > 0;
}
