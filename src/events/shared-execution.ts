/**
 * One answer per event for everyone who asked the same thing with the same permissions. GraphQL maps each event of a
 * subscription through the operation's selection, once per subscriber; with thousands of dashboards on one
 * merchant that is thousands of identical executions per event. This plugin executes an event's selection once per
 * (document, operation, the variables the selection uses, permission class) and hands every such subscriber the
 * same result. The event objects the feed fans out are shared, so the results hang off them (a WeakMap) and go
 * when the event does.
 *
 * The source stream is still created per subscriber through the field's own `subscribe` (arguments, scopes,
 * permission checks); only the per-event execution is shared. Variables of the root field's arguments (`after`,
 * `salesUnitIds`) choose events, not their shape, so they do not split the sharing.
 */
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  visit,
  type ASTNode,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from "graphql";
import { isAsyncIterable, mapAsyncIterator, type Plugin } from "graphql-yoga";
import { RequestCache } from "@pothos/plugin-scope-auth";
import type { Access } from "../auth/permissions";
import type { Principal } from "../auth/principal";
import type { NextLane } from "./graphql-ws-server";

interface OperationShape {
  id: number;
  /** The variables the selection (not the root field's arguments) reads, in a fixed order. */
  variables: string[];
}

let nextShapeId = 0;
const shapes = new WeakMap<DocumentNode, Map<string, OperationShape>>();
const results = new WeakMap<object, Map<string, Promise<ExecutionResult> | ExecutionResult>>();
const permissionClasses = new WeakMap<Access, Map<string, string>>();

function variablesIn(nodes: readonly (ASTNode | undefined)[]): Set<string> {
  const names = new Set<string>();
  for (const node of nodes) {
    if (!node) continue;
    visit(node, {
      Variable: (variable) => {
        names.add(variable.name.value);
      },
    });
  }
  return names;
}

function shapeOf(document: DocumentNode, operationName: string | null | undefined): OperationShape | null {
  let byName = shapes.get(document);
  if (!byName) {
    byName = new Map();
    shapes.set(document, byName);
  }
  const known = byName.get(operationName ?? "");
  if (known) return known;
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const rootFields = operation.selectionSet.selections;
  const used = variablesIn([
    ...(operation.directives ?? []),
    ...rootFields.flatMap((selection): (ASTNode | undefined)[] =>
      selection.kind === Kind.FIELD ? [...(selection.directives ?? []), selection.selectionSet] : [selection],
    ),
    ...document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION),
  ]);
  const shape = { id: nextShapeId++, variables: [...used].sort() };
  byName.set(operationName ?? "", shape);
  return shape;
}

/**
 * Subscribers whose principals have the same kind and the same grants see the same fields. The answer is kept per access
 * object (a batch's fresh permissions are one object for all of a principal's subscriptions), and is the same string
 * object each time, so a subscription can tell its class has not changed by identity.
 */
export function permissionClass(principal: Principal | null, access: Access): string {
  let byKind = permissionClasses.get(access);
  if (byKind === undefined) {
    byKind = new Map();
    permissionClasses.set(access, byKind);
  }
  const kind = principal?.kind ?? "ANONYMOUS";
  let name = byKind.get(kind);
  if (name === undefined) {
    name = `${kind}:${access.key}`;
    byKind.set(kind, name);
  }
  return name;
}

/**
 * A subscription's events delivered without its async iterators: the shared result of an event for this subscriber's
 * class, and the transport's way to send it (src/events/graphql-ws-server.ts, `NextLane`).
 */
export interface DirectLane {
  /** The event's result for the subscriber as it is now (its current access decides the class); shared, maybe pending. */
  resultOf(payload: object): Promise<ExecutionResult> | ExecutionResult;
  /** Sends results, in order, as the operation's next messages; false once the operation is over. */
  send(results: readonly ExecutionResult[]): boolean;
  /** Set when a field took the lane: its stream then yields nothing and only carries the end. */
  taken: boolean;
  /**
   * Equal for two lanes whose subscribers of one permission class get the same result of every event (the document, the
   * operation and the variables its selection reads); null when results are not shared.
   */
  readonly sharingKey: string | null;
}

const transportLanes = new WeakMap<object, NextLane>();
const directLanes = new WeakMap<object, DirectLane>();

/** The transport offers to take an operation's next messages directly (before the operation is subscribed). */
export function offerNextLane(contextValue: object, lane: NextLane): void {
  transportLanes.set(contextValue, lane);
}

/**
 * For a root subscription field whose resolver returns the source event itself (`resolve: (event) => event`): the lane
 * its events may take instead of the source stream, while the stream is being created. Undefined when the transport
 * offered none (SSE) or the operation's shape is not known.
 */
export function directLaneOf(contextValue: object): DirectLane | undefined {
  const lane = directLanes.get(contextValue);
  if (lane) lane.taken = true;
  return lane;
}

/**
 * One subscription's side of the sharing. A class (its methods on the prototype) rather than closures: it lives as long
 * as the subscription, and every named arrow function costs a property table of its own in this build (esbuild's
 * keepNames).
 */
class SharedResults implements DirectLane {
  private permissions: string | null = null;
  private key = "";
  taken = false;

  get sharingKey(): string | null {
    return this.shape ? this.prefix : null;
  }

  constructor(
    private readonly args: ExecutionArgs,
    private readonly shape: OperationShape | null,
    /** The shape and the values of the variables its selection reads: the key's part that never changes. */
    private readonly prefix: string,
    private readonly classOf: (context: Record<string, unknown>) => string,
    private readonly transport: NextLane | undefined,
  ) {}

  /**
   * The scope-auth plugin's per-request cache (the scopes, granted and loaded ones) would otherwise live as long as
   * the subscription; an event's execution, once per class, makes a fresh one from the context's current access.
   */
  forgetScopes(): void {
    RequestCache.clearForContext(this.args.contextValue as object);
  }

  private run(payload: unknown): Promise<ExecutionResult> | ExecutionResult {
    const result = execute({ ...this.args, rootValue: payload });
    if (result instanceof Promise) void result.finally(() => this.forgetScopes()).catch(() => undefined);
    else this.forgetScopes();
    return result;
  }

  resultOf(payload: unknown): Promise<ExecutionResult> | ExecutionResult {
    if (!this.shape || typeof payload !== "object" || payload === null) return this.run(payload);
    const permissions = this.classOf(this.args.contextValue as Record<string, unknown>);
    // The key is made again only when the class changes: the same string then hashes once for every event.
    if (permissions !== this.permissions) {
      this.permissions = permissions;
      this.key = this.prefix + permissions;
    }
    const key = this.key;
    let byKey = results.get(payload);
    if (!byKey) {
      byKey = new Map();
      results.set(payload, byKey);
    }
    let result = byKey.get(key);
    if (!result) {
      result = this.run(payload);
      byKey.set(key, result);
    }
    return result;
  }

  send(results: readonly ExecutionResult[]): boolean {
    return this.transport?.next(results) ?? false;
  }
}

export function useSharedSubscriptionResults<C extends Record<string, unknown>>(classOf: (context: C) => string): Plugin<C> {
  return {
    onSubscribe({ setSubscribeFn, subscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const context = args.contextValue as C;
        const shape = shapeOf(args.document, args.operationName);
        const values = args.variableValues ?? {};
        // An omitted variable (its default applies) and an explicit null can select differently: `[]` and `[null]`.
        const given = shape?.variables.map((name) => (name in values ? [values[name]] : []));
        const prefix = shape ? `${shape.id}\u0000${JSON.stringify(given)}\u0000` : "";
        const transport = transportLanes.get(context);
        transportLanes.delete(context);
        const shared = new SharedResults(args, shape, prefix, classOf as (context: Record<string, unknown>) => string, transport);
        if (transport && shape) directLanes.set(context, shared);
        let stream: Awaited<ReturnType<typeof createSourceEventStream>>;
        try {
          stream = await createSourceEventStream(args);
        } finally {
          directLanes.delete(context);
        }
        // A request error (e.g. variables that do not coerce) is reported exactly as the stock executor reports it;
        // it fails before any resolver runs, so asking again has no side effect.
        if (!isAsyncIterable(stream)) return stream.errors?.some((error) => !error.path) ? subscribeFn(args) : stream;
        shared.forgetScopes();
        // A stream whose events take the lane yields none: nothing to map, and one layer less kept per subscriber.
        if (shared.taken) return stream;
        return mapAsyncIterator(stream, (payload: unknown) => shared.resultOf(payload));
      });
    },
  };
}
