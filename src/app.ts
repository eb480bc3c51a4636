/**
 * Assembles the gateway: Yoga for HTTP (GraphQL, GraphiQL and the plain endpoints) and graphql-ws on the same
 * path for WebSocket clients. Every WebSocket operation goes through Yoga's enveloped parse/validate/context
 * path, so auth and limits are the same on both transports.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { Logger } from "pino";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { WebSocketServer, type WebSocket } from "ws";
import { getOperationAST, GraphQLError, type ExecutionArgs, type ExecutionResult } from "graphql";
import { onlyMoneyMutations, type PrincipalCache } from "./auth/principal-cache";
import { DomainError, ValidationError } from "./domain/errors";
import { schema } from "./schema";
import { createContext, type Context } from "./context";
import type { Services } from "./deps";
import { coreRoutes, routesPlugin, type RouteHandler } from "./http/routes";
import { graphiqlDocument, renderPortalGraphiQL } from "./http/graphiql";
import { connectionParam, websocketRules } from "./events/websocket";
import { serveGraphQLWs } from "./events/graphql-ws-server";
import { useCompiledReads } from "./sql/plugin";
import { createFastLane, useFastLaneMutations, type FastLane } from "./sql/fast-lane";
import { isDatabaseUnavailable } from "./db/errors";
import { currentRequestId, loggableError, requestIdFrom, withRequestId } from "./logging";
import { inputGuardPlugin } from "./limits/input-guard";
import { bodySizePlugin, limitRequestTime, MAX_REQUEST_BYTES } from "./limits/body-size";
import { clientAddress, rateLimitPlugin } from "./limits/plugin";
import { costLimitPlugin } from "./limits/cost";
import { introspectionPlugin, refusedBeforeParsing } from "./limits/introspection";
import { loadManifest, persistedOperationsPlugins, persistedQueryOf } from "./limits/persisted";
import { PAY_PAGE_MANIFEST } from "./http/payment-links";
import { offerNextLane, permissionClass, useSharedSubscriptionResults } from "./events/shared-execution";
import { endStreams, eventStreamHold, refuseSingleConnectionMode, streamingResponse, useSseSubscriptions } from "./events/sse";
import { errorCodes, metricsPlugin, observeHttp, operationOf, routeLabeller } from "./metrics/plugin";

/** Bytes a WebSocket client may leave unread before it counts as too slow (4008): hundreds of feed events. */
const MAX_BUFFERED_BYTES_PER_SOCKET = 512 * 1024;

export interface Gateway {
  server: Server;
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  /** Compiled reads answered without Yoga; null when the compiled read path is off or only persisted operations run. */
  fastLane: FastLane | null;
  /** Resolves when the server listens; gives the base URL. */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
  /** Cuts the live event streams (SSE) so their clients reconnect elsewhere; `close` does too. */
  endStreams(): void;
}

/** Documents that do not parse or validate never reach maskError; they are the client's errors too. */
function refusalLogPlugin(logger: Logger): Plugin {
  return {
    onParse: () => ({ result }) => {
      if (result instanceof Error) logger.info({ code: "GRAPHQL_PARSE_FAILED", error: result.message }, "GraphQL operation refused");
    },
    onValidate: () => ({ result }) => {
      if (result.length > 0) logger.info({ code: "GRAPHQL_VALIDATION_FAILED", error: result.map((e) => e.message).join("; ") }, "GraphQL operation refused");
    },
  };
}

/** Yoga logs a message and, sometimes, details after it. */
function yogaLine(args: unknown[]): Record<string, unknown> {
  return args.length > 1 ? { details: args.slice(1) } : {};
}

/**
 * What an error in a GraphQL result is, for its log level and whether it is masked: the client's own doing (a
 * syntax, validation or variable error, a typed refusal such as FORBIDDEN or UNAUTHENTICATED: GraphQL errors
 * that wrap nothing else), the database being away for the moment, or a bug.
 */
export function errorKind(error: unknown): "client" | "unavailable" | "unexpected" {
  if (isDatabaseUnavailable(error)) return "unavailable";
  let current: unknown = error;
  while (current instanceof GraphQLError) {
    if (!current.originalError) return "client";
    current = current.originalError;
  }
  return "unexpected";
}

/** A restart or failover of the database: nothing was changed that the client cannot safely send again. */
function serviceUnavailableError(): GraphQLError {
  return new GraphQLError("The service is briefly unavailable: try again in a moment.", {
    extensions: { code: "SERVICE_UNAVAILABLE", http: { status: 503, headers: { "retry-after": "1" } } },
  });
}

/**
 * An error thrown before a WebSocket operation runs, as the GraphQL error its `error` message carries: the client's
 * own (a syntax error, a refusal) as it is, the database being away as SERVICE_UNAVAILABLE, anything else masked.
 */
export function operationRefusal(error: unknown, logger: Logger): GraphQLError {
  return shownError(error, logger) ?? new GraphQLError("Unexpected error.", { extensions: { code: "INTERNAL_SERVER_ERROR" } });
}

/**
 * Logs an error by its kind and gives what the client is shown: its own error as it is, the database being away as
 * SERVICE_UNAVAILABLE; null for a bug, which the caller masks in its own way.
 */
function shownError(error: unknown, logger: Logger): GraphQLError | null {
  switch (errorKind(error)) {
    case "client":
      logger.info({ code: (error as GraphQLError).extensions?.code ?? null, error: (error as Error).message }, "GraphQL operation refused");
      return error as GraphQLError;
    case "unavailable":
      logger.warn({ err: loggableError(error) }, "The database was unavailable to a GraphQL operation");
      return serviceUnavailableError();
    case "unexpected":
      logger.error({ err: loggableError(error) }, "Unexpected error in a GraphQL operation");
      return null;
  }
}

/** A WebSocket operation whose execution throws answers with the error instead of closing the connection. */
async function settleOperation(run: () => unknown): Promise<unknown> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    throw error;
  }
}

/** How long shutdown waits for requests in flight before cutting connections. */
const SHUTDOWN_GRACE_MS = 10_000;
/** graphql-sse's path (distinct connections mode); Yoga's own SSE answers on /graphql. */
const SSE_ENDPOINT = "/graphql/stream";

/** Generous for any real portal screen, small enough that parsing a hostile document stays cheap. */
const MAX_QUERY_TOKENS = 5000;

/** GraphiQL's own introspection query is 15 levels deep; aliases and the cost limit keep it from being repeated. */
const MAX_INTROSPECTION_DEPTH = 16;

/** No screen needs more; each directive is evaluated per field it sits on. */
const MAX_DIRECTIVES = 20;

interface InitialContext {
  request?: Request;
  connectionParams?: Record<string, unknown>;
  socket?: WebSocket;
  /** WebSocket operations: the peer's address (the upgrade request is not kept). */
  address?: string | null;
  /** Node's request and response, on HTTP (including both SSE endpoints). */
  req?: IncomingMessage;
  res?: ServerResponse;
}

/**
 * A mutation may change who reaches what (memberships, keys, links): the cache is dropped before its answer goes
 * out, so the caller's next request reads access afresh even before the database's notification arrives.
 */
function forgetPrincipalsAfterMutations(principals: PrincipalCache): Plugin<Record<string, unknown>, Context> {
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== "mutation" || onlyMoneyMutations(operation)) return;
      return { onExecuteDone: () => principals.invalidate() };
    },
  };
}

export function createGateway(services: Services, extraRoutes: Record<string, RouteHandler> = {}): Gateway {
  const { config, logger } = services;
  const allRoutes = { ...coreRoutes(services), ...extraRoutes };
  // The gateway's own pages' operations (the payment link's payer page) are persisted whatever the client build holds.
  const manifest =
    config.persistedOperations === "off"
      ? new Map<string, string>()
      : new Map([...loadManifest(config.persistedOperationsManifest), ...Object.entries(PAY_PAGE_MANIFEST)]);
  const persisted = persistedOperationsPlugins(config.persistedOperations, manifest);
  // The live event streams (SSE) open on this instance, cut at shutdown.
  const streams = new Set<ServerResponse>();
  const maskError = (error: unknown, message: string, isDev?: boolean): Error => {
    const original = (error as { originalError?: unknown }).originalError;
    // A rule a query refused (a search too long) reaches the client typed, like a mutation's refusal.
    if (original instanceof DomainError) {
      const { nodes, path } = error as GraphQLError;
      const field = original instanceof ValidationError ? { field: original.field } : {};
      logger.info({ code: original.code, error: original.message }, "GraphQL operation refused");
      return new GraphQLError(original.message, { nodes, path, extensions: { code: original.code, ...field } });
    }
    return shownError(error, logger) ?? (isDev ? (error as Error) : new (class extends Error {})(message));
  };
  /** A result's errors as Yoga masks them, for results a live feed sends itself (graphql-ws-server.ts, `NextLanes`). */
  const maskResult = (result: ExecutionResult): ExecutionResult =>
    result.errors
      ? {
          ...result,
          errors: result.errors.map((error) => {
            const masked = maskError(error, "Unexpected error.", !config.production);
            return masked instanceof GraphQLError ? masked : new GraphQLError(masked.message, { path: error.path, extensions: { code: "INTERNAL_SERVER_ERROR" } });
          }),
        }
      : result;
  // Compiled reads whose document is already known skip Yoga (src/sql/fast-lane.ts); not where only persisted
  // operations may run, since the lane takes documents by their text.
  const fastLane = services.sql && config.persistedOperations !== "only" ? createFastLane(services, services.sql) : null;
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: "/graphql",
    maxRequestBodySize: MAX_REQUEST_BYTES,
    graphiql: config.graphiql ? { title: "Portal Gateway", subscriptionsProtocol: "WS", defaultQuery: graphiqlDocument(config.publicBaseUrl) } : false,
    // The bundled GraphiQL works without a CDN (developer laptops behind strict proxies, these machines); its
    // subscriptions carry the Headers pane's token (src/http/graphiql.ts).
    renderGraphiQL: renderPortalGraphiQL,
    landingPage: false,
    logging: {
      debug: (...args) => logger.debug(yogaLine(args), String(args[0])),
      info: (...args) => logger.info(yogaLine(args), String(args[0])),
      warn: (...args) => logger.warn(yogaLine(args), String(args[0])),
      // Yoga logs every error maskError replaced, raw (a Prisma error quotes its call's arguments); maskError has
      // already logged it at its level, in a loggable form.
      error: (...args) => logger.debug({ err: loggableError(args[0]) }, "Error masked by Yoga"),
    },
    maskedErrors: {
      isDev: !config.production,
      maskError,
    },
    context: async (initial: InitialContext) => {
      const header = (name: string) => initial.request?.headers.get(name) ?? null;
      const params = initial.connectionParams;
      const context = await createContext(services, {
        authorization: header("authorization") ?? connectionParam(params, "authorization", "Authorization"),
        msn: header("merchant-serial-number") ?? connectionParam(params, "Merchant-Serial-Number"),
        requestId: currentRequestId(),
        clientAddress: clientAddress(initial),
        ...(initial.socket
          ? {
              // A method: it lives as long as the operation, and named arrow functions cost a property table each here.
              closeConnection(code: number, reason: string) {
                initial.socket?.close(code, reason);
              },
              expiryClosesConnection: true,
            }
          : initial.res
            ? streamingResponse(initial.res)
            : {}),
      });
      if (initial.req && initial.res) context.holdStream = eventStreamHold(services.events.connections, context.principal, initial.req, initial.res, streams);
      return context;
    },
    plugins: [
      metricsPlugin(services.metrics),
      rateLimitPlugin(services.limits),
      bodySizePlugin("/graphql"),
      ...persisted,
      ...(services.principals ? [forgetPrincipalsAfterMutations(services.principals)] : []),
      ...(services.sql ? [useCompiledReads(services.sql, fastLane?.learn)] : []),
      ...(fastLane ? [useFastLaneMutations(fastLane)] : []),
      refusalLogPlugin(logger),
      routesPlugin(allRoutes, logger),
      maxDepthPlugin({ n: config.maxQueryDepth, ignoreIntrospection: true, flattenFragments: true }),
      maxDepthPlugin({ n: MAX_INTROSPECTION_DEPTH, ignoreIntrospection: false, flattenFragments: true }),
      maxTokensPlugin({ n: MAX_QUERY_TOKENS }),
      maxAliasesPlugin({ n: config.maxAliases }),
      maxDirectivesPlugin({ n: MAX_DIRECTIVES }),
      introspectionPlugin(config.introspection),
      costLimitPlugin(config.maxQueryCost),
      inputGuardPlugin(),
      // Subscribers with the same selection and permissions share each event's result (live feed at scale).
      useSharedSubscriptionResults<Context & Record<string, unknown>>((ctx) => permissionClass(ctx.principal, ctx.access)),
      // Subscriptions for clients that cannot open WebSockets (graphql-sse protocol, both modes) on /graphql/stream.
      refuseSingleConnectionMode(SSE_ENDPOINT),
      useSseSubscriptions(
        SSE_ENDPOINT,
        (error) => operationRefusal(error, logger),
        (request, query) => refusedBeforeParsing(config.introspection, request, query),
      ),
    ],
  });

  const routeLabel = routeLabeller([...Object.keys(allRoutes), `POST ${yoga.graphqlEndpoint}`, "POST /graphql/stream"]);
  // Shutdown waits for requests in flight so none of them meets a closed database pool: until each response is done
  // (or its connection gone), not only until its handler returned, since a streamed download goes on after that.
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    res.once("close", () => inFlight--);
    observeHttp(services.metrics, routeLabel, req, res);
    const requestId = requestIdFrom(req.headers["x-request-id"]?.toString());
    res.setHeader("x-request-id", requestId);
    const toYoga = () => yoga(req, res);
    const handled = fastLane?.accepts(req) ? () => fastLane.serve(req, res, toYoga) : toYoga;
    withRequestId(requestId, () => Promise.resolve(handled()))
      .catch((error: unknown) => {
        logger.error({ err: loggableError(error) }, "Unexpected error in the fast lane");
        if (res.headersSent) return void res.end();
        // Yoga's masked shape, so a client reads the same as for an error Yoga answers.
        res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ errors: [{ message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR" } }] }));
      });
  });
  limitRequestTime(server);
  const wsServer = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: MAX_REQUEST_BYTES });
  const wsRules = websocketRules(services);
  const wsService = serveGraphQLWs(
    {
      onConnect: wsRules.onConnect,
      onClose: wsRules.onClose,
      execute: (args) => withRequestId((args.contextValue as Context).requestId, () => settleOperation(() => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args))) as never,
      subscribe: (args) => withRequestId((args.contextValue as Context).requestId, () => settleOperation(() => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args))) as never,
      onSubscribe: async (ctx, id, payload) => {
        let operation: ReturnType<typeof operationOf> = { name: payload.operationName ?? null, type: "unknown" };
        let ran = false;
        const answered = <T>(outcome: T, errors: readonly GraphQLError[] = []): T => {
          services.metrics.operationAnswered(services.metrics.operationLabel(operation.name, ran), operation.type, "websocket", null, errorCodes({ errors }));
          return outcome;
        };
        const refused = wsRules.admit(ctx);
        if (refused) return answered(refused, refused);
        // Whatever refuses this operation (a document that does not parse, a spent budget, a token that expired in the
        // meantime) is answered as an `error` message for its id: graphql-ws would close the whole connection, and
        // every other operation on it, on an error thrown here.
        try {
          const { schema: enveloped, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            address: ctx.extra.address,
            socket: ctx.extra.socket,
            params: payload,
            connectionParams: ctx.connectionParams,
          });
          const document = parse(persistedQueryOf(config.persistedOperations, manifest, payload));
          operation = operationOf(document, payload.operationName);
          const args = {
            schema: enveloped,
            operationName: payload.operationName,
            document,
            variableValues: payload.variables,
            // Each WebSocket operation is a request of its own in the logs.
            contextValue: await withRequestId(randomUUID(), () => contextFactory()),
            rootValue: { execute, subscribe },
          };
          const errors = validate(args.schema, args.document);
          if (errors.length) return answered(errors, errors);
          ran = Boolean((args.contextValue as unknown as Partial<Context>).principal);
          // A live feed may send this operation's events itself, without graphql-ws's per-message work.
          offerNextLane(args.contextValue, ctx.extra.lanes.open(ctx, id));
          return answered(args);
        } catch (error) {
          const errors = [operationRefusal(error, logger)];
          return answered(errors, errors);
        }
      },
    },
    wsServer,
    { maxQueuedMessages: config.subscriptionQueueLimit, maxBufferedBytes: MAX_BUFFERED_BYTES_PER_SOCKET },
    undefined,
    maskResult,
  );

  return {
    server,
    yoga,
    fastLane,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${host.includes(":") ? `[${host}]` : host}:${address.port}`);
        });
      }),
    endStreams: () => endStreams(streams),
    close: async () => {
      endStreams(streams);
      wsRules.stop();
      wsService.dispose();
      for (const client of wsServer.clients) client.close(1001, "Server shutting down");
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + SHUTDOWN_GRACE_MS;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      server.closeAllConnections();
      await closed;
    },
  };
}
