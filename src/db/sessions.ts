/**
 * Holding a pg client across awaits. pg emits 'error' on a client whose session dies (pg_terminate_backend, a
 * failover, a PostgreSQL restart) even between queries, and an 'error' event nobody listens to is an uncaught
 * exception that ends the process. A pool listens on its idle clients only; a checked-out client is ours to guard.
 */
import type pg from "pg";

/**
 * Runs `fn` on a client checked out of `pool`, listening for the client's 'error' while it is held. A client that
 * failed, or whose session died meanwhile, is released with the error so the pool discards it instead of handing
 * a dead session to the next caller.
 */
export async function withPooledClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost ??= error;
  };
  client.on("error", onError);
  try {
    return await fn(client);
  } catch (error) {
    lost ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(lost);
    client.removeListener("error", onError);
  }
}
