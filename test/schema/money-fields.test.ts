/**
 * Money everywhere for sums: a field that adds amounts up (a total, a gross, net or fee figure, a revenue) is `Money`
 * or `MinorUnits`, 64-bit, or is deprecated in favour of one. A 32-bit `Int`, a `Float` or untyped `JSON` would
 * overflow or lose cents past 2^31 minor units. Counts (`totalCount`, `count`) are not sums.
 */
import { getNamedType, isInputObjectType, isObjectType, type GraphQLField, type GraphQLInputField, type GraphQLObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/schema";

const SUM = /gross|net|fee|revenue|total|sum/i;
const NOT_A_SUM = /count$/i;
const UNSAFE = new Set(["Int", "Float", "JSON", "String"]);

function fieldsOf(): { coordinate: string; field: GraphQLField<unknown, unknown> | GraphQLInputField }[] {
  return Object.values(schema.getTypeMap())
    .filter((type) => (isObjectType(type) || isInputObjectType(type)) && !type.name.startsWith("__"))
    .flatMap((type) => Object.values((type as { getFields(): Record<string, GraphQLField<unknown, unknown> | GraphQLInputField> }).getFields()).map((field) => ({ coordinate: `${type.name}.${field.name}`, field })));
}

describe("sums", () => {
  it("are Money or MinorUnits, or deprecated in favour of them", () => {
    const sums = fieldsOf().filter(({ field }) => SUM.test(field.name) && !NOT_A_SUM.test(field.name));
    expect(sums.map(({ coordinate }) => coordinate)).toEqual(expect.arrayContaining(["ReportTotal.gross", "ReportTotal.net", "Settlement.gross", "RecurringRequest.monthlyRevenue"]));
    const unsafe = sums.filter(({ field }) => UNSAFE.has(getNamedType(field.type).name) && !field.deprecationReason).map(({ coordinate }) => coordinate);
    expect(unsafe).toEqual([]);
  });

  it("ReportRun.totals is a typed list of Money sums, not JSON", () => {
    const totals = (schema.getType("ReportRun") as GraphQLObjectType).getFields().totals!;
    const total = getNamedType(totals.type);
    expect(total.name).toBe("ReportTotal");
    const fields = isObjectType(total) ? total.getFields() : {};
    expect(["gross", "fee", "refund", "net"].map((name) => getNamedType(fields[name]!.type).name)).toEqual(["Money", "Money", "Money", "Money"]);
  });
});
