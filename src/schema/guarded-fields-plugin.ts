/**
 * Guarded fields are nullable: every output field with its own `authScopes` (queries, mutations, subscriptions and
 * object fields) is made nullable when the schema is built, whatever its definition says. A refusal (FORBIDDEN) on
 * a non-null field would null its parent, up to `data: null`, hiding everything else the caller asked for; on a
 * nullable field the refusal is one error at that field's path. Applied here once so a new guarded field cannot
 * forget it; test/permissions/guarded-fields.test.ts walks the built schema to hold it.
 *
 * A mutation's result (`Mutation…Success.data`) whose type has a scope of its own is nullable too: the change is
 * made whether or not the caller may see the object afterwards (a partner may request payments without viewing
 * transactions), and a refused result must not hide that it succeeded. Other fields returning a type with its own
 * scope stay non-null only where the parent's visibility implies the child's: test/permissions/guarded-types.test.ts.
 * So do the results of the mutations in RESULTS_SEEN_BY_THEIR_CALLERS, where the mutation's own permission implies
 * the result's (that test proves each one over every persona).
 */
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from "@pothos/core";

const MUTATION_RESULT = /^Mutation[A-Za-z]+Success$/;

/**
 * Mutations whose result stays non-null: whoever may run them may see what they answer. Each entry names the action
 * the mutation needs on a sales unit and the one its result's type needs there.
 */
export const RESULTS_SEEN_BY_THEIR_CALLERS = {
  captureTransaction: { needs: "MANAGE_TRANSACTIONS", resultNeeds: "VIEW_TRANSACTIONS" },
  cancelTransaction: { needs: "MANAGE_TRANSACTIONS", resultNeeds: "VIEW_TRANSACTIONS" },
  refundTransaction: { needs: "MANAGE_TRANSACTIONS", resultNeeds: "VIEW_TRANSACTIONS" },
} as const;

const resultTypeNames = new Set(Object.keys(RESULTS_SEEN_BY_THEIR_CALLERS).map((name) => `Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success`));

export class GuardedFieldsNullablePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if (fieldConfig.type.nullable) return fieldConfig;
    const { authScopes } = fieldConfig.pothosOptions as { authScopes?: unknown };
    if (authScopes === undefined && !this.isGuardedResult(fieldConfig)) return fieldConfig;
    return { ...fieldConfig, type: { ...fieldConfig.type, nullable: true } };
  }

  /** A mutation result's `data` of an object type with a type-level scope. */
  private isGuardedResult(fieldConfig: PothosOutputFieldConfig<Types>): boolean {
    if (fieldConfig.name !== "data" || !MUTATION_RESULT.test(fieldConfig.parentType) || fieldConfig.type.kind === "List") return false;
    if (resultTypeNames.has(fieldConfig.parentType)) return false;
    const target = this.buildCache.getTypeConfig(fieldConfig.type.ref);
    return target.kind === "Object" && (target.pothosOptions as { authScopes?: unknown }).authScopes !== undefined;
  }
}

const pluginName = "guardedFieldsNullable";

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      guardedFieldsNullable: GuardedFieldsNullablePlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(pluginName, GuardedFieldsNullablePlugin);

export default pluginName;
