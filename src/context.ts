/** The per-request (and per-WebSocket-operation) context: who is calling, what they may do, and loaders. */
import { randomUUID } from "node:crypto";
import DataLoader from "dataloader";
import { RequestCache } from "@pothos/plugin-scope-auth";
import { isUuid } from "./domain/ids";
import { readPaymentsForChange, type PaymentForChange } from "./services/transactions";
import { directQueries, type Db } from "./db/client";
import type { Services } from "./deps";
import type { Access } from "./auth/permissions";
import type { PersonForAnonymizing } from "./auth/policies/person";
import { resolvePrincipal, type Principal } from "./auth/principal";
import type { VerifiedToken } from "./auth/tokens";
import { authenticate } from "./auth/authenticate";
import { partnerEventReach } from "./webhooks/owner";

export interface Context {
  services: Services;
  db: Db;
  principal: Principal | null;
  access: Access;
  requestId: string;
  loaders: ReturnType<typeof createLoaders>;
  /** The verified token, kept so a mutation that changes the caller's own access can reload it. */
  token: VerifiedToken | null;
  msn: string | null;
  /** The peer address of the request or WebSocket, for per-address budgets. */
  clientAddress: string;
  /** Streaming operations (WebSocket, SSE): closes the operation's connection (a subscriber too slow to keep up). */
  closeConnection: ((code: number, reason: string) => void) | null;
  /** WebSocket operations: the connection itself closes with 4401 when the token expires, ending its subscriptions. */
  expiryClosesConnection: boolean;
  /**
   * SSE only: resolves when the response can take more, or is null when it can now. A stream library that buffers
   * whatever it is given would otherwise hold every event a client that reads nothing has not taken.
   */
  writable: (() => Promise<void> | null) | null;
  /**
   * HTTP only: counts the response as a live stream once a subscription starts on it (src/events/sse.ts), throwing
   * TOO_MANY_CONNECTIONS when its principal or address holds too many already.
   */
  holdStream: (() => void) | null;
}

function createLoaders(db: Db) {
  return {
    /** Sales unit ownership, for permission checks on objects that only carry a sales unit id. */
    salesUnitOwner: new DataLoader<string, { id: string; merchantId: string } | null>(async (ids) => {
      const rows = await db.salesUnit.findMany({ where: { id: { in: ids.filter(isUuid) } }, select: { id: true, merchantId: true } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** The sales unit of a QR code or payment link, for permission checks on mutations of them. */
    qrCodeUnit: unitOfChild((ids) => db.qrCode.findMany({ where: { id: { in: ids } }, select: { id: true, salesUnitId: true } })),
    paymentLinkUnit: unitOfChild((ids) => db.paymentLink.findMany({ where: { id: { in: ids } }, select: { id: true, salesUnitId: true } })),
    /** The merchant of an access, for the Administrator check on changing it. */
    membershipMerchant: byId((ids) => db.membership.findMany({ where: { id: { in: ids } }, select: { id: true, merchantId: true } }), (row) => row.merchantId),
    /** A person's accesses and open applications, for the anonymisation check. */
    personForAnonymizing: new DataLoader<string, PersonForAnonymizing>(async (ids) => {
      const valid = ids.filter(isUuid);
      const [rows, applications] = await Promise.all([
        db.membership.findMany({ where: { userId: { in: valid } }, select: { userId: true, merchantId: true, acceptedAt: true } }),
        db.merchantAgreement.findMany({ where: { applicantId: { in: valid }, status: { in: ["DRAFT", "SUBMITTED"] } }, select: { applicantId: true } }),
      ]);
      return ids.map((id) => ({
        memberships: rows.filter((row) => row.userId === id).map((row) => ({ merchantId: row.merchantId, accepted: row.acceptedAt !== null })),
        applying: applications.some((row) => row.applicantId === id),
      }));
    }),
    /** The applicant of a merchant agreement, for the applicant's own changes. */
    agreementApplicant: byId((ids) => db.merchantAgreement.findMany({ where: { id: { in: ids } }, select: { id: true, applicantId: true } }), (row) => row.applicantId),
    /** What a report subscription covers, for stopping it. */
    reportSubscriptionTarget: byId(
      (ids) => db.reportSubscription.findMany({ where: { id: { in: ids } }, select: { id: true, merchantId: true, salesUnitId: true } }),
      (row) => ({ merchantId: row.merchantId, salesUnitId: row.salesUnitId }),
    ),
    /** The owner of a webhook endpoint, for the checks on managing it. */
    webhookEndpointOwner: byId(
      (ids) => db.webhookEndpoint.findMany({ where: { id: { in: ids } }, select: { id: true, merchantId: true, partnerId: true } }),
      (row) => ({ merchantId: row.merchantId, partnerId: row.partnerId }),
    ),
    /** What a partner's webhook endpoints can receive, for the check on managing them: read once per request. */
    partnerEventReach: new DataLoader<string, Access>((ids) => Promise.all(ids.map((id) => partnerEventReach(db, id)))),
    /**
     * Payments as a change reads them (the row, its sales unit's settings, its merchant's country, its payment link):
     * the permission check of a money mutation takes the owner from it, and the change is then planned on the same
     * read (src/services/transactions.ts checks the version when it writes).
     */
    paymentForChange: new DataLoader<string, PaymentForChange | null>(async (ids) => {
      const payments = await readPaymentsForChange(directQueries(db), ids);
      return ids.map((id) => payments.get(id) ?? null);
    }),
  };
}

/** A loader from a row's id to what `pick` takes of it; malformed and unknown ids find null. */
function byId<Row extends { id: string }, Value>(load: (ids: string[]) => Promise<Row[]>, pick: (row: Row) => Value) {
  return new DataLoader<string, Value | null>(async (ids) => {
    const byKey = new Map((await load(ids.filter(isUuid))).map((row) => [row.id, pick(row)]));
    return ids.map((id) => byKey.get(id) ?? null);
  });
}

/** A loader from a child row's id to its sales unit's id; malformed ids find nothing. */
function unitOfChild(load: (ids: string[]) => Promise<{ id: string; salesUnitId: string }[]>) {
  return new DataLoader<string, string | null>(async (ids) => {
    const byId = new Map((await load(ids.filter(isUuid))).map((row) => [row.id, row.salesUnitId]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * The loaders, made on the first use of any of them: most operations (compiled reads, every idle live-feed
 * subscription) never touch one, and eight DataLoaders with their caches per context were a good part of what an idle
 * subscriber cost in memory. A proxy rather than a getter on the context: Yoga copies the context's properties into
 * the execution context, which would call a getter at once.
 */
function lazyLoaders(db: Db): Context["loaders"] {
  let loaders: Context["loaders"] | undefined;
  return new Proxy({} as Context["loaders"], {
    // A method: a named arrow function would carry a property table of its own (esbuild's keepNames), per context.
    get(_target, name) {
      loaders ??= createLoaders(db);
      return loaders[name as keyof Context["loaders"]];
    },
  });
}

export interface ContextInput {
  authorization?: string | null;
  msn?: string | null;
  requestId?: string | null;
  clientAddress?: string;
  closeConnection?: ((code: number, reason: string) => void) | null;
  expiryClosesConnection?: boolean;
  writable?: (() => Promise<void> | null) | null;
}

export async function createContext(services: Services, input: ContextInput): Promise<Context> {
  return contextFor(services, await authenticate(services, input), input);
}

/** The context of a caller already authenticated (the fast lane authenticates before it knows it will execute). */
export function contextFor(services: Services, { token, principal, access }: Awaited<ReturnType<typeof authenticate>>, input: ContextInput): Context {
  return {
    services,
    db: services.db,
    principal,
    access,
    requestId: input.requestId ?? randomUUID(),
    loaders: lazyLoaders(services.db),
    token,
    msn: input.msn ?? null,
    clientAddress: input.clientAddress ?? "unknown",
    closeConnection: input.closeConnection ?? null,
    expiryClosesConnection: input.expiryClosesConnection ?? false,
    writable: input.writable ?? null,
    holdStream: null,
  };
}

/** Re-reads the caller's access after a change to it (e.g. a new test sales unit added to their membership). */
export async function reloadAccess(ctx: Context): Promise<void> {
  if (!ctx.token) return;
  changeAccess(ctx, (await resolvePrincipal(ctx.db, ctx.token, { msn: ctx.msn })).access);
}

/**
 * The caller's access from now on in this request. The permission checks already answered in it (scope-auth keeps
 * them for the request) are forgotten with the old access: the document's later fields are asked again, so a caller
 * who lowered their own access in one mutation does not act on the old answers in the next.
 */
export function changeAccess(ctx: Context, access: Access): void {
  ctx.access = access;
  RequestCache.clearForContext(ctx);
}
