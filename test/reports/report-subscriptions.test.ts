/** Report subscriptions: who may subscribe to what, and one pass of the delivery job under a controlled clock. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { addDays, dateOfDay, dayOf } from "../../src/domain/calendar";
import { fileMailTransport, type MailTransport } from "../../src/services/mail";
import { sendDueReports } from "../../src/services/report-subscriptions";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { uuidOf } from "../support/ids";

let gateway: TestGateway;
const tokens: Record<string, string> = {};
type Unit = { id: string; msn: string; name: string };
let units: Unit[];

beforeAll(async () => {
  gateway = await startTestGateway();
  for (const key of ["no-admin", "no-sum", "no-sum-tm", "no-assistant-tm", "dk-admin", "two-merchants", "operator"]) tokens[key] = await gateway.login(key);
  units = (await gateway.graphql<{ salesUnits: { nodes: Unit[] } }>(tokens["operator"]!, "{ salesUnits(first: 50) { nodes { id msn name } } }")).data!.salesUnits.nodes;
});
afterAll(async () => gateway?.stop());

const unit = (name: string) => units.find((u) => u.name === name)!;
const byMsn = (msn: string) => units.find((u) => u.msn === msn)!;
const merchantId = (key: string) => gateway.persona(key).merchantId!;

type Subscription = { id: string; email: string; frequency: string; format: string; includePersonalData: boolean; lastSentAt: string | null };
type Result = { __typename: string; code?: string; field?: string; message?: string; data?: Subscription | string };

const CREATE = `mutation($input: CreateReportSubscriptionInput!) { createReportSubscription(input: $input) {
  __typename ... on MutationCreateReportSubscriptionSuccess { data { id email frequency format includePersonalData lastSentAt } }
  ... on Error { code message } ... on ValidationError { field } ... on ConflictError { field } } }`;
const DELETE = `mutation($input: DeleteReportSubscriptionInput!) { deleteReportSubscription(input: $input) {
  __typename ... on MutationDeleteReportSubscriptionSuccess { data } ... on Error { code } } }`;

const create = (token: string, input: Record<string, unknown>) =>
  gateway.graphql<{ createReportSubscription: Result }>(token, CREATE, {
    input: { merchantId: merchantId("no-admin"), email: "regnskap@fjordkaffe.no", frequency: "DAILY", format: "CSV", includePersonalData: false, ...input },
  });

async function snapshot() {
  const db = gateway.services.db;
  return { subscriptions: await db.reportSubscription.findMany({ orderBy: { id: "asc" } }), audit: await db.auditEvent.count() };
}

describe("createReportSubscription", () => {
  it("lets an Administrator subscribe the whole merchant, normalising the e-mail domain, audited", async () => {
    const response = await create(tokens["no-admin"]!, { email: "Okonomi@Fjordkaffe.NO", frequency: "WEEKLY", format: "PDF" });
    const created = response.data!.createReportSubscription.data as Subscription;
    expect(created).toMatchObject({ email: "Okonomi@fjordkaffe.no", frequency: "WEEKLY", format: "PDF", includePersonalData: false, lastSentAt: null });
    expect(await gateway.services.db.auditEvent.count({ where: { action: "reportSubscription.create", objectId: uuidOf(created.id) } })).toBe(1);
  });

  it("lets a Sales Unit Manager with Transaction Management subscribe an assigned unit, with personal data", async () => {
    const bryggen = byMsn(gateway.persona("no-sum-tm").salesUnits[0]!);
    const response = await create(tokens["no-sum-tm"]!, { salesUnitId: bryggen.id, includePersonalData: true, format: "XLSX" });
    expect(response.data!.createReportSubscription).toMatchObject({ __typename: "MutationCreateReportSubscriptionSuccess", data: { includePersonalData: true } });
  });

  it("gives an Assistant with Transaction Management the plain variant of an assigned unit only", async () => {
    const bryggen = byMsn(gateway.persona("no-assistant-tm").salesUnits[0]!);
    const before = await snapshot();
    const personal = await create(tokens["no-assistant-tm"]!, { salesUnitId: bryggen.id, email: "assistent@fjordkaffe.no", includePersonalData: true });
    expect(personal.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const wholeMerchant = await create(tokens["no-assistant-tm"]!, { email: "assistent@fjordkaffe.no" });
    expect(wholeMerchant.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
    const plain = await create(tokens["no-assistant-tm"]!, { salesUnitId: bryggen.id, email: "assistent@fjordkaffe.no" });
    expect(plain.data!.createReportSubscription.__typename).toBe("MutationCreateReportSubscriptionSuccess");
  });

  it.each([
    ["an address without a domain", "regnskap@fjordkaffe"],
    ["an address without @", "regnskap.fjordkaffe.no"],
    ["an empty address", " "],
  ])("refuses %s and changes nothing", async (_what, email) => {
    const before = await snapshot();
    const response = await create(tokens["no-admin"]!, { email });
    expect(response.data!.createReportSubscription).toMatchObject({ __typename: "ValidationError", field: "email" });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses the same subscription twice and a test sales unit, changing nothing", async () => {
    await create(tokens["no-admin"]!, { email: "dobbel@fjordkaffe.no" });
    const before = await snapshot();
    const duplicate = await create(tokens["no-admin"]!, { email: "dobbel@fjordkaffe.no" });
    expect(duplicate.data!.createReportSubscription).toMatchObject({ __typename: "ConflictError", field: "email" });
    const test = await create(tokens["no-admin"]!, { salesUnitId: unit("Fjordkaffe Test Kasse").id });
    expect(test.data!.createReportSubscription).toMatchObject({ __typename: "InvalidStateError" });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses other merchants' units and units of another merchant than the one named", async () => {
    const before = await snapshot();
    const foreignMerchant = await create(tokens["dk-admin"]!, {});
    expect(foreignMerchant.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const foreignUnit = await create(tokens["no-admin"]!, { salesUnitId: unit("Hygge Cykler Webshop").id });
    expect(foreignUnit.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const memberships = gateway.persona("two-merchants").memberships!;
    const mixed = await create(tokens["two-merchants"]!, { merchantId: memberships[0]!.merchantId, salesUnitId: byMsn(memberships[1]!.salesUnits[0]!).id });
    expect(mixed.data!.createReportSubscription).toMatchObject({ __typename: "NotFoundError" });
    expect(await snapshot()).toEqual(before);
  });
});

describe("deleteReportSubscription", () => {
  it("deletes for someone who could create it; others get the same FORBIDDEN as for a missing one", async () => {
    const created = (await create(tokens["no-admin"]!, { email: "slett@fjordkaffe.no" })).data!.createReportSubscription.data as Subscription;
    const before = await snapshot();
    const foreign = await gateway.graphql(tokens["dk-admin"]!, DELETE, { input: { reportSubscriptionId: created.id } });
    const missing = await gateway.graphql(tokens["dk-admin"]!, DELETE, { input: { reportSubscriptionId: encodeGlobalID("ReportSubscription", "6b1f7c2e-0000-4000-8000-000000000000") } });
    const manager = await gateway.graphql(tokens["no-sum"]!, DELETE, { input: { reportSubscriptionId: created.id } });
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(missing.errors?.[0]).toEqual(foreign.errors?.[0]);
    expect(manager.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
    const deleted = await gateway.graphql<{ deleteReportSubscription: Result }>(tokens["no-admin"]!, DELETE, { input: { reportSubscriptionId: created.id } });
    expect(deleted.data!.deleteReportSubscription).toEqual({ __typename: "MutationDeleteReportSubscriptionSuccess", data: created.id });
    expect(await gateway.services.db.auditEvent.count({ where: { action: "reportSubscription.delete", objectId: uuidOf(created.id) } })).toBe(1);
  });
});

describe("the delivery job", () => {
  let outbox: string;
  let subscriptionId: string;
  let payoutDay: string;
  let unitId: string;
  const mailer = () => fileMailTransport(outbox, "Portal Gateway <reports@portal-gateway.invalid>");
  const run = (iso: string, mail: MailTransport = mailer()) =>
    sendDueReports({ db: gateway.services.db, logger: gateway.services.logger, clock: { now: () => new Date(iso) } }, mail);

  beforeAll(async () => {
    outbox = await mkdtemp(path.join(tmpdir(), "portal-outbox-"));
    const webshop = unit("Fjordkaffe Nettbutikk");
    unitId = uuidOf(webshop.id);
    const settlement = await gateway.services.db.settlement.findFirstOrThrow({ where: { salesUnitId: unitId }, orderBy: { payoutDate: "desc" } });
    payoutDay = dayOf(settlement.payoutDate);
    const created = await create(tokens["no-admin"]!, { salesUnitId: webshop.id, email: "daglig@fjordkaffe.no", frequency: "DAILY", format: "CSV" });
    subscriptionId = uuidOf((created.data!.createReportSubscription.data as Subscription).id);
    // Only this subscription, so each pass's count is about it.
    await gateway.services.db.reportSubscription.deleteMany({ where: { id: { not: subscriptionId } } });
  });
  afterAll(async () => rm(outbox, { recursive: true, force: true }));

  it("mails yesterday's payouts as an .eml with the report attached, and sets lastSentAt", async () => {
    const now = `${addDays(payoutDay, 1)}T12:00:00.000Z`;
    expect(await run(now)).toBe(1);
    const files = await readdir(outbox);
    expect(files).toHaveLength(1);
    const eml = await readFile(path.join(outbox, files[0]!), "utf8");
    expect(eml).toMatch(/^To: daglig@fjordkaffe\.no\r$/m);
    expect(eml).toMatch(new RegExp(`^Subject: Settlement report Fjordkaffe AS, ${payoutDay}\\r$`, "m"));
    expect(eml).toContain(`filename=settlements-${payoutDay}-${payoutDay}.csv`);
    const attachment = /Content-Type: text\/csv[\s\S]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/.exec(eml)![1]!;
    const csv = Buffer.from(attachment.replace(/\r\n/g, ""), "base64").toString("utf8");
    const net = csv.split("\r\n").slice(1, -1).reduce((sum, line) => sum + Math.round(Number(line.split(",")[11]) * 100), 0);
    const expected = await gateway.services.db.settlement.aggregate({ where: { salesUnitId: unitId, payoutDate: dateOfDay(payoutDay) }, _sum: { netAmount: true } });
    expect(BigInt(net)).toBe(expected._sum.netAmount);
    const row = await gateway.services.db.reportSubscription.findUniqueOrThrow({ where: { id: subscriptionId } });
    expect(row.lastSentAt?.toISOString()).toBe(now);
  });

  it("sends nothing more the same day, and the next report the next day", async () => {
    expect(await run(`${addDays(payoutDay, 1)}T21:00:00.000Z`)).toBe(0);
    expect(await run(`${addDays(payoutDay, 2)}T06:00:00.000Z`)).toBe(1);
    expect(await readdir(outbox)).toHaveLength(2);
  });

  it("keeps lastSentAt when sending fails, so the next pass retries", async () => {
    const before = await gateway.services.db.reportSubscription.findUniqueOrThrow({ where: { id: subscriptionId } });
    const failing: MailTransport = { send: async () => Promise.reject(new Error("SMTP server unavailable")) };
    expect(await run(`${addDays(payoutDay, 3)}T06:00:00.000Z`, failing)).toBe(0);
    expect((await gateway.services.db.reportSubscription.findUniqueOrThrow({ where: { id: subscriptionId } })).lastSentAt).toEqual(before.lastSentAt);
    expect(await run(`${addDays(payoutDay, 3)}T06:05:00.000Z`)).toBe(1);
  });

  it("leaves a report claimed by a pass that died mid-send to the first pass after its lease, instead of losing it", async () => {
    const day = addDays(payoutDay, 4);
    const row = () => gateway.services.db.reportSubscription.findUniqueOrThrow({ where: { id: subscriptionId } });
    const before = await row();
    // A pass whose mail server never answers stands for an instance that died while sending.
    const stuck: MailTransport = { send: () => new Promise<never>(() => {}) };
    void run(`${day}T06:00:00.000Z`, stuck);
    await vi.waitFor(async () => expect((await row()).claimedUntil).not.toBeNull());
    expect((await row()).lastSentAt).toEqual(before.lastSentAt);

    expect(await run(`${day}T06:05:00.000Z`)).toBe(0);
    const files = (await readdir(outbox)).length;
    expect(await run(`${day}T06:16:00.000Z`)).toBe(1);
    expect(await readdir(outbox)).toHaveLength(files + 1);
    const after = await row();
    expect(after.lastSentAt?.toISOString()).toBe(`${day}T06:16:00.000Z`);
    expect(after.claimedUntil).toBeNull();
  });

  it("sends a day it could not send before the next day's, when the mail server is back", async () => {
    const [missed, next] = [addDays(payoutDay, 4), addDays(payoutDay, 5)];
    const failing: MailTransport = { send: async () => Promise.reject(new Error("SMTP server unavailable")) };
    expect(await run(`${addDays(missed, 1)}T06:00:00.000Z`, failing)).toBe(0);
    const subjects: string[] = [];
    const recording: MailTransport = {
      send: async (message) => {
        subjects.push(message.subject);
        await mailer().send(message);
      },
    };
    expect(await run(`${addDays(next, 1)}T06:00:00.000Z`, recording)).toBe(2);
    expect(subjects).toEqual([`Settlement report Fjordkaffe AS, ${missed}`, `Settlement report Fjordkaffe AS, ${next}`]);
    const row = await gateway.services.db.reportSubscription.findUniqueOrThrow({ where: { id: subscriptionId } });
    expect(dayOf(row.lastPeriodEnd!)).toBe(next);
    expect(await run(`${addDays(next, 1)}T06:05:00.000Z`)).toBe(0);
  });

  it("passes over a report the mail server refuses for good, so the next period's still goes out", async () => {
    const [refused, next] = [addDays(payoutDay, 6), addDays(payoutDay, 7)];
    const subjects: string[] = [];
    // Refuses the first message as an SMTP server refuses one too large (nodemailer's error for a 552 reply).
    const picky: MailTransport = {
      send: async (message) => {
        subjects.push(message.subject);
        if (subjects.length === 1) throw Object.assign(new Error("Message size exceeds fixed maximum message size"), { code: "EMESSAGE", responseCode: 552 });
        await mailer().send(message);
      },
    };
    const now = `${addDays(next, 1)}T06:00:00.000Z`;
    expect(await run(now, picky)).toBe(1);
    expect(subjects).toEqual([`Settlement report Fjordkaffe AS, ${refused}`, `Settlement report Fjordkaffe AS, ${next}`]);
    const row = await gateway.services.db.reportSubscription.findUniqueOrThrow({ where: { id: subscriptionId } });
    expect(dayOf(row.lastPeriodEnd!)).toBe(next);
    expect(row.lastSentAt?.toISOString()).toBe(now);
    expect(await run(`${addDays(next, 1)}T06:05:00.000Z`)).toBe(0);
  });
});

describe("a subscriber who loses access", () => {
  let outbox: string;
  const run = (iso: string) =>
    sendDueReports(
      { db: gateway.services.db, logger: gateway.services.logger, clock: { now: () => new Date(iso) } },
      fileMailTransport(outbox, "Portal Gateway <reports@portal-gateway.invalid>"),
    );
  const recipients = async () => Promise.all((await readdir(outbox)).map(async (file) => /^To: (.*)\r$/m.exec(await readFile(path.join(outbox, file), "utf8"))![1]));
  const membershipOf = async (personaKey: string) => {
    const user = await gateway.services.db.portalUser.findFirstOrThrow({ where: { nin: gateway.persona(personaKey).nin! }, include: { memberships: true } });
    return { userId: user.id, membershipId: user.memberships[0]!.id };
  };
  const subscribe = async (personaKey: string, email: string, input: Record<string, unknown> = {}) => {
    const token = await gateway.login(personaKey);
    const bryggen = byMsn(gateway.persona(personaKey).salesUnits[0]!);
    const created = await create(token, { salesUnitId: bryggen.id, email, ...input });
    return uuidOf((created.data!.createReportSubscription.data as Subscription).id);
  };
  const row = (id: string) => gateway.services.db.reportSubscription.findUniqueOrThrow({ where: { id } });
  const audits = (id: string) => gateway.services.db.auditEvent.findMany({ where: { objectType: "ReportSubscription", objectId: id }, orderBy: { id: "asc" } });

  beforeAll(async () => {
    outbox = await mkdtemp(path.join(tmpdir(), "portal-outbox-"));
    // Only this block's subscriptions, so the mails sent are about them.
    await gateway.services.db.reportSubscription.deleteMany({});
  });
  afterAll(async () => rm(outbox, { recursive: true, force: true }));

  it("skips and disables, audited, a personal-data subscription whose owner lost the right to it, and mails the others", async () => {
    const kept = await subscribe("no-assistant-tm", "behold@fjordkaffe.no");
    const lost = await subscribe("no-sum-tm", "payer-names@fjordkaffe.no", { includePersonalData: true });
    const { membershipId } = await membershipOf("no-sum-tm");
    await gateway.services.db.membership.update({ where: { id: membershipId }, data: { permissions: [] } });

    expect(await run("2026-11-20T06:00:00.000Z")).toBe(1);
    expect(await recipients()).toEqual(["behold@fjordkaffe.no"]);
    expect((await row(kept)).disabledAt).toBeNull();
    const disabled = await row(lost);
    expect(disabled.disabledAt?.toISOString()).toBe("2026-11-20T06:00:00.000Z");
    expect(disabled.lastSentAt).toBeNull();
    expect((await audits(lost)).map((a) => [a.action, a.actorKind, a.data])).toEqual([
      ["reportSubscription.create", "USER", expect.anything()],
      ["reportSubscription.disable", "SYSTEM", { reason: "OWNER_ACCESS_LOST", email: "p•••@fjordkaffe.no" }],
    ]);
    // A disabled subscription stays disabled when the access comes back: its owner subscribes again if they wish.
    await gateway.services.db.membership.update({ where: { id: membershipId }, data: { permissions: ["TRANSACTION_MANAGEMENT"] } });
    expect(await run("2026-11-21T06:00:00.000Z")).toBe(1);
    expect(await recipients()).not.toContain("payer-names@fjordkaffe.no");
  });

  it("ends a person's subscriptions when an Administrator removes their access, before any delivery", async () => {
    const id = await subscribe("no-sum-tm", "removed@fjordkaffe.no", { includePersonalData: true });
    const { membershipId } = await membershipOf("no-sum-tm");
    const removed = await gateway.graphql(tokens["no-admin"]!, "mutation($input: RemoveUserInput!) { removeUser(input: $input) { __typename } }", {
      input: { membershipId: Buffer.from(`Membership:${membershipId}`).toString("base64") },
    });
    expect(removed.errors).toBeUndefined();
    expect((await row(id)).disabledAt).not.toBeNull();
    expect((await audits(id)).at(-1)).toMatchObject({ action: "reportSubscription.disable", actorKind: "USER", data: { reason: "OWNER_REMOVED", email: "r•••@fjordkaffe.no" } });
    await run("2026-11-22T06:00:00.000Z");
    expect(await recipients()).not.toContain("removed@fjordkaffe.no");
  });

  it("ends a person's subscriptions when they are anonymised, and keeps their own address nowhere", async () => {
    const id = await subscribe("no-assistant-tm", "anonymised@fjordkaffe.no");
    const { userId } = await membershipOf("no-assistant-tm");
    const own = (await gateway.services.db.portalUser.findUniqueOrThrow({ where: { id: userId } })).email!;
    expect(own).toMatch(/@/);
    const ownId = await subscribe("no-assistant-tm", own.toUpperCase());
    // An audit row written before addresses were masked there.
    await gateway.services.db.auditEvent.create({
      data: { merchantId: uuidOf(merchantId("no-assistant-tm")), actorKind: "USER", actorId: userId, actorLabel: "x", action: "reportSubscription.create", objectType: "ReportSubscription", objectId: ownId, data: { email: own } },
    });
    const anonymised = await gateway.graphql(tokens["operator"]!, "mutation($input: AnonymizeUserInput!) { anonymizeUser(input: $input) { __typename } }", {
      input: { userId: Buffer.from(`PortalUser:${userId}`).toString("base64") },
    });
    expect(anonymised.errors).toBeUndefined();
    expect((await row(id)).disabledAt).not.toBeNull();
    expect((await audits(id)).at(-1)).toMatchObject({ action: "reportSubscription.disable", data: { reason: "OWNER_REMOVED" } });
    await run("2026-11-23T06:00:00.000Z");
    expect(await recipients()).not.toContain("anonymised@fjordkaffe.no");
    // Another recipient's address is not the person's: it stays on the ended subscription.
    expect((await row(id)).email).toBe("anonymised@fjordkaffe.no");
    expect((await row(ownId)).email).toBe(`${own[0]}•••${own.slice(own.indexOf("@"))}`);
    const everything = JSON.stringify((await gateway.services.db.auditEvent.findMany({ where: { objectType: "ReportSubscription" } })).map((a) => a.data)).toLowerCase();
    expect(everything).not.toContain(own.toLowerCase());
  });
});
