/**
 * `npm run bench:abuse [-- --seconds N] [-- --only name,name]` (default 10 s per measurement): for each limit, a normal client's latency with an
 * abusive client running beside it, against the same normal client without abuse, measured back to back in the
 * same run (the ratio is the figure; absolute times depend on the machine's neighbours).
 *
 * The gateway runs as `npm start` does, in a process of its own, with its default limits, on a demo-seeded database
 * of its own (`portal_abuse_bench`, made afresh each run). The normal client is one portal user loading a page of
 * payments, one request at a time, 8 a second (under the per-principal budget), from 127.0.0.2. Each abusive client
 * is 8 concurrent loops as fast as answers come, from addresses of their own on 127.0.0.0/8 (so the per-address
 * budget does not mask the limit under test, except where it is the limit under test). Not part of CI.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import type { Persona } from "../src/seed";
import { client, log, startDemoGateway, type Client } from "./demo-gateway";

const ABUSERS = 8;
const NORMAL_PER_SECOND = 8;
/** How long an abusive client may run before its limit must have started refusing it. */
const EXHAUST_TIMEOUT_MS = 90_000;

interface Abuse {
  name: string;
  /** What the abusive client sends. */
  what: string;
  /** `spread`: each loop from an address of its own; `single`: every loop from one address (the limit is per address). */
  addresses: "spread" | "single";
  /**
   * For a budget (so many a minute): the status that shows it is spent. The normal client is measured once the
   * abusive client has met it, i.e. while the limit is refusing, not while the budget still lets the flood through.
   */
  exhaustedWhen?: number;
  /** One abusive request from `c` (loop `i`); returns the answer's status. */
  send(c: Client, i: number): Promise<number>;
}

const NORMAL_QUERY = "query NormalPage { viewer { kind } transactions(first: 20) { totalCount nodes { id amount status reference } } }";

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The normal client for `seconds`: latencies of its answers (ms), and how many were not 200 without errors. */
async function normalClient(base: string, token: string, seconds: number): Promise<{ p50: number; p99: number; n: number; failed: number }> {
  const c = client("127.0.0.2");
  const latencies: number[] = [];
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  const interval = 1000 / NORMAL_PER_SECOND;
  while (performance.now() < end) {
    const started = performance.now();
    const answer = await c.graphql(base, token, NORMAL_QUERY);
    latencies.push(performance.now() - started);
    if (answer.status !== 200 || answer.body.includes('"errors"')) failed++;
    const wait = interval - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  c.close();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), n: latencies.length, failed };
}

/** Runs `abuse` with ABUSERS loops until `stop` resolves; counts answers by status. */
function runAbuse(abuse: Abuse, index: number, stop: Promise<void>, onStatus: (status: number) => void): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  const loops = Array.from({ length: ABUSERS }, async (_, i) => {
    const c = client(`127.0.${10 + index}.${abuse.addresses === "single" ? 1 : i + 1}`);
    while (!stopped) {
      const status = await abuse.send(c, i);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      onStatus(status);
    }
    c.close();
  });
  return Promise.all(loops).then(() => statuses);
}

function abuses(base: string, tokens: { abuser: string; partner: Persona }): Abuse[] {
  const gql = (query: string, variables: Record<string, unknown> = {}, token: string | null = tokens.abuser) => (c: Client) => c.graphql(base, token, query, variables).then((a) => a.status);
  const aliases = `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: transactions(first: 100) { nodes { id operations { type amount } } }`).join(" ")} }`;
  const deep = `{ viewer { ${"memberships { merchant { salesUnits(first: 1) { nodes { merchant { ".repeat(8)}id${" } } } } }".repeat(8)} } }`;
  const tokensDoc = `{ viewer { ${"kind ".repeat(6000)}} }`;
  const costly = "query($n: Int) { transactions(first: $n) { nodes { id operations { type amount actorLabel } salesUnit { msn name } } } }";
  const introspection = `{ ${Array.from({ length: 14 }, (_, i) => `s${i}: __schema { types { name fields { name type { name ofType { name } } } } }`).join(" ")} }`;
  return [
    { name: "aliases", addresses: "spread", what: "200 aliases of transactions(first: 100) with operations", send: gql(aliases) },
    { name: "depth", addresses: "spread", what: "a selection 40 levels deep", send: gql(deep) },
    { name: "cost", addresses: "spread", what: "transactions(first: $n) with n = 1,000,000 and nested lists", send: gql(costly, { n: 1_000_000 }) },
    { name: "tokens", addresses: "spread", what: "a document of 6,000 tokens", send: gql(tokensDoc) },
    { name: "search length", addresses: "spread", what: "a 32,000-character transaction search", send: gql("query($s: String) { transactions(first: 5, filter: { search: $s }) { totalCount } }", { s: "x".repeat(32_000) }) },
    {
      name: "per-address rate",
      addresses: "single",
      exhaustedWhen: 429,
      what: "anonymous cheap queries from one address, as fast as answered",
      send: (c) => c.graphql(base, null, "{ __typename }").then((a) => a.status),
    },
    { name: "per-principal rate", addresses: "spread", exhaustedWhen: 429, what: "one principal's cheap queries from 8 addresses, as fast as answered", send: gql("{ viewer { kind } }") },
    {
      name: "token endpoint brute force",
      addresses: "single",
      exhaustedWhen: 429,
      what: "wrong client secrets for a known partner client_id, from one address",
      send: (c) =>
        c
          .request(base, "POST", "/accesstoken/get", null, { client_id: tokens.partner.clientId!, client_secret: randomBytes(16).toString("hex"), "Ocp-Apim-Subscription-Key": tokens.partner.subscriptionKey! })
          .then((a) => a.status),
    },
    {
      name: "WebSocket connection caps",
      addresses: "spread",
      exhaustedWhen: 4429,
      what: "one principal opening WebSocket connections and subscribing, without closing them",
      send: (_c, i) =>
        new Promise<number>((resolve) => {
          const socket = new WebSocket(`${base.replace("http", "ws")}/graphql`, "graphql-transport-ws", { localAddress: `127.0.30.${i + 1}` });
          const done = (status: number) => {
            resolve(status);
            setTimeout(() => socket.terminate(), 2_000);
          };
          socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${tokens.abuser}` } })));
          socket.on("message", (data) => {
            if (JSON.parse(String(data)).type !== "connection_ack") return;
            socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { transactionEvents { id } }" } }));
            done(101);
          });
          socket.on("close", (code) => done(code));
          socket.on("error", () => done(0));
        }),
    },
    { name: "introspection", addresses: "spread", what: "anonymous aliased __schema introspection (14 aliases)", send: gql(introspection, {}, null) },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: "string" }, only: { type: "string" } } });
  const seconds = Number(values.seconds ?? 10);
  const gateway = await startDemoGateway("portal_abuse_bench", { INTROSPECTION: "authenticated", GRAPHIQL: "false" });
  const rows: { name: string; what: string; base: Awaited<ReturnType<typeof normalClient>>; abused: Awaited<ReturnType<typeof normalClient>>; statuses: string }[] = [];
  try {
    const normal = await gateway.login("no-admin");
    const tokens = { abuser: await gateway.login("no-sum"), partner: gateway.persona("partner") };
    await normalClient(gateway.url, normal, 2); // warm-up
    const only = values.only ? new Set(values.only.split(",")) : null;
    for (const [index, abuse] of abuses(gateway.url, tokens).entries()) {
      if (only && !only.has(abuse.name)) continue;
      const base = await normalClient(gateway.url, normal, seconds);
      let release!: () => void;
      const stop = new Promise<void>((resolve) => {
        release = resolve;
      });
      let exhausted!: () => void;
      const spent = new Promise<void>((resolve) => {
        exhausted = resolve;
      });
      const abusing = runAbuse(abuse, index, stop, (status) => {
        if (abuse.exhaustedWhen === undefined || status === abuse.exhaustedWhen) exhausted();
      });
      if (abuse.exhaustedWhen === undefined) exhausted();
      const timedOut = await Promise.race([spent.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), EXHAUST_TIMEOUT_MS))]);
      if (timedOut) log(`${abuse.name}: the abusive client met no ${abuse.exhaustedWhen} within ${EXHAUST_TIMEOUT_MS / 1000} s; measuring anyway`);
      const abused = await normalClient(gateway.url, normal, seconds);
      release();
      const statuses = [...(await abusing).entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(" ");
      rows.push({ name: abuse.name, what: abuse.what, base, abused, statuses });
      log(`${abuse.name}: p50 ${base.p50.toFixed(1)} → ${abused.p50.toFixed(1)} ms, p99 ${base.p99.toFixed(1)} → ${abused.p99.toFixed(1)} ms; abusive answers ${statuses}`);
      // Let connections the abuse left behind close before the next baseline.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
  } finally {
    await gateway.stop();
  }
  const ms = (n: number) => n.toFixed(1);
  console.log(`| limit | abusive client (${ABUSERS} loops) | its answers | normal p50 alone → abused (ratio) | normal p99 alone → abused (ratio) | normal failures |`);
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.what} | ${r.statuses} | ${ms(r.base.p50)} → ${ms(r.abused.p50)} ms (${(r.abused.p50 / r.base.p50).toFixed(2)}) | ${ms(r.base.p99)} → ${ms(r.abused.p99)} ms (${(r.abused.p99 / r.base.p99).toFixed(2)}) | ${r.abused.failed}/${r.abused.n} |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
