/**
 * The fast lane: a POST /graphql whose document the compiled read path has already answered is served here, on
 * node:http, without Yoga's generic pipeline (the fetch-API request and response, envelop's hooks, the context).
 * For a one-row answer that pipeline cost more CPU than the rest of the request together.
 *
 * What a request goes through here is what it goes through in Yoga, in the same order: the per-address budget, the
 * bearer token and its principal (the same caches), the per-principal budget, the cost limit with the request's
 * variables, the input guard on the variables, then the compiled statement with every access rule inside it, and
 * the operation metrics. A document is known here only after it was parsed, validated (depth, aliases, tokens,
 * directives: rules on the document alone) and answered by the compiled path in Yoga, so those verdicts hold for
 * its text. Whatever this lane does not answer itself (an unknown document, a refusal, an anonymous caller,
 * variables that do not coerce, an object some scope refuses, a database error) goes on to Yoga exactly as it came,
 * with the budgets it was already charged recorded (src/limits/plugin.ts), so nobody is charged twice and every
 * refusal is Yoga's own answer.
 *
 * Money mutations (captures, cancels, refunds, payment requests, simulated answers: the hot writes of a point of
 * sale) take the lane too, once Yoga has executed their document over HTTP. After the same checks, the lane runs the
 * resolvers itself (the executor Yoga uses, the same context) and answers a result without errors; a result with
 * errors is handed to Yoga together with the request, and Yoga answers it (masking, status, logs, metrics) without
 * executing it again (`useFastLaneResults`). Variables that do not coerce are handed on before anything runs. Money
 * mutations change nobody's access, so the principal cache stays as it is, as it does when Yoga runs them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { getOperationAST, getVariableValues, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { normalizedExecutor } from "@graphql-tools/executor";
import type { Plugin } from "graphql-yoga";
import type { Services } from "../deps";
import { authenticate } from "../auth/authenticate";
import { onlyMoneyMutations } from "../auth/principal-cache";
import { contextFor, type Context } from "../context";
import { currentRequestId } from "../logging";
import { operationCost } from "../limits/cost";
import { checkOperationInput } from "../limits/input-guard";
import { mentionsSchema } from "../limits/introspection";
import { clientAddress, recordCharges, type Charges } from "../limits/plugin";
import { RateLimitedError } from "../limits/rate-limits";
import type { Access } from "../auth/permissions";
import type { Principal } from "../auth/principal";
import { compileOperation, DENIED, type CompiledStatement } from "./compile";
import type { SqlRunner } from "../deps";
import { refuseCompiled } from "./plugin";

/**
 * Documents remembered; a portal has a few dozen screens. Beyond this the least recently answered one is forgotten
 * (it takes Yoga's path once more to be learned again), so nobody can fill the table with documents of their own
 * and keep everyone else's out.
 */
export const MAX_KNOWN_DOCUMENTS = 1000;
/** Bodies larger than this are not worth the lane (and are not read twice). */
const MAX_BODY_BYTES = 64 * 1024;
const PARAM_KEYS = new Set(["query", "operationName", "variables"]);
/** Statements remembered per caller's access (documents × variables); beyond this the caller's are forgotten. */
const MAX_STATEMENTS_PER_ACCESS = 64;
/** The largest statement (with its key) remembered: 64 of them stay within a megabyte per caller's access. */
const MAX_CACHED_STATEMENT_CHARS = 16 * 1024;

interface KnownDocument {
  /** Distinguishes documents in the statement cache's keys. */
  id: number;
  schema: GraphQLSchema;
  document: DocumentNode;
  /** The operation's own name, as the metrics label it. */
  label: string;
  /** A document of money mutations, which the lane executes with the resolvers; null: a compiled read. */
  mutation: OperationDefinitionNode | null;
  /** The variables the operation declares; null when none can be told (then every variable keys the statement). */
  variables: string[] | null;
}

export interface FastLane {
  /** Called by the compiled read path when it answered a document: later requests with that text come here. */
  learn(query: string, operationName: string | null | undefined, schema: GraphQLSchema, document: DocumentNode, name: string | null): void;
  /** Called when Yoga executes a document of money mutations over HTTP: later requests with that text come here. */
  learnMutation(query: string, operationName: string | null | undefined, schema: GraphQLSchema, document: DocumentNode): void;
  /** The result of a mutation the lane executed and handed on to Yoga to answer (it has errors), if `req` is one. */
  executed(req: IncomingMessage): ExecutionResult | undefined;
  /** True when the request may be one for this lane (decided from its line and headers alone). */
  accepts(req: IncomingMessage): boolean;
  /** Answers the request, or hands it to `next` (Yoga) with its body. */
  serve(req: IncomingMessage, res: ServerResponse, next: () => unknown): Promise<unknown>;
  /** How many requests the lane answered and handed on, and statements it compiled (tests, benchmarks). */
  readonly counts: { answered: number; handedOn: number; compiled: number };
}

/** An absent operation name and an empty one are different requests to graphql-js: they are different keys. */
const keyOf = (query: string, operationName: string | null | undefined) => `${operationName === null || operationName === undefined ? "-" : `+${operationName}`}\n${query}`;

/**
 * The response type Yoga's result processors would pick for a plain (non-streamed) result, or null when the client
 * asks for something else (a stream, multipart, another charset), which Yoga answers.
 */
export function regularMediaType(accept: string | undefined): string | null {
  const requested = (accept || "*/*").replace(/\s/g, "").toLowerCase().split(",");
  let chosen: string | null = null;
  // Yoga reads the list backwards and lets the last match win.
  for (const entry of requested.reverse()) {
    const [mediaType, ...params] = entry.split(";");
    if (!mediaType) continue;
    const charset = params.find((p) => p.includes("charset=")) ?? "charset=utf-8";
    if (charset !== "charset=utf-8") continue;
    if (mediaType === "text/event-stream" || mediaType === "multipart/mixed") return null;
    const [pre, suf] = mediaType.split("/");
    for (const candidate of ["application/graphql-response+json", "application/json"]) {
      const [cpre, csuf] = candidate.split("/");
      if ((pre === "*" || pre === cpre) && (suf === "*" || suf === csuf)) chosen = candidate;
    }
  }
  return chosen;
}

/** The headers Yoga's default CORS adds to a response when the request names its origin. */
function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined) return {};
  const headers: Record<string, string> = { "access-control-allow-origin": origin, vary: "Origin" };
  const method = req.headers["access-control-request-method"];
  if (typeof method === "string" && method) headers["access-control-allow-methods"] = method;
  const requested = req.headers["access-control-request-headers"];
  if (typeof requested === "string" && requested) {
    headers["access-control-allow-headers"] = requested;
    headers.vary += ", Access-Control-Request-Headers";
  }
  headers["access-control-allow-credentials"] = "true";
  return headers;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

interface Params {
  query: string;
  operationName: string | null;
  variables: Record<string, unknown>;
}

/** The body as JSON, or NOT_JSON. */
const NOT_JSON = Symbol("not JSON");
function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return NOT_JSON;
  }
}

/** The request's GraphQL parameters when they are plainly what Yoga accepts, else null (Yoga judges them). */
function paramsOf(parsed: unknown): Params | null {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  for (const key of Object.keys(parsed)) if (!PARAM_KEYS.has(key)) return null;
  const { query, operationName, variables } = parsed as Record<string, unknown>;
  if (typeof query !== "string") return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return null;
  if (variables !== undefined && variables !== null && (typeof variables !== "object" || Array.isArray(variables))) return null;
  return { query, operationName: (operationName as string | null | undefined) ?? null, variables: (variables as Record<string, unknown> | null | undefined) ?? {} };
}

export function createFastLane(services: Services, runner: SqlRunner): FastLane {
  const { config, limits, metrics } = services;
  const known = new Map<string, KnownDocument>();
  let nextDocumentId = 0;
  const counts = { answered: 0, handedOn: 0, compiled: 0 };
  /**
   * Compiled statements by the caller's access: a statement depends only on the document, the operation, the
   * variables and the caller's principal and access, and the principal cache hands out the same objects until any
   * access changes (then new ones, so nothing here outlives a change). Keyed weakly: forgotten with the principal.
   */
  const statements = new WeakMap<Access, { principal: Principal; byKey: Map<string, CompiledStatement> }>();
  const compiled = (entry: KnownDocument, params: Params, access: Access, principal: Principal): CompiledStatement => {
    let mine = statements.get(access);
    if (!mine || mine.principal !== principal) {
      mine = { principal, byKey: new Map() };
      statements.set(access, mine);
    }
    // Only the variables the operation declares make the statement: others are ignored by execution and by the
    // compiler alike, and keyed they would let a caller fill the cache with junk variables.
    const declared = entry.variables === null ? params.variables : Object.fromEntries(entry.variables.filter((name) => Object.hasOwn(params.variables, name)).map((name) => [name, params.variables[name]]));
    const key = `${entry.id}\n${JSON.stringify(declared)}`;
    const known = mine.byKey.get(key);
    if (known) return known;
    const statement = compileOperation({ schema: entry.schema, document: entry.document, operationName: params.operationName, variables: params.variables, access, principal });
    counts.compiled++;
    // A large statement (a long search, a partner's many sales units) is compiled afresh rather than held.
    if (key.length + statement.text.length > MAX_CACHED_STATEMENT_CHARS) return statement;
    if (mine.byKey.size >= MAX_STATEMENTS_PER_ACCESS) mine.byKey.clear();
    mine.byKey.set(key, statement);
    return statement;
  };

  const handOn = (req: IncomingMessage, body: Buffer, parsed: unknown, charges: Charges | null, next: () => unknown) => {
    counts.handedOn++;
    if (charges) recordCharges(req, charges);
    // Yoga's server adapter takes a body already read from `req.body` (as body-parsing frameworks leave it). The JSON
    // already parsed is handed over as it is (its json() answers it): a Buffer it would walk key by key, a string per
    // byte (about 3 ms for 64 KB). What did not parse, or has no keys, goes as the bytes, for Yoga to judge.
    const asParsed = typeof parsed === "object" && parsed !== null && Object.keys(parsed).length > 0;
    (req as IncomingMessage & { body?: unknown }).body = asParsed ? parsed : body;
    return next();
  };

  const remember = (query: string, operationName: string | null | undefined, document: Omit<KnownDocument, "id" | "variables">) => {
    // Yoga refuses a text that mentions the schema before parsing it when introspection is closed: leave those to it.
    const key = keyOf(query, operationName);
    if (known.has(key) || mentionsSchema(query)) return;
    if (known.size >= MAX_KNOWN_DOCUMENTS) known.delete(known.keys().next().value!);
    // The entry is for this text and operation name, so the operation is the same on every request that finds it.
    const variables = getOperationAST(document.document, operationName)?.variableDefinitions?.map((v) => v.variable.name.value) ?? null;
    known.set(key, { id: nextDocumentId++, variables, ...document });
  };
  /** Mutations executed here whose result Yoga answers (it has errors), by request. */
  const executedResults = new WeakMap<IncomingMessage, ExecutionResult>();

  return {
    counts,
    learn(query, operationName, schema, document, name) {
      remember(query, operationName, { schema, document, label: metrics.operationLabel(name, true), mutation: null });
    },
    learnMutation(query, operationName, schema, document) {
      const operation = getOperationAST(document, operationName);
      if (operation?.operation !== "mutation" || !onlyMoneyMutations(operation)) return;
      remember(query, operationName, { schema, document, label: metrics.operationLabel(operation.name?.value ?? null, true), mutation: operation });
    },
    executed: (req) => executedResults.get(req),
    accepts(req) {
      if (req.method !== "POST" || req.url !== "/graphql") return false;
      // Yoga reads the first of a list and matches its media type exactly (case and spaces count); of those, the lane
      // takes plain JSON in UTF-8, and leaves anything else, to be refused or read, to Yoga.
      const type = req.headers["content-type"]?.split(",")[0];
      if (type !== "application/json" && !(type?.startsWith("application/json;") && /^application\/json; ?charset="?utf-8"?$/i.test(type))) return false;
      const length = Number(req.headers["content-length"]);
      return length > 0 && length <= MAX_BODY_BYTES && req.headers["transfer-encoding"] === undefined && known.size > 0;
    },
    async serve(req, res, next) {
      let body: Buffer;
      try {
        body = await readBody(req);
      } catch {
        // The client went away while sending: nobody to answer.
        res.destroy();
        return undefined;
      }
      const startedAt = performance.now();
      const parsed = parseJson(body);
      const params = paramsOf(parsed);
      const mediaType = regularMediaType(req.headers.accept);
      const key = params && mediaType ? keyOf(params.query, params.operationName) : null;
      const entry = key === null ? undefined : known.get(key);
      if (!params || !mediaType || !entry) return handOn(req, body, parsed, null, next);
      // The most recently answered last: the table forgets from the front.
      known.delete(key!);
      known.set(key!, entry);

      const charges: Charges = { address: null };
      try {
        await limits.consume("address", clientAddress({ req }));
      } catch (error) {
        // A budget store that failed: Yoga charges (and fails) as it always does.
        return handOn(req, body, parsed, error instanceof RateLimitedError ? { address: error } : null, next);
      }
      let auth: Awaited<ReturnType<typeof authenticate>>;
      try {
        auth = await authenticate(services, { authorization: req.headers.authorization ?? null, msn: headerValue(req, "merchant-serial-number") });
      } catch {
        // A token refused (expired, forged, unknown key): Yoga's context refuses it with its ordinary error.
        return handOn(req, body, parsed, charges, next);
      }
      const { principal, access } = auth;
      if (!principal) return handOn(req, body, parsed, charges, next);
      try {
        await limits.consume("principal", `${principal.kind}:${principal.id}`);
        charges.principal = null;
      } catch (error) {
        if (error instanceof RateLimitedError) charges.principal = error;
        return handOn(req, body, parsed, charges, next);
      }
      const { schema, document } = entry;
      const { operationName, variables } = params;
      if (operationCost(schema, document, operationName, variables) > config.maxQueryCost) return handOn(req, body, parsed, charges, next);
      if (checkOperationInput(document, variables)) return handOn(req, body, parsed, charges, next);
      if (entry.mutation) {
        if (getVariableValues(schema, entry.mutation.variableDefinitions ?? [], variables).errors) return handOn(req, body, parsed, charges, next);
        const contextValue = contextFor(services, auth, { requestId: currentRequestId(), clientAddress: clientAddress({ req }), msn: headerValue(req, "merchant-serial-number") });
        const args: ExecutionArgs = { schema, document, operationName, variableValues: variables, contextValue };
        // A resolver's failure is an error in the result; a throw here would be the executor's own bug (answered 500).
        const result = (await normalizedExecutor(args)) as ExecutionResult;
        if (result.errors?.length) {
          // Done is done: Yoga answers this result as its own, with its masking, status and logs, and runs nothing again.
          executedResults.set(req, result);
          return handOn(req, body, parsed, charges, next);
        }
        answer(req, res, mediaType, JSON.stringify(result));
        metrics.operationAnswered(entry.label, "mutation", "http", (performance.now() - startedAt) / 1000, []);
        return undefined;
      }
      let data: string;
      try {
        const statement = compiled(entry, params, access, principal);
        data = await runner.queryText(statement.text, statement.values);
      } catch {
        // Not compilable with these variables, or the database failed: Yoga runs it and answers as it always does.
        return handOn(req, body, parsed, charges, next);
      }
      if (data.includes(DENIED)) {
        // The resolvers give the ordinary per-field errors; the compiled statement is not run a second time.
        refuseCompiled(req);
        return handOn(req, body, parsed, charges, next);
      }
      answer(req, res, mediaType, `{"data":${data}}`);
      metrics.operationAnswered(entry.label, "query", "http", (performance.now() - startedAt) / 1000, []);
      return undefined;
    },
  };

  function answer(req: IncomingMessage, res: ServerResponse, mediaType: string, json: string): void {
    const bytes = Buffer.from(json);
    res.writeHead(200, { ...corsHeaders(req), "content-type": `${mediaType}; charset=utf-8`, "content-length": bytes.length });
    res.end(bytes);
    counts.answered++;
  }
}

/**
 * The lane's side inside Yoga: learns the documents of money mutations Yoga executes over HTTP, and for a mutation
 * the lane already executed (handed on because its result has errors) hands Yoga that result instead of executing it
 * again. Registered after the compiled reads' plugin, so its executor is the innermost.
 */
export function useFastLaneMutations(lane: FastLane): Plugin<Record<string, unknown>, Context> {
  return {
    onExecute({ args, setExecuteFn }) {
      const ctx = args.contextValue as { req?: IncomingMessage; params?: { query?: unknown; operationName?: string | null }; principal?: unknown };
      if (!ctx.req) return;
      const executed = lane.executed(ctx.req);
      if (executed) {
        setExecuteFn(() => executed);
        return;
      }
      // Learned from a principal's request only: anyone's documents would crowd the table and the metric labels.
      if (ctx.principal && typeof ctx.params?.query === "string") lane.learnMutation(ctx.params.query, ctx.params.operationName, args.schema, args.document);
    },
  };
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" ? value : null;
}
