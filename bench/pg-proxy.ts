/**
 * A TCP proxy in front of PostgreSQL that counts the statements a server sends, read off the wire protocol: each
 * simple Query message ('Q') and each Execute message ('E') of the extended protocol is one statement run, whatever
 * the client library, ORM or prepared-statement cache does. pg_stat_statements would need a server restart to load,
 * and the embedded server has no such module; the wire protocol is the same everywhere.
 *
 * Run as a process of its own (`fork`): one listening port per benchmarked server, counts asked for over IPC.
 */
import net from "node:net";
import { pathToFileURL } from "node:url";

export interface StatementCounts {
  /** Simple-protocol Query messages (BEGIN/COMMIT of most drivers, unparameterised SQL). */
  query: number;
  /** Extended-protocol Parse messages: a statement prepared (or re-prepared) on a connection. */
  parse: number;
  /** Extended-protocol Execute messages: a prepared statement run. */
  execute: number;
  /** Connections the server opened. */
  connections: number;
}

export const statementsOf = (counts: StatementCounts) => counts.query + counts.execute;

const QUERY = 0x51;
const PARSE = 0x50;
const EXECUTE = 0x45;
/** The SSLRequest and GSSENCRequest codes: a client that sends them sends its real start-up message next. */
const ENCRYPTION_REQUESTS = new Set([80_877_103, 80_877_104]);

/** Reads message boundaries of the client's stream without copying it; only the 5-byte headers are looked at. */
function messageCounter(counts: StatementCounts) {
  let inStartup = true;
  let skip = 0;
  let header: number[] = [];
  return (chunk: Buffer) => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      const headerLength = inStartup ? 8 : 5;
      while (header.length < headerLength && i < chunk.length) header.push(chunk[i++]!);
      if (header.length < headerLength) return;
      const bytes = Buffer.from(header);
      header = [];
      if (inStartup) {
        const length = bytes.readInt32BE(0);
        skip = length - 8;
        if (!ENCRYPTION_REQUESTS.has(bytes.readInt32BE(4))) inStartup = false;
        continue;
      }
      const type = bytes[0]!;
      skip = bytes.readInt32BE(1) - 4;
      if (type === QUERY) counts.query++;
      else if (type === PARSE) counts.parse++;
      else if (type === EXECUTE) counts.execute++;
    }
  };
}

export function countingProxy(target: { host: string; port: number }) {
  const counts: StatementCounts = { query: 0, parse: 0, execute: 0, connections: 0 };
  const server = net.createServer((client) => {
    counts.connections++;
    client.setNoDelay(true);
    const upstream = net.connect(target.port, target.host);
    upstream.setNoDelay(true);
    const count = messageCounter(counts);
    client.on("data", (chunk: Buffer) => {
      count(chunk);
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on("drain", () => client.resume());
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  return { server, counts };
}

interface ProxyRequest {
  type: "counts";
  id: number;
}

/** In the forked process: argv names the proxies, TARGET_HOST and TARGET_PORT the PostgreSQL they front. */
async function main(): Promise<void> {
  const target = { host: process.env.TARGET_HOST ?? "127.0.0.1", port: Number(process.env.TARGET_PORT ?? 5432) };
  const proxies = new Map<string, ReturnType<typeof countingProxy>>();
  const ports: Record<string, number> = {};
  for (const name of process.argv.slice(2)) {
    const proxy = countingProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    proxies.set(name, proxy);
    ports[name] = (proxy.server.address() as net.AddressInfo).port;
  }
  process.on("message", (message: ProxyRequest) => {
    const counts = Object.fromEntries([...proxies].map(([name, proxy]) => [name, { ...proxy.counts }]));
    process.send!({ id: message.id, counts });
  });
  process.on("disconnect", () => process.exit(0));
  process.send!({ ready: true, ports });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
