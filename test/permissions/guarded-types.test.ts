/**
 * Guarded types never blank their parent. A type with a scope of its own (SalesUnit, Merchant, …) refuses objects the
 * caller may not see; where it is reached through a non-null field, that refusal would null the parent too (a
 * payment vanishing because its sales unit is refused). So every such field is either nullable or listed here with
 * the proof that the parent's visibility implies the child's, and the proof runs over every persona of the seed:
 *
 * - RELATION: every seeded parent the persona may see is asked for the field through `nodes(ids:)`; no error.
 * - ROWS: a connection's rows, through every field that answers the connection (pages of 100), as every persona; no
 *   error below the list (a guarded list field itself may be refused, which is answered at the list's own path).
 * - VIEWER: the caller's own accesses, through `viewer`.
 * - ACTIONS: the field's parent is only reached with one action on a sales unit (the live feed's VIEW_TRANSACTIONS,
 *   a money mutation's MANAGE_TRANSACTIONS) and the child's type needs another there: for every persona and every
 *   seeded sales unit, the first implies the second (src/auth/permissions.ts is the rule).
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { getNamedType, isAbstractType, isListType, isNonNullType, isObjectType, type GraphQLField, type GraphQLObjectType, type GraphQLOutputType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Action, Access } from "../../src/auth/permissions";
import { resolvePrincipal } from "../../src/auth/principal";
import { schema } from "../../src/schema";
import { RESULTS_SEEN_BY_THEIR_CALLERS } from "../../src/schema/guarded-fields-plugin";
import { startTestGateway, type TestGateway } from "../support/gateway";

type Proof = { kind: "RELATION" } | { kind: "ROWS" } | { kind: "VIEWER" } | { kind: "ACTIONS"; parentNeeds: Action; childNeeds: Action };

const RELATION = { kind: "RELATION" } as const;
const ROWS = { kind: "ROWS" } as const;
const FEED = { kind: "ACTIONS", parentNeeds: "VIEW_TRANSACTIONS" } as const;
const moneyResult = (name: keyof typeof RESULTS_SEEN_BY_THEIR_CALLERS): Proof => ({
  kind: "ACTIONS",
  parentNeeds: RESULTS_SEEN_BY_THEIR_CALLERS[name].needs,
  childNeeds: RESULTS_SEEN_BY_THEIR_CALLERS[name].resultNeeds,
});

/** The non-null fields returning a type with its own scope, each with its proof. */
const PROVEN: Record<string, Proof> = {
  "Membership.merchant": RELATION,
  "Membership.salesUnits": RELATION,
  "Membership.user": RELATION,
  "Merchant.reportSubscriptions": RELATION,
  "PartnerKey.partner": RELATION,
  "PaymentLink.salesUnit": RELATION,
  "ProductOrder.merchant": RELATION,
  "QrCode.salesUnit": RELATION,
  "RecurringRequest.salesUnit": RELATION,
  "ReportSubscription.merchant": RELATION,
  "SalesUnit.merchant": RELATION,
  "Settlement.salesUnit": RELATION,
  "Transaction.operations": RELATION,
  "Transaction.salesUnit": RELATION,
  "WebhookDelivery.endpoint": RELATION,
  "WebhookEndpoint.salesUnits": RELATION,
  "Viewer.memberships": { kind: "VIEWER" },
  // The live feed yields a payment only to whoever may view its sales unit's payments (src/schema/transaction-events.ts).
  "TransactionEvent.transaction": { ...FEED, childNeeds: "VIEW_TRANSACTIONS" },
  "TransactionEvent.salesUnit": { ...FEED, childNeeds: "VIEW_SALES_UNIT" },
  "MutationCaptureTransactionSuccess.data": moneyResult("captureTransaction"),
  "MutationCancelTransactionSuccess.data": moneyResult("cancelTransaction"),
  "MutationRefundTransactionSuccess.data": moneyResult("refundTransaction"),
};
for (const connection of ["AuditEvent", "Membership", "Merchant", "MerchantAgreement", "Partner", "PaymentLink", "ProductOrder", "QrCode", "RecurringRequest", "SalesUnit", "Settlement", "Transaction", "WebhookDelivery", "WebhookEndpoint"]) {
  PROVEN[`${connection}Connection.nodes`] = ROWS;
  PROVEN[`${connection}Edge.node`] = ROWS;
}

const PERSONAS = [
  "no-admin", "no-sum", "no-sum-tm", "no-sum-dev", "no-assistant", "no-assistant-tm", "no-assistant-dev",
  "se-assistant", "dk-admin", "two-merchants", "applicant", "partner", "partner-unlinked", "operator",
] as const;

/**
 * What a probe asks of the child: a field of its own, since a type's scope is checked when one of its fields resolves
 * (`__typename` alone is answered without it). Every type with a scope here is a node, so it has `id`.
 */
const PROBE = "__typename id";

const hasTypeScope = (type: GraphQLObjectType) => (type.extensions?.pothosOptions as { authScopes?: unknown } | undefined)?.authScopes !== undefined;

/** A refusal at the object position reaches the parent: every position from the object out to the field is non-null. */
function blanksParent(type: GraphQLOutputType): boolean {
  let current: GraphQLOutputType = type;
  for (;;) {
    if (!isNonNullType(current)) return false;
    current = current.ofType;
    if (!isListType(current)) return true;
    current = current.ofType;
  }
}

function returnsScopedType(field: GraphQLField<unknown, unknown>): boolean {
  const named = getNamedType(field.type);
  const targets = isAbstractType(named) ? schema.getPossibleTypes(named) : isObjectType(named) ? [named] : [];
  return targets.some(hasTypeScope);
}

const objectTypes = Object.values(schema.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith("__"));

describe("guarded types: the schema", () => {
  it("has no non-null field returning a type with its own scope that is not proven below", () => {
    const blanking = objectTypes.flatMap((type) =>
      Object.values(type.getFields())
        .filter((field) => returnsScopedType(field) && blanksParent(field.type))
        .map((field) => `${type.name}.${field.name}`),
    );
    expect(blanking.length).toBeGreaterThan(10);
    expect(blanking.sort()).toEqual(Object.keys(PROVEN).sort());
    // The probes below select `id` on the child (see PROBE).
    const withoutId = blanking.filter((coordinate) => {
      const [typename, fieldName] = coordinate.split(".");
      const child = getNamedType((schema.getType(typename!) as GraphQLObjectType).getFields()[fieldName!]!.type);
      return !isObjectType(child) || !("id" in child.getFields());
    });
    expect(withoutId).toEqual([]);
  });
});

describe("guarded types: the proofs, over every persona", () => {
  let gateway: TestGateway;
  const tokens = new Map<string, string>();
  const access = new Map<string, Access>();
  let units: { id: string; merchantId: string }[];
  /** Per proven field, how many parents (or rows) some persona reached: a proof that reached nothing proves nothing. */
  const reached = new Map<string, number>();
  const reach = (coordinate: string, count: number) => reached.set(coordinate, (reached.get(coordinate) ?? 0) + count);

  beforeAll(async () => {
    // The probes ask for many objects at once: lift the cost and rate limits, which other tests pin.
    gateway = await startTestGateway({ MAX_QUERY_COST: "10000000", RATE_LIMIT_PER_MINUTE: "1000000", RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "1000000" });
    const db = gateway.services.db;
    units = await db.salesUnit.findMany({ select: { id: true, merchantId: true } });
    for (const key of PERSONAS) {
      const token = await gateway.token(key);
      tokens.set(key, token);
      const { access: personaAccess } = await resolvePrincipal(db, await gateway.services.tokens.verify(token));
      access.set(key, personaAccess);
    }
    // The seed registers no webhook endpoint: a merchant's and a partner's, each listing sales units. Then the partner
    // loses the link to one of its listed units, which its endpoint must not be blanked by.
    const administered = access.get("no-admin")!.wholeMerchantIds("ADMINISTER_MERCHANT");
    const merchantId = administered === "*" ? units[0]!.merchantId : administered[0]!;
    const merchantUnits = units.filter((unit) => unit.merchantId === merchantId).slice(0, 2);
    const partnerUnits = await db.salesUnit.findMany({ where: { msn: { in: gateway.persona("partner").salesUnits }, partnerId: { not: null } }, take: 2 });
    expect(partnerUnits).toHaveLength(2);
    for (const [persona, owner, listed] of [
      ["no-admin", { merchantId: encodeGlobalID("Merchant", merchantId) }, merchantUnits],
      ["partner", { partnerId: encodeGlobalID("Partner", partnerUnits[0]!.partnerId!) }, partnerUnits],
    ] as const) {
      const created = await gateway.graphql<{ createWebhookEndpoint: { __typename: string } }>(
        tokens.get(persona)!,
        "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename } }",
        { input: { ...owner, url: `https://hooks.example.com/${persona}`, eventTypes: ["salesUnit.UPDATED"], salesUnitIds: listed.map((unit) => encodeGlobalID("SalesUnit", unit.id)) } },
      );
      expect(created.data?.createWebhookEndpoint.__typename).toBe("MutationCreateWebhookEndpointSuccess");
    }
    await db.salesUnit.update({ where: { id: partnerUnits[1]!.id }, data: { partnerId: null } });
    // One settled delivery per endpoint gives the delivery lists rows.
    const endpoints = await db.webhookEndpoint.findMany({ select: { id: true } });
    await db.webhookDelivery.createMany({
      data: endpoints.map((endpoint, i) => ({
        endpointId: endpoint.id,
        outboxEventId: BigInt(i + 1),
        deliverySeq: BigInt(i + 1),
        eventType: "transaction.CAPTURED",
        aggregateId: crypto.randomUUID(),
        status: "SUCCEEDED" as const,
        completedAt: new Date(),
      })),
    });
  });
  afterAll(async () => gateway?.stop());

  /** Ids of seeded objects of a node type: one per sales unit where the type has one (what its visibility turns on), else all. */
  async function idsOf(typename: string): Promise<string[]> {
    const model = `${typename[0]!.toLowerCase()}${typename.slice(1)}`;
    const delegate = (gateway.services.db as unknown as Record<string, { findMany(args: object): Promise<{ id: string | bigint }[]> }>)[model]!;
    const fields = (schema.getType(typename) as GraphQLObjectType).getFields();
    const perUnit = typename !== "SalesUnit" && "salesUnit" in fields;
    const rows = await delegate.findMany(perUnit ? { distinct: ["salesUnitId"], select: { id: true } } : { select: { id: true } });
    return rows.map((row) => encodeGlobalID(typename, String(row.id)));
  }

  type Response = Awaited<ReturnType<TestGateway["graphql"]>>;

  /** Errors that are not a guarded field's own refusal at `allowedLeaf`: a child blanked what held it. */
  function blanked(response: Response, allowedLeaf?: string): unknown[] {
    return (response.errors ?? []).filter((error) => !(allowedLeaf && error.path?.at(-1) === allowedLeaf && error.extensions?.code === "FORBIDDEN"));
  }

  /** Asks every parent of `typename` the persona may see for `selection`; answers the visible parents' answers. */
  async function throughNodes(persona: string, typename: string, selection: string, allowedLeaf?: string): Promise<Record<string, unknown>[]> {
    const ids = await idsOf(typename);
    const answers: Record<string, unknown>[] = [];
    for (let start = 0; start < ids.length; start += 100) {
      const response = await gateway.graphql<{ nodes: (Record<string, unknown> | null)[] }>(
        tokens.get(persona)!,
        `query($ids: [ID!]!) { nodes(ids: $ids) { ... on ${typename} { ${selection} } } }`,
        { ids: ids.slice(start, start + 100) },
      );
      expect({ persona, typename, selection, errors: blanked(response, allowedLeaf) }).toEqual({ persona, typename, selection, errors: [] });
      answers.push(...(response.data?.nodes ?? []).filter((node): node is Record<string, unknown> => node !== null && Object.keys(node).length > 0));
    }
    return answers;
  }

  it("RELATION: every parent the persona may see answers the field", { timeout: 600_000 }, async () => {
    const relations = Object.entries(PROVEN).filter(([, proof]) => proof.kind === "RELATION").map(([coordinate]) => coordinate.split("."));
    for (const persona of PERSONAS) {
      for (const [typename, field] of relations) {
        const answers = await throughNodes(persona, typename!, `${field} { ${PROBE} }`);
        reach(`${typename}.${field}`, answers.filter((answer) => answer[field!] !== undefined).length);
      }
    }
    for (const [typename, field] of relations) expect({ field: `${typename}.${field}`, reached: (reached.get(`${typename}.${field}`) ?? 0) > 0 }).toEqual({ field: `${typename}.${field}`, reached: true });
  });

  it("ROWS: every list answering a connection gives rows the persona may see", { timeout: 600_000 }, async () => {
    const rowsSelection = `nodes { ${PROBE} } edges { node { ${PROBE} } }`;
    const connections = Object.keys(PROVEN).filter((c) => PROVEN[c]!.kind === "ROWS" && c.endsWith("Connection.nodes")).map((c) => c.split(".")[0]!);
    for (const connectionName of connections) {
      const fields = objectTypes.flatMap((type) =>
        Object.values(type.getFields()).filter((field) => getNamedType(field.type).name === connectionName).map((field) => ({ type, field })),
      );
      expect(fields.length).toBeGreaterThan(0);
      let rows = 0;
      for (const persona of PERSONAS) {
        for (const { type, field } of fields) {
          const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
          if (type.name === "Query" && required.length === 0) {
            let after: string | null = null;
            for (let page = 0; page < 20; page++) {
              const response: Response = await gateway.graphql(
                tokens.get(persona)!,
                `query($after: String) { ${field.name}(first: 100, after: $after) { ${rowsSelection} pageInfo { hasNextPage endCursor } } }`,
                { after },
              );
              expect({ persona, list: field.name, errors: blanked(response, field.name) }).toEqual({ persona, list: field.name, errors: [] });
              const list = (response.data as Record<string, { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null> | undefined)?.[field.name];
              rows += list?.nodes.length ?? 0;
              if (!list?.pageInfo.hasNextPage) break;
              after = list.pageInfo.endCursor;
            }
          } else if (type.name === "Query" && required.map((arg) => arg.name).join() === "salesUnitId") {
            for (const unit of units) {
              const response: Response = await gateway.graphql(tokens.get(persona)!, `query($id: ID!) { ${field.name}(salesUnitId: $id, first: 100) { ${rowsSelection} } }`, {
                id: encodeGlobalID("SalesUnit", unit.id),
              });
              expect({ persona, list: field.name, errors: blanked(response, field.name) }).toEqual({ persona, list: field.name, errors: [] });
              rows += (response.data as Record<string, { nodes: unknown[] } | null> | undefined)?.[field.name]?.nodes.length ?? 0;
            }
          } else if (type.name !== "Query" && required.length === 0) {
            const answers = await throughNodes(persona, type.name, `${field.name}(first: 100) { ${rowsSelection} }`, field.name);
            rows += answers.reduce((sum, answer) => sum + ((answer[field.name] as { nodes: unknown[] } | null)?.nodes.length ?? 0), 0);
          } else {
            throw new Error(`No probe for ${type.name}.${field.name}: teach this test to reach it.`);
          }
        }
      }
      expect({ connection: connectionName, reached: rows > 0 }).toEqual({ connection: connectionName, reached: true });
    }
  });

  it("VIEWER: the caller's own accesses", async () => {
    let memberships = 0;
    for (const persona of PERSONAS) {
      const response = await gateway.graphql<{ viewer: { memberships: unknown[] } | null }>(tokens.get(persona)!, `{ viewer { memberships { ${PROBE} } } }`);
      expect({ persona, errors: blanked(response) }).toEqual({ persona, errors: [] });
      memberships += response.data?.viewer?.memberships.length ?? 0;
    }
    expect(memberships).toBeGreaterThan(0);
  });

  it("ACTIONS: the action that reaches the parent implies the one the child's type needs, on every sales unit", () => {
    for (const [coordinate, proof] of Object.entries(PROVEN)) {
      if (proof.kind !== "ACTIONS") continue;
      let holders = 0;
      for (const persona of PERSONAS) {
        const personaAccess = access.get(persona)!;
        const refused = units.filter((unit) => personaAccess.canOnSalesUnit(proof.parentNeeds, unit) && !personaAccess.canOnSalesUnit(proof.childNeeds, unit));
        expect({ coordinate, persona, refused }).toEqual({ coordinate, persona, refused: [] });
        holders += units.filter((unit) => personaAccess.canOnSalesUnit(proof.parentNeeds, unit)).length;
      }
      expect({ coordinate, reached: holders > 0 }).toEqual({ coordinate, reached: true });
    }
  });
});
