/**
 * Assembles the gateway: Yoga for HTTP (GraphQL, GraphiQL and the plain endpoints) and graphql-ws on the same
 * path for WebSocket clients. Every WebSocket operation goes through Yoga's enveloped parse/validate/context
 * path, so auth and limits are the same on both transports.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { useGraphQLSSE } from "@graphql-yoga/plugin-graphql-sse";
import { WebSocketServer, type WebSocket } from "ws";
import { useServer } from "graphql-ws/use/ws";
import type { ExecutionArgs } from "graphql";
import { schema } from "./schema";
import { createContext, type Context, type Services } from "./context";
import { coreRoutes, routesPlugin, type RouteHandler } from "./http/routes";
import { connectionParam, websocketRules } from "./events/websocket";
import { permissionClass, useSharedSubscriptionResults } from "./events/shared-execution";
import { countEventStream, streamingResponse } from "./events/sse";

export interface Gateway {
  server: Server;
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  /** Resolves when the server listens; gives the base URL. */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Prisma's error messages quote the failed call with its arguments, which can be a NIN or a secret: log what
 * identifies the failure (class, code, model, where) and never the arguments.
 */
export function loggableError(error: unknown): unknown {
  const original = (error as { originalError?: unknown }).originalError ?? error;
  if (!(original instanceof Error) || !original.name.startsWith("PrismaClient")) return error;
  const { code, meta } = original as { code?: string; meta?: { modelName?: string } };
  return { type: original.name, code, model: meta?.modelName, stack: original.stack?.split("\n").filter((line) => line.trimStart().startsWith("at ")).join("\n") };
}

/** How long shutdown waits for requests in flight before cutting connections. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Generous for any real portal screen, small enough that parsing a hostile document stays cheap. */
const MAX_QUERY_TOKENS = 5000;

interface InitialContext {
  request?: Request;
  connectionParams?: Record<string, unknown>;
  socket?: WebSocket;
  /** Node's request and response, on HTTP (including both SSE endpoints). */
  req?: IncomingMessage;
  res?: ServerResponse;
}

export function createGateway(services: Services, extraRoutes: Record<string, RouteHandler> = {}): Gateway {
  const { config, logger } = services;
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: "/graphql",
    graphiql: { title: "Portal Gateway", subscriptionsProtocol: "WS" },
    // The bundled GraphiQL works without a CDN (developer laptops behind strict proxies, these machines).
    renderGraphiQL,
    landingPage: false,
    logging: {
      debug: (...args) => logger.debug(args),
      info: (...args) => logger.info(args),
      warn: (...args) => logger.warn(args),
      error: (...args) => logger.error(args),
    },
    maskedErrors: {
      isDev: !config.production,
      maskError: (error, message, isDev) => {
        logger.error({ err: loggableError(error) }, "Unexpected error in a GraphQL operation");
        return isDev ? (error as Error) : new (class extends Error {})(message);
      },
    },
    context: async (initial: InitialContext) => {
      const header = (name: string) => initial.request?.headers.get(name) ?? null;
      const params = initial.connectionParams;
      const context = await createContext(services, {
        authorization: header("authorization") ?? connectionParam(params, "authorization", "Authorization"),
        msn: header("merchant-serial-number") ?? connectionParam(params, "Merchant-Serial-Number"),
        requestId: header("x-request-id"),
        ...(initial.socket
          ? { closeConnection: (code: number, reason: string) => initial.socket?.close(code, reason) }
          : initial.res
            ? streamingResponse(initial.res)
            : {}),
      });
      if (initial.req && initial.res) context.refusedStream = countEventStream(services.events.connections, context.principal, initial.req, initial.res);
      return context;
    },
    plugins: [
      routesPlugin({ ...coreRoutes(services), ...extraRoutes }),
      maxDepthPlugin({ n: config.maxQueryDepth, ignoreIntrospection: true, flattenFragments: true }),
      maxTokensPlugin({ n: MAX_QUERY_TOKENS }),
      // Subscribers with the same selection and permissions share each event's result (live feed at scale).
      useSharedSubscriptionResults<Context & Record<string, unknown>>((ctx) => permissionClass(ctx.principal, ctx.access)),
      // Subscriptions for clients that cannot open WebSockets (graphql-sse protocol, both modes) on /graphql/stream.
      useGraphQLSSE(),
    ],
  });

  // Shutdown waits for requests in flight so none of them meets a closed database pool.
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    Promise.resolve(yoga(req, res)).finally(() => inFlight--);
  });
  const wsServer = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const wsRules = websocketRules(services);
  useServer(
    {
      onConnect: wsRules.onConnect,
      onClose: wsRules.onClose,
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const refused = wsRules.admit(ctx);
        if (refused) return refused;
        const { schema: enveloped, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          connectionParams: ctx.connectionParams,
        });
        const args = {
          schema: enveloped,
          operationName: payload.operationName,
          document: parse(payload.query),
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wsServer,
  );

  return {
    server,
    yoga,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${host.includes(":") ? `[${host}]` : host}:${address.port}`);
        });
      }),
    close: async () => {
      wsRules.stop();
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
