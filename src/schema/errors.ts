/** Typed domain errors: each class is an object type implementing `interface Error { message code }`. */
import { builder } from "./builder";
import {
  AmountExceededError,
  ConflictError,
  type DomainError,
  IdempotencyConflictError,
  InvalidStateError,
  LastAdministratorError,
  LimitReachedError,
  NotFoundError,
  ValidationError,
} from "../domain/errors";

export const ErrorInterface = builder.interfaceRef<DomainError>("Error").implement({
  description: "A refusal the client can act on. `code` is stable; `message` says what to do next.",
  fields: (t) => ({
    message: t.exposeString("message"),
    code: t.exposeString("code"),
  }),
});

const errorOptions = (description: string, cls: abstract new (...args: never[]) => DomainError) => ({
  description,
  interfaces: [ErrorInterface],
  isTypeOf: (value: unknown) => value instanceof cls,
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  ...errorOptions("The input breaks a rule; `field` names the input field.", ValidationError),
  fields: (t) => ({ field: t.exposeString("field", { nullable: true }) }),
});
builder.objectType(NotFoundError, {
  name: "NotFoundError",
  ...errorOptions("No such object, or not one the caller may see.", NotFoundError),
  fields: (t) => ({ objectType: t.exposeString("objectType") }),
});
builder.objectType(InvalidStateError, {
  name: "InvalidStateError",
  ...errorOptions("The object's state does not allow this operation.", InvalidStateError),
  fields: () => ({}),
});
builder.objectType(AmountExceededError, {
  name: "AmountExceededError",
  ...errorOptions("The amount is more than what is available.", AmountExceededError),
  fields: (t) => ({ availableAmount: t.exposeInt("availableAmount") }),
});
builder.objectType(LimitReachedError, {
  name: "LimitReachedError",
  ...errorOptions("A limit was reached.", LimitReachedError),
  fields: (t) => ({ limit: t.exposeInt("limit") }),
});
builder.objectType(IdempotencyConflictError, {
  name: "IdempotencyConflictError",
  ...errorOptions("The idempotency key was used before for a different request.", IdempotencyConflictError),
  fields: () => ({}),
});
builder.objectType(ConflictError, {
  name: "ConflictError",
  ...errorOptions("A unique value is already taken.", ConflictError),
  fields: (t) => ({ field: t.exposeString("field", { nullable: true }) }),
});
builder.objectType(LastAdministratorError, {
  name: "LastAdministratorError",
  ...errorOptions("A merchant must keep at least one Administrator.", LastAdministratorError),
  fields: () => ({}),
});

/** The error types every management mutation may answer with. */
export const COMMON_ERRORS = [ValidationError, NotFoundError, ConflictError, InvalidStateError];
