/**
 * The pg pools of the gateway. pg emits 'error' on a client whose session dies (pg_terminate_backend, a failover, a
 * PostgreSQL restart), even between queries, and on a pool whose idle client dies; an 'error' event nobody listens
 * to is an uncaught exception that ends the process, with every request and subscription it serves. The owners
 * listen where they hold a client (the pool on its idle ones, `withPooledClient` and pg's own `pool.query` on
 * checked-out ones, Prisma's adapter during a transaction), but a gap anywhere, ours or a library's, would end the
 * gateway: it happened under the fault test's terminated sessions, one CI run in a few, with nothing in the stack to
 * say whose client it was.
 *
 * So every client of these pools also carries a listener of its own, which reports the error, with the pool's name,
 * only when nobody else heard it. Nothing is lost by that: a dead session's queries fail on their own, and the pool
 * discards the client when it comes back or when it is found dead while idle.
 */
import pg from "pg";

export type SessionErrorReport = (error: Error, pool: string) => void;

const toStderr: SessionErrorReport = (error, pool) => {
  process.emitWarning(`A session of the ${pool} database pool failed outside any query: ${error.message}`, "DatabaseSessionWarning");
};

export function createPool(name: string, config: pg.PoolConfig, report: SessionErrorReport = toStderr): pg.Pool {
  class GuardedClient extends pg.Client {
    constructor(clientConfig?: string | pg.ClientConfig) {
      super(clientConfig);
      this.on("error", (error: Error) => {
        if (this.listenerCount("error") === 1) report(error, name);
      });
    }
  }
  return new pg.Pool({ ...config, Client: GuardedClient });
}
