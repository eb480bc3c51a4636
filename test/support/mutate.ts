/**
 * One mutation through the real API: `input:` argument, a union of `Mutation<Name>Success` and typed errors. The
 * error members are read from the schema, so every error's own fields (`field`, `limit`, `availableAmount`…) come
 * back without the caller listing them.
 */
import { getNamedType, isLeafType, isNonNullType, isUnionType, type GraphQLObjectType } from "graphql";
import { schema } from "../../src/schema";
import type { TestGateway } from "./gateway";

export interface MutationResult<T> {
  __typename: string;
  code?: string;
  message?: string;
  field?: string | null;
  limit?: number;
  availableAmount?: number;
  data?: T;
}

export interface MutationResponse<T> {
  /** The union member the mutation answered with; undefined when the request failed (e.g. FORBIDDEN). */
  result: MutationResult<T> | undefined;
  /** `extensions.code` of the first GraphQL error, e.g. FORBIDDEN or UNAUTHENTICATED. */
  errorCode: string | undefined;
}

/** `selection` is what to read from `data`. */
export async function mutate<T = Record<string, unknown>>(
  gateway: TestGateway,
  token: string | null,
  field: string,
  input: Record<string, unknown>,
  selection = "id",
): Promise<MutationResponse<T>> {
  const type = field.charAt(0).toUpperCase() + field.slice(1);
  const query = `mutation($input: ${type}Input!) { ${field}(input: $input) {
    __typename ... on Mutation${type}Success { data { ${selection} } } ${errorSelections(field)} } }`;
  const response = await gateway.graphql<Record<string, MutationResult<T>>>(token, query, { input });
  return { result: response.data?.[field] ?? undefined, errorCode: response.errors?.[0]?.extensions?.code };
}

/** The data of a successful mutation; fails the test with the refusal otherwise. */
export function succeeded<T>(outcome: MutationResponse<T>): T {
  if (!outcome.result?.data) throw new Error(`Expected success, got ${JSON.stringify(outcome.result ?? outcome.errorCode)}`);
  return outcome.result.data;
}

/** A spread per error member of the mutation's result union, selecting its scalar fields. */
function errorSelections(field: string): string {
  const union = getNamedType(schema.getMutationType()?.getFields()[field]?.type);
  if (!isUnionType(union)) throw new Error(`${field} is not a mutation answering a result union`);
  return union
    .getTypes()
    .filter((member) => member.getInterfaces().some((face) => face.name === "Error"))
    .map((member) => `... on ${member.name} { ${leafFields(member).join(" ")} }`)
    .join(" ");
}

function leafFields(type: GraphQLObjectType): string[] {
  return Object.values(type.getFields())
    .filter((f) => isLeafType(getNamedType(f.type)) && f.args.every((arg) => !isNonNullType(arg.type)))
    .map((f) => f.name);
}
