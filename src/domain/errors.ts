/**
 * Domain errors: each has a stable `code` that clients branch on and a message that tells the user what to
 * do next. The GraphQL layer exposes each class as an object type implementing `interface Error`.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
}

/** Input that breaks a validation rule; `field` names the input field (dotted path) that is wrong. */
export class ValidationError extends DomainError {
  readonly code = "VALIDATION_FAILED";
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = "ValidationError";
  }
}

/** The object does not exist or the caller may not see it: both give the same answer, so ids of other merchants' objects reveal nothing. */
export class NotFoundError extends DomainError {
  readonly code = "NOT_FOUND";
  constructor(readonly objectType: string) {
    super(`No ${objectType} with that id exists or you do not have access to it.`);
    this.name = "NotFoundError";
  }
}

/** The object is in a state that does not allow the operation (e.g. refund of a reserved payment). */
export class InvalidStateError extends DomainError {
  readonly code = "INVALID_STATE";
  constructor(message: string) {
    super(message);
    this.name = "InvalidStateError";
  }
}

/** An amount larger than what is left to capture, refund or cancel. */
export class AmountExceededError extends DomainError {
  readonly code = "AMOUNT_EXCEEDED";
  constructor(
    message: string,
    readonly availableAmount: number,
  ) {
    super(message);
    this.name = "AmountExceededError";
  }
}

/** A limit such as the test-user cap was reached. */
export class LimitReachedError extends DomainError {
  readonly code = "LIMIT_REACHED";
  constructor(
    message: string,
    readonly limit: number,
  ) {
    super(message);
    this.name = "LimitReachedError";
  }
}

/** The same idempotency key was used before with a different request. */
export class IdempotencyConflictError extends DomainError {
  readonly code = "IDEMPOTENCY_KEY_REUSED";
  constructor() {
    super("This idempotency key was already used with a different request. Use a new key for a new operation.");
    this.name = "IdempotencyConflictError";
  }
}

/** A unique value (reference, name, NIN…) is already taken. */
export class ConflictError extends DomainError {
  readonly code = "CONFLICT";
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = "ConflictError";
  }
}

/** Removing or demoting the last Administrator of a merchant. */
export class LastAdministratorError extends DomainError {
  readonly code = "LAST_ADMINISTRATOR";
  constructor() {
    super(
      "A merchant must keep at least one Administrator. Add another Administrator first, or ask customer service to hand the role over.",
    );
    this.name = "LastAdministratorError";
  }
}
