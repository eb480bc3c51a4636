/**
 * Talking to the gateway: every GraphQL call takes a document from the generated typed client (client/*.graphql,
 * `npm run codegen`), so its variables and result are typed by the schema. The token lives in this module and in
 * sessionStorage (it survives a reload of the tab, not the tab itself), never in a URL.
 */
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";

const TOKEN_KEY = "portal-dashboard-token";

let token: string | null = sessionStorage.getItem(TOKEN_KEY);

export function currentToken(): string | null {
  return token;
}

export function setToken(value: string | null): void {
  token = value;
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** A GraphQL error (UNAUTHENTICATED, FORBIDDEN, a refused rule…) or an HTTP failure, with its code. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Whether the gateway refused the token itself (not a rate limit, an outage or a lost network): log in again. */
export function isTokenRefused(error: unknown): error is ApiError {
  return error instanceof ApiError && (error.code === "UNAUTHENTICATED" || error.code === "FORBIDDEN");
}

interface GraphQLBody<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const printed = new WeakMap<object, string>();

function source(document: TypedDocumentNode<unknown, unknown>): string {
  let text = printed.get(document);
  if (!text) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

export function graphqlSource<R, V>(document: TypedDocumentNode<R, V>): string {
  return source(document as TypedDocumentNode<unknown, unknown>);
}

/**
 * The answer of an operation that had no error. Guarded root fields are nullable (null only when refused, with an
 * error), and `request` throws on any error, so the root fields it returns are present.
 */
export type Answered<R> = { [K in keyof R]: NonNullable<R[K]> };

export async function request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<Answered<R>> {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: graphqlSource(document), variables }),
  });
  const body = (await response.json().catch(() => ({}))) as GraphQLBody<R>;
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code ?? "GRAPHQL_ERROR");
  if (!response.ok || !body.data) throw new ApiError(`The gateway answered HTTP ${response.status}.`, `HTTP_${response.status}`);
  return body.data as Answered<R>;
}

/** The development login's demo people (served only where the development login is enabled). */
export interface DevPersona {
  key: string;
  description: string;
  name: string;
  nin: string | null;
  method: string | null;
  operator?: boolean;
}

export async function devPersonas(): Promise<DevPersona[] | null> {
  const response = await fetch("/auth/dev/personas");
  if (!response.ok) return null;
  return (await response.json()) as DevPersona[];
}

export async function devLogin(persona: DevPersona): Promise<string> {
  const body = persona.operator ? { operator: true } : { nin: persona.nin, method: persona.method };
  const response = await fetch("/auth/dev/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const answer = (await response.json().catch(() => ({}))) as { accessToken?: string; message?: string; error?: string };
  if (!response.ok || !answer.accessToken) throw new ApiError(answer.message ?? `Login failed (HTTP ${response.status}).`, answer.error ?? "LOGIN_FAILED");
  return answer.accessToken;
}

/** A fresh idempotency key for a money mutation (kept while the same input is retried). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
