/**
 * A write load over real HTTP for the resilience tests: workers capture 1 øre at a time from their own reserved
 * payment, each capture with an idempotency key of its own that is retried until it is answered. A capture the
 * gateway confirmed is thus counted once however many times it was sent, which lets a test compare the count
 * with what the database holds after sessions were killed, the server restarted or the process died.
 */
import { randomUUID } from "node:crypto";

export interface Failure {
  /** HTTP status, or 0 when the request got no answer (connection refused or cut). */
  status: number;
  /** `extensions.code` of the first GraphQL error, when there was one. */
  code: string | null;
}

export interface LoadReport {
  /** Captures the gateway confirmed, per payment id. */
  confirmed: Map<string, number>;
  /** Every answer that was not a confirmed capture, in order. */
  failures: Failure[];
}

export interface WriteLoad {
  /** Confirmed captures so far (all payments). */
  readonly confirmedCount: number;
  /** Failures so far. */
  readonly failures: Failure[];
  /** Lets each worker finish the capture it is retrying, then reports. */
  stop(): Promise<LoadReport>;
}

const CAPTURE = `mutation($input: CaptureTransactionInput!) {
  captureTransaction(input: $input) { __typename ... on Error { code } }
}`;

export interface WriteLoadOptions {
  /** A function so a restarted gateway on another address can take over. */
  baseUrl: () => string;
  token: string;
  /** Global ids of reserved payments; one worker each. */
  transactionIds: string[];
  /** Pause before retrying a failed capture. */
  retryDelayMs?: number;
}

async function post(baseUrl: string, token: string, query: string, input: Record<string, unknown>) {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables: { input } }),
  });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, { __typename: string; data?: { id: string } }>; errors?: unknown } };
}

/** A reserved payment of 10 000.00 on a test sales unit (requested, then approved by the simulated customer). */
export async function reservePayment(baseUrl: string, token: string, salesUnitId: string): Promise<string> {
  const requested = await post(baseUrl, token, `mutation($input: RequestPaymentInput!) { requestPayment(input: $input) { __typename ... on MutationRequestPaymentSuccess { data { id } } } }`, {
    salesUnitId,
    amount: 1_000_000,
    phoneNumber: "+4791234567",
    reference: `load-${randomUUID().slice(0, 13)}`,
    description: "Write load",
    idempotencyKey: randomUUID(),
  });
  const id = requested.body.data?.requestPayment?.data?.id;
  if (!id) throw new Error(`Requesting a payment failed: ${JSON.stringify(requested.body)}`);
  const approved = await post(baseUrl, token, `mutation($input: SimulateCustomerActionInput!) { simulateCustomerAction(input: $input) { __typename } }`, {
    transactionId: id,
    action: "APPROVE",
  });
  if (approved.body.data?.simulateCustomerAction?.__typename !== "MutationSimulateCustomerActionSuccess") {
    throw new Error(`Approving a payment failed: ${JSON.stringify(approved.body)}`);
  }
  return id;
}

export function startWriteLoad({ baseUrl, token, transactionIds, retryDelayMs = 50 }: WriteLoadOptions): WriteLoad {
  let stopping = false;
  const confirmed = new Map(transactionIds.map((id) => [id, 0]));
  const failures: Failure[] = [];

  const captureOnce = async (transactionId: string, idempotencyKey: string): Promise<boolean> => {
    try {
      const response = await fetch(`${baseUrl()}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: CAPTURE, variables: { input: { transactionId, amount: 1, idempotencyKey } } }),
      });
      const body = (await response.json().catch(() => ({}))) as {
        data?: { captureTransaction?: { __typename: string; code?: string } };
        errors?: { extensions?: { code?: string } }[];
      };
      const result = body.data?.captureTransaction;
      if (response.status === 200 && result?.__typename === "MutationCaptureTransactionSuccess") return true;
      failures.push({ status: response.status, code: body.errors?.[0]?.extensions?.code ?? result?.code ?? null });
      return false;
    } catch {
      failures.push({ status: 0, code: null });
      return false;
    }
  };

  const worker = async (transactionId: string) => {
    while (!stopping) {
      const idempotencyKey = randomUUID();
      while (!(await captureOnce(transactionId, idempotencyKey))) await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      confirmed.set(transactionId, confirmed.get(transactionId)! + 1);
    }
  };
  const workers = transactionIds.map(worker);

  return {
    get confirmedCount() {
      return [...confirmed.values()].reduce((sum, n) => sum + n, 0);
    },
    failures,
    stop: async () => {
      stopping = true;
      await Promise.all(workers);
      return { confirmed, failures };
    },
  };
}
