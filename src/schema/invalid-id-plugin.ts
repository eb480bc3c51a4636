/**
 * Ids that are not global ids of the expected type get the code INVALID_ID: the relay plugin decodes `globalID`
 * arguments before the resolver runs and throws a PothosValidationError (a plain Error, which error masking would
 * answer as an unexpected INTERNAL_SERVER_ERROR). This plugin, inside the errors plugin's argument wrapper
 * (`errors.unsafelyHandleInputErrors`), turns it into an InvalidIdError naming the argument that held the id: a
 * mutation answers it as its typed ValidationError, a query as a GraphQL error with `extensions.code` INVALID_ID.
 */
import SchemaBuilder, { BasePlugin, PothosValidationError, type PothosOutputFieldConfig, type SchemaTypes } from "@pothos/core";
import type { GraphQLFieldResolver } from "graphql";
import { InvalidIdError } from "../domain/errors";

/** The id in the relay plugin's messages: "Invalid global ID: <id>" and "ID: <id> is not of type: <types>". */
function idInMessage(message: string): string | null {
  return /^Invalid global ID: (.*)$/s.exec(message)?.[1] ?? /^ID: (.*) is not of type: [^:]*$/s.exec(message)?.[1] ?? null;
}

/** The dotted path, from the field's arguments, of the first argument value equal to `id` ("input.salesUnitIds.1"). */
function pathOf(value: unknown, id: string, path: string[] = []): string[] | null {
  if (value === id) return path;
  if (value === null || typeof value !== "object") return null;
  for (const [key, inner] of Object.entries(value)) {
    const found = pathOf(inner, id, [...path, key]);
    if (found) return found;
  }
  return null;
}

export class InvalidIdPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapArgMappers(
    resolver: GraphQLFieldResolver<unknown, Types["Context"], object>,
    _fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types["Context"], object> {
    return async (parent, args, context, info) => {
      try {
        return await resolver(parent, args, context, info);
      } catch (error) {
        const id = error instanceof PothosValidationError ? idInMessage(error.message) : null;
        if (id === null) throw error;
        const path = pathOf(args, id);
        // A mutation's field names are relative to its one `input:` argument, as ValidationError.field always is.
        throw new InvalidIdError(path === null ? null : (path[0] === "input" ? path.slice(1) : path).join(".") || null);
      }
    };
  }
}

const pluginName = "invalidId";

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      invalidId: InvalidIdPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(pluginName, InvalidIdPlugin);

export default pluginName;
