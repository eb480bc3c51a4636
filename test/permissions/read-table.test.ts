/**
 * The permission table (docs/permissions.md) for reads: every persona asks `node(id:)` and `nodes(ids:)` for real
 * objects of every Node type, of its own merchant and of others, and every query root for its list. What it may see
 * is computed here from `Access` (src/auth/permissions.ts) and the rule each type follows (READ_RULE, the policy
 * table restated); the schema must answer exactly that. A Node type without a rule, or a query root this file does
 * not ask, fails the first tests. Objects the seed has none of (webhook endpoints and deliveries, report runs,
 * outbox events) are written into this file's own database first.
 */
import { randomUUID } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { isObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Access } from "../../src/auth/permissions";
import { resolvePrincipal } from "../../src/auth/principal";
import { EVENT_TYPES, eventTypeSpec } from "../../src/events/catalog";
import { viewableTransactions } from "../../src/auth/policies/transaction";
import { schema } from "../../src/schema";
import { startTestGateway, type TestGateway } from "../support/gateway";

const PERSONAS = [
  "no-admin", "no-sum", "no-sum-tm", "no-sum-dev", "no-assistant", "no-assistant-tm", "no-assistant-dev",
  "se-assistant", "dk-admin", "two-merchants", "applicant", "partner", "partner-unlinked", "operator",
] as const;

interface Unit {
  id: string;
  merchantId: string;
}

type Typename =
  | "SalesUnit" | "Transaction" | "TransactionOperation" | "Settlement" | "QrCode" | "PaymentLink" | "Merchant"
  | "RecurringRequest" | "Membership" | "PortalUser" | "ReportSubscription" | "MerchantAgreement" | "ProductOrder"
  | "PartnerKey" | "Partner" | "AuditEvent" | "TestUser" | "ReportRun" | "WebhookEndpoint" | "WebhookDelivery";

/**
 * An object, the sales unit it belongs to (if any) and its merchant; `userId` is the person a Membership or
 * PortalUser is about (or an agreement's applicant), `userMerchants` the merchants that person belongs to;
 * `partnerId` a partner's webhook endpoint's owner; `creator` who made a report run.
 */
interface Sample {
  typename: Typename;
  id: string;
  unit: Unit | null;
  merchantId: string | null;
  userId?: string;
  userMerchants?: string[];
  partnerId?: string | null;
  creator?: { kind: string; id: string };
  /** A report run: whether its creator's access still covers it. */
  covered?: boolean;
}

/** The caller as the table sees it: its kind, its id and its access. */
interface Caller {
  kind: string;
  id: string;
  access: Access;
}

const administers = (c: Caller, merchantId: string | null) => merchantId !== null && c.access.canOnWholeMerchant("ADMINISTER_MERCHANT", merchantId);
const operator = (c: Caller) => c.kind === "OPERATOR";
const himself = (c: Caller, s: Sample) => c.kind === "USER" && c.id === s.userId;

/** What makes each type readable: an action on the object's sales unit or merchant, or who the caller is. */
const READ_RULE: Record<Typename, (caller: Caller, sample: Sample) => boolean> = {
  SalesUnit: (c, s) => c.access.canOnSalesUnit("VIEW_SALES_UNIT", s.unit!),
  Transaction: (c, s) => c.access.canOnSalesUnit("VIEW_TRANSACTIONS", s.unit!),
  Settlement: (c, s) => c.access.canOnSalesUnit("VIEW_TRANSACTIONS", s.unit!),
  // QR codes are managed with EDIT_SALES_UNIT, which customer service does not hold: it sees none.
  QrCode: (c, s) => c.access.canOnSalesUnit("EDIT_SALES_UNIT", s.unit!),
  PaymentLink: (c, s) => c.access.canOnSalesUnit("REQUEST_PAYMENT", s.unit!),
  Merchant: (c, s) => c.access.canOnMerchant("VIEW_SALES_UNIT", s.merchantId!),
  // Customer service decides on recurring requests, so it sees them all.
  RecurringRequest: (c, s) => c.access.canOnSalesUnit("EDIT_SALES_UNIT", s.unit!) || operator(c),
  Membership: (c, s) => himself(c, s) || administers(c, s.merchantId) || operator(c),
  PortalUser: (c, s) => himself(c, s) || s.userMerchants!.some((m) => administers(c, m)) || operator(c),
  // Seen by the portal users who could have created it (without personal data).
  ReportSubscription: (c, s) =>
    c.kind === "USER" && (s.unit ? c.access.canOnSalesUnit("VIEW_TRANSACTIONS", s.unit) : c.access.canOnWholeMerchant("VIEW_TRANSACTIONS", s.merchantId!)),
  MerchantAgreement: (c, s) => himself(c, s) || operator(c),
  ProductOrder: (c, s) => administers(c, s.merchantId) || operator(c),
  PartnerKey: (c) => operator(c),
  Partner: () => true,
  // Whoever may see the payment sees its history.
  TransactionOperation: (c, s) => c.access.canOnSalesUnit("VIEW_TRANSACTIONS", s.unit!),
  // The audit trail: portal users and customer service only; a merchant's events for its Administrators, events of
  // no merchant for customer service.
  AuditEvent: (c, s) => (c.kind === "USER" || operator(c)) && (s.merchantId === null ? operator(c) : administers(c, s.merchantId) || operator(c)),
  // Test customers are developer tooling of the merchant.
  TestUser: (c, s) => c.access.canOnMerchant("DEVELOPER", s.merchantId!),
  // A report run is its creator's alone, while their access still covers it.
  ReportRun: (c, s) => c.kind === s.creator!.kind && c.id === s.creator!.id && s.covered === true,
  // A partner's endpoint is the partner's own; a merchant's needs DEVELOPER on every sales unit of the merchant.
  WebhookEndpoint: (c, s) => (s.partnerId ? c.kind === "PARTNER" && c.id === s.partnerId : c.access.canOnWholeMerchant("DEVELOPER", s.merchantId!)),
  WebhookDelivery: (c, s) => READ_RULE.WebhookEndpoint(c, s),
};

/** An outbox event and what a receiver must hold: the catalogue's `requires` on its sales unit or merchant. */
interface EventSample {
  key: string;
  type: string;
  merchantId: string | null;
  unit: Unit | null;
}

/**
 * Who may receive an event (docs/events.md): `requires` on the sales unit, else on the merchant (on the whole
 * merchant for webhook endpoints' events); no requirement, or
 * no merchant (a partner's webhook endpoint): customer service.
 */
function mayReceiveEvent(c: Caller, event: EventSample): boolean {
  const { requires, wholeMerchant } = eventTypeSpec(event.type)!;
  if (event.unit && requires) return c.access.canOnSalesUnit(requires, event.unit);
  if (event.merchantId && requires) return wholeMerchant ? c.access.canOnWholeMerchant(requires, event.merchantId) : c.access.canOnMerchant(requires, event.merchantId);
  return c.access.merchantIds("VIEW_SALES_UNIT") === "*";
}

/**
 * The list roots over Node types: every row of the type the persona may see, across every page. `rows` are all
 * rows of the type in the database (the list's own order does not matter here).
 */
const LIST_ROOTS: Record<string, { typename: Typename; rows: () => Promise<Sample[]> }> = {
  auditEvents: {
    typename: "AuditEvent",
    rows: async () =>
      (await gateway.services.db.auditEvent.findMany({ select: { id: true, merchantId: true } })).map((row) => ({
        typename: "AuditEvent", id: row.id.toString(), unit: null, merchantId: row.merchantId,
      })),
  },
  merchantAgreements: {
    typename: "MerchantAgreement",
    rows: async () =>
      (await gateway.services.db.merchantAgreement.findMany({ select: { id: true, applicantId: true } })).map((row) => ({
        typename: "MerchantAgreement", id: row.id, unit: null, merchantId: null, userId: row.applicantId,
      })),
  },
  partners: {
    typename: "Partner",
    rows: async () => (await gateway.services.db.partner.findMany({ select: { id: true } })).map((row) => ({ typename: "Partner", id: row.id, unit: null, merchantId: null })),
  },
  productOrders: {
    typename: "ProductOrder",
    rows: async () =>
      (await gateway.services.db.productOrder.findMany({ select: { id: true, merchantId: true } })).map((row) => ({
        typename: "ProductOrder", id: row.id, unit: null, merchantId: row.merchantId,
      })),
  },
  recurringRequests: {
    typename: "RecurringRequest",
    rows: async () => {
      const byId = new Map(units.map((u) => [u.id, u]));
      return (await gateway.services.db.recurringRequest.findMany({ select: { id: true, salesUnitId: true } })).map((row) => ({
        typename: "RecurringRequest", id: row.id, unit: byId.get(row.salesUnitId)!, merchantId: byId.get(row.salesUnitId)!.merchantId,
      }));
    },
  },
  webhookEndpoints: {
    typename: "WebhookEndpoint",
    rows: async () =>
      (await gateway.services.db.webhookEndpoint.findMany({ select: { id: true, merchantId: true, partnerId: true } })).map((row) => ({
        typename: "WebhookEndpoint", id: row.id, unit: null, merchantId: row.merchantId, partnerId: row.partnerId,
      })),
  },
};

/**
 * Every query root and where this file asks it: the list roots above, and the roots with a test of their own below.
 * A new root fails "asks every query root" until it is added to one of them.
 */
const OTHER_ROOTS: Record<string, string> = {
  node: "every sample of every type, as every persona",
  nodes: "every sample of every type, as every persona, the same answers as node",
  salesUnits: "the sales units the table allows",
  merchants: "the merchants where the persona views some sales unit",
  transactions: "counted against the transactions of the units it views",
  transactionAggregates: "its counts add up to the same transactions",
  salesUnit: "for every sales unit, by msn",
  settlements: "for every sales unit, answered or refused",
  events: "the outbox events the catalogue lets it receive",
  webhookEventTypes: "the whole catalogue for every caller",
  eventsCursor: "the same position in the delivery order for every caller, naming no event",
  transactionEventsCursor: "the same position as eventsCursor, with the transaction feed's prefix",
  viewer: "the caller itself",
};

let gateway: TestGateway;
let units: Unit[];
let samples: Sample[];
let events: EventSample[];
const callerOf = new Map<string, Caller>();

beforeAll(async () => {
  gateway = await startTestGateway();
  const db = gateway.services.db;
  units = await db.salesUnit.findMany({ select: { id: true, merchantId: true }, orderBy: { msn: "asc" } });
  const unitById = new Map(units.map((u) => [u.id, u]));
  const sample = (typename: Sample["typename"], rows: { id: string; salesUnitId: string }[]): Sample[] =>
    rows.map((row) => ({ typename, id: row.id, unit: unitById.get(row.salesUnitId)!, merchantId: unitById.get(row.salesUnitId)!.merchantId }));
  // One object per sales unit of each type, so every persona meets units it reaches and units it does not.
  const distinctByUnit = { distinct: ["salesUnitId"] as ["salesUnitId"], select: { id: true, salesUnitId: true } };
  samples = [
    ...units.map((unit) => ({ typename: "SalesUnit" as const, id: unit.id, unit, merchantId: unit.merchantId })),
    ...sample("Transaction", await db.transaction.findMany(distinctByUnit)),
    ...sample("Settlement", await db.settlement.findMany(distinctByUnit)),
    ...sample("QrCode", await db.qrCode.findMany(distinctByUnit)),
    ...sample("PaymentLink", await db.paymentLink.findMany(distinctByUnit)),
    ...(await db.merchant.findMany({ select: { id: true } })).map((m) => ({ typename: "Merchant" as const, id: m.id, unit: null, merchantId: m.id })),
    ...sample("RecurringRequest", await db.recurringRequest.findMany(distinctByUnit)),
    ...(await db.reportSubscription.findMany({ select: { id: true, merchantId: true, salesUnitId: true } })).map((row) => ({
      typename: "ReportSubscription" as const,
      id: row.id,
      unit: row.salesUnitId ? unitById.get(row.salesUnitId)! : null,
      merchantId: row.merchantId,
    })),
    ...(await db.productOrder.findMany({ distinct: ["merchantId"], select: { id: true, merchantId: true } })).map((row) => ({
      typename: "ProductOrder" as const, id: row.id, unit: null, merchantId: row.merchantId,
    })),
    ...(await db.merchantAgreement.findMany({ select: { id: true, applicantId: true } })).map((row) => ({
      typename: "MerchantAgreement" as const, id: row.id, unit: null, merchantId: null, userId: row.applicantId,
    })),
    ...(await db.partnerKey.findMany({ select: { id: true } })).map((row) => ({ typename: "PartnerKey" as const, id: row.id, unit: null, merchantId: null })),
    ...(await db.partner.findMany({ select: { id: true } })).map((row) => ({ typename: "Partner" as const, id: row.id, unit: null, merchantId: null })),
  ];
  // One access per merchant and role, and the people holding them (with every merchant they belong to).
  const memberships = await db.membership.findMany({ distinct: ["merchantId", "role"], select: { id: true, userId: true, merchantId: true } });
  const merchantsOf = async (userId: string) => (await db.membership.findMany({ where: { userId }, select: { merchantId: true } })).map((m) => m.merchantId);
  for (const m of memberships) {
    samples.push({ typename: "Membership", id: m.id, unit: null, merchantId: m.merchantId, userId: m.userId });
    samples.push({ typename: "PortalUser", id: m.userId, unit: null, merchantId: m.merchantId, userId: m.userId, userMerchants: await merchantsOf(m.userId) });
  }
  for (const key of PERSONAS) {
    const verified = await gateway.services.tokens.verify(await gateway.token(key));
    const { principal, access } = await resolvePrincipal(db, verified);
    callerOf.set(key, { kind: principal.kind, id: principal.id, access });
  }

  // A payment's history: one operation of each sampled transaction.
  for (const tx of samples.filter((s) => s.typename === "Transaction")) {
    const operation = await db.transactionOperation.findFirstOrThrow({ where: { transactionId: tx.id }, select: { id: true } });
    samples.push({ typename: "TransactionOperation", id: operation.id, unit: tx.unit, merchantId: tx.merchantId });
  }
  const auditRows = [
    ...(await db.auditEvent.findMany({ distinct: ["merchantId"], where: { merchantId: { not: null } }, select: { id: true, merchantId: true } })),
    ...(await db.auditEvent.findMany({ where: { merchantId: null }, take: 1, select: { id: true, merchantId: true } })),
  ];
  samples.push(...auditRows.map((row) => ({ typename: "AuditEvent" as const, id: row.id.toString(), unit: null, merchantId: row.merchantId })));
  samples.push(
    ...(await db.testUser.findMany({ distinct: ["merchantId"], select: { id: true, merchantId: true } })).map((row) => ({
      typename: "TestUser" as const, id: row.id, unit: null, merchantId: row.merchantId,
    })),
  );

  // What the seed has none of. Endpoints are DISABLED and deliveries done, so the webhook worker leaves them alone.
  const merchantIds = [...new Set(units.map((u) => u.merchantId))];
  const partnerIds = (await db.partner.findMany({ select: { id: true } })).map((p) => p.id);
  const owners = [...merchantIds.map((merchantId) => ({ merchantId, partnerId: null })), ...partnerIds.map((partnerId) => ({ merchantId: null, partnerId }))];
  for (const owner of owners) {
    const endpoint = await db.webhookEndpoint.create({
      data: { ...owner, url: "https://hooks.example.com/read-table", eventTypes: ["transaction.CAPTURED"], secretEncrypted: "unused", status: "DISABLED" },
    });
    const delivery = await db.webhookDelivery.create({
      data: { endpointId: endpoint.id, outboxEventId: 1n, deliverySeq: 1n, eventType: "transaction.CAPTURED", aggregateId: randomUUID(), status: "SUCCEEDED", completedAt: new Date() },
    });
    samples.push({ typename: "WebhookEndpoint", id: endpoint.id, unit: null, ...owner });
    samples.push({ typename: "WebhookDelivery", id: delivery.id, unit: null, ...owner });
  }
  for (const caller of callerOf.values()) {
    // An export made with the caller's access as it is, and one made with an access they no longer have.
    for (const covered of [true, false]) {
      const access = covered ? viewableTransactions(caller.access) : { field: "id", in: [randomUUID()] };
      const run = await db.reportRun.create({
        data: {
          kind: "TRANSACTIONS",
          salesUnitIds: [],
          format: "CSV",
          status: "FAILED",
          failureReason: "written by the read table",
          condition: JSON.parse(JSON.stringify({ rows: access, access })),
          createdByKind: caller.kind as "USER",
          createdById: caller.id,
        },
      });
      samples.push({ typename: "ReportRun", id: run.id, unit: null, merchantId: null, creator: { kind: caller.kind, id: caller.id }, covered });
    }
  }

  // Outbox events of every kind of receiver rule: on a sales unit, on a merchant, and of no merchant. Written already
  // sequenced (the relay only sequences rows without a deliverySeq and continues after the highest).
  events = [
    ...units.flatMap((unit) => [
      { key: randomUUID(), type: "transaction.CAPTURED", merchantId: unit.merchantId, unit },
      { key: randomUUID(), type: "qrCode.CREATED", merchantId: unit.merchantId, unit },
      { key: randomUUID(), type: "apiKeys.ROTATED", merchantId: unit.merchantId, unit },
    ]),
    ...merchantIds.map((merchantId) => ({ key: randomUUID(), type: "merchant.UPDATED", merchantId, unit: null })),
    { key: randomUUID(), type: "merchantAgreement.SUBMITTED", merchantId: null, unit: null },
    { key: randomUUID(), type: "webhookEndpoint.CREATED", merchantId: null, unit: null },
  ];
  const { _max } = await db.outboxEvent.aggregate({ _max: { deliverySeq: true } });
  await db.outboxEvent.createMany({
    data: events.map((event, i) => ({
      type: event.type,
      aggregateType: eventTypeSpec(event.type)!.aggregateType,
      aggregateId: randomUUID(),
      merchantId: event.merchantId,
      salesUnitId: event.unit?.id ?? null,
      payload: { key: event.key },
      deliverySeq: (_max.deliverySeq ?? 0n) + BigInt(i + 1),
      publishedAt: new Date(),
    })),
  });
});
afterAll(async () => gateway?.stop());

function expectedVisible(key: string, sample: Sample): boolean {
  return READ_RULE[sample.typename](callerOf.get(key)!, sample);
}

const sampleKey = (s: Sample) => `${s.typename}:${s.id}`;

/** Asks `node(id:)` for every sample, a few aliases per request; answers the samples the schema returned. */
async function visibleThroughNode(token: string): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let start = 0; start < samples.length; start += 10) {
    const chunk = samples.slice(start, start + 10);
    const query = `{ ${chunk.map((s, i) => `n${i}: node(id: "${encodeGlobalID(s.typename, s.id)}") { __typename id }`).join(" ")} }`;
    const response = await gateway.graphql<Record<string, { __typename: string; id: string } | null>>(token, query);
    expect(response.errors).toBeUndefined();
    chunk.forEach((s, i) => {
      const node = response.data?.[`n${i}`];
      if (node) {
        expect(node.__typename).toBe(s.typename);
        seen.add(sampleKey(s));
      }
    });
  }
  return seen;
}

/** The same through `nodes(ids:)`, twenty ids per request. */
async function visibleThroughNodes(token: string): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let start = 0; start < samples.length; start += 20) {
    const chunk = samples.slice(start, start + 20);
    const response = await gateway.graphql<{ nodes: ({ __typename: string } | null)[] }>(token, "query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }", {
      ids: chunk.map((s) => encodeGlobalID(s.typename, s.id)),
    });
    expect(response.errors).toBeUndefined();
    chunk.forEach((s, i) => {
      if (response.data!.nodes[i]) seen.add(sampleKey(s));
    });
  }
  return seen;
}

/**
 * Every id a list root answers, page after page; null when the root refused the caller (FORBIDDEN or
 * UNAUTHENTICATED, which only a caller that may see none of the rows may get).
 */
async function listAll(token: string, root: string, selection = "id"): Promise<Record<string, unknown>[] | null> {
  const rows: Record<string, unknown>[] = [];
  let after: string | null = null;
  for (;;) {
    const response: Awaited<ReturnType<typeof gateway.graphql<Record<string, { nodes: Record<string, unknown>[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null>>>> =
      await gateway.graphql(token, `query($after: String) { ${root}(first: 100, after: $after) { nodes { ${selection} } pageInfo { hasNextPage endCursor } } }`, { after });
    if (response.errors) {
      expect(["FORBIDDEN", "UNAUTHENTICATED"]).toContain(response.errors[0]!.extensions?.code);
      return null;
    }
    const page = response.data![root]!;
    rows.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}

/** Objects that belong to no merchant (or not to one by their own row): "more than one merchant" does not apply. */
const OF_NO_MERCHANT = ["MerchantAgreement", "PartnerKey", "Partner", "ReportRun"];

describe("reads follow the permission table", () => {
  it("has a read rule for every Node type of the schema", () => {
    const nodeTypes = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && type.getInterfaces().some((face) => face.name === "Node"))
      .map((type) => type.name)
      .sort();
    expect(Object.keys(READ_RULE).sort()).toEqual(nodeTypes);
  });

  it("asks every query root", () => {
    const asked = [...Object.keys(LIST_ROOTS), ...Object.keys(OTHER_ROOTS)].sort();
    expect(asked).toEqual(Object.keys(schema.getQueryType()!.getFields()).sort());
  });

  it("covers every readable type with objects of more than one merchant, each visible to one persona and not to another", () => {
    for (const typename of Object.keys(READ_RULE) as Typename[]) {
      const ofType = samples.filter((s) => s.typename === typename);
      if (!OF_NO_MERCHANT.includes(typename)) expect(new Set(ofType.map((s) => s.merchantId)).size, typename).toBeGreaterThan(1);
      expect(ofType.length, typename).toBeGreaterThan(0);
      // A rule nobody passes, or everybody, would prove nothing (the partner directory is open on purpose).
      const verdicts = new Set(PERSONAS.flatMap((key) => ofType.map((s) => expectedVisible(key, s))));
      if (typename !== "Partner") expect(verdicts, typename).toEqual(new Set([true, false]));
    }
    const eventVerdicts = new Set(PERSONAS.flatMap((key) => events.map((e) => mayReceiveEvent(callerOf.get(key)!, e))));
    expect(eventVerdicts).toEqual(new Set([true, false]));
  });

  it("shows a payment link's public side (GET /pay/<slug>.json) to anyone with the link, with or without a token, and nothing more", async () => {
    const links = await gateway.services.db.paymentLink.findMany({ where: { id: { in: samples.filter((s) => s.typename === "PaymentLink").map((s) => s.id) } }, select: { slug: true } });
    expect(links.length).toBeGreaterThan(1);
    const tokens = [null, ...(await Promise.all(["no-admin", "dk-admin", "partner", "operator"].map((key) => gateway.token(key))))];
    let open = 0;
    for (const { slug } of links) {
      const answers = await Promise.all(
        tokens.map(async (token) => {
          const response = await fetch(`${gateway.url}/pay/${encodeURIComponent(slug)}.json`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> };
        }),
      );
      // The same answer whoever asks: the page is the link's, not the caller's.
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect([200, 410]).toContain(answers[0]!.status);
      if (answers[0]!.status === 200) {
        open += 1;
        expect(Object.keys(answers[0]!.body).sort()).toEqual(
          ["amount", "currency", "description", "expiresAt", "formattedAmount", "merchantName", "payable", "reason", "salesUnitName", "singleUse", "slug"],
        );
      }
    }
    expect(open).toBeGreaterThan(0);
    expect((await fetch(`${gateway.url}/pay/no-such-link.json`)).status).toBe(404);
  });

  for (const key of PERSONAS) {
    it(`shows ${key} through node(id:) and nodes(ids:) exactly the objects the table allows`, async () => {
      const token = await gateway.token(key);
      const seen = await visibleThroughNode(token);
      const mismatches = samples
        .filter((s) => seen.has(sampleKey(s)) !== expectedVisible(key, s))
        .map((s) => `${s.typename} ${s.id}: expected ${expectedVisible(key, s) ? "visible" : "invisible"}`);
      expect(mismatches).toEqual([]);
      expect([...(await visibleThroughNodes(token))].sort()).toEqual([...seen].sort());
    });

    it(`serves ${key} the QR code images and settlement reports of exactly the objects the table shows it`, async () => {
      const token = await gateway.token(key);
      const caller = callerOf.get(key)!;
      const get = async (pathname: string) => (await fetch(`${gateway.url}${pathname}`, { headers: { authorization: `Bearer ${token}` } })).status;
      const mismatches: string[] = [];
      for (const qr of samples.filter((s) => s.typename === "QrCode")) {
        const status = await get(`/qr/${qr.id}.svg`);
        if (status !== (READ_RULE.QrCode(caller, qr) ? 200 : 404)) mismatches.push(`QR code ${qr.id}: ${status}`);
      }
      for (const settlement of samples.filter((s) => s.typename === "Settlement")) {
        const visible = READ_RULE.Settlement(caller, settlement);
        const status = await get(`/reports/settlements/${settlement.id}.csv`);
        if (status !== (visible ? 200 : 404)) mismatches.push(`settlement report ${settlement.id}: ${status}`);
        // With payer names and messages: PERSONAL_DATA_REPORTS on the unit as well; refused openly where the plain one is served.
        const personal = await get(`/reports/settlements/${settlement.id}.csv?includePersonalData=true`);
        const expected = !visible ? 404 : caller.access.canOnSalesUnit("PERSONAL_DATA_REPORTS", settlement.unit!) ? 200 : 403;
        if (personal !== expected) mismatches.push(`personal settlement report ${settlement.id}: ${personal}, expected ${expected}`);
      }
      expect(mismatches).toEqual([]);
    });

    it(`lists for ${key} in ${Object.keys(LIST_ROOTS).join(", ")} exactly the rows the table allows`, async () => {
      const token = await gateway.token(key);
      const caller = callerOf.get(key)!;
      const mismatches: string[] = [];
      for (const [root, { typename, rows }] of Object.entries(LIST_ROOTS)) {
        const expected = (await rows()).filter((row) => READ_RULE[typename](caller, row)).map((row) => encodeGlobalID(typename, row.id)).sort();
        const listed = await listAll(token, root);
        const got = (listed ?? []).map((row) => row.id as string).sort();
        if (JSON.stringify(got) !== JSON.stringify(expected)) mismatches.push(`${root}: listed ${got.length}, expected ${expected.length}${listed === null ? " (refused)" : ""}`);
      }
      expect(mismatches).toEqual([]);
    });

    it(`lists for ${key} exactly the events it may receive, the whole event catalogue and itself as the viewer`, async () => {
      const token = await gateway.token(key);
      const caller = callerOf.get(key)!;
      const listed = await listAll(token, "events", "data");
      const ours = new Set(events.map((e) => e.key));
      const got = (listed ?? []).map((row) => (row.data as { key?: string }).key).filter((k): k is string => k !== undefined && ours.has(k)).sort();
      expect(got).toEqual(events.filter((e) => mayReceiveEvent(caller, e)).map((e) => e.key).sort());

      // Only the viewer's own kind is asked for (the other one answers null without reading).
      const own = caller.kind === "USER" ? "user { id }" : caller.kind === "PARTNER" ? "partner { id }" : "";
      const response = await gateway.graphql<{
        webhookEventTypes: { type: string }[];
        eventsCursor: string;
        transactionEventsCursor: string;
        viewer: { kind: string; user?: { id: string }; partner?: { id: string } };
      }>(token, `{ webhookEventTypes { type } eventsCursor transactionEventsCursor viewer { kind ${own} } }`);
      expect(response.errors).toBeUndefined();
      // Only where the delivery order stands (the outbox is quiet here): the same for every caller.
      const { eventsCursor, transactionEventsCursor } = response.data!;
      expect(eventsCursor).toMatch(/^ev_[0-9a-f]{16}$/);
      expect(transactionEventsCursor).toBe(eventsCursor.replace(/^ev_/, "te_"));
      expect(response.data!.webhookEventTypes.map((t) => t.type)).toEqual(EVENT_TYPES.map((t) => t.type));
      const viewer = response.data!.viewer;
      expect(viewer.kind).toBe(caller.kind);
      if (caller.kind === "USER") expect(viewer.user?.id).toBe(encodeGlobalID("PortalUser", caller.id));
      if (caller.kind === "PARTNER") expect(viewer.partner?.id).toBe(encodeGlobalID("Partner", caller.id));
    });

    it(`lists for ${key} exactly the sales units, merchants and transactions the table allows`, async () => {
      const token = await gateway.token(key);
      const access = callerOf.get(key)!.access;
      const response = await gateway.graphql<{
        salesUnits: { totalCount: number; nodes: { id: string }[] };
        merchants: { nodes: { id: string }[] };
        transactions: { totalCount: number };
        transactionAggregates: { totals: { count: number }[] };
      }>(token, "{ salesUnits(first: 100) { totalCount nodes { id } } merchants(first: 100) { nodes { id } } transactions(first: 1) { totalCount } transactionAggregates { totals { count } } }");
      expect(response.errors).toBeUndefined();
      const ids = (nodes: { id: string }[]) => nodes.map((n) => n.id).sort();
      const visibleUnits = units.filter((u) => access.canOnSalesUnit("VIEW_SALES_UNIT", u));
      expect(ids(response.data!.salesUnits.nodes)).toEqual(visibleUnits.map((u) => encodeGlobalID("SalesUnit", u.id)).sort());
      const merchantIds = [...new Set(units.map((u) => u.merchantId))].filter((m) => access.canOnMerchant("VIEW_SALES_UNIT", m));
      expect(ids(response.data!.merchants.nodes)).toEqual(merchantIds.map((m) => encodeGlobalID("Merchant", m)).sort());
      const transactionUnits = units.filter((u) => access.canOnSalesUnit("VIEW_TRANSACTIONS", u)).map((u) => u.id);
      const expectedTransactions = await gateway.services.db.transaction.count({ where: { salesUnitId: { in: transactionUnits } } });
      expect(response.data!.transactions.totalCount).toBe(expectedTransactions);
      // The dashboard figures count the same transactions.
      expect(response.data!.transactionAggregates.totals.reduce((sum, t) => sum + t.count, 0)).toBe(expectedTransactions);
    });

    it(`answers ${key}'s salesUnit(msn:) and settlements(salesUnitId:) for reached units only`, async () => {
      const token = await gateway.token(key);
      const access = callerOf.get(key)!.access;
      const rows = await gateway.services.db.salesUnit.findMany({ select: { id: true, merchantId: true, msn: true } });
      const mismatches: string[] = [];
      for (let start = 0; start < rows.length; start += 10) {
        const chunk = rows.slice(start, start + 10);
        const query = `{ ${chunk.map((u, i) => `u${i}: salesUnit(msn: "${u.msn}") { id }`).join(" ")} }`;
        const response = await gateway.graphql<Record<string, { id: string } | null>>(token, query);
        chunk.forEach((u, i) => {
          if (Boolean(response.data?.[`u${i}`]) !== access.canOnSalesUnit("VIEW_SALES_UNIT", u)) mismatches.push(`salesUnit(msn: ${u.msn})`);
        });
      }
      for (const unit of rows) {
        const response = await gateway.graphql<{ settlements: { totalCount: number } | null }>(
          token,
          `{ settlements(salesUnitId: "${encodeGlobalID("SalesUnit", unit.id)}", first: 1) { totalCount } }`,
        );
        const allowed = access.canOnSalesUnit("VIEW_TRANSACTIONS", unit);
        if (allowed !== (response.errors === undefined)) mismatches.push(`settlements(${unit.msn}): ${response.errors?.[0]?.extensions?.code ?? "answered"}`);
        if (!allowed && response.errors) expect(["FORBIDDEN", "UNAUTHENTICATED"]).toContain(response.errors[0]!.extensions?.code);
      }
      expect(mismatches).toEqual([]);
    });
  }
});
