/**
 * The WebSocket close codes the gateway uses (4000–4999 are the application's); what each means to a client is
 * described in websocket.ts. A leaf module, so the graphql-ws adapter and the connection rules share them without
 * importing each other.
 */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;
/** RFC 6455 "Try Again Later": the database is briefly away; clients (graphql-ws's among them) reconnect. */
export const CLOSE_TRY_AGAIN_LATER = 1013;
