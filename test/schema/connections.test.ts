/**
 * Lists are uniform: one connection type per node type (`<Node>Connection` with `<Node>Edge`s, whichever field lists
 * the rows), and each tells how long it is with `totalCount`.
 */
import { getNamedType, isObjectType, type GraphQLObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/schema";

/** Connections without a count, and why. */
const UNCOUNTED: Record<string, string> = {
  QueryEventsConnection: "an append-only history read newest first to resume a feed; counting it would scan the whole outbox",
};

const connections = Object.values(schema.getTypeMap()).filter(
  (type): type is GraphQLObjectType => isObjectType(type) && type.name.endsWith("Connection") && "edges" in type.getFields(),
);

/** The type of the rows a connection lists: its edges' node. */
function nodeTypeOf(connection: GraphQLObjectType): string {
  const edge = getNamedType(connection.getFields().edges!.type) as GraphQLObjectType;
  return getNamedType(edge.getFields().node!.type).name;
}

/** Every field of the schema that answers a connection, as `Type.field`. */
function fieldsAnswering(connection: GraphQLObjectType): string[] {
  return Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .flatMap((type) => Object.values(type.getFields()).filter((field) => getNamedType(field.type) === connection).map((field) => `${type.name}.${field.name}`));
}

describe("connections", () => {
  it("all have totalCount", () => {
    expect(connections.length).toBeGreaterThan(10);
    const uncounted = connections.filter((type) => !type.getFields().totalCount).map((type) => type.name);
    expect(uncounted).toEqual(Object.keys(UNCOUNTED));
  });

  it("are one type per node type: no two connections list the same type", () => {
    const byNode = new Map<string, string[]>();
    for (const connection of connections) byNode.set(nodeTypeOf(connection), [...(byNode.get(nodeTypeOf(connection)) ?? []), connection.name]);
    const shared = [...byNode.entries()].filter(([, names]) => names.length > 1);
    expect(shared).toEqual([]);
  });

  it("are named after their node type, with edges named alike (the uncounted history excepted)", () => {
    const misnamed = connections
      .filter((connection) => !(connection.name in UNCOUNTED))
      .flatMap((connection) => {
        const node = nodeTypeOf(connection);
        const edge = getNamedType(connection.getFields().edges!.type).name;
        return connection.name === `${node}Connection` && edge === `${node}Edge` ? [] : [`${connection.name} (${edge}) lists ${node}`];
      });
    expect(misnamed).toEqual([]);
  });

  it("serve every list of the same rows with one type: sales units, payments and product orders from two fields each", () => {
    expect(fieldsAnswering(schema.getType("SalesUnitConnection") as GraphQLObjectType).sort()).toEqual(["Merchant.salesUnits", "Query.salesUnits"]);
    expect(fieldsAnswering(schema.getType("TransactionConnection") as GraphQLObjectType).sort()).toEqual(["PaymentLink.transactions", "Query.transactions"]);
    expect(fieldsAnswering(schema.getType("ProductOrderConnection") as GraphQLObjectType).sort()).toEqual(["Merchant.productOrders", "Query.productOrders"]);
  });
});
