/** Test-environment customers of a merchant (Developer permission). */
import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";

export const TestUser = builder.prismaNode("TestUser", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "A test-environment customer for the test app: log in with the NIN, pay with the phone number.",
  findUnique: (id, ctx) => {
    const merchantIds = ctx.access.merchantIds("DEVELOPER");
    return { id: uuidOrNil(id), ...(merchantIds === "*" ? {} : { merchantId: { in: merchantIds } }) };
  },
  authScopes: (row) => ({ merchant: { action: "DEVELOPER", merchantId: row.merchantId } }),
  fields: (t) => ({
    phoneNumber: t.exposeString("phoneNumber", { description: "The number to pay with in the test app." }),
    nin: t.exposeString("nin", { description: "The national identity number to log in to the test app with." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the test customer was generated." }),
  }),
});
