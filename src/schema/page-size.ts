/**
 * The page size of every connection has one documented maximum, and a larger `first` or `last` is refused with a
 * ValidationError naming the argument, instead of quietly answering fewer rows than asked for. A small Pothos plugin,
 * because the relay plugin only clamps (Pothos's getConnectionPageSize).
 */
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from "@pothos/core";
import type { GraphQLFieldResolver } from "graphql";
import { ValidationError } from "../domain/errors";

/** The most rows one page of any list holds. */
export const MAX_PAGE_SIZE = 100;
/** Rows per page when neither `first` nor `last` is given. */
export const DEFAULT_PAGE_SIZE = 20;

export const PAGE_SIZE_ARGUMENTS = {
  first: `The first n rows after \`after\`: 0 to ${MAX_PAGE_SIZE} (${DEFAULT_PAGE_SIZE} when neither first nor last is given); more is refused with VALIDATION_FAILED.`,
  last: `The last n rows before \`before\`: 0 to ${MAX_PAGE_SIZE}; more is refused with VALIDATION_FAILED.`,
  after: "A cursor (`pageInfo.endCursor` or an edge's `cursor`): the page starts after it.",
  before: "A cursor (`pageInfo.startCursor` or an edge's `cursor`): the page ends before it.",
} as const;

export function assertPageSize(args: { first?: unknown; last?: unknown }): void {
  for (const name of ["first", "last"] as const) {
    const size = args[name];
    if (typeof size === "number" && size > MAX_PAGE_SIZE) {
      throw new ValidationError(`A page holds at most ${MAX_PAGE_SIZE} rows (${name}: ${size}): ask for ${MAX_PAGE_SIZE} or fewer and page on with the cursor.`, name);
    }
  }
}

class PageSizePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(resolver: GraphQLFieldResolver<unknown, Types["Context"], object>, fieldConfig: PothosOutputFieldConfig<Types>) {
    if (!("first" in fieldConfig.args) && !("last" in fieldConfig.args)) return resolver;
    return (parent: unknown, args: object, context: Types["Context"], info: Parameters<typeof resolver>[3]) => {
      assertPageSize(args as { first?: unknown; last?: unknown });
      return resolver(parent, args, context, info);
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      pageSize: PageSizePlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin("pageSize", PageSizePlugin);

export default "pageSize" as const;
