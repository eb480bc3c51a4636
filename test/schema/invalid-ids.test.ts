/** An id that is not a global id of the expected type answers INVALID_ID: typed in a mutation, extensions.code in a query. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

let gateway: TestGateway;
let token: string;
let unitId: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  token = await gateway.login("no-admin");
  const unit = await gateway.services.db.salesUnit.findUniqueOrThrow({ where: { msn: gateway.persona("no-admin").salesUnits[0]! }, select: { id: true } });
  unitId = encodeGlobalID("SalesUnit", unit.id);
});
afterAll(async () => gateway?.stop());

const CAPTURE = `mutation($input: CaptureTransactionInput!) { captureTransaction(input: $input) {
  __typename ... on Error { code message } ... on ValidationError { path field } } }`;

describe("an invalid global id", () => {
  it.each([
    ["not an id at all", () => "not-a-global-id"],
    ["the id of another type", () => unitId],
  ])("in a mutation's input (%s) answers its ValidationError with code INVALID_ID and the input's path", async (_what, id) => {
    const response = await gateway.graphql<{ captureTransaction: Record<string, unknown> }>(token, CAPTURE, {
      input: { transactionId: id(), idempotencyKey: "invalid-id-test" },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.captureTransaction).toEqual({
      __typename: "ValidationError",
      code: "INVALID_ID",
      message: expect.stringContaining("not an id of the expected type"),
      path: ["input", "transactionId"],
      field: "transactionId",
    });
  });

  it("in a query's argument answers a GraphQL error with extensions.code INVALID_ID at that field, the other roots answered", async () => {
    const response = await gateway.graphql<{ settlements: unknown; viewer: unknown }>(token, `{ viewer { __typename } settlements(salesUnitId: "bm90LWFuLWlk", first: 1) { totalCount } }`);
    expect(response.data).toEqual({ viewer: { __typename: expect.any(String) }, settlements: null });
    expect(response.errors).toEqual([expect.objectContaining({ path: ["settlements"], extensions: expect.objectContaining({ code: "INVALID_ID", field: "salesUnitId" }) })]);
  });

  it("in node(id:) answers null, as for an object the caller may not see", async () => {
    const response = await gateway.graphql<{ node: unknown }>(token, `{ node(id: "not-a-global-id") { id } }`);
    expect(response.data).toEqual({ node: null });
  });
});
