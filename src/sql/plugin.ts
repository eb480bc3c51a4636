/**
 * The compiled read path inside Yoga's execution: a query over the hot types (src/sql/types.ts) is answered by one
 * SQL statement whose text becomes the response body as is; any other operation, or one where an object's own auth
 * scope refuses something, runs through the ordinary resolvers. Both transports (HTTP and graphql-ws) execute
 * through this, after the same parse, validation and limits.
 */
import type { ExecutionArgs, ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { DocumentNode } from "graphql";
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

export function useCompiledReads(runner: SqlRunner): Plugin<Record<string, unknown>, Context> {
  // Documents that select something the compiler does not know: don't try them again.
  const uncompilable = new WeakSet<DocumentNode>();
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args: ExecutionArgs) => {
        const ctx = args.contextValue as Context;
        if (!ctx.principal || uncompilable.has(args.document)) return executeFn(args);
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
        return preSerialized(data);
      });
    },
  };
}
