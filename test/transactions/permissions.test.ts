/** Who may move money (docs/permissions.md): the permission table, through the real HTTP API. */
import { randomUUID } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestGateway } from "../support/gateway";
import { apiKeyToken, footprint, key, mutate, platformApprove, requestPayment, startMoneyGateway, succeeded, unitByName } from "./support";

let gateway: TestGateway;
let admin: string;
const units: Record<"web" | "torget" | "bryggen" | "testShop", { id: string; globalId: string; msn: string }> = {} as never;

beforeAll(async () => {
  gateway = await startMoneyGateway();
  admin = await gateway.login("no-admin");
  units.web = await unitByName(gateway, "Fjordkaffe Nettbutikk");
  units.torget = await unitByName(gateway, "Fjordkaffe Torgallmenningen");
  units.bryggen = await unitByName(gateway, "Fjordkaffe Bryggen");
  units.testShop = await unitByName(gateway, "Fjordkaffe Test Nettbutikk");
});
afterAll(async () => gateway?.stop());

/** A production payment the customer approved: reserved, or captured at once on Bryggen (direct capture). */
async function approvedOn(unit: keyof typeof units, amount = 2_000): Promise<string> {
  const request = await requestPayment(gateway, admin, units[unit].globalId, amount);
  await platformApprove(gateway, request.id);
  return request.id;
}

const capture = (token: string | null, transactionId: string) => mutate(gateway, token, "captureTransaction", { transactionId, amount: 500, idempotencyKey: key() });

async function expectForbidden(outcome: Awaited<ReturnType<typeof capture>>) {
  expect(outcome.result).toBeUndefined();
  expect(outcome.errorCode).toBe("FORBIDDEN");
}

describe("capture, cancel and refund permissions", () => {
  it.each([
    ["an Administrator", "no-admin", "torget"],
    ["a Sales Unit Manager with Transaction Management on an assigned unit", "no-sum-tm", "torget"],
    ["an Assistant with Transaction Management on an assigned unit", "no-assistant-tm-dev", "web"],
  ] as const)("lets %s capture", async (_who, persona, unit) => {
    const id = await approvedOn(unit);
    expect(succeeded(await capture(await gateway.login(persona), id))).toMatchObject({ capturedAmount: 500 });
  });

  it.each([
    ["an Assistant without Transaction Management", "no-assistant", "torget"],
    ["a Sales Unit Manager without Transaction Management", "no-sum", "bryggen"],
    ["a user with Transaction Management on another sales unit", "no-sum-tm", "web"],
    ["a customer service operator", "operator", "torget"],
  ] as const)("answers FORBIDDEN to %s and changes nothing", async (_who, persona, unit) => {
    const id = await approvedOn(unit);
    const before = await footprint(gateway, id);
    await expectForbidden(await capture(await gateway.login(persona), id));
    expect(await footprint(gateway, id)).toEqual(before);
  });

  it("lets an Assistant with Transaction Management refund on its unit", async () => {
    const id = await approvedOn("bryggen");
    const assistant = await gateway.login("no-assistant-tm");
    expect(succeeded(await mutate(gateway, assistant, "refundTransaction", { transactionId: id, amount: 700, idempotencyKey: key() }))).toMatchObject({
      status: "REFUNDED",
      refundedAmount: 700,
    });
    expect((await mutate(gateway, await gateway.login("no-assistant"), "cancelTransaction", { transactionId: id, idempotencyKey: key() })).errorCode).toBe(
      "FORBIDDEN",
    );
  });

  it("lets a partner with TRANSACTIONS_MANAGE capture on a linked unit, and not on another", async () => {
    const partner = await gateway.login("partner");
    const linked = await approvedOn("torget");
    const operation = await capture(partner, linked);
    expect(succeeded(operation)).toMatchObject({ capturedAmount: 500 });
    const actor = await gateway.services.db.transactionOperation.findFirstOrThrow({ where: { type: "CAPTURE", transaction: { reference: operation.result?.data?.reference } } });
    expect(actor.actorKind).toBe("PARTNER");
    await expectForbidden(await capture(partner, await approvedOn("web")));
  });

  it("lets a sales unit's own API keys capture there, and nowhere else", async () => {
    const token = await apiKeyToken(gateway, units.torget.id);
    expect(succeeded(await capture(token, await approvedOn("torget")))).toMatchObject({ capturedAmount: 500 });
    await expectForbidden(await capture(token, await approvedOn("web")));
  });

  it("gives another merchant the same FORBIDDEN for an existing and for a made-up transaction", async () => {
    const dkAdmin = await gateway.login("dk-admin");
    const existing = await approvedOn("torget");
    await expectForbidden(await capture(dkAdmin, existing));
    await expectForbidden(await capture(dkAdmin, encodeGlobalID("Transaction", randomUUID())));
    await expectForbidden(await capture(dkAdmin, encodeGlobalID("Transaction", "not-a-uuid")));
  });

  it("refuses money mutations without a token as UNAUTHENTICATED", async () => {
    const outcome = await capture(null, await approvedOn("torget"));
    expect(outcome.errorCode).toBe("UNAUTHENTICATED");
  });
});

describe("payment request permissions", () => {
  const send = (token: string, salesUnitId: string) =>
    mutate(gateway, token, "requestPayment", {
      salesUnitId,
      amount: 1_000,
      phoneNumber: "+4791234567",
      reference: `perm-${randomUUID().slice(0, 8)}`,
      description: "Kaffe",
      idempotencyKey: key(),
    });

  it("lets every role send payment requests on the units it reaches, and nobody elsewhere", async () => {
    expect(succeeded(await send(await gateway.login("no-assistant"), units.torget.globalId)).status).toBe("REQUESTED");
    expect((await send(await gateway.login("no-assistant"), units.web.globalId)).errorCode).toBe("FORBIDDEN");
    expect((await send(await gateway.login("dk-admin"), units.web.globalId)).errorCode).toBe("FORBIDDEN");
  });

  it("lets a partner with PAYMENTS_WRITE and a unit's API keys send requests there", async () => {
    expect(succeeded(await send(await gateway.login("partner"), units.bryggen.globalId)).status).toBe("REQUESTED");
    expect(succeeded(await send(await apiKeyToken(gateway, units.web.id), units.web.globalId)).status).toBe("REQUESTED");
    expect((await send(await apiKeyToken(gateway, units.web.id), units.torget.globalId)).errorCode).toBe("FORBIDDEN");
  });

  it("lets only those who may send requests on a test unit simulate its customer", async () => {
    const request = await requestPayment(gateway, admin, units.testShop.globalId, 1_000);
    const outsider = await gateway.login("no-assistant");
    const refused = await mutate(gateway, outsider, "simulateCustomerAction", { transactionId: request.id, action: "APPROVE" });
    expect(refused.errorCode).toBe("FORBIDDEN");
    const developer = await gateway.login("no-assistant-dev");
    expect(succeeded(await mutate(gateway, developer, "simulateCustomerAction", { transactionId: request.id, action: "APPROVE" })).status).toBe("RESERVED");
  });
});
