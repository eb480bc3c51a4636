/**
 * What the demo contains, as plain data: merchants, sales units, the people and their memberships. The
 * seed turns this into rows; the personas file is derived from it, so the two cannot disagree.
 */
import type { Channel, Country, Environment, LoginMethod, Permission, Role, SalesUnitStatus, SettlementFrequency } from "../generated/prisma/enums";

export type MerchantKey = "no" | "dk" | "fi";

/** What a sales unit sells: picks the amounts, descriptions and references of its transactions. */
export type UnitProfile = "cafe" | "coffee-shop-online" | "coffee-subscription" | "bike-webshop" | "bike-store" | "sauna-webshop" | "sauna-store";

export interface UnitPlan {
  key: string;
  name: string;
  environment: Environment;
  channel: Channel;
  status: SalesUnitStatus;
  frequency: SettlementFrequency;
  profile: UnitProfile;
  /** Production: how many transactions it gets over the 18 months; test: over the last 60 days. */
  transactions: number;
  directCapture?: boolean;
  recurring?: boolean;
  skipLandingPage?: boolean;
  paymentLinks?: boolean;
  login?: boolean;
  lateCapture?: boolean;
  linkedToPartner?: boolean;
  /** Days before `now` the unit was deactivated (DEACTIVATED units only). */
  deactivatedDaysAgo?: number;
  logoUrl?: string;
}

export interface MerchantPlan {
  key: MerchantKey;
  name: string;
  organizationNumber: string;
  country: Exclude<Country, "SE">;
  addressLine: string;
  postalCode: string;
  city: string;
  website: string;
  contactEmail: string;
  /** Days before `now` the operator approved its agreement (the merchant's creation). */
  approvedDaysAgo: number;
  units: UnitPlan[];
}

// Organisation numbers below carry correct check digits (NO mod-11, DK CVR mod-11, FI Y-tunnus mod-11).
export const MERCHANTS: MerchantPlan[] = [
  {
    key: "no",
    name: "Fjordkaffe AS",
    organizationNumber: "921874537",
    country: "NO",
    addressLine: "Bryggen 12",
    postalCode: "5003",
    city: "Bergen",
    website: "https://fjordkaffe.no",
    contactEmail: "post@fjordkaffe.no",
    approvedDaysAgo: 600,
    units: [
      { key: "no-web", name: "Fjordkaffe Nettbutikk", environment: "PRODUCTION", channel: "ONLINE", status: "ACTIVE", frequency: "DAILY", profile: "coffee-shop-online", transactions: 900, paymentLinks: true, login: true, logoUrl: "https://fjordkaffe.no/logo.png" },
      { key: "no-bryggen", name: "Fjordkaffe Bryggen", environment: "PRODUCTION", channel: "IN_PERSON", status: "ACTIVE", frequency: "WEEKLY", profile: "cafe", transactions: 1100, directCapture: true, skipLandingPage: true, linkedToPartner: true },
      { key: "no-torget", name: "Fjordkaffe Torgallmenningen", environment: "PRODUCTION", channel: "IN_PERSON", status: "ACTIVE", frequency: "MONTHLY", profile: "cafe", transactions: 500, linkedToPartner: true },
      { key: "no-sub", name: "Fjordkaffe Abonnement", environment: "PRODUCTION", channel: "ONLINE", status: "ACTIVE", frequency: "DAILY", profile: "coffee-subscription", transactions: 150 },
      { key: "no-test-web", name: "Fjordkaffe Test Nettbutikk", environment: "TEST", channel: "ONLINE", status: "ACTIVE", frequency: "DAILY", profile: "coffee-shop-online", transactions: 30, recurring: true, paymentLinks: true, login: true },
      { key: "no-test-pos", name: "Fjordkaffe Test Kasse", environment: "TEST", channel: "IN_PERSON", status: "ACTIVE", frequency: "DAILY", profile: "cafe", transactions: 25, directCapture: true, skipLandingPage: true },
    ],
  },
  {
    key: "dk",
    name: "Hygge Cykler ApS",
    organizationNumber: "38742159",
    country: "DK",
    addressLine: "Nørrebrogade 88",
    postalCode: "2200",
    city: "København N",
    website: "https://hyggecykler.dk",
    contactEmail: "kontakt@hyggecykler.dk",
    approvedDaysAgo: 590,
    units: [
      { key: "dk-web", name: "Hygge Cykler Webshop", environment: "PRODUCTION", channel: "ONLINE", status: "ACTIVE", frequency: "DAILY", profile: "bike-webshop", transactions: 500, paymentLinks: true, login: true, logoUrl: "https://hyggecykler.dk/logo.png" },
      { key: "dk-norrebro", name: "Hygge Cykler Nørrebro", environment: "PRODUCTION", channel: "IN_PERSON", status: "ACTIVE", frequency: "WEEKLY", profile: "bike-store", transactions: 350, directCapture: true, linkedToPartner: true },
      { key: "dk-vesterbro", name: "Hygge Cykler Vesterbro", environment: "PRODUCTION", channel: "IN_PERSON", status: "DEACTIVATED", frequency: "MONTHLY", profile: "bike-store", transactions: 150, deactivatedDaysAgo: 120 },
      { key: "dk-test", name: "Hygge Cykler Test", environment: "TEST", channel: "ONLINE", status: "ACTIVE", frequency: "DAILY", profile: "bike-webshop", transactions: 25, paymentLinks: true },
    ],
  },
  {
    key: "fi",
    name: "Sauna Oy",
    organizationNumber: "3019582-2",
    country: "FI",
    addressLine: "Mannerheimintie 21",
    postalCode: "00100",
    city: "Helsinki",
    website: "https://saunaoy.fi",
    contactEmail: "asiakaspalvelu@saunaoy.fi",
    approvedDaysAgo: 580,
    units: [
      { key: "fi-web", name: "Sauna Oy Verkkokauppa", environment: "PRODUCTION", channel: "ONLINE", status: "ACTIVE", frequency: "MONTHLY", profile: "sauna-webshop", transactions: 300, recurring: true, paymentLinks: true, login: true, lateCapture: true },
      { key: "fi-shop", name: "Sauna Oy Helsinki", environment: "PRODUCTION", channel: "IN_PERSON", status: "ACTIVE", frequency: "DAILY", profile: "sauna-store", transactions: 200, directCapture: true },
      { key: "fi-test-web", name: "Sauna Oy Testi", environment: "TEST", channel: "ONLINE", status: "ACTIVE", frequency: "DAILY", profile: "sauna-webshop", transactions: 20, recurring: true },
      { key: "fi-test-pos", name: "Sauna Oy Kassatesti", environment: "TEST", channel: "IN_PERSON", status: "ACTIVE", frequency: "DAILY", profile: "sauna-store", transactions: 10, directCapture: true },
    ],
  },
];

export interface MembershipPlan {
  merchant: MerchantKey;
  role: Role;
  permissions: Permission[];
  /** Unit keys, for the two lower roles. */
  units: string[];
}

export interface UserPlan {
  /** The persona key. */
  key: string;
  name: string;
  country: Country;
  method: LoginMethod;
  birthDate: string;
  email: string;
  memberships: MembershipPlan[];
  /** Set where the generated description ("<Role> with <permissions> at <merchant>") is not enough. */
  description?: string;
}

const TM = "TRANSACTION_MANAGEMENT" as const;
const DEV = "DEVELOPER" as const;

export const USERS: UserPlan[] = [
  { key: "no-admin", name: "Ingrid Fjeld", country: "NO", method: "BANKID_NO", birthDate: "1981-03-14", email: "ingrid@fjordkaffe.no", memberships: [{ merchant: "no", role: "ADMINISTRATOR", permissions: [], units: [] }], description: "Administrator of Fjordkaffe AS (the only one), applied for its agreement" },
  { key: "no-sum", name: "Lars Haugen", country: "NO", method: "BANKID_NO", birthDate: "1990-07-02", email: "lars@fjordkaffe.no", memberships: [{ merchant: "no", role: "SALES_UNIT_MANAGER", permissions: [], units: ["no-bryggen"] }] },
  { key: "no-sum-tm", name: "Kari Solberg", country: "NO", method: "BANKID_NO", birthDate: "1986-11-23", email: "kari@fjordkaffe.no", memberships: [{ merchant: "no", role: "SALES_UNIT_MANAGER", permissions: [TM], units: ["no-bryggen", "no-torget"] }] },
  { key: "no-sum-dev", name: "Erlend Bakken", country: "NO", method: "BANKID_NO", birthDate: "1994-01-30", email: "erlend@fjordkaffe.no", memberships: [{ merchant: "no", role: "SALES_UNIT_MANAGER", permissions: [DEV], units: ["no-web", "no-test-web"] }] },
  { key: "no-sum-tm-dev", name: "Silje Nilsen", country: "NO", method: "BANKID_NO", birthDate: "1979-05-09", email: "silje@fjordkaffe.no", memberships: [{ merchant: "no", role: "SALES_UNIT_MANAGER", permissions: [TM, DEV], units: ["no-web", "no-sub"] }] },
  { key: "no-assistant", name: "Ole Johansen", country: "NO", method: "BANKID_NO", birthDate: "2001-09-17", email: "ole@fjordkaffe.no", memberships: [{ merchant: "no", role: "ASSISTANT", permissions: [], units: ["no-torget"] }] },
  { key: "no-assistant-tm", name: "Marte Lie", country: "NO", method: "BANKID_NO", birthDate: "1998-12-04", email: "marte@fjordkaffe.no", memberships: [{ merchant: "no", role: "ASSISTANT", permissions: [TM], units: ["no-bryggen"] }] },
  { key: "no-assistant-dev", name: "Henrik Dahl", country: "NO", method: "BANKID_NO", birthDate: "1992-04-21", email: "henrik@fjordkaffe.no", memberships: [{ merchant: "no", role: "ASSISTANT", permissions: [DEV], units: ["no-web", "no-test-web"] }] },
  { key: "no-assistant-tm-dev", name: "Thea Berg", country: "NO", method: "BANKID_NO", birthDate: "1996-08-11", email: "thea@fjordkaffe.no", memberships: [{ merchant: "no", role: "ASSISTANT", permissions: [TM, DEV], units: ["no-web", "no-bryggen"] }] },
  { key: "se-assistant", name: "Astrid Lindqvist", country: "SE", method: "BANKID_SE", birthDate: "1988-02-26", email: "astrid.lindqvist@example.se", memberships: [{ merchant: "no", role: "ASSISTANT", permissions: [], units: ["no-bryggen"] }], description: "Swedish user (BankID SE), Assistant at Fjordkaffe AS for Fjordkaffe Bryggen" },
  { key: "dk-admin", name: "Mette Kjær", country: "DK", method: "MITID", birthDate: "1975-06-18", email: "mette@hyggecykler.dk", memberships: [{ merchant: "dk", role: "ADMINISTRATOR", permissions: [], units: [] }] },
  { key: "dk-password-admin", name: "Søren Holm", country: "DK", method: "PASSWORD", birthDate: "1983-10-05", email: "soren@hyggecykler.dk", memberships: [{ merchant: "dk", role: "ADMINISTRATOR", permissions: [], units: [] }], description: "Administrator of Hygge Cykler ApS who logs in with e-mail and password" },
  { key: "fi-admin", name: "Aino Virtanen", country: "FI", method: "FTN", birthDate: "1985-12-12", email: "aino@saunaoy.fi", memberships: [{ merchant: "fi", role: "ADMINISTRATOR", permissions: [], units: [] }] },
  {
    key: "two-merchants",
    name: "Mads Rasmussen",
    country: "DK",
    method: "MITID",
    birthDate: "1991-03-03",
    email: "mads.rasmussen@example.dk",
    memberships: [
      { merchant: "dk", role: "SALES_UNIT_MANAGER", permissions: [TM], units: ["dk-web", "dk-norrebro"] },
      { merchant: "fi", role: "ASSISTANT", permissions: [], units: ["fi-shop"] },
    ],
  },
  { key: "applicant", name: "Sigrid Strand", country: "NO", method: "BANKID_NO", birthDate: "1987-07-27", email: "sigrid@nordlysbakeri.no", memberships: [], description: "No memberships; has submitted a merchant agreement for Nordlys Bakeri AS that awaits an operator" },
];

/**
 * People in the population register who are not portal users, with fixed birth dates and their own random stream
 * (src/seed/index.ts), so their NINs and phone numbers never change: the README lists them to try `addUser` with.
 */
export const ADDABLE_PEOPLE: readonly { key: string; name: string; country: Country; birthDate: string }[] = [
  { key: "register-no", name: "Kari Nordvik", country: "NO", birthDate: "1990-05-17" },
  { key: "register-dk", name: "Mette Kjærgaard", country: "DK", birthDate: "1985-09-02" },
  { key: "register-fi", name: "Aino Virtanen", country: "FI", birthDate: "1979-11-23" },
  { key: "register-se", name: "Johan Lindberg", country: "SE", birthDate: "1993-02-11" },
];

export const PARTNERS = {
  linked: { name: "Kassalappen POS AS", organizationNumber: "983462154", country: "NO" as const },
  unlinked: { name: "Kassavirta Oy", organizationNumber: "2736415-4", country: "FI" as const },
};

export const APPLICATION = { merchantName: "Nordlys Bakeri AS", organizationNumber: "996201481", addressLine: "Storgata 5", postalCode: "9008", city: "Tromsø" };

export const OPERATOR = { name: "Nora Kundeservice", email: "nora.support@portal.example" };

/** First and last names for the population register and for payers. */
export const NAMES: Record<Country, { first: string[]; last: string[] }> = {
  NO: {
    first: ["Ingrid", "Lars", "Kari", "Ole", "Marte", "Henrik", "Silje", "Erlend", "Sigrid", "Magnus", "Thea", "Jonas", "Ragnhild", "Eirik", "Ingvild", "Håkon", "Astrid", "Torbjørn", "Nora", "Sindre"],
    last: ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen", "Haugen", "Bakken", "Solberg", "Fjeld", "Lie", "Dahl", "Berg", "Strand", "Sæther", "Økland"],
  },
  DK: {
    first: ["Mette", "Søren", "Anne", "Mads", "Camilla", "Rasmus", "Louise", "Frederik", "Sofie", "Anders", "Ida", "Mikkel", "Freja", "Jesper", "Line"],
    last: ["Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Madsen", "Kjær", "Holm", "Østergaard"],
  },
  FI: {
    first: ["Aino", "Mikko", "Liisa", "Juha", "Eveliina", "Antti", "Sanna", "Ville", "Helmi", "Teemu", "Kaisa", "Jari", "Noora", "Pekka"],
    last: ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Saarinen"],
  },
  SE: {
    first: ["Astrid", "Erik", "Elsa", "Johan", "Maja", "Oskar", "Linnea", "Karl", "Ebba", "Gustav"],
    last: ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Lindqvist", "Berglund", "Svensson", "Lindberg"],
  },
};
