/** Imports every entity file (each registers its types on the builder) and builds the schema. */
import { lexicographicSortSchema, printSchema } from "graphql";
import { builder } from "./builder";
import "./errors";
import "./enums";
import "./merchant";
import "./partner";
import "./sales-unit";
import "./sales-unit-setup";
import "./sales-unit-mutations";
import "./user";
import "./transaction";
import "./onboarding";
import "./settlement";
import "./audit";
import "./viewer";

export const schema = builder.toSchema();

/** The SDL committed as schema.graphql. */
export function printSchemaSDL(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
