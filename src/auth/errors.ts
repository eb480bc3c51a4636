import { GraphQLError } from "graphql";

/** No credentials, or credentials that do not verify. */
export class AuthenticationError extends GraphQLError {
  constructor(message = "Log in first: send a valid bearer token in the Authorization header.") {
    super(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
  }
}

/** Valid credentials without the permission the operation needs. */
export class ForbiddenError extends GraphQLError {
  constructor(message = "You do not have permission to do this. Ask an Administrator of the merchant for access.") {
    super(message, { extensions: { code: "FORBIDDEN" } });
  }
}
