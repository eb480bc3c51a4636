/**
 * The Pothos builder and its plugins. Defines no domain types: entity files under src/schema/ do.
 * Plugin order: relay before scope-auth so scope functions see decoded global ids; scope-auth before the rest so
 * nothing runs before authorization; guarded fields made nullable last (src/schema/guarded-fields-plugin.ts).
 */
import SchemaBuilder from "@pothos/core";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import PrismaPlugin from "@pothos/plugin-prisma";
import ErrorsPlugin from "@pothos/plugin-errors";
import WithInputPlugin from "@pothos/plugin-with-input";
import GuardedFieldsNullablePlugin from "./guarded-fields-plugin";
import InvalidIdPlugin from "./invalid-id-plugin";
import PageSizePlugin, { MAX_PAGE_SIZE, PAGE_SIZE_ARGUMENTS } from "./page-size";
import { JSONResolver } from "graphql-scalars";
import { DateScalar, DateTimeScalar } from "./date-scalars";
import type PrismaTypes from "../generated/pothos-types";
import { getDatamodel } from "../generated/pothos-types";
import type { Context } from "../context";
import { isProduction } from "../config";
import { decodeGlobalId } from "../domain/ids";
import { ValidationError } from "../domain/errors";
import type { Action } from "../auth/permissions";
import { AuthenticationError, ForbiddenError } from "../auth/errors";
import { ownsAgreement } from "../auth/policies/agreement";
import { paymentLinkPolicy } from "../auth/policies/payment-link";
import { mayAdministerMembership, mayAnonymize } from "../auth/policies/person";
import { qrCodePolicy } from "../auth/policies/qr-code";
import { maySubscribe } from "../auth/policies/report-subscription";
import { mayManageWebhooks } from "../auth/policies/webhook-endpoint";

export interface AuthScopes {
  /** Any principal. */
  authenticated: boolean;
  /** A person logged in to the portal (not a partner, API key or operator). */
  portalUser: boolean;
  /** Customer service. */
  operator: boolean;
  /** The action somewhere in the merchant. */
  merchant: { action: Action; merchantId: string };
  /** The action on all of the merchant's sales units (Administrator-level). */
  wholeMerchant: { action: Action; merchantId: string };
  /** The action on one sales unit; `merchantId` saves a lookup when the caller has it. */
  salesUnit: { action: Action; salesUnitId: string; merchantId?: string };
  /** The action on the sales unit of a transaction. */
  transaction: { action: Action; transactionId: string };
  /** What the QR code's or payment link's policy asks on its sales unit; a missing one is refused like a foreign one. */
  salesUnitChild: { child: "qrCode" | "paymentLink"; id: string };
  /** Administrator of the access's merchant; an unknown id is refused like another merchant's. */
  membership: { membershipId: string };
  /** The person themself, an operator, or an Administrator of every merchant the person belongs to. */
  anonymize: { userId: string };
  /** The applicant of the agreement; an unknown id is refused like someone else's. */
  ownAgreement: { agreementId: string };
  /** A portal user whose access covers what the report subscription would cover. */
  subscriptionTarget: { merchantId: string; salesUnitId: string | null; includePersonalData: boolean };
  /** A portal user whose access covers what the existing subscription covers; an unknown id is refused alike. */
  reportSubscription: { reportSubscriptionId: string };
  /** Manages the webhook endpoints of this owner (a merchant or a partner). */
  webhookOwner: { merchantId: string | null; partnerId: string | null };
  /** Manages this webhook endpoint; an unknown id is refused like someone else's. */
  webhookEndpoint: { webhookEndpointId: string };
}

/** `nodes(ids:)` takes as many ids as a page has rows. */
const MAX_NODE_IDS = MAX_PAGE_SIZE;

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    /** Sums and totals in minor units, 64-bit (src/schema/money.ts). */
    MinorUnits: { Input: bigint; Output: bigint | number | string };
    ID: { Input: string; Output: string | number | bigint };
  };
}>({
  // InvalidId after Errors, so its argument wrapper runs inside the errors plugin's; GuardedFieldsNullable last, so it
  // sees each field's final type (the errors plugin's result union, a connection).
  plugins: [RelayPlugin, ScopeAuthPlugin, PrismaPlugin, ErrorsPlugin, WithInputPlugin, PageSizePlugin, InvalidIdPlugin, GuardedFieldsNullablePlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: "omit",
    // Every id argument and node(id:) lookup sees the row id as the database writes it (upper-case UUIDs lowered).
    decodeGlobalID: (globalId) => decodeGlobalId(globalId),
    cursorType: "String",
    nodesOnConnection: { description: "The rows of this page, in list order (the same as `edges { node }`)." },
    edgesFieldOptions: { nullable: false, description: "The rows of this page, each with its cursor." },
    nodeFieldOptions: { nullable: false, description: "The row." },
    cursorFieldOptions: { description: "Where this row is in the list: pass it as `after` (or `before`) to page on from it." },
    pageInfoFieldOptions: { description: "Whether there are more pages, and the cursors to reach them." },
    hasNextPageFieldOptions: { description: "True when rows follow this page." },
    hasPreviousPageFieldOptions: { description: "True when rows come before this page." },
    startCursorFieldOptions: { description: "The cursor of the page's first row; null for an empty page." },
    endCursorFieldOptions: { description: "The cursor of the page's last row, to pass as `after` for the next page; null for an empty page." },
    defaultConnectionTypeOptions: { description: "One page of a list, with cursors to page on (at most 100 rows a page)." },
    defaultEdgeTypeOptions: { description: "One row of a page, with its cursor." },
    pageInfoTypeOptions: { description: "Paging state of a list page." },
    nodeTypeOptions: { description: "An object with a global id, which node(id:) fetches again." },
    idFieldOptions: { description: "Global id; pass it to `node(id:)` and to mutations." },
    nodeQueryOptions: {
      description: "The object with this global id, or null when there is none or you may not see it (both answer the same).",
      args: { id: { description: "A global id, as any object's `id` field gives it." } },
    },
    nodesQueryOptions: {
      description: `The objects with these global ids (at most ${MAX_NODE_IDS}), in the same order; null for each you may not see or that does not exist.`,
      args: { ids: { description: `Global ids, as the objects' \`id\` fields give them; more than ${MAX_NODE_IDS} are refused with VALIDATION_FAILED.` } },
      // Bounded like a page: one request must not load thousands of objects (the cost limit prices each id too).
      resolve: (_root, { ids }, _context, _info, resolveNodes) => {
        if (ids.length > MAX_NODE_IDS) throw new ValidationError(`ids: at most ${MAX_NODE_IDS} ids a request; ask for the rest in another.`, "ids");
        return resolveNodes(ids);
      },
    },
    firstArgOptions: { description: PAGE_SIZE_ARGUMENTS.first },
    lastArgOptions: { description: PAGE_SIZE_ARGUMENTS.last },
    afterArgOptions: { description: PAGE_SIZE_ARGUMENTS.after },
    beforeArgOptions: { description: PAGE_SIZE_ARGUMENTS.before },
  },
  prisma: {
    client: (ctx) => ctx.db,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: isProduction ? null : "warn",
  },
  // An id argument that does not decode answers the mutation's typed ValidationError (INVALID_ID): see invalid-id-plugin.ts.
  errors: {
    defaultTypes: [],
    unsafelyHandleInputErrors: true,
    defaultResultOptions: { description: "The mutation succeeded: `data` is the object as it is now." },
    defaultUnionOptions: { description: "The mutation's result: its success type, or one of the typed errors it can answer (switch on `__typename`)." },
  },
  // `t.fieldWithInput` gives a mutation its one required `input:` argument of a type named `<Mutation>Input`.
  withInput: {
    argOptions: { description: "What the mutation needs; see each field." },
    typeOptions: {
      description: "The mutation's input.", name: ({ parentTypeName, fieldName }) => `${parentTypeName === "Mutation" ? "" : parentTypeName}${fieldName[0]!.toUpperCase()}${fieldName.slice(1)}Input` },
  },
  scopeAuth: {
    authorizeOnSubscribe: true,
    cacheKey: (value) => JSON.stringify(value),
    unauthorizedError: (_parent, context) => (context.principal ? new ForbiddenError() : new AuthenticationError()),
    authScopes: (context) => ({
      authenticated: context.principal !== null,
      portalUser: context.principal?.kind === "USER",
      operator: context.principal?.kind === "OPERATOR",
      merchant: ({ action, merchantId }) => context.access.canOnMerchant(action, merchantId),
      wholeMerchant: ({ action, merchantId }) => context.access.canOnWholeMerchant(action, merchantId),
      salesUnit: async ({ action, salesUnitId, merchantId }) => {
        const owner = merchantId ? { id: salesUnitId, merchantId } : await context.loaders.salesUnitOwner.load(salesUnitId);
        return owner !== null && context.access.canOnSalesUnit(action, owner);
      },
      salesUnitChild: async ({ child, id }) => {
        const salesUnitId = await (child === "qrCode" ? context.loaders.qrCodeUnit : context.loaders.paymentLinkUnit).load(id);
        const owner = salesUnitId ? await context.loaders.salesUnitOwner.load(salesUnitId) : null;
        return owner !== null && (child === "qrCode" ? qrCodePolicy : paymentLinkPolicy).can(context.access, owner);
      },
      membership: async ({ membershipId }) => mayAdministerMembership(context, await context.loaders.membershipMerchant.load(membershipId)),
      anonymize: async ({ userId }) => mayAnonymize(context, userId, await context.loaders.personForAnonymizing.load(userId)),
      ownAgreement: async ({ agreementId }) => ownsAgreement(context, await context.loaders.agreementApplicant.load(agreementId)),
      subscriptionTarget: async ({ merchantId, salesUnitId, includePersonalData }) => {
        const salesUnit = salesUnitId ? await context.loaders.salesUnitOwner.load(salesUnitId) : null;
        return (salesUnitId === null || salesUnit !== null) && maySubscribe(context, { merchantId, salesUnit, includePersonalData });
      },
      reportSubscription: async ({ reportSubscriptionId }) => {
        const target = await context.loaders.reportSubscriptionTarget.load(reportSubscriptionId);
        if (!target) return false;
        const salesUnit = target.salesUnitId ? await context.loaders.salesUnitOwner.load(target.salesUnitId) : null;
        return (target.salesUnitId === null || salesUnit !== null) && maySubscribe(context, { merchantId: target.merchantId, salesUnit, includePersonalData: false });
      },
      webhookOwner: (owner) => mayManageWebhooks(context.principal, context.access, owner, (partnerId) => context.loaders.partnerEventReach.load(partnerId)),
      webhookEndpoint: async ({ webhookEndpointId }) => {
        const owner = await context.loaders.webhookEndpointOwner.load(webhookEndpointId);
        return owner !== null && (await mayManageWebhooks(context.principal, context.access, owner, (partnerId) => context.loaders.partnerEventReach.load(partnerId)));
      },
      transaction: async ({ action, transactionId }) => {
        const payment = await context.loaders.paymentForChange.load(transactionId);
        return payment !== null && context.access.canOnSalesUnit(action, { id: payment.row.salesUnitId, merchantId: payment.row.merchantId });
      },
    }),
  },
});

builder.addScalarType("DateTime", DateTimeScalar);
builder.addScalarType("Date", DateScalar);
builder.addScalarType("JSON", JSONResolver);

builder.queryType({ description: "Reads: every list answers only what the caller may see." });
builder.subscriptionType({ description: "Live feeds over WebSocket (graphql-ws) or server-sent events; each resumes with `after`." });
builder.mutationType({ description: "Changes: each takes one `input:` and answers its success type or a typed error." });
