/**
 * The demo seed: three merchants with their sales units, people, partners, transactions and settlements,
 * plus the personas that let a developer log in as each kind of user (docs/public-contract.md#personas). It is built in memory from
 * one seeded random stream with every date relative to `now`, then written with bulk inserts in one
 * database transaction: the same input gives the same rows (ids included) and a failure leaves nothing.
 * Secrets (client secrets, subscription keys) come from the crypto RNG on purpose: demo credentials must not
 * be derivable from this source file.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import type { Country, PartnerScope, ProductType } from "../generated/prisma/enums";
import { dateOfDay, expectedByDate, PRODUCT_ORDER_WORKING_DAYS } from "../domain/calendar";
import { currencyForCountry } from "../domain/money";
import { newPartnerKeyMaterial } from "../services/partners";
import { newKeyMaterial } from "../services/sales-units";
import { settlementAccount } from "./accounts";
import { bulkInsert, type ColumnType } from "./bulk";
import { ADDABLE_PEOPLE, APPLICATION, MERCHANTS, OPERATOR, PARTNERS, USERS, type MerchantKey, type MerchantPlan, type UnitPlan, type UserPlan } from "./catalog";
import { emailFor, Population } from "./people";
import { describeMembership, type Persona, type PersonaMembership } from "./personas";
import { mulberry32, Random } from "./random";
import { buildSettlements, type SettledUnit } from "./settlements";
import { DAY, generateTransactions, HOUR, MINUTE, type Actor, type LinkState, type Payer, type UnitContext } from "./transactions";

export type { Persona, PersonaMembership } from "./personas";
export { writePersonas } from "./personas";

/** Any constant works; changing it reshuffles the whole demo. */
const SEED = 0x5eed_2025;
const ADDABLE_SEED = 0xadd_2026;

/** The portal shows transactions of the last 18 months. */
const HISTORY_DAYS = 548;

const ALL_PARTNER_SCOPES: PartnerScope[] = ["SALES_UNITS_READ", "TRANSACTIONS_READ", "PAYMENTS_WRITE", "TRANSACTIONS_MANAGE", "PERSONAL_DATA_READ"];

export interface SeedOptions {
  /** Encrypts API secrets at rest (AES-256-GCM, 32 bytes). */
  encryptionKey: Buffer;
  /** The demo's present: every date is relative to it. Defaults to the current time. */
  now?: Date;
  log?: (message: string) => void;
}


const count = new Intl.NumberFormat("en-US");

export type DemoRows = {
  operators: Prisma.OperatorCreateManyInput[];
  partners: Prisma.PartnerCreateManyInput[];
  partnerKeys: Prisma.PartnerKeyCreateManyInput[];
  merchants: Prisma.MerchantCreateManyInput[];
  salesUnits: Prisma.SalesUnitCreateManyInput[];
  apiKeys: Prisma.ApiKeysCreateManyInput[];
  users: Prisma.PortalUserCreateManyInput[];
  registerPersons: Prisma.RegisterPersonCreateManyInput[];
  memberships: Prisma.MembershipCreateManyInput[];
  membershipSalesUnits: Prisma.MembershipSalesUnitCreateManyInput[];
  testUsers: Prisma.TestUserCreateManyInput[];
  agreements: Prisma.MerchantAgreementCreateManyInput[];
  productOrders: Prisma.ProductOrderCreateManyInput[];
  loginConfigs: Prisma.LoginConfigCreateManyInput[];
  loginConsents: Prisma.LoginConsentCreateManyInput[];
  recurringRequests: Prisma.RecurringRequestCreateManyInput[];
  qrCodes: Prisma.QrCodeCreateManyInput[];
  paymentLinks: Prisma.PaymentLinkCreateManyInput[];
  transactions: Prisma.TransactionCreateManyInput[];
  settlements: Prisma.SettlementCreateManyInput[];
  operations: Prisma.TransactionOperationCreateManyInput[];
  reportSubscriptions: Prisma.ReportSubscriptionCreateManyInput[];
  auditEvents: Prisma.AuditEventCreateManyInput[];
};

interface SeededUnit {
  plan: UnitPlan;
  merchant: SeededMerchant;
  id: string;
  msn: string;
  apiKeysId: string;
  createdAt: Date;
  activatedAt: Date;
  deactivatedAt: Date | null;
}

interface SeededMerchant {
  plan: MerchantPlan;
  id: string;
  createdAt: Date;
  units: SeededUnit[];
}

interface SeededUser {
  plan: UserPlan;
  id: string;
  nin: string;
  phoneNumber: string;
  createdAt: Date;
}

function emptyRows(): DemoRows {
  return {
    operators: [], partners: [], partnerKeys: [], merchants: [], salesUnits: [], apiKeys: [], users: [], registerPersons: [],
    memberships: [], membershipSalesUnits: [], testUsers: [], agreements: [], productOrders: [], loginConfigs: [], loginConsents: [],
    recurringRequests: [], qrCodes: [], paymentLinks: [], transactions: [], settlements: [], operations: [], reportSubscriptions: [], auditEvents: [],
  };
}

/** Builds every row and persona in memory; `seedDemoData` writes them. */
export function buildDemoData(options: { encryptionKey: Buffer; now: Date }): { rows: DemoRows; personas: Persona[] } {
  const { encryptionKey, now } = options;
  const rng = new Random(mulberry32(SEED));
  const population = new Population(rng);
  const rows = emptyRows();
  const ago = (ms: number) => new Date(now.getTime() - ms);

  // --- Operator and partners -------------------------------------------------------------------------
  const operator = { id: rng.uuid(), ...OPERATOR, createdAt: ago(800 * DAY) };
  rows.operators.push(operator);

  const partnerCredentials: { key: "linked" | "unlinked"; id: string; clientId: string; clientSecret: string; subscriptionKey: string; scopes: PartnerScope[] }[] = [];
  for (const key of ["linked", "unlinked"] as const) {
    const plan = PARTNERS[key];
    const id = rng.uuid();
    const createdAt = ago((key === "linked" ? 700 : 90) * DAY);
    rows.partners.push({ id, ...plan, createdAt });
    const { credentials, stored } = newPartnerKeyMaterial();
    const scopes = ALL_PARTNER_SCOPES.filter((scope) => scope !== "PERSONAL_DATA_READ");
    partnerCredentials.push({ key, id, ...credentials, scopes });
    rows.partnerKeys.push({ id: rng.uuid(), partnerId: id, ...stored, scopes, createdAt });
  }
  const linkedPartner = partnerCredentials[0];
  if (!linkedPartner) throw new Error("seed catalog has no partner");
  const partnerActor: Actor = { kind: "PARTNER", id: linkedPartner.id, label: PARTNERS.linked.name };

  // --- Merchants, sales units, API keys -------------------------------------------------------------
  const msns = new Set<string>();
  const newMsn = (environment: UnitPlan["environment"]) => {
    for (;;) {
      const msn = String(environment === "PRODUCTION" ? rng.int(100_000, 999_999) : rng.int(10_000, 99_999));
      if (!msns.has(msn)) {
        msns.add(msn);
        return msn;
      }
    }
  };
  const merchants = new Map<MerchantKey, SeededMerchant>();
  const unitsByKey = new Map<string, SeededUnit>();
  for (const plan of MERCHANTS) {
    const merchant: SeededMerchant = { plan, id: rng.uuid(), createdAt: ago(plan.approvedDaysAgo * DAY), units: [] };
    merchants.set(plan.key, merchant);
    const { key: _key, approvedDaysAgo: _approved, units: _units, ...company } = plan;
    rows.merchants.push({ id: merchant.id, ...company, createdAt: merchant.createdAt, updatedAt: merchant.createdAt });
    const sharedAccount = settlementAccount(rng, plan.country);
    plan.units.forEach((unitPlan, index) => {
      const production = unitPlan.environment === "PRODUCTION";
      const createdAt = production ? new Date(merchant.createdAt.getTime() + (2 + index * 5) * DAY) : ago(rng.int(90, 300) * DAY);
      const unit: SeededUnit = {
        plan: unitPlan,
        merchant,
        id: rng.uuid(),
        msn: newMsn(unitPlan.environment),
        apiKeysId: rng.uuid(),
        createdAt,
        activatedAt: new Date(createdAt.getTime() + (production ? DAY : MINUTE)),
        deactivatedAt: unitPlan.deactivatedDaysAgo ? ago(unitPlan.deactivatedDaysAgo * DAY) : null,
      };
      merchant.units.push(unit);
      unitsByKey.set(unitPlan.key, unit);
      rows.salesUnits.push({
        id: unit.id,
        merchantId: merchant.id,
        msn: unit.msn,
        name: unitPlan.name,
        logoUrl: unitPlan.logoUrl ?? null,
        environment: unitPlan.environment,
        channel: unitPlan.channel,
        currency: currencyForCountry(plan.country),
        status: unitPlan.status,
        // Test units have no settlements; the in-person shops of a merchant share one account.
        settlementAccount: production ? (unitPlan.channel === "IN_PERSON" ? sharedAccount : settlementAccount(rng, plan.country)) : null,
        settlementFrequency: unitPlan.frequency,
        recurring: unitPlan.recurring ?? false,
        skipLandingPage: unitPlan.skipLandingPage ?? false,
        directCapture: unitPlan.directCapture ?? false,
        paymentLinks: unitPlan.paymentLinks ?? false,
        login: unitPlan.login ?? false,
        lateCapture: unitPlan.lateCapture ?? false,
        partnerId: unitPlan.linkedToPartner ? linkedPartner.id : null,
        activatedAt: unit.activatedAt,
        deactivatedAt: unit.deactivatedAt,
        createdAt,
        updatedAt: unit.deactivatedAt ?? unit.activatedAt,
      });
      rows.apiKeys.push({ id: unit.apiKeysId, salesUnitId: unit.id, ...newKeyMaterial(encryptionKey), createdAt: unit.activatedAt });
    });
  }
  const unit = (key: string): SeededUnit => {
    const found = unitsByKey.get(key);
    if (!found) throw new Error(`seed catalog names unknown sales unit ${key}`);
    return found;
  };
  const merchantOf = (key: MerchantKey): SeededMerchant => {
    const found = merchants.get(key);
    if (!found) throw new Error(`seed catalog names unknown merchant ${key}`);
    return found;
  };

  // --- People: portal users, memberships, the population register, test users ------------------------
  const users = new Map<string, SeededUser>();
  for (const plan of USERS) {
    const first = plan.memberships[0];
    const createdAt = first
      ? new Date(merchantOf(first.merchant).createdAt.getTime() + (plan.memberships[0]?.role === "ADMINISTRATOR" ? -2 : rng.int(5, 200)) * DAY)
      : ago(rng.int(6, 20) * DAY);
    const user: SeededUser = {
      plan,
      id: rng.uuid(),
      nin: population.nin(plan.country, dateOfDay(plan.birthDate)),
      phoneNumber: population.phone(plan.country),
      createdAt,
    };
    users.set(plan.key, user);
    rows.users.push({ id: user.id, name: plan.name, country: plan.country, nin: user.nin, phoneNumber: user.phoneNumber, email: plan.email, createdAt, updatedAt: createdAt });
    rows.registerPersons.push({ nin: user.nin, country: plan.country, name: plan.name, phoneNumber: user.phoneNumber });
    for (const membership of plan.memberships) {
      const id = rng.uuid();
      const merchant = merchantOf(membership.merchant);
      const since = new Date(Math.max(createdAt.getTime(), merchant.createdAt.getTime()));
      rows.memberships.push({ id, userId: user.id, merchantId: merchant.id, role: membership.role, permissions: membership.permissions, acceptedAt: since, createdAt: since, updatedAt: since });
      for (const unitKey of membership.units) rows.membershipSalesUnits.push({ membershipId: id, salesUnitId: unit(unitKey).id });
    }
  }
  const user = (key: string): SeededUser => {
    const found = users.get(key);
    if (!found) throw new Error(`seed catalog names unknown user ${key}`);
    return found;
  };
  // People in the register who are not users yet, so "add user by NIN" finds a name.
  for (const country of ["NO", "DK", "FI", "SE"] as const) {
    for (let i = 0; i < 5; i++) {
      const person = population.person(country, now);
      rows.registerPersons.push({ nin: person.nin, country, name: person.name, phoneNumber: rng.chance(0.7) ? person.phoneNumber : null });
    }
  }
  // Their own stream: seed changes elsewhere must not change the NINs the README lists.
  const addablePopulation = new Population(new Random(mulberry32(ADDABLE_SEED)));
  const registered = new Set(rows.registerPersons.map((person) => person.nin));
  const addable = ADDABLE_PEOPLE.map((plan) => {
    const person = { ...plan, nin: addablePopulation.nin(plan.country, dateOfDay(plan.birthDate)), phoneNumber: addablePopulation.phone(plan.country) };
    if (registered.has(person.nin)) throw new Error(`seed: ${plan.key} drew a NIN already in the register`);
    rows.registerPersons.push({ nin: person.nin, country: plan.country, name: plan.name, phoneNumber: person.phoneNumber });
    return person;
  });
  for (const merchant of merchants.values()) {
    for (let i = 0; i < 3; i++) {
      rows.testUsers.push({
        id: rng.uuid(),
        merchantId: merchant.id,
        phoneNumber: population.phone(merchant.plan.country),
        nin: population.nin(merchant.plan.country, population.birthDate(now)),
        createdAt: ago(rng.int(20, 250) * DAY),
      });
    }
  }

  // --- Agreements, product orders, recurring requests, report subscriptions ---------------------------
  const admins: Record<MerchantKey, SeededUser> = { no: user("no-admin"), dk: user("dk-admin"), fi: user("fi-admin") };
  for (const merchant of merchants.values()) {
    const applicant = admins[merchant.plan.key];
    const submittedAt = new Date(merchant.createdAt.getTime() - 3 * DAY);
    rows.agreements.push({
      id: rng.uuid(),
      applicantId: applicant.id,
      merchantName: merchant.plan.name,
      organizationNumber: merchant.plan.organizationNumber,
      country: merchant.plan.country,
      addressLine: merchant.plan.addressLine,
      postalCode: merchant.plan.postalCode,
      city: merchant.plan.city,
      contactEmail: merchant.plan.contactEmail,
      status: "APPROVED",
      submittedAt,
      decidedAt: merchant.createdAt,
      decidedBy: operator.id,
      merchantId: merchant.id,
      createdAt: new Date(submittedAt.getTime() - HOUR),
      updatedAt: merchant.createdAt,
    });
    rows.auditEvents.push({
      merchantId: merchant.id,
      actorKind: "OPERATOR",
      actorId: operator.id,
      actorLabel: operator.name,
      action: "merchantAgreement.approve",
      objectType: "Merchant",
      objectId: merchant.id,
      data: { merchantName: merchant.plan.name, applicantId: applicant.id },
      createdAt: merchant.createdAt,
    });
  }
  const applicant = user("applicant");
  const appliedAt = ago(2 * DAY + 3 * HOUR);
  rows.agreements.push({
    id: rng.uuid(),
    applicantId: applicant.id,
    ...APPLICATION,
    country: "NO",
    contactEmail: applicant.plan.email,
    status: "SUBMITTED",
    submittedAt: appliedAt,
    createdAt: new Date(appliedAt.getTime() - 40 * MINUTE),
    updatedAt: appliedAt,
  });

  const no = merchantOf("no");
  const dk = merchantOf("dk");
  const fi = merchantOf("fi");
  const order = (merchant: SeededMerchant, product: ProductType, createdAt: Date, fields: Partial<Prisma.ProductOrderCreateManyInput>) => {
    rows.productOrders.push({
      id: rng.uuid(),
      merchantId: merchant.id,
      product,
      createdAt,
      updatedAt: fields.decidedAt ?? createdAt,
      expectedBy: dateOfDay(expectedByDate(createdAt, PRODUCT_ORDER_WORKING_DAYS, merchant.plan.country)),
      createdById: admins[merchant.plan.key].id,
      ...fields,
    });
  };
  order(no, "IN_PERSON_PAYMENTS", ago(2 * DAY), { status: "SUBMITTED", salesUnitName: "Fjordkaffe Sandviken", channel: "IN_PERSON", partnerId: linkedPartner.id, note: "Ny kafé i Sandviken, åpner neste måned. Kassesystem fra Kassalappen." });
  const norrebro = unit("dk-norrebro");
  order(dk, "IN_PERSON_PAYMENTS", new Date(norrebro.createdAt.getTime() - 9 * DAY), { status: "COMPLETED", salesUnitName: norrebro.plan.name, channel: "IN_PERSON", partnerId: linkedPartner.id, salesUnitId: norrebro.id, decidedAt: norrebro.createdAt, decidedBy: operator.id });
  order(fi, "PAYMENT_LINKS", ago(5 * DAY), { status: "IN_PROGRESS", salesUnitId: unit("fi-shop").id, note: "Maksulinkit lahjakorteille." });

  rows.recurringRequests.push({
    id: rng.uuid(),
    salesUnitId: unit("no-sub").id,
    monthlyRevenueAmount: 45_000_000,
    description: "Månedlig kaffeabonnement for om lag 1 200 kunder, trekk den 1. hver måned.",
    status: "PENDING",
    requestedById: admins.no.id,
    createdAt: ago(3 * DAY),
  });
  const fiWeb = unit("fi-web");
  rows.recurringRequests.push({
    id: rng.uuid(),
    salesUnitId: fiWeb.id,
    monthlyRevenueAmount: 800_000,
    description: "Saunatuoksujen kuukausitilaus.",
    status: "APPROVED",
    requestedById: admins.fi.id,
    decidedAt: new Date(fiWeb.activatedAt.getTime() + 6 * DAY),
    decidedBy: operator.id,
    createdAt: new Date(fiWeb.activatedAt.getTime() + 2 * DAY),
  });

  rows.reportSubscriptions.push(
    { id: rng.uuid(), merchantId: no.id, email: "regnskap@fjordkaffe.no", frequency: "WEEKLY", format: "PDF", includePersonalData: false, createdById: admins.no.id, createdAt: ago(200 * DAY) },
    { id: rng.uuid(), merchantId: dk.id, salesUnitId: unit("dk-web").id, email: "bogholderi@hyggecykler.dk", frequency: "MONTHLY", format: "XLSX", includePersonalData: true, createdById: admins.dk.id, createdAt: ago(150 * DAY) },
    { id: rng.uuid(), merchantId: fi.id, email: "kirjanpito@saunaoy.fi", frequency: "DAILY", format: "CSV", includePersonalData: false, createdById: admins.fi.id, createdAt: ago(40 * DAY) },
  );

  // --- Login set-up and QR codes -------------------------------------------------------------------
  const login = (unitKey: string, activated: boolean, site: string, redirectUris: string[], consents: Omit<Prisma.LoginConsentCreateManyInput, "id" | "loginConfigId">[]) => {
    const id = rng.uuid();
    const owner = unit(unitKey);
    const createdAt = new Date(owner.activatedAt.getTime() + 3 * DAY);
    rows.loginConfigs.push({ id, salesUnitId: owner.id, activated, redirectUris, termsUrl: `${site}/terms`, privacyUrl: `${site}/privacy`, createdAt, updatedAt: createdAt });
    for (const consent of consents) rows.loginConsents.push({ id: rng.uuid(), loginConfigId: id, ...consent });
  };
  login("no-web", true, "https://fjordkaffe.no", ["https://fjordkaffe.no/login/callback", "fjordkaffe://login/callback", "http://localhost:3000/callback"], [
    { type: "PERSONAL", required: true, text: "Fjordkaffe lagrer navn og adresse for å levere bestillingene dine." },
    { type: "EMAIL", required: false, text: "Ja takk, send meg nyhetsbrev og tilbud på e-post." },
    { type: "SMS", required: false, text: "Gi meg beskjed på SMS når nye bønner er på lager." },
  ]);
  login("dk-web", false, "https://hyggecykler.dk", ["https://hyggecykler.dk/auth/callback", "http://localhost:3000/callback"], [
    { type: "EMAIL", required: false, text: "Ja tak, send mig nyhedsbrev fra Hygge Cykler." },
  ]);
  login("fi-web", true, "https://saunaoy.fi", ["https://saunaoy.fi/kirjaudu/paluu", "http://localhost:3000/callback"], [
    { type: "PERSONAL", required: true, text: "Sauna Oy käyttää nimeäsi ja osoitettasi tilausten toimittamiseen." },
    { type: "DIGITAL", required: false, text: "Haluan saada tarjouksia digitaalisissa kanavissa." },
  ]);
  login("no-test-web", true, "https://test.fjordkaffe.no", ["http://localhost:3000/callback", "http://localhost:5173/auth/callback"], [
    { type: "EMAIL", required: false, text: "Test: nyhetsbrev på e-post." },
  ]);

  const qr = (unitKey: string, name: string, url: string, daysAgo: number) => {
    const createdAt = ago(daysAgo * DAY);
    rows.qrCodes.push({ id: rng.uuid(), salesUnitId: unit(unitKey).id, name, url, createdAt, updatedAt: createdAt });
  };
  qr("no-bryggen", "Bordkort Bryggen", "https://fjordkaffe.no/meny", 320);
  qr("no-bryggen", "Vindusplakat", "https://fjordkaffe.no/bryggen", 150);
  qr("no-torget", "Kassen Torgallmenningen", "https://fjordkaffe.no/torget/meny", 260);
  qr("dk-norrebro", "Butiksdør Nørrebro", "https://hyggecykler.dk/norrebro/booking", 200);
  qr("fi-shop", "Vastaanotto", "https://saunaoy.fi/varaa-vuoro", 120);
  qr("no-test-pos", "Test-QR", "https://test.fjordkaffe.no/qr", 30);

  // --- Payment links (their use is decided while transactions are generated) -----------------------
  const linksByUnit = new Map<string, LinkState[]>();
  const link = (unitKey: string, description: string, amount: number, createdDaysAgo: number, options: { expiresInDays?: number; singleUse?: boolean; active?: boolean } = {}) => {
    const createdAt = ago(createdDaysAgo * DAY);
    const state: LinkState = {
      id: rng.uuid(),
      slug: rng.string(10),
      amount,
      description,
      createdAt,
      expiresAt: options.expiresInDays === undefined ? null : new Date(now.getTime() + options.expiresInDays * DAY),
      singleUse: options.singleUse ?? false,
      active: options.active ?? true,
      uses: 0,
    };
    const list = linksByUnit.get(unitKey) ?? [];
    list.push(state);
    linksByUnit.set(unitKey, list);
  };
  link("no-web", "Gavekort 500 kr", 50_000, 420);
  link("no-web", "Julegavepakke kaffe og kopp", 89_900, 380, { expiresInDays: -330 });
  link("no-web", "Kaffekurs for to, 14. mars", 119_800, 200, { singleUse: true });
  link("no-web", "Bedriftsavtale faktura 2041", 459_000, 2, { singleUse: true, expiresInDays: 12 });
  link("no-web", "Sommerkampanje Aeropress", 39_900, 300, { active: false });
  link("dk-web", "Depositum ladcykel Christiania", 250_000, 300);
  link("dk-web", "Forårseftersyn 2025", 49_900, 420, { expiresInDays: -300 });
  link("dk-web", "Firmaaftale faktura 7781", 1_799_900, 60, { singleUse: true });
  link("fi-web", "Lahjakortti 100 €", 10_000, 350);
  link("fi-web", "Saunailta 12 hengelle", 36_000, 90, { singleUse: true, expiresInDays: 30 });
  link("no-test-web", "Testlenke 100 kr", 10_000, 40);
  link("dk-test", "Test betalingslink", 5_000, 30);

  // --- Transactions -------------------------------------------------------------------------------
  const payers = new Map<Exclude<Country, "SE">, Payer[]>();
  for (const country of ["NO", "DK", "FI"] as const) {
    payers.set(
      country,
      Array.from({ length: 40 }, () => {
        const name = population.name(country);
        return { name, phone: population.phone(country), email: emailFor(rng, name, country) };
      }),
    );
  }
  const managersOf = (seeded: SeededUnit): Actor[] =>
    USERS.filter((plan) =>
      plan.memberships.some(
        (m) => m.merchant === seeded.merchant.plan.key && (m.role === "ADMINISTRATOR" || (m.permissions.includes("TRANSACTION_MANAGEMENT") && m.units.includes(seeded.plan.key))),
      ),
    ).map((plan) => ({ kind: "USER", id: user(plan.key).id, label: plan.name }));
  const pendingPerUnit: Record<string, number> = { "no-web": 1, "no-torget": 1, "dk-web": 1, "no-test-web": 1, "fi-test-web": 1 };

  const contexts: UnitContext[] = [...unitsByKey.values()].map((seeded) => {
    const production = seeded.plan.environment === "PRODUCTION";
    const country = seeded.merchant.plan.country;
    return {
      id: seeded.id,
      merchantId: seeded.merchant.id,
      msn: seeded.msn,
      country,
      currency: currencyForCountry(country),
      environment: seeded.plan.environment,
      channel: seeded.plan.channel,
      directCapture: seeded.plan.directCapture ?? false,
      lateCapture: seeded.plan.lateCapture ?? false,
      profile: seeded.plan.profile,
      count: seeded.plan.transactions,
      pending: pendingPerUnit[seeded.plan.key] ?? 0,
      from: new Date(Math.max(seeded.activatedAt.getTime(), now.getTime() - (production ? HISTORY_DAYS : 60) * DAY)),
      until: seeded.deactivatedAt ?? now,
      requester: seeded.plan.linkedToPartner ? partnerActor : { kind: "API_KEY", id: seeded.apiKeysId, label: `API keys of ${seeded.msn}` },
      partner: seeded.plan.linkedToPartner ? partnerActor : null,
      managers: managersOf(seeded),
      links: linksByUnit.get(seeded.plan.key) ?? [],
      payers: payers.get(country) ?? [],
    };
  });
  const generated = generateTransactions(rng, contexts, now);
  rows.transactions = generated.transactions;
  for (const [unitKey, links] of linksByUnit) {
    for (const state of links) {
      rows.paymentLinks.push({
        id: state.id,
        salesUnitId: unit(unitKey).id,
        slug: state.slug,
        amount: state.amount,
        currency: currencyForCountry(unit(unitKey).merchant.plan.country),
        description: state.description,
        expiresAt: state.expiresAt,
        singleUse: state.singleUse,
        active: state.active,
        createdById: admins[unit(unitKey).merchant.plan.key].id,
        createdAt: state.createdAt,
        updatedAt: state.createdAt,
      });
    }
  }

  // --- Settlements (production only) ----------------------------------------------------------------
  const settled: SettledUnit[] = [...unitsByKey.values()]
    .filter((seeded) => seeded.plan.environment === "PRODUCTION")
    .map((seeded) => ({ id: seeded.id, currency: currencyForCountry(seeded.merchant.plan.country), country: seeded.merchant.plan.country, frequency: seeded.plan.frequency }));
  const unitOfTransaction = new Map(generated.transactions.map((row) => [row.id, row.salesUnitId]));
  rows.settlements = buildSettlements(rng, settled, unitOfTransaction, generated.operations, now);
  rows.operations = generated.operations;

  const developer = user("no-sum-dev");
  rows.auditEvents.push(
    { merchantId: no.id, actorKind: "USER", actorId: admins.no.id, actorLabel: admins.no.plan.name, action: "user.add", objectType: "PortalUser", objectId: user("se-assistant").id, data: { role: "ASSISTANT", country: "SE" }, createdAt: user("se-assistant").createdAt },
    { merchantId: no.id, actorKind: "USER", actorId: developer.id, actorLabel: developer.plan.name, action: "apiKeys.reveal", objectType: "SalesUnit", objectId: unit("no-web").id, data: { msn: unit("no-web").msn }, createdAt: ago(5 * DAY) },
  );

  return { rows, personas: buildPersonas(merchants, unitsByKey, users, partnerCredentials, operator, addable) };
}

function buildPersonas(
  merchants: Map<MerchantKey, SeededMerchant>,
  units: Map<string, SeededUnit>,
  users: Map<string, SeededUser>,
  partners: { key: "linked" | "unlinked"; id: string; clientId: string; clientSecret: string; subscriptionKey: string; scopes: PartnerScope[] }[],
  operator: { name: string },
  addable: readonly { key: string; name: string; country: Country; nin: string; phoneNumber: string }[],
): Persona[] {
  const personas: Persona[] = [];
  for (const seeded of users.values()) {
    const { plan } = seeded;
    const memberships: PersonaMembership[] = plan.memberships.map((membership) => {
      const merchant = merchants.get(membership.merchant);
      if (!merchant) throw new Error(`unknown merchant ${membership.merchant}`);
      const reach = membership.role === "ADMINISTRATOR" ? merchant.units : membership.units.flatMap((key) => units.get(key) ?? []);
      return { merchant: merchant.plan.name, merchantId: encodeGlobalID("Merchant", merchant.id), role: membership.role, permissions: [...membership.permissions], salesUnits: reach.map((u) => u.msn) };
    });
    const first = memberships[0];
    const description =
      plan.description ??
      plan.memberships
        .map((membership, index) => describeMembership({ ...membership, merchant: memberships[index]?.merchant ?? "" }, membership.units.map((key) => units.get(key)?.plan.name ?? key)))
        .join("; ");
    personas.push({
      key: plan.key,
      description,
      name: plan.name,
      country: plan.country,
      nin: seeded.nin,
      method: plan.method,
      merchant: first?.merchant ?? null,
      merchantId: first?.merchantId ?? null,
      role: first?.role ?? null,
      permissions: first?.permissions ?? [],
      salesUnits: [...new Set(memberships.flatMap((membership) => membership.salesUnits))],
      memberships,
      email: plan.email,
      phoneNumber: seeded.phoneNumber,
    });
  }
  for (const partner of partners) {
    const plan = PARTNERS[partner.key];
    const linked = [...units.values()].filter((seeded) => partner.key === "linked" && seeded.plan.linkedToPartner);
    personas.push({
      key: partner.key === "linked" ? "partner" : "partner-unlinked",
      description:
        partner.key === "linked"
          ? `POS partner linked to ${linked.map((seeded) => seeded.plan.name).join(", ")}; scopes all but PERSONAL_DATA_READ`
          : "Partner with valid keys but no linked sales units: sees nothing",
      name: plan.name,
      country: plan.country,
      nin: null,
      method: null,
      merchant: null,
      merchantId: null,
      role: null,
      permissions: [],
      salesUnits: linked.map((seeded) => seeded.msn),
      clientId: partner.clientId,
      clientSecret: partner.clientSecret,
      subscriptionKey: partner.subscriptionKey,
      scopes: partner.scopes,
    });
  }
  personas.push({
    key: "operator",
    description: `Customer service operator (${operator.name}): reads every merchant, decides agreements, orders and recurring requests`,
    name: operator.name,
    country: null,
    nin: null,
    method: null,
    merchant: null,
    merchantId: null,
    role: null,
    permissions: [],
    salesUnits: [...units.values()].map((seeded) => seeded.msn),
    operator: true,
  });
  for (const person of addable) {
    personas.push({
      key: person.key,
      description: "In the population register, not a portal user: add them with addUser, by NIN or mobile number (cannot log in)",
      name: person.name,
      country: person.country,
      nin: person.nin,
      method: null,
      merchant: null,
      merchantId: null,
      role: null,
      permissions: [],
      salesUnits: [],
      phoneNumber: person.phoneNumber,
      addable: true,
    });
  }
  return personas;
}

const TRANSACTION_COLUMNS: Partial<Record<keyof Prisma.TransactionCreateManyInput, ColumnType>> = {
  id: "uuid", merchantId: "uuid", salesUnitId: "uuid", reference: "text", description: "text", currency: { enum: "Currency" },
  amount: "int4", authorizedAmount: "int4", capturedAmount: "int4", refundedAmount: "int4", cancelledAmount: "int4",
  status: { enum: "TransactionStatus" }, paymentLinkId: "uuid", payerName: "text", payerPhone: "text", payerEmail: "text", message: "text",
  shippingName: "text", shippingAddress: "text", shippingMethod: "text", expiresAt: "timestamp", reservedAt: "timestamp",
  firstCapturedAt: "timestamp", lastCapturedAt: "timestamp", version: "int4", createdAt: "timestamp", updatedAt: "timestamp",
};

const OPERATION_COLUMNS: Partial<Record<keyof Prisma.TransactionOperationCreateManyInput, ColumnType>> = {
  id: "uuid", transactionId: "uuid", type: { enum: "OperationType" }, amount: "int4", actorKind: { enum: "PrincipalKind" },
  actorId: "text", actorLabel: "text", settlementId: "uuid", createdAt: "timestamp",
};

const SETTLEMENT_COLUMNS: Partial<Record<keyof Prisma.SettlementCreateManyInput, ColumnType>> = {
  id: "uuid", salesUnitId: "uuid", periodStart: "date", periodEnd: "date", payoutDate: "date", currency: { enum: "Currency" },
  grossAmount: "int8", refundedAmount: "int8", feeAmount: "int8", netAmount: "int8", status: { enum: "SettlementStatus" }, createdAt: "timestamp",
};

/**
 * Writes the demo data into an empty database and returns its personas. The caller guarantees the database
 * is empty and that no other process seeds at the same time.
 */
export async function seedDemoData(prisma: PrismaClient, options: SeedOptions): Promise<Persona[]> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const { rows, personas } = buildDemoData({ encryptionKey: options.encryptionKey, now: options.now ?? new Date() });
  const built = performance.now();

  await prisma.$transaction(
    async (tx) => {
      await tx.operator.createMany({ data: rows.operators });
      await tx.partner.createMany({ data: rows.partners });
      await tx.partnerKey.createMany({ data: rows.partnerKeys });
      await tx.merchant.createMany({ data: rows.merchants });
      await tx.salesUnit.createMany({ data: rows.salesUnits });
      await tx.apiKeys.createMany({ data: rows.apiKeys });
      await tx.portalUser.createMany({ data: rows.users });
      await tx.registerPerson.createMany({ data: rows.registerPersons });
      await tx.membership.createMany({ data: rows.memberships });
      await tx.membershipSalesUnit.createMany({ data: rows.membershipSalesUnits });
      await tx.testUser.createMany({ data: rows.testUsers });
      await tx.merchantAgreement.createMany({ data: rows.agreements });
      await tx.productOrder.createMany({ data: rows.productOrders });
      await tx.loginConfig.createMany({ data: rows.loginConfigs });
      await tx.loginConsent.createMany({ data: rows.loginConsents });
      await tx.recurringRequest.createMany({ data: rows.recurringRequests });
      await tx.qrCode.createMany({ data: rows.qrCodes });
      await tx.paymentLink.createMany({ data: rows.paymentLinks });
      log(`seeded ${rows.merchants.length} merchants, ${rows.salesUnits.length} sales units, ${rows.users.length} users, ${rows.partners.length} partners`);
      await bulkInsert(tx, "Transaction", TRANSACTION_COLUMNS, rows.transactions);
      await bulkInsert(tx, "Settlement", SETTLEMENT_COLUMNS, rows.settlements);
      await bulkInsert(tx, "TransactionOperation", OPERATION_COLUMNS, rows.operations);
      await tx.reportSubscription.createMany({ data: rows.reportSubscriptions });
      await tx.auditEvent.createMany({ data: rows.auditEvents });
    },
    { maxWait: 30_000, timeout: 120_000 },
  );

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log(
    `seeded ${rows.merchants.length} merchants, ${rows.salesUnits.length} sales units, ${count.format(rows.transactions.length)} transactions ` +
      `(${count.format(rows.operations.length)} operations), ${count.format(rows.settlements.length)} settlements in ${seconds} s ` +
      `(${((built - started) / 1000).toFixed(1)} s building)`,
  );
  return personas;
}
