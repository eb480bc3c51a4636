/**
 * PostgreSQL's own CPU per run of one statement: a few connections run it back to back as a prepared statement,
 * and the CPU time of their server processes (from /proc: Linux, with PostgreSQL on this machine and not in a
 * container, and the usual 100 clock ticks a second) is divided by the runs. This isolates the
 * statement's cost from Node, HTTP and the load generator, which share the machine in `npm run bench`.
 *
 *   npx tsx bench/statement-cpu.ts <statement.json> [seconds=5] [connections=4]
 *
 * `statement.json` is `{ "text": "SELECT …", "values": [ … ] }`: e.g. a compiled read copied from PostgreSQL's log
 * with `ALTER DATABASE portal_bench SET log_min_duration_statement = 0` (and `RESET` afterwards). DATABASE_URL
 * defaults to the benchmark's database.
 */
import { readFileSync } from "node:fs";
import pg from "pg";

async function main(): Promise<void> {
  const [file, seconds = "5", connections = "4"] = process.argv.slice(2);
  if (!file) throw new Error("Usage: npx tsx bench/statement-cpu.ts <statement.json> [seconds] [connections]");
  const { text, values } = JSON.parse(readFileSync(file, "utf8")) as { text: string; values: unknown[] };
  const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/portal_bench";
  const name = `statement_cpu_${process.pid}`;
  const clients = await Promise.all(
    Array.from({ length: Number(connections) }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const pid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      await client.query({ name, text, values }); // prepared and planned before the clock starts
      return { client, pid };
    }),
  );
  // utime + stime of each server process, in clock ticks (100 a second on Linux).
  const ticks = () =>
    clients.reduce((sum, { pid }) => {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return sum + Number(fields[11]) + Number(fields[12]);
    }, 0);
  let runs = 0;
  const end = Date.now() + Number(seconds) * 1000;
  const before = ticks();
  const clientBefore = process.cpuUsage();
  await Promise.all(
    clients.map(async ({ client }) => {
      while (Date.now() < end) {
        await client.query({ name, text, values });
        runs++;
      }
    }),
  );
  const serverUs = ((ticks() - before) * 10_000) / runs;
  const client = process.cpuUsage(clientBefore);
  console.log(
    `${file}: ${(runs / Number(seconds)).toFixed(0)} runs/s; PostgreSQL CPU ${serverUs.toFixed(0)} µs per run; this client ${((client.user + client.system) / runs).toFixed(0)} µs per run`,
  );
  await Promise.all(clients.map(({ client: c }) => c.end()));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
