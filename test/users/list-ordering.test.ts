/**
 * Sorting settlements by period or payout date, and user accesses by name: every order pages through the whole list
 * once, in the order asked for, ties broken by id in the same direction; a name the caller may not read has no place
 * in the order.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { uuidOf } from "../support/ids";
import { resolvePrincipal } from "../../src/auth/principal";
import { canReadPerson, registerDataReadableSql } from "../../src/auth/policies/person";
import { SqlParams } from "../../src/db/conditions";

let gateway: TestGateway;
let token: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  token = await gateway.login("no-admin");
});
afterAll(async () => {
  await gateway?.stop();
});

type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string }[] };

/** Every id of a connection, two at a time, following the cursors; `pick` finds the connection in the answer. */
async function pageThrough(query: string, variables: Record<string, unknown>, pick: (data: Record<string, unknown>) => Page) {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (;;) {
    const response: { data?: Record<string, unknown> | null; errors?: unknown } = await gateway.graphql<Record<string, unknown>>(token, query, { first: 2, after, ...variables });
    expect(response.errors).toBeUndefined();
    const page = pick(response.data!);
    totalCount = page.totalCount;
    ids.push(...page.nodes.map((node) => node.id));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { ids, totalCount };
}

/** Expected order: by key (nulls after every name going up, before going down, as PostgreSQL does), then id. */
function sorted<T extends { id: string }>(rows: T[], key: (row: T) => string | null, direction: "ASC" | "DESC") {
  const sign = direction === "ASC" ? 1 : -1;
  const compare = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return [...rows].sort((a, b) => sign * (compare(key(a), key(b)) || compare(a.id, b.id)));
}

describe("settlements(orderBy:)", () => {
  it.each([
    ["PERIOD", "ASC"],
    ["PERIOD", "DESC"],
    ["PAYOUT", "ASC"],
    ["PAYOUT", "DESC"],
  ] as const)("pages through a unit's settlements by %s %s, ties by id", async (field, direction) => {
    const db = gateway.services.db;
    const merchantId = (await db.merchant.findFirstOrThrow({ where: { name: "Fjordkaffe AS" } })).id;
    const unit = await db.salesUnit.findFirstOrThrow({ where: { merchantId, settlements: { some: {} } }, orderBy: { name: "asc" } });
    const settlements = await db.settlement.findMany({ where: { salesUnitId: unit.id }, orderBy: { periodStart: "asc" } });
    expect(settlements.length).toBeGreaterThanOrEqual(3);
    // Two settlements paid out the same day, so the id has to break the tie.
    await db.settlement.update({ where: { id: settlements[1]!.id }, data: { payoutDate: settlements[0]!.payoutDate } });
    const rows = await db.settlement.findMany({ where: { salesUnitId: unit.id } });
    const column = field === "PERIOD" ? "periodStart" : "payoutDate";
    const expected = sorted(rows, (row) => row[column].toISOString(), direction).map((row) => encodeGlobalID("Settlement", row.id));
    const query = `query($unit: ID!, $first: Int!, $after: String, $orderBy: SettlementOrder) {
      settlements(salesUnitId: $unit, first: $first, after: $after, orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`;
    const { ids, totalCount } = await pageThrough(query, { unit: encodeGlobalID("SalesUnit", unit.id), orderBy: { field, direction } }, (data) => data.settlements as Page);
    expect(totalCount).toBe(rows.length);
    expect(ids).toEqual(expected);
  });
});

describe("Merchant.memberships(orderBy: NAME)", () => {
  const MEMBERSHIPS = `query($id: ID!, $first: Int, $after: String, $order: MembershipOrder) { node(id: $id) { ... on Merchant {
    memberships(first: $first, after: $after, orderBy: $order) { totalCount pageInfo { hasNextPage endCursor } nodes { id user { name } } } } } }`;
  type Access = { id: string; user: { name: string | null } };
  const pick = (data: Record<string, unknown>) => (data.node as { memberships: Page }).memberships;

  /** Every access of the merchant in the order asked for, as `persona` sees them, paged two at a time. */
  async function listAs(persona: string, merchantId: string, direction: "ASC" | "DESC"): Promise<Access[]> {
    const caller = await gateway.login(persona);
    const full = await gateway.graphql<Record<string, unknown>>(caller, MEMBERSHIPS, { id: merchantId, first: 100, order: { field: "NAME", direction } });
    expect(full.errors).toBeUndefined();
    const all = pick(full.data!).nodes as unknown as Access[];
    const saved = token;
    token = caller;
    try {
      // The pages, cut from the same order, give the same list.
      const { ids, totalCount } = await pageThrough(MEMBERSHIPS, { id: merchantId, order: { field: "NAME", direction } }, pick);
      expect(ids).toEqual(all.map((access) => access.id));
      expect(totalCount).toBe(all.length);
    } finally {
      token = saved;
    }
    return all;
  }

  it("sorts by the name where the caller may read it; hidden names sort by when they were added, in either direction", async () => {
    const db = gateway.services.db;
    const merchantId = gateway.persona("no-admin").merchantId!;
    const users = await db.portalUser.findMany({ select: { nin: true } });
    const candidates = await db.registerPerson.findMany({ where: { country: "NO", nin: { notIn: users.flatMap((u) => (u.nin ? [u.nin] : [])) } }, orderBy: { name: "asc" } });
    const [first, last] = [candidates[0]!, candidates.at(-1)!];
    expect(first.name).not.toBe(last.name);
    // Added the later name first: sorting the hidden people by name would put them the other way round.
    const added: string[] = [];
    for (const person of [last, first]) {
      const response = await gateway.graphql<{ addUser: { __typename: string; data?: { id: string } } }>(
        await gateway.login("no-admin"),
        `mutation($input: AddUserInput!) { addUser(input: $input) { __typename ... on MutationAddUserSuccess { data { id } } } }`,
        { input: { merchantId, nin: person.nin, country: "NO", role: "ADMINISTRATOR" } },
      );
      expect(response.data?.addUser.__typename).toBe("MutationAddUserSuccess");
      added.push(response.data!.addUser.data!.id);
    }

    for (const direction of ["ASC", "DESC"] as const) {
      const listed = await listAs("no-admin", merchantId, direction);
      const named = listed.filter((access) => access.user.name !== null);
      const hidden = listed.filter((access) => access.user.name === null);
      expect(named.length).toBeGreaterThan(1);
      // Every named access before every hidden one.
      expect(listed).toEqual([...named, ...hidden]);
      // The named ones by name, as PostgreSQL orders names.
      const byName = await db.$queryRawUnsafe<{ name: string }[]>(
        `SELECT u.name FROM "Membership" m JOIN "PortalUser" u ON u.id = m."userId" WHERE m.id = ANY($1::uuid[]) ORDER BY u.name ${direction}`,
        named.map((access) => uuidOf(access.id)),
      );
      expect(named.map((access) => access.user.name)).toEqual(byName.map((row) => row.name));
      // The two new people, whose names the Administrator may not read yet, in the order they were added.
      const newcomers = hidden.filter((access) => added.includes(access.id)).map((access) => access.id);
      expect(newcomers).toEqual(added);
      // Hidden accesses oldest first whichever the direction: the order is the same for ASC and DESC.
      const rows = await db.membership.findMany({ where: { id: { in: hidden.map((access) => uuidOf(access.id)) } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
      expect(hidden.map((access) => uuidOf(access.id))).toEqual(rows.map((row) => row.id));
    }

    // Once a person logs in holding the access, the Administrator reads the name, and the access takes its place by it.
    await db.membership.update({ where: { id: uuidOf(added[1]!) }, data: { acceptedAt: new Date() } });
    const after = await listAs("no-admin", merchantId, "ASC");
    const accepted = after.findIndex((access) => access.id === added[1]);
    expect(after[accepted]!.user.name).toBe(first.name);
    expect(after.slice(0, accepted + 1).every((access) => access.user.name !== null)).toBe(true);
    expect(after.filter((access) => access.user.name === null).map((access) => access.id)).toContain(added[0]);
  });

  it("orders by the same rule as PortalUser.name: the SQL agrees with canReadPerson for every persona and person", async () => {
    const db = gateway.services.db;
    const people = await db.portalUser.findMany({ select: { id: true, memberships: { select: { merchantId: true, acceptedAt: true } } } });
    expect(people.some((person) => person.memberships.some((m) => m.acceptedAt === null))).toBe(true);
    for (const persona of ["no-admin", "no-sum", "no-assistant", "dk-admin", "two-merchants", "applicant", "partner", "operator"]) {
      const verified = await gateway.services.tokens.verify(await gateway.login(persona));
      const { principal, access } = await resolvePrincipal(db, verified);
      const who = { principal, access };
      const params = new SqlParams();
      const readable = await db.$queryRawUnsafe<{ id: string }[]>(`SELECT u.id::text AS id FROM "PortalUser" u WHERE ${registerDataReadableSql(who, "u", params)}`, ...params.values);
      const expected = people.filter((person) => canReadPerson(who, person, { acceptedOnly: true })).map((person) => person.id);
      expect({ persona, readable: readable.map((row) => row.id).sort() }).toEqual({ persona, readable: expected.sort() });
    }
  });
});
