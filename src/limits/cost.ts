/**
 * The cost of an operation, in objects it may load, computed with its variables before it runs. Written here
 * because graphql-armor's cost limit is a validation rule, and validation never sees variables: to it
 * `transactions(first: $n)` costs the same for n = 1 and n = 100.
 *
 * Rules: every field of an object type costs 1; a connection (a field whose type ends in "Connection") multiplies
 * what is under it by `first` or `last` (20, Pothos's page size, when neither is given), and its `edges` and
 * `nodes` lists add nothing more; a list with a list argument (`nodes(ids:)`) costs an object per item, as many items
 * as the argument is long (LIST_SIZE at least); any other list multiplies by LIST_SIZE; scalars are free; the schema
 * (`__schema`, `__type`) costs INTROSPECTION_COST, whatever is asked of it.
 */
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  isObjectType,
  isInterfaceType,
  isUnionType,
  Kind,
  valueFromASTUntyped,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type DocumentNode,
} from "graphql";
import type { Plugin } from "graphql-yoga";

const DEFAULT_PAGE_SIZE = 20;
/** A guess for lists without a page size (a payment's operations, a membership's sales units). */
const LIST_SIZE = 10;
/** An introspection answer is some 30 KB: priced like a page of a hundred objects with their relations. */
const INTROSPECTION_COST = 1000;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Set when a page size came from a variable: the cost then holds for these variables only. */
  usedVariables?: boolean;
  /**
   * Each fragment's cost, worked out once per walk (by name and whether it sits in a connection): a chain of
   * fragments that each spread the next twice would otherwise cost 2^n steps to price.
   */
  fragmentCosts: Map<string, number>;
}

function pageSize(walk: Walk, args: readonly { name: { value: string }; value: Parameters<typeof valueFromASTUntyped>[0] }[]): number {
  for (const name of ["first", "last"]) {
    const arg = args.find((a) => a.name.value === name);
    if (arg) {
      if (arg.value.kind === Kind.VARIABLE) walk.usedVariables = true;
      const value = valueFromASTUntyped(arg.value, walk.variables);
      if (typeof value === "number" && value >= 0) return value;
    }
  }
  return DEFAULT_PAGE_SIZE;
}

/**
 * The length of a list argument (`nodes(ids:)` answers one object per id), or null when the field takes none: a
 * list sized by its argument costs an object per item as well as what each item selects.
 */
function listArgumentLength(walk: Walk, args: readonly { value: Parameters<typeof valueFromASTUntyped>[0] }[]): number | null {
  let length: number | null = null;
  for (const arg of args) {
    const value = valueFromASTUntyped(arg.value, walk.variables);
    if (!Array.isArray(value)) continue;
    if (arg.value.kind === Kind.VARIABLE) walk.usedVariables = true;
    length = Math.max(length ?? 0, value.length);
  }
  return length;
}

function selectionCost(walk: Walk, parent: GraphQLCompositeType, selectionSet: SelectionSetNode, inConnection: boolean): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? (walk.schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType) : parent;
      total += selectionCost(walk, type ?? parent, selection.selectionSet, inConnection);
    } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const key = `${selection.name.value} ${inConnection}`;
      let cost = walk.fragmentCosts.get(key);
      if (cost === undefined) {
        // Zero while it is being priced: a cycle (which validation refuses anyway) ends here instead of looping.
        walk.fragmentCosts.set(key, 0);
        const fragment = walk.fragments.get(selection.name.value);
        const type = fragment && (walk.schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType);
        cost = fragment && type ? selectionCost(walk, type, fragment.selectionSet, inConnection) : 0;
        walk.fragmentCosts.set(key, cost);
      }
      total += cost;
    } else {
      const name = selection.name.value;
      if (name === "__schema" || name === "__type") {
        total += INTROSPECTION_COST;
        continue;
      }
      if (!selection.selectionSet || isUnionType(parent)) continue;
      const field = (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
      if (!field) continue;
      const named = getNamedType(field.type) as GraphQLCompositeType;
      const connection = named.name.endsWith("Connection");
      const list = isListType(getNullableType(field.type));
      const sizedBy = list && !connection && !inConnection ? listArgumentLength(walk, selection.arguments ?? []) : null;
      if (sizedBy !== null) {
        // Never below what an unsized list costs: a list argument may filter what it answers rather than name it.
        total += 1 + Math.max(LIST_SIZE, sizedBy) * (1 + selectionCost(walk, named, selection.selectionSet, false));
        continue;
      }
      const multiplier = connection ? pageSize(walk, selection.arguments ?? []) : list && !inConnection ? LIST_SIZE : 1;
      total += 1 + multiplier * selectionCost(walk, named, selection.selectionSet, connection);
    }
  }
  return total;
}

/** Costs that no variable can change, per document and operation name; the document's life bounds the entry. */
const fixedCosts = new WeakMap<DocumentNode, Map<string | null, number>>();

export function operationCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): number {
  // `null` (no name given) and "" (a name that matches no operation) are different requests.
  const key = operationName ?? null;
  const known = fixedCosts.get(document)?.get(key);
  if (known !== undefined) return known;
  const walk = computeCost(schema, document, operationName, variables);
  if (!walk.usedVariables) {
    const costs = fixedCosts.get(document) ?? new Map<string | null, number>();
    costs.set(key, walk.cost);
    fixedCosts.set(document, costs);
  }
  return walk.cost;
}

function computeCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): { cost: number; usedVariables: boolean } {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName != null ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return { cost: 0, usedVariables: false };
  const root = schema.getRootType(operation.operation);
  if (!root) return { cost: 0, usedVariables: false };
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  // A variable the request leaves out takes the operation's default, as execution will.
  const withDefaults = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (withDefaults[name] === undefined && definition.defaultValue) withDefaults[name] = valueFromASTUntyped(definition.defaultValue);
  }
  const walk: Walk = { schema, fragments, variables: withDefaults, fragmentCosts: new Map() };
  const cost = selectionCost(walk, root, operation.selectionSet, false);
  return { cost, usedVariables: walk.usedVariables === true };
}

/** Refuses an operation over `maxCost` before it runs, on every transport. */
export function costLimitPlugin(maxCost: number): Plugin {
  const check = (args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null }) => {
    const cost = operationCost(args.schema, args.document, args.operationName, args.variableValues ?? {});
    if (cost <= maxCost) return null;
    return new GraphQLError(`This operation would load about ${cost} objects; the limit is ${maxCost}. Ask for smaller pages or fewer fields.`, {
      extensions: { code: "QUERY_TOO_COSTLY", cost, maxCost },
    });
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = check(args);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = check(args);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}
