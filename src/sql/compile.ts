/**
 * Compiles a query operation over the hot types (src/sql/types.ts) into one SQL statement whose single value is the
 * response's `data` as JSON text, with every access rule inside the statement. The ordinary resolvers cost about
 * ten times as much CPU per row (plugin wrappers, a query interpreter, allocation per field); here PostgreSQL builds
 * the response and Node only passes it on.
 *
 * Exactness comes first: the compiler follows graphql-js's field collection (fragments, aliases, @skip/@include,
 * merged fields in first-seen order) and answers only what it knows how to answer exactly. Anything else throws
 * `NotCompilable` and the operation runs through the resolvers. A row the caller may not see never reaches the
 * response: lists and roots are filtered by the same conditions as the resolvers, and an object whose own auth scope
 * fails renders as the `DENIED` marker, on which the caller re-runs the operation through the resolvers to get the
 * ordinary errors.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { decodeGlobalId, isUuid, listCursorId } from "../domain/ids";
import { orderColumns, SALES_UNIT_ORDER_COLUMNS, TRANSACTION_ORDER_COLUMNS, type OrderColumn, type OrderDirection } from "../domain/ordering";
import { SqlParams, toSql, type Condition } from "../db/conditions";
import type { Access } from "../auth/permissions";
import type { Principal } from "../auth/principal";
import { transactionListCondition, viewableTransactions, type TransactionListFilter } from "../auth/policies/transaction";
import { salesUnitListCondition, viewableMerchants, type SalesUnitListFilter } from "../auth/policies/sales-unit";
import { NotCompilable, TYPE_MAPPINGS, type Row, type SqlScope, type TypeMapping } from "./types";
import { base64Id, jsonArrayAgg, jsonBoolean, jsonObject, jsonScalar, jsonValue, NULL_JSON, orNull } from "./json-text";

/** A JSON string no column can produce (PostgreSQL text holds no NUL): an object the caller may not see. */
export const DENIED = '"\\u0000denied"';
const DENIED_SQL = `'${DENIED}'`;

/** How every compiled statement begins (tests tell them from the resolvers' statements by it). */
export const COMPILED_STATEMENT = "SELECT /* compiled read */";

/** The page sizes of the relay plugin (its defaults: the builder sets none). */
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

export interface CompileInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variables: Record<string, unknown>;
  access: Access;
  principal: Principal;
}

export interface CompiledStatement {
  text: string;
  values: unknown[];
}

type Fields = Map<string, FieldNode[]>;

class Compiler {
  private aliasCount = 0;
  readonly params = new SqlParams();
  readonly scope: SqlScope;
  private readonly fragments: Record<string, FragmentDefinitionNode> = {};

  /**
   * While a connection's nodes are written: the aliases of its page rows, and the relations built once per distinct
   * target over the whole page (common table expressions added to the connection's WITH).
   */
  private page: { name: string; size: number; rows: Set<string>; relations: string[] } | null = null;

  private readonly operation: OperationDefinitionNode;
  /** Whether an @include or @skip took its condition from a variable: what is selected depends on the request. */
  selectionFollowsVariables = false;
  /** The operation's variables, coerced as execution coerces them. */
  private readonly variables: Record<string, unknown>;

  constructor(private readonly input: CompileInput) {
    for (const definition of input.document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments[definition.name.value] = definition;
    }
    this.scope = { access: input.access, principal: input.principal, params: this.params, alias: () => `t${++this.aliasCount}` };
    const operations = input.document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    // As execution chooses: a name given (even "") must match one; without a name the document must hold only one.
    // Which one is chosen is the request's, not the document's: another request may choose a query that compiles.
    const name = input.operationName;
    const operation = name != null ? operations.find((o) => o.name?.value === name) : operations.length === 1 ? operations[0] : undefined;
    if (!operation) throw new NotCompilable("no single operation", false);
    if (operation.operation !== "query") throw new NotCompilable("not a query", operations.length === 1);
    this.operation = operation;
    const coerced = getVariableValues(input.schema, operation.variableDefinitions ?? [], input.variables);
    if (coerced.errors) throw new NotCompilable("variables that do not coerce", false);
    this.variables = coerced.coerced;
  }

  /** graphql-js's CollectFields: response keys in first-seen order, each with every field node it merges. */
  collect(type: GraphQLObjectType, selectionSet: SelectionSetNode, into: Fields = new Map(), seen = new Set<string>()): Fields {
    for (const selection of selectionSet.selections) {
      if (!this.included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const nodes = into.get(key);
        if (nodes) nodes.push(selection);
        else into.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (selection.typeCondition && !this.matches(type, selection.typeCondition.name.value)) continue;
        this.collect(type, selection.selectionSet, into, seen);
      } else {
        const name = selection.name.value;
        if (seen.has(name)) continue;
        seen.add(name);
        const fragment = this.fragments[name];
        if (!fragment || !this.matches(type, fragment.typeCondition.name.value)) continue;
        this.collect(type, fragment.selectionSet, into, seen);
      }
    }
    return into;
  }

  private included(node: FieldNode | { directives?: FieldNode["directives"] }): boolean {
    if (!node.directives?.length) return true;
    for (const directive of node.directives) {
      if (directive.name.value !== "skip" && directive.name.value !== "include") throw new NotCompilable(`directive @${directive.name.value}`);
      if (directive.arguments?.some((argument) => argument.value.kind === Kind.VARIABLE)) this.selectionFollowsVariables = true;
    }
    const skip = getDirectiveValues(GraphQLSkipDirective, node as FieldNode, this.variables);
    if (skip?.if === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node as FieldNode, this.variables);
    return include?.if !== false;
  }

  private matches(type: GraphQLObjectType, condition: string): boolean {
    if (condition === type.name) return true;
    const conditionType = this.input.schema.getType(condition);
    return conditionType !== undefined && conditionType !== null && isAbstractType(conditionType) && this.input.schema.isSubType(conditionType, type);
  }

  private args(type: GraphQLObjectType, nodes: FieldNode[]): Record<string, unknown> {
    const field = type.getFields()[nodes[0]!.name.value]!;
    try {
      return getArgumentValues(field, nodes[0]!, this.variables);
    } catch {
      throw new NotCompilable("arguments that do not coerce", false);
    }
  }

  private subfields(parentType: GraphQLObjectType, nodes: FieldNode[]): { type: GraphQLObjectType; fields: Fields } {
    const fieldType = getNamedType(parentType.getFields()[nodes[0]!.name.value]!.type);
    if (!isObjectType(fieldType)) throw new NotCompilable(`a field of abstract type ${fieldType.name}`);
    const fields: Fields = new Map();
    const seen = new Set<string>();
    for (const node of nodes) if (node.selectionSet) this.collect(fieldType, node.selectionSet, fields, seen);
    return { type: fieldType, fields };
  }

  /** The JSON text of the selected fields of one row of `type`. */
  object(type: GraphQLObjectType, fields: Fields, row: Row): string {
    const mapping = mappingOf(type.name);
    const pairs: [string, string][] = [];
    for (const [key, nodes] of fields) pairs.push([key, this.field(type, mapping, nodes, row)]);
    if (pairs.length > 50) throw new NotCompilable("more than 50 fields in one object");
    return jsonObject(pairs);
  }

  /** The object of `type` for `row`, or the DENIED marker where the type's own scope refuses it. */
  guardedObject(type: GraphQLObjectType, fields: Fields, row: Row): string {
    const authorize = mappingOf(type.name).authorize;
    const object = this.object(type, fields, row);
    return authorize ? `CASE WHEN ${authorize(row, this.scope)} THEN ${object} ELSE ${DENIED_SQL} END` : object;
  }

  private field(type: GraphQLObjectType, mapping: TypeMapping, nodes: FieldNode[], row: Row): string {
    const name = nodes[0]!.name.value;
    if (name === "__typename") return this.typename(type.name);
    const field = mapping.fields[name];
    if (!field) throw new NotCompilable(`${type.name}.${name}`);
    const column = (c: string) => `${row.alias}."${c}"`;
    switch (field.kind) {
      case "column":
        return jsonScalar(column(field.column), field.json);
      case "globalId":
        return globalId(field.typename, column("id"));
      case "expr":
        return jsonScalar(field.sql(row, this.scope), "any");
      case "value":
        return jsonValue(field.value(this.scope), (value, cast) => this.params.add(value, cast));
      case "embedded": {
        const { type: target, fields: sub } = this.subfields(type, nodes);
        const object = this.object(target, sub, row);
        return field.when ? `CASE WHEN ${field.when(row, this.scope)} THEN ${object} ELSE ${NULL_JSON} END` : object;
      }
      case "one": {
        const { type: target, fields: sub } = this.subfields(type, nodes);
        const alias = this.scope.alias();
        const table = tableOf(target.name);
        if (field.key && this.page?.rows.has(row.alias)) return this.pageRelation(target, sub, table, field.key, row);
        return orNull(`(SELECT ${this.guardedObject(target, sub, { alias, parent: row })} FROM "${table}" ${alias} WHERE ${field.where(row, alias)})`);
      }
      case "many": {
        const { type: target, fields: sub } = this.subfields(type, nodes);
        const alias = this.scope.alias();
        const element = this.guardedObject(target, sub, { alias, parent: row });
        return `(SELECT ${jsonArrayAgg(element, field.orderBy(alias))} ${field.from(row, alias, this.scope)})`;
      }
    }
  }

  /**
   * A to-one relation of a page's rows, built once per distinct target (the page's 50 payments of one sales unit
   * build that unit and its merchant once) and looked up by key per row. MATERIALIZED: inlined, PostgreSQL would
   * build it again for every row. The target's own auth scope is inside, as everywhere.
   */
  private pageRelation(target: GraphQLObjectType, fields: Fields, table: string, key: string, row: Row): string {
    const page = this.page!;
    const relation = this.scope.alias();
    const alias = this.scope.alias();
    const object = this.guardedObject(target, fields, { alias });
    page.relations.push(
      `${relation} AS MATERIALIZED (SELECT ${alias}."id" AS __key, ${object} AS __json FROM "${table}" ${alias} ` +
        `WHERE ${alias}."id" IN (SELECT k."${key}" FROM ${page.name} k WHERE k.__rn <= ${page.size}))`,
    );
    return orNull(`(SELECT ${relation}.__json FROM ${relation} WHERE ${relation}.__key = ${row.alias}."${key}")`);
  }

  /** A root connection over `table`, newest first or by name, with the relay plugin's paging. */
  connection(
    type: GraphQLObjectType,
    nodes: FieldNode[],
    options: { table: string; nodeType: string; condition: Condition; orderBy: readonly { column: string; direction: "ASC" | "DESC" }[] },
  ): string {
    const args = this.args(type, nodes);
    // The resolvers page backwards; whether a request does may lie in its variables.
    if (args.last != null || args.before != null) throw new NotCompilable("backward paging", false);
    const first = args.first as number | null | undefined;
    if (first != null && first < 0) throw new NotCompilable("a negative page size", false);
    // The resolvers refuse a larger page with a ValidationError.
    if (first != null && first > MAX_PAGE_SIZE) throw new NotCompilable("a page over the maximum size", false);
    const size = first ?? DEFAULT_PAGE_SIZE;
    const mapping = mappingOf(options.nodeType);
    const filterAlias = this.scope.alias();
    const where = toSql(options.condition, filterAlias, mapping.columns ?? {}, this.params);
    const order = (alias: string) => options.orderBy.map((o) => `${alias}."${o.column}" ${o.direction}`).join(", ");
    let cursorCondition = "TRUE";
    let offset = "";
    const after = args.after as string | null | undefined;
    if (after != null) {
      const id = cursorId(after);
      // Prisma's cursor paging: rows from the cursor row on, in list order, then skip one (the cursor row itself). The
      // cursor's row must be one of the list's (see `listedPage`): any other gives no page, as an unknown one does.
      const columns = options.orderBy.map((o) => `${filterAlias}."${o.column}"`).join(", ");
      const cursorAlias = this.scope.alias();
      const cursorColumns = options.orderBy.map((o) => `${cursorAlias}."${o.column}"`).join(", ");
      const comparison = options.orderBy[0]!.direction === "DESC" ? "<=" : ">=";
      const listed = toSql(options.condition, cursorAlias, mapping.columns ?? {}, this.params);
      cursorCondition = `(${columns}) ${comparison} (SELECT ${cursorColumns} FROM "${options.table}" ${cursorAlias} WHERE ${cursorAlias}.id = ${this.params.add(id, "uuid")} AND ${listed})`;
      offset = " OFFSET 1";
    }
    const page = this.scope.alias();
    const pageSql =
      `SELECT p.*, row_number() OVER (ORDER BY ${order("p")}) AS __rn FROM (SELECT ${filterAlias}.* FROM "${options.table}" ${filterAlias} ` +
      `WHERE ${where} AND ${cursorCondition} ORDER BY ${order(filterAlias)} LIMIT ${size + 1}${offset}) p`;

    const { type: connectionType, fields } = this.subfields(type, nodes);
    const nodeType = this.input.schema.getType(options.nodeType) as GraphQLObjectType;
    this.page = { name: page, size, rows: new Set(), relations: [] };
    const cursorOf = (alias: string) => prismaCursor(`${alias}.id`);
    const pageRows = (row: Row, element: string) =>
      `(SELECT ${jsonArrayAgg(element, `${row.alias}.__rn`)} FROM ${page} ${row.alias} WHERE ${row.alias}.__rn <= ${size})`;
    const pairs: [string, string][] = [];
    for (const [key, fieldNodes] of fields) {
      const name = fieldNodes[0]!.name.value;
      let value: string;
      if (name === "__typename") value = this.typename(connectionType.name);
      else if (name === "totalCount") {
        const countAlias = this.scope.alias();
        value = `(SELECT count(*)::text FROM "${options.table}" ${countAlias} WHERE ${toSql(options.condition, countAlias, mapping.columns ?? {}, this.params)})`;
      } else if (name === "edges") {
        const { type: edgeType, fields: edgeFields } = this.subfields(connectionType, fieldNodes);
        const row: Row = { alias: this.scope.alias() };
        this.page.rows.add(row.alias);
        const edgePairs: [string, string][] = [];
        for (const [edgeKey, edgeNodes] of edgeFields) {
          const edgeName = edgeNodes[0]!.name.value;
          if (edgeName === "__typename") edgePairs.push([edgeKey, this.typename(edgeType.name)]);
          else if (edgeName === "cursor") edgePairs.push([edgeKey, cursorOf(row.alias)]);
          else if (edgeName === "node") edgePairs.push([edgeKey, this.guardedObject(nodeType, this.subfields(edgeType, edgeNodes).fields, row)]);
          else throw new NotCompilable(`${edgeType.name}.${edgeName}`);
        }
        value = pageRows(row, jsonObject(edgePairs));
      } else if (name === "nodes") {
        const row: Row = { alias: this.scope.alias() };
        this.page.rows.add(row.alias);
        value = pageRows(row, this.guardedObject(nodeType, this.subfields(connectionType, fieldNodes).fields, row));
      } else if (name === "pageInfo") {
        const { type: pageInfoType, fields: infoFields } = this.subfields(connectionType, fieldNodes);
        const infoPairs: [string, string][] = [];
        for (const [infoKey, infoNodes] of infoFields) {
          const infoName = infoNodes[0]!.name.value;
          if (infoName === "__typename") infoPairs.push([infoKey, this.typename(pageInfoType.name)]);
          else if (infoName === "hasNextPage") infoPairs.push([infoKey, jsonBoolean(`(SELECT count(*) FROM ${page}) > ${size}`)]);
          else if (infoName === "hasPreviousPage") infoPairs.push([infoKey, after != null ? "'true'" : "'false'"]);
          else if (infoName === "startCursor") infoPairs.push([infoKey, orNull(`(SELECT ${cursorOf("s")} FROM ${page} s WHERE s.__rn = 1 AND s.__rn <= ${size})`)]);
          else if (infoName === "endCursor") infoPairs.push([infoKey, orNull(`(SELECT ${cursorOf("e")} FROM ${page} e WHERE e.__rn <= ${size} ORDER BY e.__rn DESC LIMIT 1)`)]);
          else throw new NotCompilable(`PageInfo.${infoName}`);
        }
        value = jsonObject(infoPairs);
      } else throw new NotCompilable(`${connectionType.name}.${name}`);
      pairs.push([key, value]);
    }
    const relations = this.page.relations.map((r) => `, ${r}`).join("");
    this.page = null;
    return `(WITH ${page} AS (${pageSql})${relations} SELECT ${jsonObject(pairs)})`;
  }

  /** One row of a node type found by a condition, or null. */
  single(nodes: FieldNode[], nodeTypeName: string, condition: Condition): string {
    const nodeType = this.input.schema.getType(nodeTypeName);
    if (!isObjectType(nodeType)) throw new NotCompilable(`node type ${nodeTypeName}`);
    const fields: Fields = new Map();
    const seen = new Set<string>();
    for (const node of nodes) if (node.selectionSet) this.collect(nodeType, node.selectionSet, fields, seen);
    const mapping = mappingOf(nodeTypeName);
    const row: Row = { alias: this.scope.alias() };
    const where = toSql(condition, row.alias, mapping.columns ?? {}, this.params);
    return orNull(`(SELECT ${this.guardedObject(nodeType, fields, row)} FROM "${tableOf(nodeTypeName)}" ${row.alias} WHERE ${where} LIMIT 1)`);
  }

  /** `__typename`: a type's name, as a parameter holding its JSON string. */
  private typename(name: string): string {
    return jsonValue(name, (value, cast) => this.params.add(value, cast));
  }

  root(): string {
    const queryType = this.input.schema.getQueryType()!;
    const fields = this.collect(queryType, this.operation.selectionSet);
    const pairs: [string, string][] = [];
    for (const [key, nodes] of fields) pairs.push([key, this.rootField(queryType, nodes)]);
    return `${COMPILED_STATEMENT} ${jsonObject(pairs)} AS data`;
  }

  private rootField(queryType: GraphQLObjectType, nodes: FieldNode[]): string {
    const name = nodes[0]!.name.value;
    const { access } = this.input;
    switch (name) {
      case "__typename":
        return this.typename(queryType.name);
      case "transactions":
      case "salesUnits": {
        const root = ROOT_CONNECTIONS[name];
        const args = this.args(queryType, nodes);
        return this.connection(queryType, nodes, { ...root, condition: root.condition(args.filter, access), orderBy: root.order(args.orderBy) });
      }
      case "salesUnit": {
        const { msn } = this.args(queryType, nodes) as { msn: string };
        return this.single(nodes, "SalesUnit", { all: [{ field: "msn", eq: msn }, access.salesUnitScope("VIEW_SALES_UNIT")] });
      }
      case "node": {
        const { id } = this.args(queryType, nodes) as { id: string };
        const decoded = decodeId(id);
        const condition = NODE_CONDITIONS.get(decoded.typename);
        if (!condition) throw new NotCompilable(`node of type ${decoded.typename}`, false);
        try {
          return this.single(nodes, decoded.typename, { all: [{ field: "id", eq: decoded.id }, condition(access)] });
        } catch (error) {
          // What is selected follows the id's type (`... on Transaction`), and the id may be the request's.
          if (error instanceof NotCompilable && error.structural) throw new NotCompilable(error.message, false);
          throw error;
        }
      }
      case "viewer": {
        const viewerType = getNamedType(queryType.getFields().viewer!.type) as GraphQLObjectType;
        const fields: Fields = new Map();
        for (const node of nodes) if (node.selectionSet) this.collect(viewerType, node.selectionSet, fields);
        return this.object(viewerType, fields, { alias: "viewer" });
      }
      default:
        throw new NotCompilable(`Query.${name}`);
    }
  }
}

/** The root connections this path compiles: their table, the rows the caller may see (with the filter), their order. */
const ROOT_CONNECTIONS = {
  transactions: {
    table: "Transaction",
    nodeType: "Transaction",
    condition: (filter: unknown, access: Access) => transactionListCondition(decodeTransactionFilter(filter), access),
    order: (orderBy: unknown) => listOrder(orderBy, TRANSACTION_ORDER_COLUMNS, "CREATED_AT", "DESC"),
  },
  salesUnits: {
    table: "SalesUnit",
    nodeType: "SalesUnit",
    condition: (filter: unknown, access: Access) => salesUnitListCondition(decodeSalesUnitFilter(filter), access),
    order: (orderBy: unknown) => listOrder(orderBy, SALES_UNIT_ORDER_COLUMNS, "NAME", "ASC"),
  },
} as const satisfies Record<string, { table: string; nodeType: string; condition: (filter: unknown, access: Access) => Condition; order: (orderBy: unknown) => OrderColumn[] }>;

/** The `orderBy` argument (already coerced) as columns, the same ones the resolvers sort by. */
function listOrder(orderBy: unknown, columns: Record<string, string>, defaultField: string, defaultDirection: OrderDirection): OrderColumn[] {
  const order = (orderBy ?? {}) as { field?: string; direction?: OrderDirection };
  const column = columns[order.field ?? defaultField];
  if (!column) throw new NotCompilable(`an order by ${order.field}`, false);
  return orderColumns(column, order.direction ?? defaultDirection);
}

/** The node types `node(id:)` compiles, with what the caller may see of each (the same filters as their findUnique). */
const NODE_CONDITIONS = new Map<string, (access: Access) => Condition>([
  ["Transaction", viewableTransactions],
  ["SalesUnit", (access) => access.salesUnitScope("VIEW_SALES_UNIT")],
  ["Merchant", viewableMerchants],
]);

function mappingOf(typename: string): TypeMapping {
  const mapping = Object.hasOwn(TYPE_MAPPINGS, typename) ? TYPE_MAPPINGS[typename] : undefined;
  if (!mapping) throw new NotCompilable(`type ${typename}`);
  return mapping;
}

function tableOf(typename: string): string {
  const table = mappingOf(typename).table;
  if (!table) throw new NotCompilable(`${typename} has no table`);
  return table;
}

/** The relay plugin's global id, as a JSON string: base64 of "<Type>:<id>". */
function globalId(typename: string, id: string): string {
  return base64Id(`${typename}:`, id);
}

/** The prisma plugin's cursor on `id`, as a JSON string: base64 of "GPC:S:<id>". */
function prismaCursor(id: string): string {
  return base64Id("GPC:S:", id);
}

function cursorId(cursor: string): string {
  const id = listCursorId(cursor);
  if (id === null || !isUuid(id)) throw new NotCompilable("a cursor the resolvers must refuse", false);
  return id;
}

function decodeId(id: string): { typename: string; id: string } {
  try {
    const decoded = decodeGlobalId(id);
    if (!isUuid(decoded.id)) throw new Error("not a uuid");
    return decoded;
  } catch {
    throw new NotCompilable("an id the resolvers must answer", false);
  }
}

function decodeGlobalIdFor(typename: string, id: unknown): string {
  const decoded = decodeId(String(id));
  if (decoded.typename !== typename) throw new NotCompilable(`an id of ${decoded.typename} where ${typename} is expected`, false);
  return decoded.id;
}

function decodeTransactionFilter(raw: unknown): TransactionListFilter | null {
  if (raw == null) return null;
  const filter = raw as Record<string, unknown>;
  return {
    ...(filter as TransactionListFilter),
    merchantId: filter.merchantId == null ? null : decodeGlobalIdFor("Merchant", filter.merchantId),
    salesUnitIds: filter.salesUnitIds == null ? null : (filter.salesUnitIds as unknown[]).map((id) => decodeGlobalIdFor("SalesUnit", id)),
    paymentLinkId: filter.paymentLinkId == null ? null : decodeGlobalIdFor("PaymentLink", filter.paymentLinkId),
  };
}

function decodeSalesUnitFilter(raw: unknown): SalesUnitListFilter | null {
  if (raw == null) return null;
  const filter = raw as Record<string, unknown>;
  return { ...(filter as SalesUnitListFilter), merchantId: filter.merchantId == null ? null : decodeGlobalIdFor("Merchant", filter.merchantId) };
}

/**
 * The largest statement this path writes. PostgreSQL takes at most 65,535 parameters; a caller whose access is that
 * wide (a partner linked to sales units of thousands of merchants repeats them in every guard) is answered by the
 * resolvers instead, and statements this large are not worth keeping in the lane's cache either.
 */
export const MAX_STATEMENT_PARAMETERS = 10_000;
const MAX_STATEMENT_LENGTH = 1_000_000;

/** The statement for an operation, or `NotCompilable`. */
export function compileOperation(input: CompileInput): CompiledStatement {
  const compiler = new Compiler(input);
  try {
    const text = compiler.root();
    const values = compiler.params.values;
    if (values.length > MAX_STATEMENT_PARAMETERS || text.length > MAX_STATEMENT_LENGTH) throw new NotCompilable("a statement too large for this caller's access", false);
    return { text, values };
  } catch (error) {
    // A field this path does not know, selected by one request's variables: another request may not select it.
    if (error instanceof NotCompilable && error.structural && compiler.selectionFollowsVariables) throw new NotCompilable(error.message, false);
    throw error;
  }
}
