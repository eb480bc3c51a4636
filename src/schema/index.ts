/** Imports every entity file (each registers its types on the builder) and builds the schema. */
import { isNonNullType, isObjectType, lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { builder } from "./builder";
import "./errors";
import "./enums";
import "./money";
import "./merchant";
import "./partner";
import "./partner-mutations";
import "./partner-key";
import "./partner-key-mutations";
import "./sales-unit";
import "./api-keys";
import "./login-config";
import "./recurring-request";
import "./qr-code";
import "./payment-link";
import "./sales-unit-mutations";
import "./api-keys-mutations";
import "./qr-code-mutations";
import "./payment-link-mutations";
import "./recurring-request-mutations";
import "./login-config-mutations";
import "./portal-user";
import "./membership";
import "./user-mutations";
import "./transaction";
import "./transaction-events";
import "./events";
import "./transaction-mutations";
import "./transaction-aggregates";
import "./merchant-agreement";
import "./product-order";
import "./merchant-agreement-mutations";
import "./product-order-mutations";
import "./merchant-mutations";
import "./settlement";
import "./report-subscription";
import "./report-subscription-mutations";
import "./report-run";
import "./report-run-mutations";
import "./test-user";
import "./test-user-mutations";
import "./audit-event";
import "./webhook-endpoint";
import "./webhook-endpoint-mutations";
import "./viewer";

export const schema = describeGeneratedFields(builder.toSchema());

/**
 * Two fields the plugins generate take no default description: a connection's `totalCount` (prisma plugin) and a
 * mutation result's `data` (errors plugin). They mean the same everywhere, so they are described once, here.
 */
function describeGeneratedFields(built: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(built.getTypeMap())) {
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    if (/Connection$/.test(type.name) && fields.totalCount && !fields.totalCount.description) {
      fields.totalCount.description = "How many rows the whole list has, over every page, with the same filter.";
    }
    if (/^Mutation[A-Za-z]+Success$/.test(type.name) && fields.data && !fields.data.description) {
      fields.data.description = isNonNullType(fields.data.type)
        ? "The object the mutation created or changed, as it is now."
        : "The object the mutation created or changed, as it is now; null (with a FORBIDDEN error at this path) if you may not see it, the change being made all the same.";
    }
  }
  return built;
}

/** The SDL committed as schema.graphql. */
export function printSchemaSDL(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
