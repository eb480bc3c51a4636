/** PERSISTED_OPERATIONS: `only` runs the manifest's operations by hash and refuses documents; `allow` runs both. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildManifest, loadManifest, sha256Hex } from "../../src/limits/persisted";
import { projectRoot } from "../../src/config";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { captureOneOre, connect, createReservedPayment, latestCursor, SUBSCRIPTION, waitFor, type Connection } from "../events/support";

const dir = mkdtempSync(path.join(tmpdir(), "persisted-"));
const manifestFile = path.join(dir, "manifest.json");
const manifest = buildManifest([readFileSync(path.join(projectRoot, "client/operations.graphql"), "utf8"), SUBSCRIPTION]);
const hashOf = (name: string) => Object.entries(manifest).find(([, text]) => text.includes(` ${name}`) || text.startsWith(`${name}`))![0];
writeFileSync(manifestFile, JSON.stringify(manifest));
const VIEWER = hashOf("Viewer");
const SUBSCRIBE = Object.entries(manifest).find(([, text]) => text.startsWith("subscription"))![0];

let only: TestGateway;
let allow: TestGateway;
const connections: Connection[] = [];

beforeAll(async () => {
  only = await startTestGateway({ PERSISTED_OPERATIONS: "only", PERSISTED_OPERATIONS_MANIFEST: manifestFile });
  allow = await startTestGateway({ PERSISTED_OPERATIONS: "allow", PERSISTED_OPERATIONS_MANIFEST: manifestFile }, { sharing: only });
});
afterAll(async () => {
  for (const connection of connections) await connection.dispose();
  await allow?.stop();
  await only?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function post(gateway: TestGateway, token: string, body: Record<string, unknown>) {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: { viewer?: { kind: string } }; errors?: { message: string; extensions?: { code?: string } }[] } };
}

const byHash = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

describe("PERSISTED_OPERATIONS=only", () => {
  it("runs a manifest operation sent by its hash, in Apollo's extension or as documentId", async () => {
    const token = await only.token("no-admin");
    expect(await post(only, token, byHash(VIEWER))).toMatchObject({ status: 200, body: { data: { viewer: { kind: "USER" } } } });
    expect(await post(only, token, { documentId: `sha256:${VIEWER}` })).toMatchObject({ status: 200, body: { data: { viewer: { kind: "USER" } } } });
  });

  it("refuses a document, even one in the manifest, with PERSISTED_OPERATION_REQUIRED", async () => {
    const token = await only.token("no-admin");
    for (const query of ["{ viewer { kind } }", manifest[VIEWER]!]) {
      const { status, body } = await post(only, token, { query });
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0]?.extensions?.code).toBe("PERSISTED_OPERATION_REQUIRED");
    }
  });

  it("refuses /graphql/stream (it reads documents outside Yoga's parameter step) and runs a persisted subscription over SSE on /graphql", async () => {
    const response = await fetch(`${only.url}/graphql/stream`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${await only.token("no-admin")}` },
      body: JSON.stringify({ query: SUBSCRIPTION }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("PERSISTED_OPERATION_REQUIRED");

    const controller = new AbortController();
    const stream = await fetch(`${only.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${await only.token("no-admin")}` },
      body: JSON.stringify({ variables: { after: await latestCursor(only.services.db) }, ...byHash(SUBSCRIBE) }),
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    const payment = await createReservedPayment(only.services.db, "751312");
    await captureOneOre(only.services.db, payment.id);
    const reader = stream.body!.getReader();
    let received = "";
    while (!received.includes("transactionEvents")) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
  });

  it("refuses an unknown hash with PERSISTED_OPERATION_NOT_FOUND", async () => {
    const { status, body } = await post(only, await only.token("no-admin"), byHash(sha256Hex("{ viewer { kind } }")));
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe("PERSISTED_OPERATION_NOT_FOUND");
  });

  it("runs a persisted subscription over WebSocket and refuses a document there, keeping the connection", async () => {
    const connection = connect(only.url, await only.token("no-admin"));
    connections.push(connection);
    const events: unknown[] = [];
    const refused: { extensions?: { code?: string } }[] = [];
    connection.client.subscribe(
      { query: "", variables: { after: await latestCursor(only.services.db) }, extensions: { persistedQuery: { version: 1, sha256Hash: SUBSCRIBE } } },
      { next: (result) => events.push(result.data), error: (error) => refused.push(error as never), complete: () => undefined },
    );
    connection.client.subscribe({ query: SUBSCRIPTION }, { next: () => undefined, error: (error) => refused.push(...(error as never[])), complete: () => undefined });
    await waitFor("the refusal of the document", () => refused.length > 0);
    expect(refused[0]?.extensions?.code).toBe("PERSISTED_OPERATION_REQUIRED");

    const payment = await createReservedPayment(only.services.db, "751312");
    await captureOneOre(only.services.db, payment.id);
    await waitFor("the event on the persisted subscription", () => events.length === 1);
    expect(refused).toHaveLength(1);
    expect(connection.closed).toBeNull();
  });
});

describe("PERSISTED_OPERATIONS=allow", () => {
  it("runs both a hash and an arbitrary document, and still refuses an unknown hash", async () => {
    const token = await allow.token("no-admin");
    expect(await post(allow, token, byHash(VIEWER))).toMatchObject({ status: 200, body: { data: { viewer: { kind: "USER" } } } });
    expect(await post(allow, token, { query: "{ viewer { kind } }" })).toMatchObject({ status: 200, body: { data: { viewer: { kind: "USER" } } } });
    expect((await post(allow, token, byHash("0".repeat(64)))).body.errors?.[0]?.extensions?.code).toBe("PERSISTED_OPERATION_NOT_FOUND");
  });
});

describe("the manifest", () => {
  it("holds each operation with the fragments it uses, under the sha256 of its text", () => {
    const built = buildManifest(["query A { viewer { ...V } } fragment V on Viewer { kind ...W } fragment W on Viewer { label } fragment Unused on Viewer { kind }", "mutation B { __typename }"]);
    const texts = Object.values(built);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain("fragment V on Viewer");
    expect(texts[0]).toContain("fragment W on Viewer");
    expect(texts[0]).not.toContain("Unused");
    for (const [hash, text] of Object.entries(built)) expect(hash).toBe(sha256Hex(text));
  });

  it("is refused at start when a key is not the hash of its document", () => {
    const forged = path.join(dir, "forged.json");
    writeFileSync(forged, JSON.stringify({ [VIEWER]: "{ viewer { kind label } }" }));
    expect(() => loadManifest(forged)).toThrow(/is not the sha256 of its document/);
    expect(() => loadManifest(path.join(dir, "missing.json"))).toThrow(/npm run persisted:build/);
  });
});

describe("the payment link's payer page", () => {
  it("pays under PERSISTED_OPERATIONS=only with the request its page sends, and a retry with its key makes no second payment", async () => {
    const db = only.services.db;
    const unit = await db.salesUnit.findFirstOrThrow({ where: { name: "Fjordkaffe Nettbutikk" } });
    const link = await db.paymentLink.create({
      data: { salesUnitId: unit.id, slug: `persisted${Date.now().toString(36)}`, amount: 9_900, currency: unit.currency, description: "Kaffe" },
    });
    const page = await (await fetch(`${only.url}/pay/${link.slug}`, { headers: { accept: "text/html" } })).text();
    // What the page's script sends, read from the page itself: the operation by its hash, as `only` requires.
    expect(page).not.toContain("query:");
    const hash = /sha256Hash: "([0-9a-f]{64})"/.exec(page)![1]!;
    const pay = async () => {
      const response = await fetch(`${only.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
          variables: { input: { slug: link.slug, phoneNumber: "+4791234567", idempotencyKey: "page-load-1" } },
        }),
      });
      return { status: response.status, body: (await response.json()) as { data?: { payPaymentLink?: { __typename: string } } } };
    };
    expect(await pay()).toMatchObject({ status: 200, body: { data: { payPaymentLink: { __typename: "MutationPayPaymentLinkSuccess" } } } });
    // The answer was lost, say: the page sends the same request again.
    expect(await pay()).toMatchObject({ status: 200, body: { data: { payPaymentLink: { __typename: "MutationPayPaymentLinkSuccess" } } } });
    expect(await db.transaction.count({ where: { paymentLinkId: link.id } })).toBe(1);
  });
});
