/**
 * User accesses through the real API: adding people by NIN or phone (names from the population register),
 * changing and removing their access, the last-Administrator rule (also under concurrency), the operator's
 * hand-over, and "delete everything about me".
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ForbiddenError } from "../../src/auth/errors";
import { resolvePrincipal } from "../../src/auth/principal";
import { callerFor } from "../../src/services/caller";
import { anonymizeUser } from "../../src/services/users";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { mutate } from "../support/mutate";
import { mod11CheckDigit } from "../../src/domain/checksums";
import type { Country } from "../../src/domain/types";
import { uuidOf } from "../support/ids";

let gateway: TestGateway;
const db = () => gateway.services.db;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => gateway?.stop());

const token = (key: string) => gateway.token(key);

const merchantOf = (key: string) => gateway.persona(key).merchantId!;

async function unitIds(merchantKey: string): Promise<{ id: string; msn: string }[]> {
  const units = await db().salesUnit.findMany({ where: { merchantId: uuidOf(merchantOf(merchantKey)) }, orderBy: { msn: "asc" } });
  return units.map((unit) => ({ id: encodeGlobalID("SalesUnit", unit.id), msn: unit.msn }));
}

async function membershipOf(personaKey: string, merchantKey = personaKey) {
  const user = await db().portalUser.findFirstOrThrow({ where: { nin: gateway.persona(personaKey).nin } });
  const membership = await db().membership.findFirstOrThrow({ where: { userId: user.id, merchantId: uuidOf(merchantOf(merchantKey)) } });
  return { user, membership, id: encodeGlobalID("Membership", membership.id) };
}

/** Register people who are not portal users yet. */
async function newPeople(country: Country) {
  const users = await db().portalUser.findMany({ select: { nin: true } });
  return db().registerPerson.findMany({ where: { country, nin: { notIn: users.flatMap((u) => (u.nin ? [u.nin] : [])) } }, orderBy: { nin: "asc" } });
}

async function snapshot() {
  return {
    users: await db().portalUser.findMany({ orderBy: { id: "asc" } }),
    memberships: await db().membership.findMany({ orderBy: { id: "asc" } }),
    membershipUnits: await db().membershipSalesUnit.count(),
    audit: await db().auditEvent.count(),
  };
}

const MEMBERSHIP = "id role permissions salesUnits { msn } user { id name nin phoneNumber country }";
type MembershipData = { id: string; role: string; permissions: string[]; salesUnits: { msn: string }[]; user: { id: string; name: string; nin: string | null; phoneNumber: string | null; country: string } };

const addUser = async (who: string, input: Record<string, unknown>) =>
  mutate<MembershipData>(gateway, await token(who), "addUser", { merchantId: merchantOf("no-admin"), ...input }, MEMBERSHIP);

/** A Norwegian D-number (day + 40) with correct check digits, for someone born on `date`. */
function norwegianDNumber(date: string): string {
  const [year, month, day] = date.split("-");
  const first6 = `${Number(day) + 40}${month}${year!.slice(2)}`;
  for (let individual = 100; individual < 500; individual++) {
    const first9 = first6 + String(individual);
    const k1 = mod11CheckDigit(first9, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
    const k2 = k1 === null ? null : mod11CheckDigit(first9 + k1, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
    if (k2 !== null) return `${first9}${k1}${k2}`;
  }
  throw new Error("no D-number");
}

/** The person as stored, for checks the API no longer answers to an Administrator before the person logs in. */
const stored = (userGlobalId: string) => db().portalUser.findUniqueOrThrow({ where: { id: uuidOf(userGlobalId) } });

const lastCharChanged = (nin: string) => nin.slice(0, -1) + (nin.endsWith("1") ? "2" : "1");

describe("the demo register's addable people (personas.json, README)", () => {
  it("are in the register, are not portal users, and can be added by NIN or by mobile number", async () => {
    const addable = gateway.personas.filter((p) => p.addable);
    expect(addable.map((p) => p.key)).toEqual(["register-no", "register-dk", "register-fi", "register-se"]);
    for (const person of addable) {
      expect(await db().registerPerson.findUnique({ where: { nin: person.nin! } })).toMatchObject({ name: person.name, country: person.country, phoneNumber: person.phoneNumber });
      expect(await db().portalUser.findFirst({ where: { nin: person.nin! } })).toBeNull();
    }
    const byNin = await addUser("no-admin", { nin: gateway.persona("register-se").nin, country: "SE", role: "ASSISTANT", salesUnitIds: [(await unitIds("no-admin"))[0]!.id] });
    expect(byNin.result!.__typename).toBe("MutationAddUserSuccess");
    expect(await stored(byNin.result!.data!.user.id)).toMatchObject({ name: "Johan Lindberg" });
    const byPhone = await addUser("no-admin", { phoneNumber: gateway.persona("register-no").phoneNumber, country: "NO", role: "ADMINISTRATOR" });
    expect(byPhone.result!.__typename).toBe("MutationAddUserSuccess");
    expect(await stored(byPhone.result!.data!.user.id)).toMatchObject({ name: "Kari Nordvik", nin: gateway.persona("register-no").nin });
  });
});

describe("addUser by NIN", () => {
  it("adds a Norwegian person with the name from the register, to the chosen sales units, and audits without personal data", async () => {
    const [person] = await newPeople("NO");
    const units = await unitIds("no-admin");
    const { result } = await addUser("no-admin", {
      nin: person!.nin,
      country: "NO",
      role: "SALES_UNIT_MANAGER",
      permissions: ["DEVELOPER", "DEVELOPER"],
      salesUnitIds: [units[0]!.id, units[1]!.id],
    });
    expect(result).toMatchObject({
      __typename: "MutationAddUserSuccess",
      data: { role: "SALES_UNIT_MANAGER", permissions: ["DEVELOPER"], user: { name: null, nin: null, country: "NO" } },
    });
    expect(await stored(result!.data!.user.id)).toMatchObject({ name: person!.name, nin: person!.nin });
    expect(result!.data!.salesUnits.map((u) => u.msn).sort()).toEqual([units[0]!.msn, units[1]!.msn].sort());
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "user.add" }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ objectType: "PortalUser", objectId: uuidOf(result!.data!.user.id), actorKind: "USER" });
    expect(JSON.stringify(audit.data)).not.toContain(person!.nin);
    expect(JSON.stringify(audit.data)).not.toContain(person!.name);
  });

  it("accepts a Norwegian D-number (day + 40)", async () => {
    const nin = norwegianDNumber("1985-06-15");
    await db().registerPerson.create({ data: { nin, country: "NO", name: "Dag Dahle" } });
    const { result } = await addUser("no-admin", { nin, country: "NO", role: "ADMINISTRATOR" });
    expect(result!.__typename).toBe("MutationAddUserSuccess");
    expect(await stored(result!.data!.user.id)).toMatchObject({ name: "Dag Dahle", nin });
  });

  it("accepts valid Danish, Finnish and Swedish NINs as people write them and stores their normal form", async () => {
    const [dk] = await newPeople("DK");
    const [fi] = await newPeople("FI");
    const [se] = await newPeople("SE");
    const written: [Country, string, string][] = [
      ["DK", `${dk!.nin.slice(0, 6)}-${dk!.nin.slice(6)}`, dk!.nin],
      ["FI", fi!.nin.toLowerCase(), fi!.nin],
      ["SE", `${se!.nin.slice(2, 8)}-${se!.nin.slice(8)}`, se!.nin],
    ];
    const unit = (await unitIds("no-admin"))[0]!.id;
    for (const [country, typed, normal] of written) {
      const { result } = await addUser("no-admin", { nin: typed, country, role: "ASSISTANT", salesUnitIds: [unit] });
      expect(result, country).toMatchObject({ __typename: "MutationAddUserSuccess", data: { user: { country } } });
      expect((await stored(result!.data!.user.id)).nin, country).toBe(normal);
    }
  });

  it("refuses NINs with wrong check digits or dates in every country, naming the field, and changes nothing", async () => {
    const [no] = await newPeople("NO");
    const [fi] = await newPeople("FI");
    const [se] = await newPeople("SE");
    const fiCheck = fi!.nin.endsWith("A") ? "B" : "A";
    const bad: [Country, string][] = [
      ["NO", lastCharChanged(no!.nin)],
      ["NO", "1234567890"],
      ["DK", "320190-1234"],
      ["FI", fi!.nin.slice(0, -1) + fiCheck],
      ["SE", lastCharChanged(se!.nin)],
    ];
    const before = await snapshot();
    for (const [country, nin] of bad) {
      const { result } = await addUser("no-admin", { nin, country, role: "ADMINISTRATOR" });
      expect(result, `${country} ${nin}`).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED", field: "nin" });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a valid NIN that is not in the population register, or is registered in another country", async () => {
    const [se] = await newPeople("SE");
    const before = await snapshot();
    const missing = await addUser("no-admin", { nin: norwegianDNumber("1990-01-02"), country: "NO", role: "ADMINISTRATOR" });
    expect(missing.result).toMatchObject({ __typename: "ValidationError", field: "nin" });
    expect(missing.result!.message).toContain("population register");
    const wrongCountry = await addUser("no-admin", { nin: se!.nin, country: "DK", role: "ADMINISTRATOR" });
    expect(wrongCountry.result).toMatchObject({ __typename: "ValidationError", field: "nin" });
    expect(await snapshot()).toEqual(before);
  });

  it("lets a Swedish person log in with BankID (SE) once added", async () => {
    const [se] = await newPeople("SE");
    const login = () => fetch(`${gateway.url}/auth/dev/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ nin: se!.nin, method: "BANKID_SE" }) });
    expect((await login()).status).toBe(404);
    const { result } = await addUser("no-admin", { nin: se!.nin, country: "SE", role: "ASSISTANT", salesUnitIds: [(await unitIds("no-admin"))[0]!.id] });
    expect(result!.__typename).toBe("MutationAddUserSuccess");
    const response = await login();
    expect(response.status).toBe(200);
    const { accessToken } = (await response.json()) as { accessToken: string };
    const viewer = await gateway.graphql<{ viewer: { memberships: { role: string }[] } }>(accessToken, "{ viewer { memberships { role } } }");
    expect(viewer.data!.viewer.memberships).toEqual([{ role: "ASSISTANT" }]);
  });
});

describe("addUser by phone", () => {
  it("adds a person by national mobile number, storing it in E.164 with the register's NIN so eID login works", async () => {
    const person = (await newPeople("NO")).find((p) => p.phoneNumber)!;
    const { result } = await addUser("no-admin", { phoneNumber: person.phoneNumber!.slice(3), country: "NO", role: "ASSISTANT", salesUnitIds: [(await unitIds("no-admin"))[0]!.id] });
    expect(result!.__typename).toBe("MutationAddUserSuccess");
    expect(await stored(result!.data!.user.id)).toMatchObject({ name: person.name, phoneNumber: person.phoneNumber, nin: person.nin });
  });

  it("gives the access to the person the register names for the number now, not to a portal user who held the number before", async () => {
    const merchantId = uuidOf(merchantOf("no-admin"));
    // Q: a Norwegian portal user of another merchant, whose number the register has since given to P.
    const q = await db().portalUser.findFirstOrThrow({ where: { country: "NO", phoneNumber: { not: null }, memberships: { none: { merchantId } } } });
    const number = q.phoneNumber!;
    const p = (await newPeople("NO"))[0]!;
    await db().registerPerson.updateMany({ where: { phoneNumber: number }, data: { phoneNumber: null } });
    await db().registerPerson.update({ where: { nin: p.nin }, data: { phoneNumber: number } });

    const { result } = await addUser("no-admin", { phoneNumber: number, country: "NO", role: "ADMINISTRATOR" });
    expect(result!.__typename).toBe("MutationAddUserSuccess");
    const added = await stored(result!.data!.user.id);
    expect(added).toMatchObject({ nin: p.nin, name: p.name, phoneNumber: number });
    expect(added.id).not.toBe(q.id);
    expect(await db().membership.count({ where: { userId: q.id, merchantId } })).toBe(0);
    // The number is P's now; Q keeps their login (by NIN) and their other accesses.
    expect(await db().portalUser.findUniqueOrThrow({ where: { id: q.id } })).toMatchObject({ nin: q.nin, phoneNumber: null });
  });

  it("shows the Administrator no name or NIN from the register until the person logs in, so add-and-remove looks nobody up", async () => {
    const person = (await newPeople("NO")).find((p) => p.phoneNumber)!;
    const admin = await token("no-admin");
    const { result } = await addUser("no-admin", { phoneNumber: person.phoneNumber!, country: "NO", role: "ASSISTANT", salesUnitIds: [(await unitIds("no-admin"))[0]!.id] });
    expect(result).toMatchObject({ __typename: "MutationAddUserSuccess", data: { user: { name: null, nin: null, phoneNumber: null } } });
    const read = `query($id: ID!) { node(id: $id) { ... on Membership { acceptedAt user { name nin phoneNumber } } } }`;
    const beforeLogin = await gateway.graphql<{ node: { acceptedAt: string | null; user: Record<string, string | null> } }>(admin, read, { id: result!.data!.id });
    expect(beforeLogin.data!.node).toEqual({ acceptedAt: null, user: { name: null, nin: null, phoneNumber: null } });
    const listed = await gateway.graphql(admin, `{ viewer { memberships { merchant { memberships(first: 100) { edges { node { user { name nin } } } } } } } }`);
    expect(JSON.stringify(listed)).not.toContain(person.nin);

    await new Promise((resolve) => setTimeout(resolve, 1_100)); // a login's iat is in whole seconds: the next one lies after the access
    const login = await fetch(`${gateway.url}/auth/dev/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ nin: person.nin, method: "BANKID_NO" }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    expect((await gateway.graphql(accessToken, "{ viewer { memberships { role } } }")).errors).toBeUndefined();
    const afterLogin = await gateway.graphql<{ node: { acceptedAt: string | null; user: Record<string, string | null> } }>(admin, read, { id: result!.data!.id });
    expect(afterLogin.data!.node).toEqual({ acceptedAt: expect.any(String), user: { name: person.name, nin: person.nin, phoneNumber: person.phoneNumber } });
  });

  it("takes up an access only at a login after it was given: requests with an older token, a live feed's say, show the adder nobody", async () => {
    const person = await db().portalUser.findFirstOrThrow({ where: { nin: gateway.persona("dk-admin").nin } });
    const earlier = await gateway.login("dk-admin");
    const { result } = await addUser("no-admin", { phoneNumber: person.phoneNumber!, country: person.country, role: "ASSISTANT", salesUnitIds: [(await unitIds("no-admin"))[0]!.id] });
    expect(result!.__typename).toBe("MutationAddUserSuccess");
    const read = `query($id: ID!) { node(id: $id) { ... on Membership { acceptedAt user { name nin } } } }`;
    const seen = async () => (await gateway.graphql<{ node: { acceptedAt: string | null; user: Record<string, string | null> } }>(await token("no-admin"), read, { id: result!.data!.id })).data!.node;

    // The token from before the access: it already reaches the new merchant, but takes nothing up.
    expect((await gateway.graphql<{ viewer: { memberships: unknown[] } }>(earlier, "{ viewer { memberships { role } } }")).data!.viewer.memberships).toHaveLength(2);
    expect(await seen()).toEqual({ acceptedAt: null, user: { name: null, nin: null } });

    await new Promise((resolve) => setTimeout(resolve, 1_100)); // a login's iat is in whole seconds: the next one lies after the access
    const fresh = await gateway.login("dk-admin");
    expect((await gateway.graphql(fresh, "{ viewer { kind } }")).errors).toBeUndefined();
    expect(await seen()).toEqual({ acceptedAt: expect.any(String), user: { name: person.name, nin: person.nin } });
    await db().membership.delete({ where: { id: uuidOf(result!.data!.id) } }); // other tests add this person afresh
  });

  it("refuses a landline, a foreign number, a Swedish user by phone, and both NIN and phone; nothing changes", async () => {
    const [no] = await newPeople("NO");
    const before = await snapshot();
    const cases: [Record<string, unknown>, string][] = [
      [{ phoneNumber: "+47 22 12 34 56", country: "NO" }, "phoneNumber"],
      [{ phoneNumber: "+44 7700 900123", country: "NO" }, "phoneNumber"],
      [{ phoneNumber: "+46 70 123 45 67", country: "SE" }, "nin"],
      [{ nin: no!.nin, phoneNumber: "+47 912 34 567", country: "NO" }, "phoneNumber"],
      [{ country: "NO" }, "nin"],
    ];
    for (const [input, field] of cases) {
      const { result } = await addUser("no-admin", { ...input, role: "ADMINISTRATOR" });
      expect(result, JSON.stringify(input)).toMatchObject({ __typename: "ValidationError", field });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses an unknown mobile number", async () => {
    const { result } = await addUser("no-admin", { phoneNumber: "+47 999 99 998", country: "NO", role: "ADMINISTRATOR" });
    expect(result).toMatchObject({ __typename: "ValidationError", field: "phoneNumber" });
  });
});

describe("addUser rules", () => {
  it("reuses the person's existing portal user and stores no permissions or units for an Administrator", async () => {
    const dkAdmin = gateway.persona("dk-admin");
    const users = await db().portalUser.count();
    const { result } = await addUser("no-admin", {
      nin: dkAdmin.nin,
      country: "DK",
      role: "ADMINISTRATOR",
      permissions: ["DEVELOPER"],
      salesUnitIds: [(await unitIds("no-admin"))[0]!.id],
    });
    expect(result).toMatchObject({ __typename: "MutationAddUserSuccess", data: { role: "ADMINISTRATOR", permissions: [], user: { name: null } } });
    expect(result!.data!.salesUnits.length).toBe((await unitIds("no-admin")).length);
    expect(await db().portalUser.count()).toBe(users);
    expect(await db().membershipSalesUnit.count({ where: { membershipId: uuidOf(result!.data!.id) } })).toBe(0);
  });

  it("answers ConflictError for someone who already has access, and changes nothing", async () => {
    const before = await snapshot();
    const { result } = await addUser("no-admin", { nin: gateway.persona("no-sum").nin, country: "NO", role: "ASSISTANT", salesUnitIds: [(await unitIds("no-admin"))[0]!.id] });
    expect(result).toMatchObject({ __typename: "ConflictError", code: "CONFLICT", field: "nin" });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses another merchant's sales units and a lower role without units", async () => {
    const [person] = await newPeople("NO");
    const before = await snapshot();
    const foreign = await addUser("no-admin", { nin: person!.nin, country: "NO", role: "ASSISTANT", salesUnitIds: [(await unitIds("dk-admin"))[0]!.id] });
    expect(foreign.result).toMatchObject({ __typename: "ValidationError", field: "salesUnitIds" });
    const none = await addUser("no-admin", { nin: person!.nin, country: "NO", role: "SALES_UNIT_MANAGER" });
    expect(none.result).toMatchObject({ __typename: "ValidationError", field: "salesUnitIds" });
    expect(await snapshot()).toEqual(before);
  });

  it("is for the merchant's Administrators only: managers, assistants, other merchants' admins and operators are FORBIDDEN", async () => {
    const [person] = await newPeople("NO");
    const before = await snapshot();
    for (const who of ["no-sum-tm-dev", "no-assistant-tm-dev", "fi-admin", "operator", "partner"]) {
      const { errorCode } = await addUser(who, { nin: person!.nin, country: "NO", role: "ADMINISTRATOR" });
      expect(errorCode, who).toBe("FORBIDDEN");
    }
    expect((await mutate(gateway, null, "addUser", { merchantId: merchantOf("no-admin"), nin: person!.nin, country: "NO", role: "ADMINISTRATOR" })).errorCode).toBe("UNAUTHENTICATED");
    expect(await snapshot()).toEqual(before);
  });
});

describe("updateUserPermissions", () => {
  const update = async (who: string, input: Record<string, unknown>) => mutate<MembershipData>(gateway, await token(who), "updateUserPermissions", input, MEMBERSHIP);

  it("replaces role, permissions and units, and the person's access follows at once", async () => {
    const { id, membership } = await membershipOf("no-sum");
    const units = await unitIds("no-admin");
    const { result } = await update("no-admin", { membershipId: id, role: "ASSISTANT", permissions: ["TRANSACTION_MANAGEMENT"], salesUnitIds: [units[2]!.id] });
    expect(result).toMatchObject({ __typename: "MutationUpdateUserPermissionsSuccess", data: { role: "ASSISTANT", permissions: ["TRANSACTION_MANAGEMENT"], salesUnits: [{ msn: units[2]!.msn }] } });
    const seen = await gateway.graphql<{ salesUnits: { nodes: { msn: string }[] } }>(await token("no-sum"), "{ salesUnits(first: 50) { nodes { msn } } }");
    expect(seen.data!.salesUnits.nodes).toEqual([{ msn: units[2]!.msn }]);
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "user.updatePermissions" }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ objectId: membership.userId, data: { before: { role: "SALES_UNIT_MANAGER" }, after: { role: "ASSISTANT", permissions: ["TRANSACTION_MANAGEMENT"] } } });
  });

  it("never demotes the last Administrator, and changes nothing", async () => {
    const { id } = await membershipOf("fi-admin");
    const before = await snapshot();
    const { result } = await update("fi-admin", { membershipId: id, role: "ASSISTANT", salesUnitIds: [(await unitIds("fi-admin"))[0]!.id] });
    expect(result).toMatchObject({ __typename: "LastAdministratorError", code: "LAST_ADMINISTRATOR" });
    expect(await snapshot()).toEqual(before);
  });

  it("lets an Administrator demote themself while another remains, and then they are no longer one", async () => {
    const { id } = await membershipOf("dk-password-admin", "dk-admin");
    const { result } = await update("dk-password-admin", { membershipId: id, role: "SALES_UNIT_MANAGER", salesUnitIds: [(await unitIds("dk-admin"))[0]!.id] });
    expect(result).toMatchObject({ __typename: "MutationUpdateUserPermissionsSuccess", data: { role: "SALES_UNIT_MANAGER" } });
    const again = await update("dk-password-admin", { membershipId: id, role: "ADMINISTRATOR" });
    expect(again.errorCode).toBe("FORBIDDEN");
  });

  it("gives the same FORBIDDEN to a manager, to another merchant's admin, and for an id that does not exist", async () => {
    const { id } = await membershipOf("no-assistant");
    const before = await snapshot();
    const input = { membershipId: id, role: "ADMINISTRATOR" };
    expect((await update("no-sum-tm-dev", input)).errorCode).toBe("FORBIDDEN");
    expect((await update("fi-admin", input)).errorCode).toBe("FORBIDDEN");
    const ghost = await update("no-admin", { ...input, membershipId: encodeGlobalID("Membership", "6b1f7c2e-0000-4000-8000-000000000000") });
    expect(ghost.errorCode).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });
});

describe("removeUser", () => {
  const remove = async (who: string, membershipId: string) =>
    mutate<{ membershipId: string; userId: string }>(gateway, await token(who), "removeUser", { membershipId }, "membershipId userId");

  it("removes an access; the person then sees nothing", async () => {
    const { id, user } = await membershipOf("no-assistant-tm");
    const assistant = await token("no-assistant-tm");
    const { result } = await remove("no-admin", id);
    expect(result).toEqual({ __typename: "MutationRemoveUserSuccess", data: { membershipId: id, userId: encodeGlobalID("PortalUser", user.id) } });
    const seen = await gateway.graphql<{ salesUnits: { totalCount: number } }>(assistant, "{ salesUnits { totalCount } }");
    expect(seen.data!.salesUnits.totalCount).toBe(0);
    expect(await db().auditEvent.count({ where: { action: "user.remove", objectId: user.id } })).toBe(1);
  });

  it("never removes the last Administrator", async () => {
    const { id } = await membershipOf("fi-admin");
    const before = await snapshot();
    expect((await remove("fi-admin", id)).result).toMatchObject({ __typename: "LastAdministratorError" });
    expect(await snapshot()).toEqual(before);
  });

  it("is FORBIDDEN to an Assistant", async () => {
    const { id } = await membershipOf("no-sum-tm");
    expect((await remove("no-assistant-tm-dev", id)).errorCode).toBe("FORBIDDEN");
  });
});

describe("anonymizeUser", () => {
  const anonymize = async (who: string, userId: string) =>
    mutate<{ userId: string; anonymizedAt: string }>(gateway, await token(who), "anonymizeUser", { userId }, "userId anonymizedAt");

  it("lets a person delete everything about themself: personal data blanked, accesses gone, their name gone from the audit trail", async () => {
    const persona = gateway.persona("no-sum-tm");
    const { user } = await membershipOf("no-sum-tm");
    await db().auditEvent.create({ data: { merchantId: uuidOf(merchantOf("no-admin")), actorKind: "USER", actorId: user.id, actorLabel: persona.name, action: "salesUnit.update", objectType: "SalesUnit", objectId: user.id } });
    const operations = await db().transactionOperation.count({ where: { actorId: user.id } });
    const { result } = await anonymize("no-sum-tm", encodeGlobalID("PortalUser", user.id));
    expect(result).toMatchObject({ __typename: "MutationAnonymizeUserSuccess", data: { userId: encodeGlobalID("PortalUser", user.id) } });
    expect(await db().portalUser.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ name: null, nin: null, phoneNumber: null, email: null, anonymizedAt: expect.any(Date) });
    expect(await db().membership.count({ where: { userId: user.id } })).toBe(0);
    expect(await db().auditEvent.count({ where: { actorLabel: persona.name } })).toBe(0);
    expect(await db().auditEvent.count({ where: { actorId: user.id, actorLabel: "Anonymised user" } })).toBeGreaterThanOrEqual(2);
    expect(await db().transactionOperation.count({ where: { actorId: user.id, actorLabel: "Anonymised user" } })).toBe(operations);
    const login = await fetch(`${gateway.url}/auth/dev/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ nin: persona.nin, method: "BANKID_NO" }) });
    expect(login.status).toBe(404);
  });

  it("asks again with the person's accesses as they are under its lock: one added by another merchant meanwhile stops it", async () => {
    const { user } = await membershipOf("two-merchants", "dk-admin");
    const { principal, access } = await resolvePrincipal(db(), await gateway.services.tokens.verify(await token("dk-admin")));
    const before = await snapshot();
    // As if the mutation's own check had run before the person's Norwegian access was added: the service refuses.
    await expect(anonymizeUser(gateway.services, callerFor({ principal, access, requestId: null }), user.id)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await snapshot()).toEqual(before);
  });

  it("needs an Administrator of every merchant the person belongs to (or an operator)", async () => {
    const { user } = await membershipOf("two-merchants", "dk-admin");
    // A first request takes up the accesses added earlier in this file; that is logging in, not the refusal below.
    for (const admin of ["dk-admin", "no-admin"]) await gateway.graphql(await token(admin), "{ viewer { memberships { role } } }");
    const before = await snapshot();
    expect((await anonymize("dk-admin", encodeGlobalID("PortalUser", user.id))).errorCode).toBe("FORBIDDEN");
    expect((await anonymize("no-admin", encodeGlobalID("PortalUser", user.id))).errorCode).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
    const { result } = await anonymize("operator", encodeGlobalID("PortalUser", user.id));
    expect(result!.__typename).toBe("MutationAnonymizeUserSuccess");
    expect(await db().auditEvent.count({ where: { action: "user.anonymize", objectId: user.id } })).toBe(2);
  });

  it("lets an Administrator anonymise a user of their merchant", async () => {
    const { user } = await membershipOf("no-assistant-dev");
    expect((await anonymize("no-admin", encodeGlobalID("PortalUser", user.id))).result!.__typename).toBe("MutationAnonymizeUserSuccess");
  });

  it("refuses an Administrator a person who never took up the access, or who is applying for a merchant of their own", async () => {
    // Anyone in the register can be added by national id: erasing them at once would end a stranger's login.
    const [stranger] = await newPeople("NO");
    const { id: unitId } = (await unitIds("no-admin"))[0]!;
    expect((await addUser("no-admin", { nin: stranger!.nin, country: "NO", role: "ASSISTANT", salesUnitIds: [unitId] })).result!.__typename).toBe("MutationAddUserSuccess");
    const added = await db().portalUser.findUniqueOrThrow({ where: { nin: stranger!.nin } });
    const before = await snapshot();
    expect((await anonymize("no-admin", encodeGlobalID("PortalUser", added.id))).errorCode).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);

    // Taken up, but the person is also applying for a company of their own: theirs, or customer service's, to erase.
    await db().membership.updateMany({ where: { userId: added.id }, data: { acceptedAt: new Date() } });
    const agreement = await db().merchantAgreement.create({
      data: { applicantId: added.id, merchantName: "Eget Foretak AS", organizationNumber: "923609016", country: "NO", status: "SUBMITTED" },
    });
    expect((await anonymize("no-admin", encodeGlobalID("PortalUser", added.id))).errorCode).toBe("FORBIDDEN");
    expect(await db().portalUser.findUniqueOrThrow({ where: { id: added.id } })).toMatchObject({ anonymizedAt: null, nin: stranger!.nin });

    await db().merchantAgreement.delete({ where: { id: agreement.id } });
    expect((await anonymize("no-admin", encodeGlobalID("PortalUser", added.id))).result!.__typename).toBe("MutationAnonymizeUserSuccess");
  });

  it("refuses to leave a merchant without an Administrator, and changes nothing", async () => {
    const { user } = await membershipOf("no-admin");
    await db().membership.deleteMany({ where: { merchantId: uuidOf(merchantOf("no-admin")), role: "ADMINISTRATOR", userId: { not: user.id } } });
    const before = await snapshot();
    expect((await anonymize("no-admin", encodeGlobalID("PortalUser", user.id))).result).toMatchObject({ __typename: "LastAdministratorError" });
    expect(await snapshot()).toEqual(before);
  });

  it("keeps one Administrator when customer service anonymises both at the same moment", async () => {
    const [person] = await newPeople("FI");
    await addUser("fi-admin", { merchantId: merchantOf("fi-admin"), nin: person!.nin, country: "FI", role: "ADMINISTRATOR" });
    const admins = await db().membership.findMany({ where: { merchantId: uuidOf(merchantOf("fi-admin")), role: "ADMINISTRATOR" } });
    expect(admins).toHaveLength(2);
    const results = await Promise.all(admins.map((admin) => anonymize("operator", encodeGlobalID("PortalUser", admin.userId))));
    expect(results.map((r) => r.result!.__typename).sort()).toEqual(["LastAdministratorError", "MutationAnonymizeUserSuccess"]);
    expect(await db().membership.count({ where: { merchantId: uuidOf(merchantOf("fi-admin")), role: "ADMINISTRATOR" } })).toBe(1);
  });
});

describe("transferAdministrator", () => {
  const transfer = async (who: string, input: Record<string, unknown>) => mutate<MembershipData>(gateway, await token(who), "transferAdministrator", input, MEMBERSHIP);

  it("lets customer service list a merchant's accesses to find the one to hand the role to, and no one else but its Administrators", async () => {
    const query = `query($id: ID!) { node(id: $id) { ... on Merchant { memberships(first: 50) { totalCount nodes { id role } } } } }`;
    const merchantId = merchantOf("no-admin");
    const listed = await gateway.graphql<{ node: { memberships: { totalCount: number; nodes: { id: string; role: string }[] } | null } }>(await token("operator"), query, { id: merchantId });
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.node.memberships!.totalCount).toBe(await db().membership.count({ where: { merchantId: uuidOf(merchantId) } }));
    const assistant = await gateway.graphql<{ node: { memberships: unknown } | null }>(await token("no-assistant"), query, { id: merchantId });
    expect(assistant.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("is for customer service only", async () => {
    const { id } = await membershipOf("no-sum-dev");
    const before = await snapshot();
    expect((await transfer("no-admin", { merchantId: merchantOf("no-admin"), toMembershipId: id })).errorCode).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });

  it("promotes an existing member and demotes the sole Administrator to a role without units", async () => {
    const { id } = await membershipOf("no-sum-dev");
    const formerAdmin = await membershipOf("no-admin");
    const { result } = await transfer("operator", { merchantId: merchantOf("no-admin"), toMembershipId: id, formerAdministratorRole: "ASSISTANT" });
    expect(result).toMatchObject({ __typename: "MutationTransferAdministratorSuccess", data: { role: "ADMINISTRATOR", permissions: [] } });
    expect(await db().membership.findUniqueOrThrow({ where: { id: formerAdmin.membership.id } })).toMatchObject({ role: "ASSISTANT", permissions: [] });
    expect(await db().membershipSalesUnit.count({ where: { membershipId: uuidOf(id) } })).toBe(0);
  });

  it("makes a person from the register the Administrator and removes the former one", async () => {
    const [person] = await newPeople("FI");
    const { result } = await transfer("operator", { merchantId: merchantOf("fi-admin"), nin: person!.nin, country: "FI" });
    expect(result).toMatchObject({ data: { role: "ADMINISTRATOR", user: { name: person!.name } } });
    const admins = await db().membership.findMany({ where: { merchantId: uuidOf(merchantOf("fi-admin")), role: "ADMINISTRATOR" } });
    expect(admins.map((a) => encodeGlobalID("Membership", a.id))).toEqual([result!.data!.id]);
    expect((await db().auditEvent.findFirstOrThrow({ where: { action: "user.transferAdministrator" }, orderBy: { id: "desc" } })).actorKind).toBe("OPERATOR");
  });
});
