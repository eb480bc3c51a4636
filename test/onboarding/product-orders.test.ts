/**
 * "Order solution" through the real API: what each product needs, the expected-by date, and what customer
 * service's completion delivers (a new production sales unit, a partner link, a capability).
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { uuidOf } from "../support/ids";
import { mutate } from "../support/mutate";
import { expectedByDate, PRODUCT_ORDER_WORKING_DAYS } from "../../src/domain/calendar";

let gateway: TestGateway;
const db = () => gateway.services.db;
let partners: { id: string; name: string }[];

beforeAll(async () => {
  gateway = await startTestGateway();
  const response = await gateway.graphql<{ partners: { nodes: { id: string; name: string }[] } }>(await token("no-admin"), "{ partners(first: 10) { nodes { id name } } }");
  partners = response.data!.partners.nodes;
});
afterAll(async () => gateway?.stop());

const token = (key: string) => gateway.token(key);

const partnerId = (name: string) => partners.find((p) => p.name === name)!.id;
const LINKED = "Kassalappen POS AS";
const UNLINKED = "Kassavirta Oy";

async function unit(name: string) {
  const row = await db().salesUnit.findFirstOrThrow({ where: { name } });
  return { ...row, globalId: encodeGlobalID("SalesUnit", row.id) };
}

const ORDER = "id product status salesUnitName channel expectedBy rejectionReason partner { name } salesUnit { id msn name status environment channel currency capabilities { paymentLinks } partner { name } }";
type Order = {
  id: string;
  status: string;
  expectedBy: string;
  rejectionReason: string | null;
  salesUnit: { id: string; msn: string; name: string; status: string; environment: string; channel: string; currency: string; capabilities: { paymentLinks: boolean }; partner: { name: string } | null } | null;
};

const order = async (who: string, input: Record<string, unknown>) =>
  mutate<Order>(gateway, await token(who), "orderProduct", { merchantId: gateway.persona("no-admin").merchantId, ...input }, ORDER);
const decide = async (who: string, field: string, input: Record<string, unknown>) => mutate<Order>(gateway, await token(who), field, input, ORDER);
/** The operator's way through an order: take it in progress, then complete it. */
async function startAndComplete(productOrderId: string) {
  expect((await decide("operator", "startProductOrder", { productOrderId })).result).toMatchObject({ data: { status: "IN_PROGRESS" } });
  return decide("operator", "completeProductOrder", { productOrderId });
}

async function snapshot() {
  return {
    orders: await db().productOrder.findMany({ orderBy: { id: "asc" } }),
    units: await db().salesUnit.findMany({ orderBy: { id: "asc" } }),
    apiKeys: await db().apiKeys.count(),
    audit: await db().auditEvent.count(),
  };
}

describe("orderProduct", () => {
  it("places an order for a new sales unit, expected within 10 working days, audited", async () => {
    const { result } = await order("no-admin", { product: "ONLINE_PAYMENTS", salesUnitName: "Fjordkaffe Kaffeklubb", note: "Ny nettbutikk for klubben." });
    expect(result).toMatchObject({ __typename: "MutationOrderProductSuccess", data: { status: "SUBMITTED", channel: "ONLINE", salesUnitName: "Fjordkaffe Kaffeklubb", salesUnit: null } });
    expect(result!.data!.expectedBy).toBe(expectedByDate(new Date(), PRODUCT_ORDER_WORKING_DAYS, "NO"));
    expect(await db().auditEvent.count({ where: { action: "productOrder.create" } })).toBe(1);
  });

  it("refuses orders that miss what their product needs, naming the field, and changes nothing", async () => {
    const dkUnit = await unit("Hygge Cykler Webshop");
    const testUnit = await unit("Fjordkaffe Test Nettbutikk");
    const cases: [Record<string, unknown>, string, string][] = [
      [{ product: "ONLINE_PAYMENTS" }, "ValidationError", "salesUnitName"],
      [{ product: "ONLINE_PAYMENTS", salesUnitName: "x".repeat(51) }, "ValidationError", "salesUnitName"],
      [{ product: "IN_PERSON_PAYMENTS", salesUnitName: "Kiosk", channel: "ONLINE" }, "ValidationError", "channel"],
      [{ product: "POS_PARTNER_INTEGRATION", salesUnitName: "Kiosk" }, "ValidationError", "partnerId"],
      [{ product: "POS_PARTNER_INTEGRATION", partnerId: partnerId(LINKED), salesUnitName: "Kiosk", salesUnitId: testUnit.globalId }, "ValidationError", "salesUnitId"],
      [{ product: "PAYMENT_LINKS" }, "ValidationError", "salesUnitId"],
      [{ product: "PAYMENT_LINKS", salesUnitId: dkUnit.globalId }, "ValidationError", "salesUnitId"],
      [{ product: "LOGIN", salesUnitId: testUnit.globalId }, "ValidationError", "salesUnitId"],
      [{ product: "CHECKOUT", salesUnitName: "Kasse", note: "n".repeat(501) }, "ValidationError", "note"],
      [{ product: "PAYMENT_LINKS", salesUnitId: (await unit("Fjordkaffe Nettbutikk")).globalId }, "InvalidStateError", ""],
      [{ product: "IN_PERSON_PAYMENTS", salesUnitName: "Kiosk", partnerId: encodeGlobalID("Partner", "6b1f7c2e-0000-4000-8000-000000000000") }, "NotFoundError", ""],
    ];
    const before = await snapshot();
    for (const [input, typename, field] of cases) {
      const { result } = await order("no-admin", input);
      expect(result, JSON.stringify(input).slice(0, 120)).toMatchObject({ __typename: typename, ...(field ? { field } : {}) });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("is for the merchant's Administrators: managers, assistants, other merchants' admins and operators are FORBIDDEN", async () => {
    const before = await snapshot();
    for (const who of ["no-sum-tm-dev", "no-assistant", "dk-admin", "operator"]) {
      expect((await order(who, { product: "ONLINE_PAYMENTS", salesUnitName: "Nope" })).errorCode, who).toBe("FORBIDDEN");
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe("fulfilling orders", () => {
  it("are started, completed and rejected by customer service only", async () => {
    const placed = (await order("no-admin", { product: "CHECKOUT", salesUnitName: "Fjordkaffe Kasse" })).result!.data!;
    const before = await snapshot();
    for (const field of ["startProductOrder", "completeProductOrder"]) expect((await decide("no-admin", field, { productOrderId: placed.id })).errorCode, field).toBe("FORBIDDEN");
    expect((await decide("no-admin", "rejectProductOrder", { productOrderId: placed.id, reason: "Changed my mind" })).errorCode).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });

  it("creates the ordered production sales unit, active at once with a 6-digit MSN, the market's currency and API keys", async () => {
    const placed = (await order("no-admin", { product: "ONLINE_PAYMENTS", salesUnitName: "Fjordkaffe Bedrift" })).result!.data!;
    expect((await decide("operator", "startProductOrder", { productOrderId: placed.id })).result).toMatchObject({ data: { status: "IN_PROGRESS" } });
    expect((await decide("operator", "startProductOrder", { productOrderId: placed.id })).result).toMatchObject({ __typename: "InvalidStateError" });
    const { result } = await decide("operator", "completeProductOrder", { productOrderId: placed.id });
    expect(result).toMatchObject({
      __typename: "MutationCompleteProductOrderSuccess",
      data: { status: "COMPLETED", salesUnit: { name: "Fjordkaffe Bedrift", status: "ACTIVE", environment: "PRODUCTION", channel: "ONLINE", currency: "NOK", partner: null } },
    });
    const created = result!.data!.salesUnit!;
    expect(created.msn).toMatch(/^\d{6}$/);
    expect(await db().apiKeys.count({ where: { salesUnit: { msn: created.msn } } })).toBe(1);
    const seen = await gateway.graphql<{ salesUnit: { name: string } | null }>(await token("no-admin"), `{ salesUnit(msn: "${created.msn}") { name } }`);
    expect(seen.data!.salesUnit).toEqual({ name: "Fjordkaffe Bedrift" });
    expect(await db().auditEvent.findFirstOrThrow({ where: { action: "productOrder.complete" }, orderBy: { id: "desc" } })).toMatchObject({ actorKind: "OPERATOR", data: { createdSalesUnit: true } });
    expect((await decide("operator", "completeProductOrder", { productOrderId: placed.id })).result).toMatchObject({ __typename: "InvalidStateError" });
  });

  it("completes the seeded in-person order with its partner, who then sees the new sales unit", async () => {
    const seeded = await db().productOrder.findFirstOrThrow({ where: { salesUnitName: "Fjordkaffe Sandviken" } });
    const { result } = await startAndComplete(encodeGlobalID("ProductOrder", seeded.id));
    expect(result).toMatchObject({ data: { salesUnit: { name: "Fjordkaffe Sandviken", channel: "IN_PERSON", partner: { name: LINKED } } } });
    const partnerView = await gateway.graphql<{ salesUnits: { nodes: { msn: string }[] } }>(await token("partner"), "{ salesUnits(first: 50) { nodes { msn } } }");
    expect(partnerView.data!.salesUnits.nodes.map((n) => n.msn)).toContain(result!.data!.salesUnit!.msn);
    // Announced as a new unit and as a partner link, as linking an existing unit is.
    const unitId = uuidOf(result!.data!.salesUnit!.id);
    const events = await db().outboxEvent.findMany({ where: { aggregateId: unitId }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.type)).toEqual(["salesUnit.CREATED", "salesUnit.PARTNER_LINKED"]);
    expect(events[1]!.payload).toMatchObject({ partnerId: expect.any(String), previousPartnerId: null });
  });

  it("switches payment links on for an existing sales unit", async () => {
    const subscription = await unit("Fjordkaffe Abonnement");
    const placed = (await order("no-admin", { product: "PAYMENT_LINKS", salesUnitId: subscription.globalId })).result!.data!;
    const { result } = await startAndComplete(placed.id);
    expect(result).toMatchObject({ data: { status: "COMPLETED", salesUnit: { id: subscription.globalId, capabilities: { paymentLinks: true } } } });
  });

  it("links a POS partner to an existing sales unit, giving the partner access to it", async () => {
    const subscription = await unit("Fjordkaffe Abonnement");
    const placed = (await order("no-admin", { product: "POS_PARTNER_INTEGRATION", salesUnitId: subscription.globalId, partnerId: partnerId(UNLINKED) })).result!.data!;
    const partnerSees = async () =>
      (await gateway.graphql<{ salesUnits: { nodes: { msn: string }[] } }>(await token("partner-unlinked"), "{ salesUnits(first: 50) { nodes { msn } } }")).data!.salesUnits.nodes;
    expect(await partnerSees()).toEqual([]);
    expect((await startAndComplete(placed.id)).result).toMatchObject({ data: { salesUnit: { partner: { name: UNLINKED } } } });
    expect(await partnerSees()).toEqual([{ msn: subscription.msn }]);
  });

  it("refuses a POS partner for a sales unit that has one: partners are not changed through the portal", async () => {
    const bryggen = await unit("Fjordkaffe Bryggen");
    expect(bryggen.partnerId).not.toBeNull();
    const before = await snapshot();
    const { result } = await order("no-admin", { product: "POS_PARTNER_INTEGRATION", salesUnitId: bryggen.globalId, partnerId: partnerId(UNLINKED) });
    expect(result).toMatchObject({ __typename: "InvalidStateError", message: expect.stringContaining("cannot be changed through the portal") });
    expect(await snapshot()).toEqual(before);
  });

  it("takes one open order per product and sales unit, also when two arrive at once, and completes none twice", async () => {
    const torget = await unit("Fjordkaffe Torgallmenningen");
    const placed = await Promise.all([0, 1].map(() => order("no-admin", { product: "LOGIN", salesUnitId: torget.globalId })));
    expect(placed.map((p) => p.result!.__typename).sort()).toEqual(["InvalidStateError", "MutationOrderProductSuccess"]);
    expect(await db().productOrder.count({ where: { salesUnitId: torget.id, product: "LOGIN" } })).toBe(1);
    // Delivered another way meanwhile (customer service switched it on): the order has nothing left to deliver.
    const open = placed.find((p) => p.result!.__typename === "MutationOrderProductSuccess")!.result!.data!;
    await db().salesUnit.update({ where: { id: torget.id }, data: { login: true } });
    expect((await startAndComplete(open.id)).result).toMatchObject({ __typename: "InvalidStateError", message: expect.stringContaining("reject the order") });
  });

  it("keeps recurring to one route at a time: no order beside a pending application, no application beside an open order", async () => {
    const subscription = await unit("Fjordkaffe Abonnement");
    expect(await db().recurringRequest.count({ where: { salesUnitId: subscription.id, status: "PENDING" } })).toBe(1);
    expect((await order("no-admin", { product: "RECURRING", salesUnitId: subscription.globalId })).result).toMatchObject({
      __typename: "InvalidStateError",
      message: expect.stringContaining("recurring application"),
    });
    const bryggen = await unit("Fjordkaffe Bryggen");
    expect((await order("no-admin", { product: "RECURRING", salesUnitId: bryggen.globalId })).result).toMatchObject({ __typename: "MutationOrderProductSuccess" });
    const applied = await mutate(gateway, await token("no-admin"), "requestRecurring", { salesUnitId: bryggen.globalId, monthlyRevenueAmount: 2_500_000, description: "Månedlig kaffeabonnement" }, "id");
    expect(applied.result).toMatchObject({ __typename: "ConflictError", message: expect.stringContaining("already ordered") });
    expect(await db().recurringRequest.count({ where: { salesUnitId: bryggen.id } })).toBe(0);
  });

  it("refuses to complete an order nobody has started, and changes nothing", async () => {
    const placed = (await order("no-admin", { product: "ONLINE_PAYMENTS", salesUnitName: "Fjordkaffe Snarvei" })).result!.data!;
    const before = await snapshot();
    const { result } = await decide("operator", "completeProductOrder", { productOrderId: placed.id });
    expect(result).toMatchObject({ __typename: "InvalidStateError", message: expect.stringContaining("startProductOrder") });
    expect(await snapshot()).toEqual(before);
  });

  it("rejects an order with a reason the Administrator reads; a rejected order cannot be completed", async () => {
    const placed = (await order("no-admin", { product: "IN_PERSON_PAYMENTS", salesUnitName: "Fjordkaffe Flyplass" })).result!.data!;
    const before = await snapshot();
    expect((await decide("operator", "rejectProductOrder", { productOrderId: placed.id, reason: "" })).result).toMatchObject({ __typename: "ValidationError", field: "reason" });
    expect(await snapshot()).toEqual(before);
    const reason = "We need the lease for the airport premises first: upload it and order again.";
    expect((await decide("operator", "rejectProductOrder", { productOrderId: placed.id, reason })).result).toMatchObject({ data: { status: "REJECTED", rejectionReason: reason } });
    const read = await gateway.graphql<{ node: { status: string; rejectionReason: string } }>(await token("no-admin"), "query($id: ID!) { node(id: $id) { ... on ProductOrder { status rejectionReason } } }", { id: placed.id });
    expect(read.data!.node).toEqual({ status: "REJECTED", rejectionReason: reason });
    const after = await snapshot();
    expect((await decide("operator", "completeProductOrder", { productOrderId: placed.id })).result).toMatchObject({ __typename: "InvalidStateError" });
    expect(await snapshot()).toEqual(after);
  });
});
