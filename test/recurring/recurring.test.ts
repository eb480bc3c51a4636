/** Applying for recurring payments and customer service's decision, through the real API. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { uuidOf } from "../support/ids";

let gateway: TestGateway;
const tokens: Record<string, string> = {};
type Unit = { id: string; msn: string; name: string };
let units: Unit[];

beforeAll(async () => {
  gateway = await startTestGateway();
  for (const key of ["no-admin", "no-sum", "no-assistant", "fi-admin", "dk-admin", "operator"]) tokens[key] = await gateway.login(key);
  units = (await gateway.graphql<{ salesUnits: { nodes: Unit[] } }>(tokens["operator"]!, "{ salesUnits(first: 50) { nodes { id msn name } } }")).data!.salesUnits.nodes;
});
afterAll(async () => gateway?.stop());

const unit = (name: string) => units.find((u) => u.name === name)!;

type Request = { id: string; status: string; monthlyRevenueAmount: number; description: string; rejectionReason: string | null; salesUnit: { capabilities: { recurring: boolean } } };
type Result = { __typename: string; code?: string; field?: string; message?: string; data?: Request };

const FIELDS = "id status monthlyRevenueAmount description rejectionReason salesUnit { capabilities { recurring } }";
const REQUEST = `mutation($input: RequestRecurringInput!) { requestRecurring(input: $input) {
  __typename ... on MutationRequestRecurringSuccess { data { ${FIELDS} } } ... on Error { code message } ... on ValidationError { field } } }`;
const APPROVE = `mutation($input: ApproveRecurringRequestInput!) { approveRecurringRequest(input: $input) {
  __typename ... on MutationApproveRecurringRequestSuccess { data { ${FIELDS} } } ... on Error { code message } } }`;
const REJECT = `mutation($input: RejectRecurringRequestInput!) { rejectRecurringRequest(input: $input) {
  __typename ... on MutationRejectRecurringRequestSuccess { data { ${FIELDS} } } ... on Error { code message } ... on ValidationError { field } } }`;

async function snapshot() {
  const db = gateway.services.db;
  return {
    requests: await db.recurringRequest.findMany({ orderBy: { id: "asc" } }),
    recurringUnits: await db.salesUnit.findMany({ where: { recurring: true }, select: { id: true }, orderBy: { id: "asc" } }),
    audit: await db.auditEvent.count(),
  };
}

const request = (token: string, salesUnitId: string, input: Record<string, unknown> = {}) =>
  gateway.graphql<{ requestRecurring: Result }>(token, REQUEST, {
    input: { salesUnitId, monthlyRevenueAmount: 2_500_000, description: "Månedlig kaffeabonnement", ...input },
  });

describe("requestRecurring", () => {
  it("lets a Sales Unit Manager apply for a production unit, PENDING, audited", async () => {
    const bryggen = units.find((u) => u.msn === gateway.persona("no-sum").salesUnits[0])!;
    const response = await request(tokens["no-sum"]!, bryggen.id);
    const created = response.data!.requestRecurring.data!;
    expect(created).toMatchObject({ status: "PENDING", monthlyRevenueAmount: 2_500_000, description: "Månedlig kaffeabonnement", salesUnit: { capabilities: { recurring: false } } });
    expect(await gateway.services.db.auditEvent.count({ where: { action: "recurringRequest.create", objectId: uuidOf(created.id) } })).toBe(1);
  });

  it.each([
    ["a zero revenue estimate", { monthlyRevenueAmount: 0 }, "monthlyRevenueAmount"],
    ["a negative revenue estimate", { monthlyRevenueAmount: -1 }, "monthlyRevenueAmount"],
    ["a 2-character description", { description: "ab" }, "description"],
    ["a 101-character description", { description: "d".repeat(101) }, "description"],
  ])("refuses %s and changes nothing", async (_what, input, field) => {
    const before = await snapshot();
    const response = await request(tokens["no-admin"]!, unit("Fjordkaffe Nettbutikk").id, input);
    expect(response.data!.requestRecurring).toMatchObject({ __typename: "ValidationError", field });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a test sales unit, pointing to a new test unit with recurring", async () => {
    const before = await snapshot();
    const response = await request(tokens["no-admin"]!, unit("Fjordkaffe Test Kasse").id);
    expect(response.data!.requestRecurring).toMatchObject({ __typename: "InvalidStateError", code: "INVALID_STATE" });
    expect(response.data!.requestRecurring.message).toContain("create a new test sales unit with recurring");
    expect(await snapshot()).toEqual(before);
  });

  it("allows one pending application at a time", async () => {
    const before = await snapshot();
    const response = await request(tokens["no-admin"]!, unit("Fjordkaffe Abonnement").id);
    expect(response.data!.requestRecurring).toMatchObject({ __typename: "ConflictError", code: "CONFLICT" });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a unit that already has recurring, and a deactivated one", async () => {
    const before = await snapshot();
    const has = await request(tokens["fi-admin"]!, unit("Sauna Oy Verkkokauppa").id);
    expect(has.data!.requestRecurring).toMatchObject({ __typename: "InvalidStateError" });
    const deactivated = await request(tokens["dk-admin"]!, unit("Hygge Cykler Vesterbro").id);
    expect(deactivated.data!.requestRecurring).toMatchObject({ __typename: "InvalidStateError" });
    expect(await snapshot()).toEqual(before);
  });

  it("is refused to an Assistant and to another merchant", async () => {
    const before = await snapshot();
    const assistantUnit = units.find((u) => u.msn === gateway.persona("no-assistant").salesUnits[0])!;
    expect((await request(tokens["no-assistant"]!, assistantUnit.id)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await request(tokens["dk-admin"]!, unit("Fjordkaffe Nettbutikk").id)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });
});

describe("approveRecurringRequest and rejectRecurringRequest", () => {
  it("approval by customer service turns recurring on; a second decision is refused", async () => {
    const created = (await request(tokens["no-admin"]!, unit("Fjordkaffe Nettbutikk").id)).data!.requestRecurring.data!;
    const approved = await gateway.graphql<{ approveRecurringRequest: Result }>(tokens["operator"]!, APPROVE, { input: { recurringRequestId: created.id } });
    expect(approved.data!.approveRecurringRequest).toMatchObject({ __typename: "MutationApproveRecurringRequestSuccess", data: { status: "APPROVED", salesUnit: { capabilities: { recurring: true } } } });
    expect(await gateway.services.db.auditEvent.findFirst({ where: { action: "recurringRequest.approve", objectId: uuidOf(created.id) } })).toMatchObject({ actorKind: "OPERATOR" });
    const before = await snapshot();
    const again = await gateway.graphql<{ rejectRecurringRequest: Result }>(tokens["operator"]!, REJECT, { input: { recurringRequestId: created.id, reason: "Too late" } });
    expect(again.data!.rejectRecurringRequest).toMatchObject({ __typename: "InvalidStateError" });
    expect(await snapshot()).toEqual(before);
  });

  it("rejection keeps the reason, leaves recurring off, and frees the unit to apply again", async () => {
    const pending = await gateway.services.db.recurringRequest.findFirstOrThrow({ where: { status: "PENDING", salesUnit: { name: "Fjordkaffe Abonnement" } } });
    const id = encodeGlobalID("RecurringRequest", pending.id);
    const reason = "Vi trenger mer informasjon om kundeavtalen.";
    const rejected = await gateway.graphql<{ rejectRecurringRequest: Result }>(tokens["operator"]!, REJECT, { input: { recurringRequestId: id, reason } });
    expect(rejected.data!.rejectRecurringRequest).toMatchObject({ data: { status: "REJECTED", rejectionReason: reason, salesUnit: { capabilities: { recurring: false } } } });
    const again = await request(tokens["no-admin"]!, unit("Fjordkaffe Abonnement").id);
    expect(again.data!.requestRecurring.data).toMatchObject({ status: "PENDING" });
  });

  it.each([
    ["a 2-character reason", "no", false],
    ["a 501-character reason", "r".repeat(501), false],
    ["a 500-character reason", "r".repeat(500), true],
  ])("checks %s", async (_what, reason, accepted) => {
    const row = await gateway.services.db.recurringRequest.create({
      data: { salesUnitId: uuidOf(unit("Hygge Cykler Webshop").id), monthlyRevenueAmount: 100_000, description: "Cykelleasing" },
    });
    const before = await snapshot();
    const response = await gateway.graphql<{ rejectRecurringRequest: Result }>(tokens["operator"]!, REJECT, {
      input: { recurringRequestId: encodeGlobalID("RecurringRequest", row.id), reason },
    });
    if (accepted) {
      expect(response.data!.rejectRecurringRequest.__typename).toBe("MutationRejectRecurringRequestSuccess");
    } else {
      expect(response.data!.rejectRecurringRequest).toMatchObject({ __typename: "ValidationError", field: "reason" });
      expect(await snapshot()).toEqual(before);
    }
    await gateway.services.db.recurringRequest.deleteMany({ where: { id: row.id, status: "PENDING" } });
  });

  it("refuses to approve for a unit deactivated since it applied", async () => {
    const row = await gateway.services.db.recurringRequest.create({
      data: { salesUnitId: uuidOf(unit("Hygge Cykler Vesterbro").id), monthlyRevenueAmount: 100_000, description: "Gammel butik" },
    });
    const before = await snapshot();
    const response = await gateway.graphql<{ approveRecurringRequest: Result }>(tokens["operator"]!, APPROVE, {
      input: { recurringRequestId: encodeGlobalID("RecurringRequest", row.id) },
    });
    expect(response.data!.approveRecurringRequest).toMatchObject({ __typename: "InvalidStateError" });
    expect(await snapshot()).toEqual(before);
  });

  it("answers NotFoundError for an unknown or malformed request id", async () => {
    for (const raw of ["6b1f7c2e-0000-4000-8000-000000000000", "nope"]) {
      const response = await gateway.graphql<{ approveRecurringRequest: Result }>(tokens["operator"]!, APPROVE, {
        input: { recurringRequestId: encodeGlobalID("RecurringRequest", raw) },
      });
      expect(response.data!.approveRecurringRequest).toMatchObject({ __typename: "NotFoundError", code: "NOT_FOUND" });
    }
  });

  it("is for customer service only", async () => {
    const pending = await gateway.services.db.recurringRequest.findFirstOrThrow({ where: { status: "PENDING" } });
    const id = encodeGlobalID("RecurringRequest", pending.id);
    const before = await snapshot();
    expect((await gateway.graphql(tokens["no-admin"]!, APPROVE, { input: { recurringRequestId: id } })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gateway.graphql(tokens["no-admin"]!, REJECT, { input: { recurringRequestId: id, reason: "Nei takk" } })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gateway.graphql(null, APPROVE, { input: { recurringRequestId: id } })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await snapshot()).toEqual(before);
  });
});

describe("recurringRequests list", () => {
  type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { id: string; status: string; salesUnit: { name: string } }[] };
  const LIST = `query($status: [RecurringRequestStatus!], $first: Int, $after: String) { recurringRequests(status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id status salesUnit { name } } } }`;
  const list = (token: string, variables: Record<string, unknown>) => gateway.graphql<{ recurringRequests: Page }>(token, LIST, variables);

  it("lets customer service page through every pending application, oldest first, with the total", async () => {
    await gateway.services.db.recurringRequest.create({
      data: { salesUnitId: uuidOf(unit("Hygge Cykler Nørrebro").id), monthlyRevenueAmount: 300_000, description: "Sykkelservice hver måned" },
    });
    const pending = await gateway.services.db.recurringRequest.findMany({ where: { status: "PENDING" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(pending.length).toBeGreaterThan(1);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const response = await list(tokens["operator"]!, { status: ["PENDING"], first: 1, after });
      const page: Page = response.data!.recurringRequests;
      expect(page.totalCount).toBe(pending.length);
      for (const node of page.nodes) {
        expect(node.status).toBe("PENDING");
        seen.push(uuidOf(node.id));
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(pending.map((row) => row.id));
  });

  it("shows a merchant only the applications of its own sales units", async () => {
    const response = await list(tokens["dk-admin"]!, { first: 50 });
    const own = await gateway.services.db.recurringRequest.count({ where: { salesUnit: { merchant: { name: "Hygge Cykler ApS" } } } });
    expect(response.data!.recurringRequests.totalCount).toBe(own);
    expect(response.data!.recurringRequests.nodes.every((node) => node.salesUnit.name.startsWith("Hygge Cykler"))).toBe(true);
    expect((await list(tokens["no-assistant"]!, { first: 50 })).data!.recurringRequests.totalCount).toBe(0);
  });

  it("lets customer service read a sales unit's applications", async () => {
    const response = await gateway.graphql<{ node: { recurringRequests: { status: string }[] } }>(
      tokens["operator"]!,
      `query($id: ID!) { node(id: $id) { ... on SalesUnit { recurringRequests { status } } } }`,
      { id: unit("Fjordkaffe Abonnement").id },
    );
    expect(response.errors).toBeUndefined();
    const stored = await gateway.services.db.recurringRequest.count({ where: { salesUnitId: uuidOf(unit("Fjordkaffe Abonnement").id) } });
    expect(stored).toBeGreaterThan(0);
    expect(response.data!.node.recurringRequests).toHaveLength(stored);
  });
});
