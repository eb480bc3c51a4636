/**
 * The load generator, in a process of its own so it takes no CPU from the servers' event loops: autocannon over
 * loopback, driven over IPC by bench/run.ts. Each load cycles through a list of requests; `__KEY__` in a body is
 * replaced by a key unique to the request (idempotency keys of the capture scenario).
 */
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";

const TIMEOUT_SECONDS = 30;

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadSpec {
  baseUrl: string;
  connections: number;
  seconds: number;
  requests: LoadRequest[];
  /** Prefix of the unique keys, distinct per load so keys never repeat within a dataset's life. */
  keyPrefix: string;
}

export interface LoadResult {
  /** Successful answers per second over the whole load. */
  requestsPerSecond: number;
  completed: number;
  p50: number;
  p99: number;
  /** Transport errors, timeouts, non-2xx answers and 2xx answers carrying GraphQL errors. */
  errors: number;
  firstError: string | null;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let next = 0;
  let unique = 0;
  let bodyErrors = 0;
  // Counted here rather than taken from autocannon's totals, which are per-second samples and miss the last fraction.
  let ok = 0;
  let firstError: string | null = null;
  const result = await autocannon({
    url: spec.baseUrl,
    connections: spec.connections,
    duration: spec.seconds,
    // On a shared machine a slow server can take seconds per answer; a timeout should mean it stopped answering.
    timeout: TIMEOUT_SECONDS,
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const chosen = spec.requests[next++ % spec.requests.length]!;
          return {
            ...request,
            method: "POST",
            path: chosen.path,
            headers: { "content-type": "application/json", accept: "application/json", ...chosen.headers },
            body: chosen.body.includes("__KEY__") ? chosen.body.replace("__KEY__", `${spec.keyPrefix}-${unique++}`) : chosen.body,
          };
        },
        onResponse: (status, body) => {
          // GraphQL reports errors with 200; a typed error of a mutation's result union comes back as its __typename.
          if (status >= 300 || body.includes('"errors"') || body.includes("Error\"")) {
            bodyErrors++;
            firstError ??= `${status} ${body.slice(0, 300)}`;
          } else {
            ok++;
          }
        },
      },
    ],
  });
  const errors = result.errors + result.timeouts + bodyErrors;
  if (result.timeouts) firstError ??= `${result.timeouts} requests got no answer within ${TIMEOUT_SECONDS} s`;
  if (result.errors) firstError ??= `${result.errors} connection errors`;
  return {
    requestsPerSecond: ok / result.duration,
    completed: ok,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
    firstError,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.on("message", (message: { id: number; spec: LoadSpec }) => {
    runLoad(message.spec).then(
      (result) => process.send!({ id: message.id, result }),
      (error: Error) => process.send!({ id: message.id, error: error.message }),
    );
  });
  process.on("disconnect", () => process.exit(0));
  process.send!({ ready: true });
}
