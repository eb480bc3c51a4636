/**
 * Guarded fields are nullable: every output field with its own `authScopes` (queries, mutations, subscriptions and
 * object fields) is made nullable when the schema is built, whatever its definition says. A refusal (FORBIDDEN) on
 * a non-null field would null its parent, up to `data: null`, hiding everything else the caller may see; on a
 * nullable field the refusal is one error at that field's path. Applied here once so a new guarded field cannot
 * forget it; test/permissions/guarded-fields.test.ts walks the built schema to hold it.
 */
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from "@pothos/core";

export class GuardedFieldsNullablePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    const { authScopes } = fieldConfig.pothosOptions as { authScopes?: unknown };
    if (authScopes === undefined || fieldConfig.type.nullable) return fieldConfig;
    return { ...fieldConfig, type: { ...fieldConfig.type, nullable: true } };
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
