/**
 * `npm run soak -- --minutes N` (default 5): a bounded mixed load on loopback for N minutes against the gateway as
 * `npm start` runs it, with its default limits, on a demo-seeded database of its own (`portal_soak`, made afresh):
 * - readers: 4 portal users each loading pages of payments and sales units, 4 requests a second;
 * - captures: an Administrator capturing 1 øre at a time from reserved payments on a test sales unit, 2 loops of
 *   3 a second;
 * - subscriptions: 20 graphql-ws connections (4 users × 5) following every payment event.
 * Every client has a client address of its own on 127.0.0.0/8. It prints the gateway's resident memory (from
 * /metrics) at the start, every minute and at the end, and fails when any answer was a 5xx (429 is allowed: it is
 * a limit doing its work) or a subscriber received an error or was closed. Not part of CI.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { client, log, startDemoGateway, type Client } from "./demo-gateway";

const READERS = ["no-sum", "no-sum-tm", "no-assistant", "two-merchants"];
const SUBSCRIBERS = ["no-sum", "no-sum-tm", "no-assistant", "no-admin"];
const READ_QUERIES = [
  "query Page { transactions(first: 20) { totalCount nodes { id amount status reference payer { name } operations { type amount } } } }",
  "query Units { salesUnits(first: 20) { totalCount nodes { id msn name status } } }",
  "query Me { viewer { kind label memberships { role merchant { name } } } }",
];
const CAPTURE = `mutation($input: CaptureTransactionInput!) { captureTransaction(input: $input) { __typename ... on Error { code } } }`;

async function residentMegabytes(base: string): Promise<number> {
  const text = await fetch(`${base}/metrics`).then((r) => r.text());
  const bytes = Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1]);
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

async function paced(perSecond: number, until: () => boolean, step: () => Promise<void>): Promise<void> {
  const interval = 1000 / perSecond;
  while (!until()) {
    const started = Date.now();
    await step();
    const wait = interval - (Date.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: "string" } } });
  const minutes = Number(values.minutes ?? 5);
  const gateway = await startDemoGateway("portal_soak");
  const statuses = new Map<number, number>();
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const clients: Client[] = [];
  const own = (address: string) => {
    const c = client(address);
    clients.push(c);
    return c;
  };
  let failed = false;
  try {
    const admin = await gateway.login("no-admin");
    const unitAnswer = await own("127.0.40.1").graphql(gateway.url, admin, "{ salesUnits(first: 50) { nodes { id name environment status } } }");
    const units = (JSON.parse(unitAnswer.body) as { data: { salesUnits: { nodes: { id: string; name: string; environment: string; status: string }[] } } }).data.salesUnits.nodes;
    // Payments on a test sales unit are approved by the simulated customer.
    const salesUnitId = units.find((u) => u.name === "Fjordkaffe Test Nettbutikk")!.id;

    // Subscribers first, so they see the whole run.
    let events = 0;
    const subscriberProblems: string[] = [];
    const wsClients = [];
    for (const [i, key] of SUBSCRIBERS.entries()) {
      const token = await gateway.login(key);
      for (let j = 0; j < 5; j++) {
        const ws = createClient({
          url: `${gateway.url.replace("http", "ws")}/graphql`,
          webSocketImpl: class extends WebSocket {
            constructor(address: string, protocols?: string | string[]) {
              super(address, protocols, { localAddress: `127.0.41.${i * 5 + j + 1}` });
            }
          },
          connectionParams: { authorization: `Bearer ${token}` },
          retryAttempts: 0,
          on: { closed: (event) => subscriberProblems.push(`closed ${(event as { code: number }).code}`) },
        });
        ws.subscribe(
          { query: "subscription { transactionEvents { id type transaction { status capturedAmount } } }" },
          { next: () => void events++, error: (error) => subscriberProblems.push(JSON.stringify(error)), complete: () => undefined },
        );
        wsClients.push(ws);
      }
    }

    const reserve = async (c: Client): Promise<string> => {
      const requested = await c.graphql(gateway.url, admin, `mutation($input: RequestPaymentInput!) { requestPayment(input: $input) { ... on MutationRequestPaymentSuccess { data { id } } } }`, {
        input: { salesUnitId, amount: 1_000_000, phoneNumber: "+4791234567", reference: `soak-${randomUUID().slice(0, 12)}`, description: "Soak", idempotencyKey: randomUUID() },
      });
      count(requested.status);
      const id = (JSON.parse(requested.body) as { data: { requestPayment: { data: { id: string } } } }).data.requestPayment.data.id;
      const approved = await c.graphql(gateway.url, admin, `mutation($input: SimulateCustomerActionInput!) { simulateCustomerAction(input: $input) { __typename ... on Error { code message } } }`, {
        input: { transactionId: id, action: "APPROVE" },
      });
      count(approved.status);
      if (!approved.body.includes("MutationSimulateCustomerActionSuccess")) throw new Error(`Approving a payment failed: ${approved.body}`);
      return id;
    };

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const memory: string[] = [`start ${await residentMegabytes(gateway.url)} MB`];
    log(`Soak for ${minutes} min: ${memory[0]}`);
    const end = Date.now() + minutes * 60_000;
    const over = () => Date.now() > end;
    const readers = READERS.map(async (key, i) => {
      const token = await gateway.login(key);
      const c = own(`127.0.42.${i + 1}`);
      let n = 0;
      await paced(4, over, async () => {
        count((await c.graphql(gateway.url, token, READ_QUERIES[n++ % READ_QUERIES.length]!)).status);
      });
    });
    let captures = 0;
    let firstRefusal: string | null = null;
    const writers = [0, 1].map(async (i) => {
      const c = own(`127.0.43.${i + 1}`);
      const transactionId = await reserve(c);
      await paced(3, over, async () => {
        const answer = await c.graphql(gateway.url, admin, CAPTURE, { input: { transactionId, amount: 1, idempotencyKey: randomUUID() } });
        count(answer.status);
        if (answer.body.includes("MutationCaptureTransactionSuccess")) captures++;
        else firstRefusal ??= answer.body;
      });
    });
    const sampler = (async () => {
      while (!over()) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(60_000, Math.max(0, end - Date.now()))));
        memory.push(`${Math.round((minutes * 60_000 - (end - Date.now())) / 60_000)} min ${await residentMegabytes(gateway.url)} MB`);
        log(`  ${memory.at(-1)}; answers ${JSON.stringify(Object.fromEntries(statuses))}, captures ${captures}, events delivered ${events}`);
      }
    })();
    await Promise.all([...readers, ...writers, sampler]);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    memory.push(`end ${await residentMegabytes(gateway.url)} MB`);
    for (const ws of wsClients) await ws.dispose();

    const fiveHundreds = [...statuses].filter(([status]) => status >= 500 || status === 0).reduce((sum, [, n]) => sum + n, 0);
    const problems = subscriberProblems.filter((problem) => !problem.startsWith("closed 1000"));
    failed = fiveHundreds > 0 || problems.length > 0;
    console.log(
      JSON.stringify({
        minutes,
        answers: Object.fromEntries(statuses),
        fiveHundreds,
        captures,
        firstRefusedCapture: firstRefusal,
        eventsDelivered: events,
        subscriberProblems: problems.slice(0, 5),
        residentMemory: memory,
      }),
    );
  } finally {
    for (const c of clients) c.close();
    await gateway.stop();
  }
  if (failed) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
