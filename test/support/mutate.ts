/** One management mutation through the real API: `input:` argument, a union of `Mutation<Name>Success` and typed errors. */
import type { TestGateway } from "./gateway";

export interface MutationResult<T> {
  __typename: string;
  code?: string;
  message?: string;
  field?: string | null;
  limit?: number;
  data?: T;
}

export interface MutationResponse<T> {
  /** The union member the mutation answered with; undefined when the request failed (e.g. FORBIDDEN). */
  result: MutationResult<T> | undefined;
  /** `extensions.code` of the first GraphQL error, e.g. FORBIDDEN or UNAUTHENTICATED. */
  errorCode: string | undefined;
}

const ERROR_SELECTIONS = "... on Error { code message } ... on ValidationError { field } ... on ConflictError { field }";

/**
 * `selection` is what to read from `data`; `extraErrors` adds spreads for error types only some mutations return
 * (a spread on a type outside the union does not validate).
 */
export async function mutate<T = Record<string, unknown>>(
  gateway: TestGateway,
  token: string | null,
  field: string,
  input: Record<string, unknown>,
  selection = "id",
  extraErrors = "",
): Promise<MutationResponse<T>> {
  const type = field.charAt(0).toUpperCase() + field.slice(1);
  const query = `mutation($input: ${type}Input!) { ${field}(input: $input) {
    __typename ... on Mutation${type}Success { data { ${selection} } } ${ERROR_SELECTIONS} ${extraErrors} } }`;
  const response = await gateway.graphql<Record<string, MutationResult<T>>>(token, query, { input });
  return { result: response.data?.[field] ?? undefined, errorCode: response.errors?.[0]?.extensions?.code };
}
