/** Typed domain errors: each class is an object type implementing `interface Error { message code }`. */
import { builder } from "./builder";
import {
  AmountExceededError,
  ConflictError,
  type DomainError,
  ERROR_CODES,
  IdempotencyConflictError,
  InvalidStateError,
  LastAdministratorError,
  LimitReachedError,
  NotFoundError,
  ValidationError,
} from "../domain/errors";

export const ErrorCodeEnum = builder.enumType("ErrorCode", {
  description:
    "Every code the API answers with: in a mutation's typed error (`Error.code`) and in a GraphQL error's `extensions.code`. " +
    "Stable; new codes may be added, so treat an unknown one as a generic refusal.",
  values: Object.fromEntries(Object.entries(ERROR_CODES).map(([code, description]) => [code, { value: code, description }])) as {
    [Code in keyof typeof ERROR_CODES]: { value: Code; description: string };
  },
});

export const ErrorInterface = builder.interfaceRef<DomainError>("Error").implement({
  description: "A refusal the client can act on. `code` is stable; `message` says what to do next.",
  fields: (t) => ({
    message: t.exposeString("message", { description: "What went wrong and what to do next, for people; its wording may change: match on `code`." }),
    code: t.field({ type: ErrorCodeEnum, description: "Stable machine-readable reason.", resolve: (error) => error.code }),
  }),
});

/** `field` ("consents.0.text") as a path from the mutation's arguments: ["input", "consents", "0", "text"]. */
const inputPath = (field: string | null) => (field === null ? null : ["input", ...field.split(".")]);
const PATH_DESCRIPTION = 'The path to the input field at fault, from the mutation\'s arguments, e.g. ["input", "amount"]; null when no one field is.';
const FIELD_DEPRECATION = "Use `path`. Deprecated 2026-12-02, removed no earlier than 2027-06-02 (README: deprecation policy).";

const errorOptions = (description: string, cls: abstract new (...args: never[]) => DomainError) => ({
  description,
  interfaces: [ErrorInterface],
  isTypeOf: (value: unknown) => value instanceof cls,
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  ...errorOptions("The input breaks a rule (`code` VALIDATION_FAILED), or an id is not an id of the expected type (INVALID_ID); `path` names the input field.", ValidationError),
  fields: (t) => ({
    path: t.stringList({ nullable: true, description: PATH_DESCRIPTION, resolve: (error) => inputPath(error.field) }),
    field: t.exposeString("field", { nullable: true, description: "The input field at fault, dotted (\"consents.0.text\").", deprecationReason: FIELD_DEPRECATION }),
  }),
});
builder.objectType(NotFoundError, {
  name: "NotFoundError",
  ...errorOptions("No such object, or not one the caller may see.", NotFoundError),
  fields: (t) => ({ objectType: t.exposeString("objectType", { description: "The type of object that was not found, e.g. SalesUnit." }) }),
});
builder.objectType(InvalidStateError, {
  name: "InvalidStateError",
  ...errorOptions("The object's state does not allow this operation.", InvalidStateError),
  fields: () => ({}),
});
builder.objectType(AmountExceededError, {
  name: "AmountExceededError",
  ...errorOptions("The amount is more than what is available.", AmountExceededError),
  fields: (t) => ({ availableAmount: t.exposeInt("availableAmount", { description: "What is left to capture or refund, in minor units (øre, cents)." }) }),
});
builder.objectType(LimitReachedError, {
  name: "LimitReachedError",
  ...errorOptions("A limit was reached.", LimitReachedError),
  fields: (t) => ({ limit: t.exposeInt("limit", { description: "The limit that was reached." }) }),
});
builder.objectType(IdempotencyConflictError, {
  name: "IdempotencyConflictError",
  ...errorOptions("The idempotency key was used before for a different request.", IdempotencyConflictError),
  fields: () => ({}),
});
builder.objectType(ConflictError, {
  name: "ConflictError",
  ...errorOptions("A unique value is already taken.", ConflictError),
  fields: (t) => ({
    path: t.stringList({ nullable: true, description: PATH_DESCRIPTION, resolve: (error) => inputPath(error.field) }),
    field: t.exposeString("field", { nullable: true, description: "The input field at fault, dotted.", deprecationReason: FIELD_DEPRECATION }),
  }),
});
builder.objectType(LastAdministratorError, {
  name: "LastAdministratorError",
  ...errorOptions("A merchant must keep at least one Administrator.", LastAdministratorError),
  fields: () => ({}),
});

/** The error types every management mutation may answer with. */
export const COMMON_ERRORS = [ValidationError, NotFoundError, ConflictError, InvalidStateError];
