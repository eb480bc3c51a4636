/**
 * The compiled read path inside Yoga's execution: a query over the hot types (src/sql/types.ts) is answered by one
 * SQL statement whose text becomes the response body as is; any other operation, or one where an object's own auth
 * scope refuses something, runs through the ordinary resolvers. Both transports (HTTP and graphql-ws) execute
 * through this, after the same parse, validation and limits.
 */
import type { IncomingMessage } from "node:http";
import { getOperationAST, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../context";
import type { SqlRunner } from "../deps";
import { compileOperation, DENIED, type CompiledStatement } from "./compile";
import { NotCompilable } from "./types";


/**
 * An execution result whose JSON is already written: Yoga's HTTP response uses `stringify`, other consumers (the
 * WebSocket transport, plugins) read `data`, parsed on first use.
 */
function preSerialized(dataJson: string): ExecutionResult & { stringify(): string } {
  let data: ExecutionResult["data"];
  const result = { stringify: () => `{"data":${dataJson}}` } as ExecutionResult & { stringify(): string };
  Object.defineProperty(result, "data", { enumerable: true, get: () => (data ??= JSON.parse(dataJson) as ExecutionResult["data"]) });
  return result;
}

/** Requests the fast lane ran the compiled statement for, and some object's scope refused: the resolvers answer them. */
const refused = new WeakSet<IncomingMessage>();

export function refuseCompiled(req: IncomingMessage): void {
  refused.add(req);
}

/** Told of each document the compiled path answered over HTTP, with the request's text and operation name. */
export type OnCompiled = (query: string, operationName: string | null | undefined, schema: GraphQLSchema, document: DocumentNode, name: string | null) => void;

export function useCompiledReads(runner: SqlRunner, onCompiled?: OnCompiled): Plugin<Record<string, unknown>, Context> {
  // Documents that select something the compiler does not know: don't try them again.
  const uncompilable = new WeakSet<DocumentNode>();
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args: ExecutionArgs) => {
        const ctx = args.contextValue as Context & { req?: IncomingMessage; params?: { query?: unknown; operationName?: string | null } };
        if (!ctx.principal || uncompilable.has(args.document) || (ctx.req && refused.has(ctx.req))) return executeFn(args);
        let statement: CompiledStatement;
        try {
          statement = compileOperation({
            schema: args.schema,
            document: args.document,
            operationName: args.operationName,
            variables: (args.variableValues ?? {}) as Record<string, unknown>,
            access: ctx.access,
            principal: ctx.principal,
          });
        } catch (error) {
          // Anything else (a search too long, a malformed id) the resolvers refuse with their own typed error.
          if (error instanceof NotCompilable && error.structural) uncompilable.add(args.document);
          return executeFn(args);
        }
        const data = await runner.queryText(statement.text, statement.values);
        // Some object's own scope refused it: the resolvers give the ordinary, per-field errors.
        if (data.includes(DENIED)) return executeFn(args);
        if (onCompiled && ctx.req && typeof ctx.params?.query === "string") {
          onCompiled(ctx.params.query, ctx.params.operationName, args.schema, args.document, getOperationAST(args.document, args.operationName)?.name?.value ?? null);
        }
        return preSerialized(data);
      });
    },
  };
}
