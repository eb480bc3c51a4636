/** Imports every entity file (each registers its types on the builder) and builds the schema. */
import { lexicographicSortSchema, printSchema } from "graphql";
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
import "./qr-code-mutations";
import "./payment-link-mutations";
import "./recurring-request-mutations";
import "./login-config-mutations";
import "./portal-user";
import "./membership";
import "./user-mutations";
import "./transaction";
import "./transaction-events";
import "./transaction-mutations";
import "./transaction-aggregates";
import "./merchant-agreement";
import "./product-order";
import "./onboarding-mutations";
import "./settlement";
import "./report-subscription";
import "./report-subscription-mutations";
import "./report-runs";
import "./test-user";
import "./test-user-mutations";
import "./audit";
import "./viewer";

export const schema = builder.toSchema();

/** The SDL committed as schema.graphql. */
export function printSchemaSDL(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
