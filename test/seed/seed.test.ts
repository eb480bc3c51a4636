import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeGlobalID } from "@pothos/plugin-relay";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { decryptSecret, verifySecret } from "../../src/auth/secrets";
import { isLoginMethodAllowed } from "../../src/auth/login-methods";
import { createDatabase, databaseUrlWithName, dropDatabase } from "../../src/db/admin";
import { applyMigrations } from "../../src/db/migrate";
import { isValidNin } from "../../src/domain/nin";
import { parsePhoneNumber } from "../../src/domain/phone";
import { validateOrganizationNumber, validateReference, validateSettlementAccount } from "../../src/domain/identifiers";
import { PrismaClient } from "../../src/generated/prisma/client";
import type { Permission, Role, TransactionStatus } from "../../src/generated/prisma/enums";
import { buildDemoData, seedDemoData, writePersonas, type Persona } from "../../src/seed";

const ADMIN_URL = inject("adminUrl");
const DATABASE = `seed_test_${process.pid}_${Date.now()}`;
const ENCRYPTION_KEY = randomBytes(32);
const STATUSES: TransactionStatus[] = ["REQUESTED", "REJECTED", "RESERVED", "CANCELLED", "CAPTURED", "REFUNDED", "EXPIRED"];

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const sorted = (values: Iterable<string>) => [...values].sort();

let prisma: PrismaClient;
let personas: Persona[];
let now: Date;
const logLines: string[] = [];

beforeAll(async () => {
  await createDatabase(ADMIN_URL, DATABASE);
  const url = databaseUrlWithName(ADMIN_URL, DATABASE);
  await applyMigrations(url);
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  now = new Date();
  personas = await seedDemoData(prisma, { encryptionKey: ENCRYPTION_KEY, now, log: (line) => logLines.push(line) });
}, 120_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await dropDatabase(ADMIN_URL, DATABASE);
});

function persona(key: string): Persona {
  const found = personas.find((p) => p.key === key);
  if (!found) throw new Error(`no persona ${key}`);
  return found;
}

describe("seedDemoData", () => {
  it("logs what it seeded", () => {
    expect(logLines.at(-1)).toMatch(/^seeded 3 merchants, \d+ sales units, [\d,]+ transactions/);
  });

  it("creates NO, DK and FI merchants with valid organisation numbers, each with production and test sales units", async () => {
    const merchants = await prisma.merchant.findMany({ include: { salesUnits: true } });
    expect(merchants.length).toBeGreaterThanOrEqual(2);
    expect(sorted(merchants.map((m) => m.country))).toEqual(["DK", "FI", "NO"]);
    const currencies = { NO: "NOK", DK: "DKK", FI: "EUR" } as const;
    for (const merchant of merchants) {
      expect(validateOrganizationNumber(merchant.country, merchant.organizationNumber)).toBe(merchant.organizationNumber);
      const production = merchant.salesUnits.filter((u) => u.environment === "PRODUCTION");
      const test = merchant.salesUnits.filter((u) => u.environment === "TEST");
      expect(production.length).toBeGreaterThanOrEqual(2);
      expect(production.length).toBeLessThanOrEqual(4);
      expect(test.length).toBeGreaterThanOrEqual(1);
      expect(new Set(production.map((u) => u.channel))).toEqual(new Set(["ONLINE", "IN_PERSON"]));
      for (const unit of merchant.salesUnits) {
        expect(unit.msn).toMatch(/^\d{5,6}$/);
        expect(unit.currency).toBe(currencies[merchant.country as keyof typeof currencies]);
        if (unit.environment === "PRODUCTION") {
          expect(validateSettlementAccount(merchant.country, unit.settlementAccount ?? "")).toBe(unit.settlementAccount);
        }
      }
    }
    const units = merchants.flatMap((m) => m.salesUnits);
    expect(units.some((u) => u.status === "DEACTIVATED")).toBe(true);
    expect(units.some((u) => u.directCapture)).toBe(true);
    expect(new Set(units.map((u) => u.settlementFrequency))).toEqual(new Set(["DAILY", "WEEKLY", "MONTHLY"]));
  });

  it("has production transactions in every status, and only a few recent REQUESTED ones that have not expired", async () => {
    const groups = await prisma.transaction.groupBy({ by: ["status"], where: { salesUnit: { environment: "PRODUCTION" } }, _count: true });
    expect(sorted(groups.map((g) => g.status))).toEqual(sorted(STATUSES));
    const total = groups.reduce((sum, g) => sum + g._count, 0);
    expect(total).toBeGreaterThanOrEqual(3_500);
    expect(total).toBeLessThanOrEqual(5_000);
    const requested = await prisma.transaction.findMany({ where: { status: "REQUESTED" } });
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.length).toBeLessThanOrEqual(10);
    for (const t of requested) {
      expect(t.expiresAt!.getTime()).toBeGreaterThan(now.getTime());
      expect(t.createdAt.getTime()).toBeGreaterThan(now.getTime() - 10 * 60_000);
    }
    const testTransactions = await prisma.transaction.count({ where: { salesUnit: { environment: "TEST" } } });
    expect(testTransactions).toBeGreaterThanOrEqual(50);
  });

  it("keeps every transaction's aggregates consistent with its status and with its operations", async () => {
    const [broken] = await prisma.$queryRawUnsafe<{ count: bigint }[]>(
      `SELECT count(*) FROM "Transaction" t
       LEFT JOIN (
         SELECT "transactionId",
                sum(amount) FILTER (WHERE type = 'CAPTURE') AS captured,
                sum(amount) FILTER (WHERE type = 'REFUND') AS refunded,
                sum(amount) FILTER (WHERE type = 'CANCEL') AS cancelled,
                count(*) FILTER (WHERE type = 'REQUEST') AS requests,
                count(*) FILTER (WHERE type = 'APPROVE') AS approvals
         FROM "TransactionOperation" GROUP BY "transactionId") o ON o."transactionId" = t.id
       WHERE NOT (
         t.amount BETWEEN 1 AND 65000000
         AND t."authorizedAmount" IN (0, t.amount)
         AND t."capturedAmount" <= t."authorizedAmount"
         AND t."refundedAmount" <= t."capturedAmount"
         AND t."cancelledAmount" IN (0, t."authorizedAmount" - t."capturedAmount")
         AND coalesce(o.captured, 0) = t."capturedAmount"
         AND coalesce(o.refunded, 0) = t."refundedAmount"
         AND coalesce(o.cancelled, 0) = t."cancelledAmount"
         AND coalesce(o.requests, 0) = 1
         AND coalesce(o.approvals, 0) = CASE WHEN t."authorizedAmount" > 0 THEN 1 ELSE 0 END
         AND CASE t.status
           WHEN 'REQUESTED' THEN t."authorizedAmount" = 0 AND t."expiresAt" > $1
           WHEN 'EXPIRED' THEN t."authorizedAmount" = 0 AND t."expiresAt" <= $1
           WHEN 'REJECTED' THEN t."authorizedAmount" = 0
           WHEN 'RESERVED' THEN t."authorizedAmount" > 0 AND t."capturedAmount" = 0 AND t."cancelledAmount" = 0
           WHEN 'CANCELLED' THEN t."cancelledAmount" > 0 AND t."cancelledAmount" = t."authorizedAmount" - t."capturedAmount"
           WHEN 'CAPTURED' THEN t."capturedAmount" > 0 AND t."refundedAmount" = 0 AND t."cancelledAmount" = 0
           WHEN 'REFUNDED' THEN t."refundedAmount" > 0
         END)`,
      now,
    );
    expect(Number(broken?.count)).toBe(0);

    const [partial] = await prisma.$queryRawUnsafe<{ captures: bigint; refunds: bigint }[]>(
      `SELECT count(*) FILTER (WHERE status = 'CAPTURED' AND "capturedAmount" < "authorizedAmount") AS captures,
              count(*) FILTER (WHERE status = 'REFUNDED' AND "refundedAmount" < "capturedAmount") AS refunds
       FROM "Transaction"`,
    );
    expect(Number(partial?.captures)).toBeGreaterThan(0);
    expect(Number(partial?.refunds)).toBeGreaterThan(0);
  });

  it("orders each transaction's operations in time and names who did each step", async () => {
    const [outOfOrder] = await prisma.$queryRawUnsafe<{ count: bigint }[]>(
      `SELECT count(*) FROM "TransactionOperation" o JOIN "Transaction" t ON t.id = o."transactionId"
       WHERE o."createdAt" < t."createdAt" OR o."createdAt" > $1
          OR (o.type IN ('APPROVE', 'DECLINE', 'EXPIRE') AND o."actorKind" <> 'PLATFORM')
          OR (o.type IN ('REFUND', 'CANCEL') AND o."actorKind" NOT IN ('USER', 'API_KEY', 'PARTNER'))`,
      now,
    );
    expect(Number(outOfOrder?.count)).toBe(0);
    const users = await prisma.transactionOperation.findMany({ where: { type: "REFUND", actorKind: "USER" }, distinct: ["actorId"], select: { actorId: true } });
    const ids = new Set((await prisma.portalUser.findMany({ select: { id: true } })).map((u) => u.id));
    expect(users.length).toBeGreaterThan(0);
    for (const { actorId } of users) expect(ids.has(actorId ?? "")).toBe(true);
  });

  it("gives every transaction a valid reference, and payer, message and shipping details to many", async () => {
    const rows = await prisma.transaction.findMany({ select: { reference: true, payerName: true, message: true, shippingAddress: true, paymentLinkId: true } });
    for (const { reference } of rows) expect(validateReference(reference)).toBe(reference);
    expect(rows.filter((r) => r.payerName).length).toBeGreaterThan(rows.length / 3);
    expect(rows.some((r) => r.message)).toBe(true);
    const viaLinks = rows.filter((r) => r.paymentLinkId);
    expect(viaLinks.length).toBeGreaterThan(0);
    expect(viaLinks.some((r) => r.shippingAddress)).toBe(true);
  });

  it("settles closed periods of production sales units: gross, refunds and fees add up from the operations it covers", async () => {
    const [mismatch] = await prisma.$queryRawUnsafe<{ count: bigint }[]>(
      `SELECT count(*) FROM "Settlement" s
       JOIN "SalesUnit" u ON u.id = s."salesUnitId"
       LEFT JOIN (
         SELECT "settlementId",
                sum(amount) FILTER (WHERE type = 'CAPTURE') AS gross,
                sum(amount) FILTER (WHERE type = 'REFUND') AS refunded,
                sum(round(amount * 0.015)) FILTER (WHERE type = 'CAPTURE') AS fee
         FROM "TransactionOperation" WHERE "settlementId" IS NOT NULL GROUP BY "settlementId") o ON o."settlementId" = s.id
       WHERE u.environment <> 'PRODUCTION'
          OR s."netAmount" <> s."grossAmount" - s."refundedAmount" - s."feeAmount"
          OR s."grossAmount" <> coalesce(o.gross, 0)
          OR s."refundedAmount" <> coalesce(o.refunded, 0)
          OR s."feeAmount" <> coalesce(o.fee, 0)
          OR s."periodEnd" < s."periodStart" OR s."payoutDate" <= s."periodEnd"`,
    );
    expect(Number(mismatch?.count)).toBe(0);
    const units = await prisma.salesUnit.findMany({ where: { environment: "PRODUCTION" }, include: { _count: { select: { settlements: true } } } });
    for (const unit of units) expect(unit._count.settlements).toBeGreaterThan(0);
    const unsettled = await prisma.transactionOperation.count({ where: { type: { in: ["CAPTURE", "REFUND"] }, settlementId: null, createdAt: { lt: new Date(now.getTime() - 40 * 86_400_000) }, transaction: { salesUnit: { environment: "PRODUCTION" } } } });
    expect(unsettled).toBe(0);
  });

  it("stores valid NINs and mobile numbers for users, the population register and test users", async () => {
    const people = [
      ...(await prisma.portalUser.findMany()).map((p) => ({ country: p.country, nin: p.nin ?? "", phone: p.phoneNumber ?? "" })),
      ...(await prisma.registerPerson.findMany()).map((p) => ({ country: p.country, nin: p.nin, phone: p.phoneNumber })),
    ];
    const testUsers = await prisma.testUser.findMany({ include: { merchant: true } });
    for (const t of testUsers) people.push({ country: t.merchant.country, nin: t.nin, phone: t.phoneNumber });
    for (const person of people) {
      expect(isValidNin(person.country, person.nin), `${person.country} ${person.nin}`).toBe(true);
      if (person.phone) expect(parsePhoneNumber(person.phone).country).toBe(person.country);
    }
    const users = await prisma.portalUser.findMany();
    const register = new Set((await prisma.registerPerson.findMany()).map((r) => r.nin));
    for (const user of users) expect(register.has(user.nin ?? "")).toBe(true);
    expect(register.size - users.length).toBeGreaterThanOrEqual(20);
  });

  it("stores API secrets encrypted and subscription keys as SHA-256 lookups", async () => {
    const keys = await prisma.apiKeys.findMany();
    expect(keys.length).toBe(await prisma.salesUnit.count());
    for (const key of keys) {
      expect(sha256(decryptSecret(key.primarySubscriptionKeyEnc, ENCRYPTION_KEY))).toBe(key.primarySubscriptionKey);
      expect(sha256(decryptSecret(key.secondarySubscriptionKeyEnc, ENCRYPTION_KEY))).toBe(key.secondarySubscriptionKey);
      expect(decryptSecret(key.clientSecretEncrypted, ENCRYPTION_KEY).length).toBeGreaterThan(30);
    }
  });

  it("seeds the other portal objects: agreements, orders, login set-up, QR codes, payment links, recurring, reports", async () => {
    const submitted = await prisma.merchantAgreement.findFirst({ where: { status: "SUBMITTED" }, include: { applicant: { include: { memberships: true } } } });
    expect(submitted?.applicant.nin).toBe(persona("applicant").nin);
    expect(submitted?.applicant.memberships).toEqual([]);
    expect(await prisma.merchantAgreement.count({ where: { status: "APPROVED", merchantId: { not: null } } })).toBeGreaterThanOrEqual(1);
    const orders = await prisma.productOrder.findMany();
    expect(sorted(new Set(orders.map((o) => o.status)))).toEqual(expect.arrayContaining(["COMPLETED", "SUBMITTED"]));
    for (const order of orders) expect(order.expectedBy.getTime()).toBeGreaterThan(order.createdAt.getTime() + 10 * 86_400_000);
    const configs = await prisma.loginConfig.findMany({ include: { consents: true } });
    expect(configs.some((c) => c.redirectUris.includes("http://localhost:3000/callback"))).toBe(true);
    expect(configs.some((c) => c.consents.some((consent) => consent.required))).toBe(true);
    expect(await prisma.qrCode.count()).toBeGreaterThan(0);
    const links = await prisma.paymentLink.findMany();
    expect(links.some((l) => l.expiresAt && l.expiresAt < now)).toBe(true);
    expect(links.some((l) => l.singleUse && !l.active)).toBe(true);
    expect(links.some((l) => l.active && (!l.expiresAt || l.expiresAt > now))).toBe(true);
    expect(await prisma.recurringRequest.count({ where: { status: "PENDING" } })).toBe(1);
    expect(await prisma.reportSubscription.count()).toBeGreaterThanOrEqual(1);
    expect(await prisma.testUser.count()).toBeGreaterThanOrEqual(3);
    expect(await prisma.outboxEvent.count()).toBe(0);
  });
});

describe("personas", () => {
  it("cover every role with and without each extra permission, all four countries, a partner and an operator", () => {
    const combos = new Set(personas.filter((p) => p.role).map((p) => `${p.role}:${sorted(p.permissions).join("+")}`));
    const extras: Permission[][] = [[], ["TRANSACTION_MANAGEMENT"], ["DEVELOPER"], ["DEVELOPER", "TRANSACTION_MANAGEMENT"]];
    const lower: Role[] = ["SALES_UNIT_MANAGER", "ASSISTANT"];
    for (const role of lower) for (const permissions of extras) expect(combos).toContain(`${role}:${permissions.join("+")}`);
    expect(combos).toContain("ADMINISTRATOR:");
    expect(new Set(personas.map((p) => p.country))).toEqual(new Set(["NO", "DK", "FI", "SE", null]));
    expect(persona("partner").clientSecret).toBeTruthy();
    expect(persona("operator")).toMatchObject({ operator: true, nin: null, method: null });
    expect(persona("two-merchants").memberships).toHaveLength(2);
    expect(persona("applicant")).toMatchObject({ merchant: null, merchantId: null, role: null, salesUnits: [] });
    expect(persona("dk-password-admin").method).toBe("PASSWORD");
    expect(new Set(personas.map((p) => p.key)).size).toBe(personas.length);
  });

  it("log in with a method their country allows", () => {
    for (const p of personas.filter((p) => p.method)) expect(isLoginMethodAllowed(p.country!, p.method!), p.key).toBe(true);
  });

  it("list exactly the sales units the database gives each of them", async () => {
    const units = await prisma.salesUnit.findMany();
    const msnById = new Map(units.map((u) => [u.id, u.msn]));
    const environments = new Set<string>();
    for (const p of personas.filter((p) => p.method)) {
      const user = await prisma.portalUser.findUniqueOrThrow({ where: { nin: p.nin! }, include: { memberships: { include: { salesUnits: true, merchant: true } } } });
      expect(user.name).toBe(p.name);
      const reach = user.memberships.flatMap((m) =>
        m.role === "ADMINISTRATOR" ? units.filter((u) => u.merchantId === m.merchantId).map((u) => u.msn) : m.salesUnits.map((s) => msnById.get(s.salesUnitId) ?? ""),
      );
      expect(sorted(p.salesUnits), p.key).toEqual(sorted(new Set(reach)));
      const first = user.memberships.find((m) => m.merchant.name === p.merchant);
      if (p.merchant) {
        expect(first?.role).toBe(p.role);
        expect(sorted(first?.permissions ?? [])).toEqual(sorted(p.permissions));
        expect(decodeGlobalID(p.merchantId!)).toEqual({ typename: "Merchant", id: first?.merchantId });
      } else {
        expect(user.memberships).toEqual([]);
      }
      for (const msn of p.salesUnits) environments.add(units.find((u) => u.msn === msn)?.environment ?? "");
    }
    expect(environments).toEqual(new Set(["PRODUCTION", "TEST"]));
    expect(sorted(persona("operator").salesUnits)).toEqual(sorted(units.map((u) => u.msn)));
  });

  it("give the partner working credentials for exactly its linked sales units", async () => {
    for (const key of ["partner", "partner-unlinked"]) {
      const p = persona(key);
      const stored = await prisma.partnerKey.findUniqueOrThrow({ where: { clientId: p.clientId! }, include: { partner: { include: { salesUnits: true } } } });
      expect(await verifySecret(p.clientSecret!, stored.clientSecretHash)).toBe(true);
      expect(await verifySecret("wrong secret", stored.clientSecretHash)).toBe(false);
      expect(stored.subscriptionKey).toBe(sha256(p.subscriptionKey!));
      expect(sorted(stored.scopes)).toEqual(sorted(["SALES_UNITS_READ", "TRANSACTIONS_READ", "PAYMENTS_WRITE", "TRANSACTIONS_MANAGE"]));
      expect(sorted(p.salesUnits)).toEqual(sorted(stored.partner.salesUnits.map((u) => u.msn)));
    }
    const linked = await prisma.salesUnit.findMany({ where: { partnerId: { not: null } } });
    expect(new Set(linked.map((u) => u.merchantId)).size).toBe(2);
    expect(linked.every((u) => u.environment === "PRODUCTION")).toBe(true);
  });

  it("are written as pretty JSON that reads back the same", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "personas-"));
    try {
      const file = path.join(dir, "seed", "personas.json");
      await writePersonas(file, personas);
      const text = await readFile(file, "utf8");
      expect(text).toContain('\n  {\n    "key": "no-admin"');
      expect(JSON.parse(text)).toEqual(personas);
      expect((await stat(file)).mode & 0o077).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("buildDemoData", () => {
  it("builds the same rows from the same `now`, secrets aside", () => {
    const at = new Date("2026-03-02T09:30:00Z");
    const first = buildDemoData({ encryptionKey: ENCRYPTION_KEY, now: at });
    const second = buildDemoData({ encryptionKey: ENCRYPTION_KEY, now: at });
    expect(second.rows.transactions).toEqual(first.rows.transactions);
    expect(second.rows.operations).toEqual(first.rows.operations);
    expect(second.rows.settlements).toEqual(first.rows.settlements);
    expect(second.rows.salesUnits).toEqual(first.rows.salesUnits);
    const withoutSecrets = (list: Persona[]) => list.map(({ clientId: _c, clientSecret: _s, subscriptionKey: _k, ...rest }) => rest);
    expect(withoutSecrets(second.personas)).toEqual(withoutSecrets(first.personas));
  });
});
