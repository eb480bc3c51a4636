/**
 * Domain errors: each has a stable `code` that clients branch on and a message that tells the user what to
 * do next. The GraphQL layer exposes each class as an object type implementing `interface Error`.
 */
/**
 * Every code the GraphQL API answers with, in a mutation's typed error (`Error.code`) or a GraphQL error's
 * `extensions.code`: the schema's `ErrorCode` enum, so clients switch on them with type safety. A new code goes
 * here first (test/schema/error-codes.test.ts finds every code the source uses).
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: "The input breaks a rule; `path` names the input field.",
  INVALID_ID: "An id is not a global id of the expected type (an id of another type, or not an id at all).",
  NOT_FOUND: "No such object, or not one the caller may see: both answer the same.",
  INVALID_STATE: "The object's state does not allow the operation (e.g. a refund of a reserved payment).",
  AMOUNT_EXCEEDED: "The amount is more than what is left to capture, refund or cancel.",
  LIMIT_REACHED: "A limit such as the test-user cap was reached.",
  IDEMPOTENCY_KEY_REUSED: "The idempotency key was used before with a different request.",
  CONFLICT: "A unique value (reference, name, NIN …) is already taken, or a pending request exists.",
  LAST_ADMINISTRATOR: "The change would leave the merchant without an Administrator.",
  UNAUTHENTICATED: "No valid token: log in or get a new access token.",
  FORBIDDEN: "The caller may not do or read this.",
  BAD_USER_INPUT: "An argument's value is malformed (e.g. a MinorUnits that is not a string of digits).",
  AMOUNT_OUT_OF_RANGE: "A deprecated Int field cannot hold this sum: read its Money field instead.",
  GRAPHQL_PARSE_FAILED: "The document is not valid GraphQL syntax.",
  GRAPHQL_VALIDATION_FAILED: "The document does not match the schema.",
  QUERY_TOO_COSTLY: "The operation would cost more than the limit: ask for fewer objects.",
  RATE_LIMITED: "Too many requests: wait `retryAfterSeconds`.",
  TOO_MANY_CONNECTIONS: "Too many open subscription connections for this caller.",
  TOO_MANY_SUBSCRIPTIONS: "Too many subscriptions on one connection.",
  SLOW_CONSUMER: "The subscriber fell too far behind and was disconnected: resubscribe with `after`.",
  PERSISTED_OPERATION_REQUIRED: "This gateway runs only persisted operations: send the operation's hash.",
  PERSISTED_OPERATION_NOT_FOUND: "No persisted operation has this hash.",
  SERVICE_UNAVAILABLE: "The database is briefly unavailable: retry (nothing was changed that a retry cannot repeat).",
  INTERNAL_SERVER_ERROR: "An unexpected error, logged with the request id.",
  WEBHOOK_ADDRESS_REFUSED: "A webhook delivery was not sent: the endpoint's address resolved to a loopback, private or link-local network (recorded on the attempt).",
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
}

/** Input that breaks a validation rule; `field` names the input field (dotted path) that is wrong. */
export class ValidationError extends DomainError {
  readonly code: "VALIDATION_FAILED" | "INVALID_ID" = "VALIDATION_FAILED";
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = "ValidationError";
  }
}

/**
 * An id that is not a global id of the type the argument takes. A ValidationError (so every mutation that answers
 * one answers this too), with its own code.
 */
export class InvalidIdError extends ValidationError {
  override readonly code = "INVALID_ID";
  constructor(field: string | null = null) {
    super("This id is not an id of the expected type: use the `id` the API answered for that object.", field);
    this.name = "InvalidIdError";
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
