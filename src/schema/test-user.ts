/** Test-environment customers of a merchant (Developer permission). */
import { builder } from "./builder";

export const TestUser = builder.prismaObject("TestUser", {
  description: "A test-environment customer for the test app: log in with the NIN, pay with the phone number.",
  authScopes: (row) => ({ merchant: { action: "DEVELOPER", merchantId: row.merchantId } }),
  fields: (t) => ({
    id: t.exposeID("id"),
    phoneNumber: t.exposeString("phoneNumber"),
    nin: t.exposeString("nin"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});
