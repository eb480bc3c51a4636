/**
 * Every query root and every object field is guarded by a scope-auth scope (its own or its type's), or sits on the
 * allow-list below with the reason it needs none. A new field without a scope fails here until someone decides.
 * Pothos keeps each field's and type's options, scope-auth's `authScopes` among them, in `extensions.pothosOptions`.
 */
import { isObjectType, type GraphQLField, type GraphQLObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/schema";

/** Query roots without a scope of their own. */
const OPEN_ROOTS: Record<string, string> = {
  node: "each type's own scope and row filter decide; a refused object is null",
  nodes: "as node",
  viewer: "describes the caller only; null without a token",
};

/** Object types whose fields need no scope: only reachable through a guarded field or mutation, or the caller's own. */
const OPEN_TYPES: Record<string, string> = {
  AnonymizedUser: "result of anonymizeUser, which is guarded",
  ApiKeys: "result of revealApiKeys and rotateApiKeys (DEVELOPER)",
  Event: "yielded by the events subscription (mayReceive per event, permissions read afresh per batch) and listed by the events query (receivableWhere), src/events/catalog.ts",
  MarketingConsent: "inside LoginConfig, which is guarded",
  MerchantAccess: "the viewer's own access",
  Money: "a sum inside a guarded type (TransactionFigures, ReportTotal)",
  PageInfo: "pagination of a guarded connection",
  PartnerKeyCredentials: "result of createPartnerKeys (operator)",
  Payer: "inside Transaction.payer, which is guarded",
  PaymentLinkPayment: "the public payer side of a payment link: what the link's page shows anyone with the link",
  RemovedUser: "result of removeUser, which is guarded",
  ReportTotal: "inside ReportRun, which only its creator sees",
  SalesUnitCapabilities: "inside SalesUnit, which is guarded",
  Shipping: "inside Transaction.shipping, which is guarded",
  TransactionActionLimit: "inside Transaction.availableActions",
  TransactionAvailableActions: "inside Transaction, which is guarded",
  TransactionCancelOption: "inside Transaction.availableActions",
  TransactionAggregates: "answered by transactionAggregates, whose figures are computed over the caller's visible transactions only",
  TransactionEvent: "yielded by transactionEvents, which checks the sales units on subscribe and per batch",
  TransactionFigures: "inside TransactionAggregates",
  Viewer: "the caller's own identity",
  WebhookAttempt: "inside WebhookDelivery, which is guarded",
  WebhookEndpointWithSecret: "result of createWebhookEndpoint and rotateWebhookEndpointSecret, which are guarded",
  WebhookEventType: "the public catalogue of event types, answered by webhookEventTypes",
};

/** Shapes that carry no data of their own: errors about the caller's request, mutation payloads, connections. */
function isWrapper(type: GraphQLObjectType): boolean {
  return (
    type.getInterfaces().some((face) => face.name === "Error") ||
    /^Mutation[A-Za-z]+Success$/.test(type.name) ||
    /Connection(Edge)?$/.test(type.name) ||
    (/Edge$/.test(type.name) && "cursor" in type.getFields())
  );
}

function hasScope(target: GraphQLObjectType | GraphQLField<unknown, unknown>): boolean {
  const options = target.extensions?.pothosOptions as { authScopes?: unknown } | undefined;
  return options?.authScopes !== undefined;
}

const objectTypes = Object.values(schema.getTypeMap()).filter(
  (type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith("__") && !["Query", "Mutation", "Subscription"].includes(type.name),
);

describe("scope coverage", () => {
  it("guards every query root with a scope, or lists it as open with a reason", () => {
    const unguarded = Object.values(schema.getQueryType()!.getFields())
      .filter((field) => !hasScope(field) && !(field.name in OPEN_ROOTS))
      .map((field) => field.name);
    expect(unguarded).toEqual([]);
  });

  it("guards every field of every object type by its own scope or its type's, or lists the type as open", () => {
    const unguarded = objectTypes
      .filter((type) => !hasScope(type) && !isWrapper(type) && !(type.name in OPEN_TYPES))
      .flatMap((type) => Object.values(type.getFields()).filter((field) => !hasScope(field)).map((field) => `${type.name}.${field.name}`));
    expect(unguarded).toEqual([]);
  });

  it("keeps the allow-lists to names that exist and still need them", () => {
    const queryFields = schema.getQueryType()!.getFields();
    expect(Object.keys(OPEN_ROOTS).filter((name) => !queryFields[name] || hasScope(queryFields[name]))).toEqual([]);
    const byName = new Map(objectTypes.map((type) => [type.name, type]));
    expect(Object.keys(OPEN_TYPES).filter((name) => !byName.get(name) || hasScope(byName.get(name)!))).toEqual([]);
  });
});
