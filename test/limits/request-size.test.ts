/**
 * What one client may send, through the real server: request bodies (on /graphql, graphql-sse's /graphql/stream and
 * the signed platform events, two routes that read their bodies themselves), WebSocket messages, the
 * Merchant-Serial-Number header, and anonymous operations over WebSocket, which spend their address's budget.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { MAX_REQUEST_BYTES } from "../../src/limits/body-size";
import { startTestGateway, type TestGateway } from "../support/gateway";

let gateway: TestGateway;
let token: string;
beforeAll(async () => {
  gateway = await startTestGateway({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "40", PLATFORM_EVENT_SECRET: "platform-secret-for-tests" });
  // Before the tests spend 127.0.0.1's budget (the test login goes through HTTP).
  token = await gateway.token("no-admin");
});
afterAll(async () => gateway?.stop());

/** A POST whose body is sent as given: with its Content-Length, or chunked (no length). */
function post(path: string, body: string, headers: Record<string, string>, chunked = false, from = "127.0.0.1"): Promise<{ status: number; body: string }> {
  const url = new URL(path, gateway.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", localAddress: from, headers: chunked ? headers : { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // The server may answer before the body is all sent.
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    req.end(body);
  });
}

const oversized = JSON.stringify({ query: `{ __typename } # ${"x".repeat(MAX_REQUEST_BYTES)}` });

describe("request bodies", () => {
  it.each(["/graphql", "/graphql/stream", "/platform/events"])("refuses a body over the limit on %s with 413, before reading it", async (path) => {
    const answer = await post(path, oversized, { "content-type": "application/json", accept: "text/event-stream" });
    expect(answer.status).toBe(413);
  });

  it("refuses a body of unknown length on the routes that read bodies themselves, and takes a small one on /graphql", async () => {
    expect((await post("/platform/events", "{}", { "content-type": "application/json", "transfer-encoding": "chunked" }, true)).status).toBe(411);
    expect((await post("/graphql/stream", "{}", { "content-type": "application/json", "transfer-encoding": "chunked" }, true)).status).toBe(411);
    const small = await post("/graphql", JSON.stringify({ query: "{ __typename }" }), { "content-type": "application/json", "transfer-encoding": "chunked" }, true);
    expect(small.status).toBe(200);
  });
});

describe("WebSocket messages", () => {
  it("closes a socket whose message is over the limit (1009)", async () => {
    const socket = new WebSocket(`${gateway.url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const closed = new Promise<number>((resolve) => socket.once("close", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: { padding: "x".repeat(MAX_REQUEST_BYTES) } }));
    expect(await closed).toBe(1009);
  });

  it("charges anonymous operations to their address's budget, as over HTTP", async () => {
    const socket = new WebSocket(`${gateway.url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const codes: (string | null)[] = [];
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: { errors?: { extensions?: { code?: string } }[] } | { extensions?: { code?: string } }[] };
      if (message.type === "next") codes.push((message.payload as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code ?? null);
      if (message.type === "error") codes.push((message.payload as { extensions?: { code?: string } }[])[0]?.extensions?.code ?? "error");
    });
    socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
    await new Promise((resolve) => socket.once("message", resolve));
    // One at a time: a connection runs only so many operations at once.
    for (let i = 0; i < 50; i++) {
      socket.send(JSON.stringify({ id: String(i), type: "subscribe", payload: { query: `{ __typename }` } }));
      const deadline = Date.now() + 5_000;
      while (codes.length <= i && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    socket.close();
    // The budget is 40 a minute for the address; the tests before this one spent some of it over HTTP.
    expect(codes.filter((code) => code === null).length).toBeLessThanOrEqual(40);
    expect(codes).toContain("RATE_LIMITED");
  });
});

describe("the Merchant-Serial-Number header", () => {
  it("is an MSN of 5 or 6 digits; anything else is refused", async () => {
    const answer = await post("/graphql", JSON.stringify({ query: "{ viewer { kind } }" }), {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "merchant-serial-number": "x".repeat(2_000),
    }, false, "127.0.0.9");
    expect(answer.body).toContain("FORBIDDEN");
    expect(answer.body).toContain("5 or 6 digits");
    const ok = await post("/graphql", JSON.stringify({ query: "{ viewer { kind } }" }), { "content-type": "application/json", authorization: `Bearer ${token}`, "merchant-serial-number": " " }, false, "127.0.0.9");
    expect(ok.status).toBe(200);
  });
});
