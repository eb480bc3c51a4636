/**
 * The permission table (docs/permissions.md) for every mutation, from one table: each row names who may call the mutation on a target they reach,
 * and the test sends it as every persona, expecting FORBIDDEN exactly for the others. A mutation without a row
 * fails the first test, so none can be added without deciding who may call it.
 *
 * "Allowed" means the call gets past authorization: it may still be refused by a domain rule (a typed error).
 *
 * The same calls check the outbox (docs/events.md): a call that succeeds commits at least one event of a catalogued
 * type in the same database transaction as each of its audit rows, and a refused or failed call writes neither. Rows
 * of one database transaction share their `xmin`; the relay is off here, so nothing rewrites the outbox rows after.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { eventTypeSpec } from "../../src/events/catalog";
import { schema } from "../../src/schema";
import { startTestGateway, type TestGateway } from "../support/gateway";

const MEMBERS = ["no-admin", "no-sum", "no-sum-tm", "no-sum-dev", "no-sum-tm-dev", "no-assistant", "no-assistant-tm", "no-assistant-dev", "no-assistant-tm-dev"] as const;
const OUTSIDERS = ["dk-admin", "operator", "partner", "applicant"] as const;
type Who = (typeof MEMBERS)[number] | (typeof OUTSIDERS)[number];
const EVERYONE: readonly Who[] = [...MEMBERS, ...OUTSIDERS];

/** The permission table's rows, as the personas they allow on a sales unit each one reaches. */
const PAY: Who[] = [...MEMBERS, "partner"];
const EDIT: Who[] = ["no-admin", "no-sum", "no-sum-tm", "no-sum-dev", "no-sum-tm-dev"];
const ADMIN: Who[] = ["no-admin"];
const TM: Who[] = ["no-admin", "no-sum-tm", "no-sum-tm-dev", "no-assistant-tm", "no-assistant-tm-dev", "partner"];
const DEV: Who[] = ["no-admin", "no-sum-dev", "no-sum-tm-dev", "no-assistant-dev", "no-assistant-tm-dev"];
const OPERATOR: Who[] = ["operator"];
const PORTAL_USERS: Who[] = [...MEMBERS, "dk-admin", "applicant"];

/** What a persona acts on: its own sales unit (or the merchant's first), and objects under it. */
interface Target {
  merchant: string;
  unit: string;
  transaction: string;
  qrCode: string;
  paymentLink: string;
  membership: string;
  user: string;
  agreement: string;
  productOrder: string;
  recurringRequest: string;
  reportSubscription: string;
  partner: string;
  partnerKey: string;
  /** The partner's own endpoint for the partner; the NO merchant's for everyone else. */
  webhookEndpoint: string;
}

interface Row {
  allowed: readonly Who[];
  input: (t: Target, who: Who) => Record<string, unknown>;
}

/**
 * Mutations that change no portal entity but are audited: they write their audit row and no event. Redelivering
 * webhook events only queues deliveries again (their attempts are queryable on the endpoint).
 */
const AUDITED_READS = new Map([
  ["revealApiKeys", "apiKeys.reveal"],
  ["redeliverWebhookEvent", "webhookEndpoint.redeliver"],
  ["redeliverWebhookEvents", "webhookEndpoint.redeliverPeriod"],
]);

const key = (who: Who) => `perm-${who}-${Math.random().toString(36).slice(2, 10)}`;

const TABLE: Record<string, Row> = {
  requestPayment: { allowed: PAY, input: (t, who) => ({ salesUnitId: t.unit, amount: 1000, phoneNumber: "+4791234567", reference: key(who), description: "Permission check", idempotencyKey: key(who) }) },
  captureTransaction: { allowed: TM, input: (t, who) => ({ transactionId: t.transaction, amount: 1, idempotencyKey: key(who) }) },
  cancelTransaction: { allowed: TM, input: (t, who) => ({ transactionId: t.transaction, idempotencyKey: key(who) }) },
  refundTransaction: { allowed: TM, input: (t, who) => ({ transactionId: t.transaction, amount: 1, idempotencyKey: key(who) }) },
  simulateCustomerAction: { allowed: PAY, input: (t) => ({ transactionId: t.transaction, action: "DECLINE" }) },
  payPaymentLink: { allowed: EVERYONE, input: () => ({ slug: "no-such-link", phoneNumber: "+4791234567" }) },
  createPaymentLink: { allowed: PAY, input: (t) => ({ salesUnitId: t.unit, amount: 1000, description: "Permission check" }) },
  deactivatePaymentLink: { allowed: PAY, input: (t) => ({ paymentLinkId: t.paymentLink }) },

  updateSalesUnit: { allowed: EDIT, input: (t) => ({ salesUnitId: t.unit, logoUrl: "https://logo.example/logo.png" }) },
  createQrCode: { allowed: EDIT, input: (t, who) => ({ salesUnitId: t.unit, name: key(who), url: "https://shop.example/qr" }) },
  updateQrCode: { allowed: EDIT, input: (t) => ({ qrCodeId: t.qrCode, url: "https://shop.example/qr2" }) },
  deleteQrCode: { allowed: EDIT, input: (t) => ({ qrCodeId: t.qrCode }) },
  requestRecurring: { allowed: EDIT, input: (t) => ({ salesUnitId: t.unit, monthlyRevenueAmount: 100000, description: "Coffee subscriptions" }) },

  updateSettlementAccount: { allowed: ADMIN, input: (t) => ({ salesUnitId: t.unit, settlementAccount: "12345678903" }) },
  addUser: { allowed: ADMIN, input: (t) => ({ merchantId: t.merchant, nin: "00000000000", country: "NO", role: "ASSISTANT", salesUnitIds: [t.unit] }) },
  updateUserPermissions: { allowed: ADMIN, input: (t) => ({ membershipId: t.membership, role: "ASSISTANT", permissions: [], salesUnitIds: [t.unit] }) },
  removeUser: { allowed: ADMIN, input: (t) => ({ membershipId: t.membership }) },
  anonymizeUser: { allowed: ["no-admin", "operator"], input: (t) => ({ userId: t.user }) },
  updateMerchant: { allowed: ADMIN, input: (t) => ({ merchantId: t.merchant, city: "Bergen" }) },
  orderProduct: { allowed: ADMIN, input: (t) => ({ merchantId: t.merchant, product: "ONLINE_PAYMENTS", salesUnitName: "Permission check" }) },
  createReportSubscription: { allowed: ADMIN, input: (t) => ({ merchantId: t.merchant, email: "reports@fjordkaffe.no", frequency: "DAILY", format: "CSV" }) },
  deleteReportSubscription: { allowed: ADMIN, input: (t) => ({ reportSubscriptionId: t.reportSubscription }) },
  // Who sees the unit's transactions (VIEW_TRANSACTIONS): every member on their unit, the partner on its linked one, customer service.
  createReportRun: { allowed: [...MEMBERS, "partner", "operator"], input: (t) => ({ merchantId: t.merchant, salesUnitIds: [t.unit], from: "2026-01-01", to: "2026-01-31", format: "CSV" }) },
  // Any principal: the export holds only the transactions the caller may see.
  createTransactionExport: { allowed: EVERYONE, input: (t) => ({ filter: { merchantId: t.merchant }, format: "CSV" }) },

  // A merchant's endpoints are managed by DEVELOPER on the whole merchant (Administrators); a partner's by the partner.
  createWebhookEndpoint: {
    allowed: ["no-admin", "partner"],
    input: (t, who) => ({ ...(who === "partner" ? { partnerId: t.partner } : { merchantId: t.merchant }), url: "https://hooks.example/portal", eventTypes: ["transaction.REFUNDED"] }),
  },
  updateWebhookEndpoint: { allowed: ["no-admin", "partner"], input: (t) => ({ webhookEndpointId: t.webhookEndpoint, description: "Permission check" }) },
  rotateWebhookEndpointSecret: { allowed: ["no-admin", "partner"], input: (t) => ({ webhookEndpointId: t.webhookEndpoint }) },
  disableWebhookEndpoint: { allowed: ["no-admin", "partner"], input: (t) => ({ webhookEndpointId: t.webhookEndpoint }) },
  enableWebhookEndpoint: { allowed: ["no-admin", "partner"], input: (t) => ({ webhookEndpointId: t.webhookEndpoint }) },
  redeliverWebhookEvent: { allowed: ["no-admin", "partner"], input: (t) => ({ webhookEndpointId: t.webhookEndpoint, eventId: "evt_0000000000000001" }) },
  redeliverWebhookEvents: { allowed: ["no-admin", "partner"], input: (t) => ({ webhookEndpointId: t.webhookEndpoint, from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" }) },
  // After the other endpoint rows: it removes the target endpoint. All before transferAdministrator, which demotes no-admin.
  deleteWebhookEndpoint: { allowed: ["no-admin", "partner"], input: (t) => ({ webhookEndpointId: t.webhookEndpoint }) },

  createTestSalesUnit: { allowed: DEV, input: (t, who) => ({ merchantId: t.merchant, name: key(who).slice(0, 30) }) },
  createTestUser: { allowed: DEV, input: (t) => ({ merchantId: t.merchant }) },
  revealApiKeys: { allowed: DEV, input: (t) => ({ salesUnitId: t.unit }) },
  rotateApiKeys: { allowed: DEV, input: (t) => ({ salesUnitId: t.unit, key: "SECONDARY_SUBSCRIPTION_KEY" }) },
  setLoginRedirectUris: { allowed: DEV, input: (t) => ({ salesUnitId: t.unit, redirectUris: ["https://shop.example/callback"] }) },
  setLoginConsents: { allowed: DEV, input: (t) => ({ salesUnitId: t.unit, consents: [{ type: "EMAIL", required: false, text: "News by e-mail" }], termsUrl: "https://shop.example/terms", privacyUrl: "https://shop.example/privacy" }) },
  setLoginActivated: { allowed: DEV, input: (t) => ({ salesUnitId: t.unit, activated: false }) },

  createMerchantAgreement: { allowed: PORTAL_USERS, input: () => ({ merchantName: "Permission AS", organizationNumber: "123456785", country: "NO" }) },
  updateMerchantAgreement: { allowed: ["applicant"], input: (t) => ({ agreementId: t.agreement, city: "Tromsø" }) },
  // The target is SUBMITTED: the applicant is let through and refused InvalidStateError, and nothing is deleted.
  deleteMerchantAgreement: { allowed: ["applicant"], input: (t) => ({ agreementId: t.agreement }) },
  submitMerchantAgreement: { allowed: ["applicant"], input: (t) => ({ agreementId: t.agreement }) },
  approveMerchantAgreement: { allowed: OPERATOR, input: (t) => ({ agreementId: t.agreement }) },
  rejectMerchantAgreement: { allowed: OPERATOR, input: (t) => ({ agreementId: t.agreement, reason: "Permission check" }) },
  startProductOrder: { allowed: OPERATOR, input: (t) => ({ productOrderId: t.productOrder }) },
  completeProductOrder: { allowed: OPERATOR, input: (t) => ({ productOrderId: t.productOrder }) },
  rejectProductOrder: { allowed: OPERATOR, input: (t) => ({ productOrderId: t.productOrder, reason: "Permission check" }) },
  approveRecurringRequest: { allowed: OPERATOR, input: (t) => ({ recurringRequestId: t.recurringRequest }) },
  rejectRecurringRequest: { allowed: OPERATOR, input: (t) => ({ recurringRequestId: t.recurringRequest, reason: "Permission check" }) },
  linkPartner: { allowed: OPERATOR, input: (t) => ({ salesUnitId: t.unit, partnerId: t.partner }) },
  createPartnerKeys: { allowed: OPERATOR, input: (t) => ({ partnerId: t.partner, scopes: ["SALES_UNITS_READ"] }) },
  revokePartnerKeys: { allowed: OPERATOR, input: (t) => ({ partnerKeyId: t.partnerKey }) },
  transferAdministrator: { allowed: OPERATOR, input: (t) => ({ merchantId: t.merchant, toMembershipId: t.membership, formerAdministratorRole: "SALES_UNIT_MANAGER" }) },

  // Last: it switches the target unit off for the rows after it.
  deactivateSalesUnit: { allowed: EDIT, input: (t) => ({ salesUnitId: t.unit }) },
};

let gateway: TestGateway;
const tokens = new Map<Who, string>();
const targets = new Map<Who, Target>();

beforeAll(async () => {
  // Every persona here calls the public payPaymentLink from one address: lift that budget (test/limits pins it).
  gateway = await startTestGateway({ PUBLIC_PAYMENTS_PER_MINUTE: "1000", OUTBOX_RELAY: "false" });
  const db = gateway.services.db;
  const noMerchant = await db.merchant.findFirstOrThrow({ where: { country: "NO" } });
  const units = await db.salesUnit.findMany({ where: { environment: "PRODUCTION", status: "ACTIVE" }, orderBy: { msn: "asc" } });
  const partner = await db.partner.findFirstOrThrow({ where: { salesUnits: { some: {} } }, include: { keys: true } });
  const seAssistant = await db.portalUser.findFirstOrThrow({ where: { nin: gateway.persona("se-assistant").nin! }, include: { memberships: true } });
  const applicant = await db.portalUser.findFirstOrThrow({ where: { nin: gateway.persona("applicant").nin! } });
  const agreement = await db.merchantAgreement.findFirstOrThrow({ where: { applicantId: applicant.id, status: "SUBMITTED" } });
  const productOrder = await db.productOrder.findFirstOrThrow({ where: { status: "SUBMITTED" } });
  const recurringRequest = await db.recurringRequest.findFirstOrThrow({ where: { status: "PENDING" } });
  const reportSubscription = await db.reportSubscription.findFirstOrThrow({ where: { merchantId: noMerchant.id, salesUnitId: null } });
  // A person of the NO merchant whom no other row touches, so anonymizeUser's answer depends on the caller only.
  const bystander = await db.portalUser.create({
    data: { name: "Permission Target", country: "NO", memberships: { create: { merchantId: noMerchant.id, role: "ASSISTANT", permissions: [], acceptedAt: new Date() } } },
  });

  for (const who of EVERYONE) {
    const persona = gateway.persona(who);
    const reach = who === "partner" || MEMBERS.includes(who as (typeof MEMBERS)[number]) ? persona.salesUnits : gateway.persona("no-sum").salesUnits;
    const unit = units.find((u) => reach.includes(u.msn) && u.merchantId === (who === "partner" ? u.merchantId : noMerchant.id))!;
    expect(unit, `a production unit for ${who}`).toBeDefined();
    const transaction = await db.transaction.findFirstOrThrow({ where: { salesUnitId: unit.id } });
    const qrCode = await db.qrCode.create({ data: { salesUnitId: unit.id, name: key(who), url: "https://shop.example/qr" } });
    const webhookEndpoint = await db.webhookEndpoint.create({
      data: {
        ...(who === "partner" ? { partnerId: partner.id } : { merchantId: noMerchant.id }),
        url: "https://hooks.example/portal",
        eventTypes: ["transaction.REFUNDED"],
        secretEncrypted: "not-used",
      },
    });
    const paymentLink = await db.paymentLink.create({ data: { salesUnitId: unit.id, slug: key(who), amount: 1000, currency: unit.currency, description: "Permission check" } });
    targets.set(who, {
      merchant: encodeGlobalID("Merchant", unit.merchantId),
      unit: encodeGlobalID("SalesUnit", unit.id),
      transaction: encodeGlobalID("Transaction", transaction.id),
      qrCode: encodeGlobalID("QrCode", qrCode.id),
      paymentLink: encodeGlobalID("PaymentLink", paymentLink.id),
      membership: encodeGlobalID("Membership", seAssistant.memberships[0]!.id),
      user: encodeGlobalID("PortalUser", bystander.id),
      agreement: encodeGlobalID("MerchantAgreement", agreement.id),
      productOrder: encodeGlobalID("ProductOrder", productOrder.id),
      recurringRequest: encodeGlobalID("RecurringRequest", recurringRequest.id),
      reportSubscription: encodeGlobalID("ReportSubscription", reportSubscription.id),
      partner: encodeGlobalID("Partner", partner.id),
      partnerKey: encodeGlobalID("PartnerKey", partner.keys[0]!.id),
      webhookEndpoint: encodeGlobalID("WebhookEndpoint", webhookEndpoint.id),
    });
    tokens.set(who, await gateway.login(who));
  }
});
afterAll(async () => gateway?.stop());

async function lastOutboxId(): Promise<bigint> {
  const [row] = await gateway.services.db.$queryRaw<{ id: bigint }[]>`SELECT COALESCE(MAX(id), 0) AS id FROM "OutboxEvent"`;
  return BigInt(row!.id);
}

/** A call's request id, so its audit rows (and, through their transactions, its events) can be found. */
async function send(token: string, document: string, variables: Record<string, unknown>, requestId: string) {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": requestId },
    body: JSON.stringify({ query: document, variables }),
  });
  return (await response.json()) as { data?: Record<string, { __typename: string } | null>; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** What a call committed: "announced" (each audit row with its events, all catalogued), "nothing", or what is wrong. */
async function written(requestId: string, after: bigint): Promise<string> {
  const db = gateway.services.db;
  const audits = await db.$queryRaw<{ action: string; events: string[] }[]>`
    SELECT a.action, ARRAY(SELECT o.type FROM "OutboxEvent" o WHERE o.id > ${after} AND o.xmin = a.xmin ORDER BY o.id) AS events
    FROM "AuditEvent" a WHERE a."requestId" = ${requestId} ORDER BY a.id`;
  // An event whose transaction wrote no audit row, by this call or any other, was written beside recordChange.
  const orphans = await db.$queryRaw<{ type: string }[]>`
    SELECT o.type FROM "OutboxEvent" o WHERE o.id > ${after} AND NOT EXISTS (SELECT 1 FROM "AuditEvent" a WHERE a.xmin = o.xmin)`;
  if (orphans.length > 0) return `events without an audit row: ${orphans.map((o) => o.type).join(", ")}`;
  if (audits.length === 0) return "nothing";
  const silent = audits.filter((audit) => audit.events.length === 0).map((audit) => audit.action);
  if (silent.length > 0) return `audit rows without an event: ${silent.join(", ")}`;
  const unknown = audits.flatMap((audit) => audit.events).filter((type) => !eventTypeSpec(type));
  if (unknown.length > 0) return `uncatalogued event types: ${unknown.join(", ")}`;
  return "announced";
}

describe("the mutation permission table", () => {
  it("has a row for every mutation in the schema, and no row for a mutation that does not exist", () => {
    expect([...AUDITED_READS.keys()].filter((mutation) => !TABLE[mutation])).toEqual([]);
    const mutations = Object.keys(schema.getMutationType()!.getFields()).sort();
    expect(Object.keys(TABLE).sort()).toEqual(mutations);
  });

  for (const [mutation, row] of Object.entries(TABLE)) {
    it(`${mutation}: allowed for ${row.allowed.length === EVERYONE.length ? "everyone" : row.allowed.join(", ")}; FORBIDDEN for the rest`, async () => {
      const field = schema.getMutationType()!.getFields()[mutation]!;
      const inputType = field.args.find((arg) => arg.name === "input")!.type.toString();
      const document = `mutation($input: ${inputType}) { ${mutation}(input: $input) { __typename } }`;
      // Refused callers first, so a permitted call's side effects cannot change what they are refused.
      const order = [...EVERYONE].sort((a, b) => Number(row.allowed.includes(a)) - Number(row.allowed.includes(b)));
      const outcome: Record<string, string> = {};
      const expected: Record<string, string> = {};
      const writes: Record<string, string> = {};
      const expectedWrites: Record<string, string> = {};
      for (const who of order) {
        const requestId = `mutation-table-${mutation}-${who}-${Math.random().toString(36).slice(2, 10)}`;
        const before = await lastOutboxId();
        const response = await send(tokens.get(who)!, document, { input: row.input(targets.get(who)!, who) }, requestId);
        const code = response.errors?.[0]?.extensions?.code;
        outcome[who] = code === "FORBIDDEN" || code === "UNAUTHENTICATED" ? "refused" : code ? `error ${code}: ${response.errors?.[0]?.message}` : "allowed";
        expected[who] = row.allowed.includes(who) ? "allowed" : "refused";
        const succeeded = !response.errors && response.data?.[mutation]?.__typename.endsWith("Success") === true;
        writes[who] = await written(requestId, before);
        expectedWrites[who] = !succeeded ? "nothing" : AUDITED_READS.has(mutation) ? `audit rows without an event: ${AUDITED_READS.get(mutation)}` : "announced";
      }
      expect(outcome).toEqual(expected);
      expect(writes).toEqual(expectedWrites);
    });
  }
});
