import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { countingProxy, statementsOf } from "../../bench/pg-proxy";

/** The benchmark's statements-per-request figure rests on this proxy reading the wire protocol right. */
describe("the benchmark's counting proxy", () => {
  const target = new URL(inject("adminUrl"));
  const proxy = countingProxy({ host: target.hostname, port: Number(target.port || 5432) });
  let client: pg.Client;

  beforeAll(async () => {
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    const via = new URL(target);
    via.hostname = "127.0.0.1";
    via.port = String((proxy.server.address() as AddressInfo).port);
    client = new pg.Client({ connectionString: via.toString() });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await new Promise((resolve) => proxy.server.close(resolve));
  });

  const counted = async (work: () => Promise<unknown>) => {
    const before = statementsOf(proxy.counts);
    await work();
    return statementsOf(proxy.counts) - before;
  };

  it("counts an unparameterised query as one simple-protocol statement", async () => {
    const parses = proxy.counts.parse;
    expect(await counted(() => client.query("SELECT 1"))).toBe(1);
    expect(proxy.counts.parse).toBe(parses);
  });

  it("counts a parameterised query as one statement, prepared or not", async () => {
    expect(await counted(() => client.query("SELECT $1::int AS n", [1]))).toBe(1);
    const prepared = { name: "proxy-test", text: "SELECT $1::text AS t", values: ["x"] };
    expect(await counted(() => client.query(prepared))).toBe(1);
    const parses = proxy.counts.parse;
    expect(await counted(() => client.query(prepared))).toBe(1);
    expect(proxy.counts.parse).toBe(parses);
  });

  it("counts BEGIN and COMMIT around the statements of a transaction", async () => {
    const statements = await counted(async () => {
      await client.query("BEGIN");
      await client.query("SELECT $1::int", [1]);
      await client.query("SELECT $1::int", [2]);
      await client.query("COMMIT");
    });
    expect(statements).toBe(4);
  });

  it("keeps counting right when a message is larger than one network chunk", async () => {
    const large = "x".repeat(200_000);
    expect(await counted(() => client.query("SELECT length($1::text) AS n", [large]))).toBe(1);
    expect(await counted(() => client.query("SELECT 2"))).toBe(1);
  });

  it("passes answers through unchanged", async () => {
    const result = await client.query("SELECT $1::text AS echoed", ["through the proxy"]);
    expect(result.rows).toEqual([{ echoed: "through the proxy" }]);
    expect(proxy.counts.connections).toBe(1);
  });
});
