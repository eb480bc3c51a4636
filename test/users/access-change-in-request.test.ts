/**
 * A caller who lowers their own access in one mutation of a document is asked again, with the access they now have,
 * by the document's later mutations: permission checks answered earlier in the request are not reused.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => gateway?.stop());

it("refuses a later mutation whose permission check was answered before the caller demoted themself", async () => {
  const db = gateway.services.db;
  const admin = await gateway.token("no-admin");
  const merchantId = gateway.persona("no-admin").merchantId!;
  const merchantUuid = Buffer.from(merchantId, "base64").toString("utf8").replace(/^Merchant:/, "");
  const self = await db.membership.findFirstOrThrow({ where: { merchantId: merchantUuid, user: { nin: gateway.persona("no-admin").nin } } });
  // Another Administrator (so the caller may step down), and the person whose role the document changes twice.
  const colleague = async (role: "ADMINISTRATOR" | "ASSISTANT", name: string) => {
    const user = await db.portalUser.create({ data: { name, country: "NO", memberships: { create: { merchantId: merchantUuid, role, permissions: [], acceptedAt: new Date() } } } });
    return db.membership.findFirstOrThrow({ where: { userId: user.id } });
  };
  const keeper = await colleague("ADMINISTRATOR", "Kollega Admin");
  const other = await colleague("ASSISTANT", "Kollega Assistent");
  const unit = await db.salesUnit.findFirstOrThrow({ where: { merchantId: merchantUuid } });
  const input = (membershipId: string, role: string) => ({
    membershipId: encodeGlobalID("Membership", membershipId),
    role,
    permissions: [],
    ...(role === "ASSISTANT" ? { salesUnitIds: [encodeGlobalID("SalesUnit", unit.id)] } : {}),
  });
  const response = await gateway.graphql<Record<string, { __typename: string } | null>>(
    admin,
    `mutation($first: UpdateUserPermissionsInput!, $self: UpdateUserPermissionsInput!, $again: UpdateUserPermissionsInput!) {
      first: updateUserPermissions(input: $first) { __typename }
      self: updateUserPermissions(input: $self) { __typename }
      again: updateUserPermissions(input: $again) { __typename }
    }`,
    { first: input(other.id, "ASSISTANT"), self: input(self.id, "ASSISTANT"), again: input(other.id, "ADMINISTRATOR") },
  );
  expect(response.data?.first?.__typename).toBe("MutationUpdateUserPermissionsSuccess");
  expect(response.data?.self?.__typename).toBe("MutationUpdateUserPermissionsSuccess");
  // Asked again as the Assistant the caller now is.
  expect(response.data?.again).toBeNull();
  expect(response.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([[["again"], "FORBIDDEN"]]);
  expect(await db.membership.findUniqueOrThrow({ where: { id: other.id } })).toMatchObject({ role: "ASSISTANT" });
  expect(await db.membership.findUniqueOrThrow({ where: { id: keeper.id } })).toMatchObject({ role: "ADMINISTRATOR" });
});
