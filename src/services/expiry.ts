/**
 * The expiry job: payment requests the customer never answered become EXPIRED after 10 minutes (docs/transactions.md). Every
 * gateway instance runs it (src/server.ts); batches lock rows with SKIP LOCKED, so instances share the work without
 * waiting on each other.
 */
import type { Services } from "../deps";
import { expireDueBatch } from "./transactions";

export const EXPIRY_INTERVAL_MS = 30_000;
const BATCH_SIZE = 200;

/** One pass: expires everything due now, batch by batch, and returns how many payments expired. */
export async function runExpiryPass(services: Pick<Services, "db" | "clock">): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await expireDueBatch(services, BATCH_SIZE);
    total += expired;
    if (expired < BATCH_SIZE) return total;
  }
}
