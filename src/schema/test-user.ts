/** Test-environment customers of a merchant (Developer permission). */
import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { toPrismaWhere } from "../db/conditions";
import { TEST_USER_ACTION, visibleTestUsers } from "../auth/policies/test-user";

export const TestUser = builder.prismaNode("TestUser", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "A test-environment customer for the test app: log in with the NIN, pay with the phone number.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [toPrismaWhere(visibleTestUsers(ctx))] }),
  authScopes: (row) => ({ merchant: { action: TEST_USER_ACTION, merchantId: row.merchantId } }),
  fields: (t) => ({
    phoneNumber: t.exposeString("phoneNumber", { description: "The number to pay with in the test app." }),
    nin: t.exposeString("nin", { description: "The national identity number to log in to the test app with." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the test customer was generated." }),
  }),
});
