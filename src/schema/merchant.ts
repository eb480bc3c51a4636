import { builder } from "./builder";
import { listedPage, nodeConnection } from "./connection";
import { uuidOrNil } from "../domain/ids";
import { CountryEnum } from "./enums";
import { toPrismaWhere } from "../db/conditions";
import { viewableMerchants } from "../auth/policies/sales-unit";
import { TEST_USER_ACTION } from "../auth/policies/test-user";


export const Merchant = builder.prismaNode("Merchant", {
  id: { field: "id", description: "Global id: pass it to `node(id:)` and to arguments that take this object." },
  nullable: true,
  description: "A business customer of the portal.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [toPrismaWhere(viewableMerchants(ctx.access))] }),
  authScopes: (merchant) => ({ merchant: { action: "VIEW_SALES_UNIT", merchantId: merchant.id } }),
  fields: (t) => ({
    name: t.exposeString("name", { description: "The company's legal name." }),
    organizationNumber: t.exposeString("organizationNumber", { description: "The company's organisation number in its country's register." }),
    country: t.expose("country", { type: CountryEnum, description: "The country the company is registered in." }),
    addressLine: t.exposeString("addressLine", { nullable: true, description: "Street address; null if not given." }),
    postalCode: t.exposeString("postalCode", { nullable: true, description: "Postal code; null if not given." }),
    city: t.exposeString("city", { nullable: true, description: "City; null if not given." }),
    website: t.exposeString("website", { nullable: true, description: "The company's https website; null if not given." }),
    contactEmail: t.exposeString("contactEmail", { nullable: true, description: "Where customer service reaches the merchant; null if not given." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the merchant was created (its agreement approved)." }),
    testUsers: t.relation("testUsers", {
      description: "Test-environment customers (needs Developer).",
      authScopes: (merchant) => ({ merchant: { action: TEST_USER_ACTION, merchantId: merchant.id } }),
      query: { orderBy: { createdAt: "asc" } },
    }),
  }),
});

const MerchantConnection = nodeConnection(Merchant, "Merchant", "merchants");

builder.queryFields((t) => ({
  merchants: t.prismaConnection({
    type: "Merchant",
    cursor: "id",
    description: "Merchants the caller may see.",
    authScopes: { authenticated: true },
    resolve: (query, _root, _args, ctx) => {
      const where = toPrismaWhere(viewableMerchants(ctx.access));
      return listedPage(
        query,
        (cursor) => ctx.db.merchant.findFirst({ where: { AND: [where, cursor] }, select: { id: true } }),
        () => ctx.db.merchant.findMany({ ...query, where, orderBy: [{ name: "asc" }, { id: "asc" }] }),
      );
    },
    totalCount: (_root, _args, ctx) => ctx.db.merchant.count({ where: toPrismaWhere(viewableMerchants(ctx.access)) }),
  }, MerchantConnection),
}));

