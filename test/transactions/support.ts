/** Helpers for the money tests: GraphQL documents, a signed platform event sender, and lookups of seeded units. */
import { randomUUID } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { signRequest } from "../../src/auth/platform-signature";
import { decryptSecret } from "../../src/auth/secrets";
import { PLATFORM_EVENTS_PATH } from "../../src/http/platform-events";
import { accessToken, startTestGateway, type TestGateway } from "../support/gateway";
import { TEST_ENCRYPTION_KEY } from "../support/constants";
import { uuidOf } from "../support/ids";
import { mutate as mutateWith, succeeded } from "../support/mutate";

export const PLATFORM_SECRET = "platform-secret-for-tests";

export function startMoneyGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  return startTestGateway({ PLATFORM_EVENT_SECRET: PLATFORM_SECRET, ...env });
}

export const TRANSACTION_FIELDS = "id status amount authorizedAmount capturedAmount refundedAmount cancelledAmount currency reference";

export interface TransactionData {
  id: string;
  status: string;
  amount: number;
  authorizedAmount: number;
  capturedAmount: number;
  refundedAmount: number;
  cancelledAmount: number;
  currency: string;
  reference: string;
}

type MoneyMutation = "requestPayment" | "captureTransaction" | "cancelTransaction" | "refundTransaction" | "simulateCustomerAction";

/** Sends one money mutation, reading the transaction's amounts from a success. */
export function mutate(gateway: TestGateway, token: string | null, name: MoneyMutation, input: Record<string, unknown>) {
  return mutateWith<TransactionData>(gateway, token, name, input, TRANSACTION_FIELDS);
}

/** The transaction of a successful mutation; fails the test with the refusal otherwise. */
export { succeeded };

export function key(): string {
  return randomUUID();
}

export function newReference(): string {
  return `order-${randomUUID().slice(0, 13)}`;
}

export async function unitByName(gateway: TestGateway, name: string): Promise<{ id: string; globalId: string; msn: string }> {
  const unit = await gateway.services.db.salesUnit.findFirstOrThrow({ where: { name } });
  return { id: unit.id, globalId: encodeGlobalID("SalesUnit", unit.id), msn: unit.msn };
}

export async function requestPayment(gateway: TestGateway, token: string, salesUnitId: string, amount: number): Promise<TransactionData> {
  return succeeded(
    await mutate(gateway, token, "requestPayment", {
      salesUnitId,
      amount,
      phoneNumber: "+4791234567",
      reference: newReference(),
      description: "Kaffe og boller",
      idempotencyKey: key(),
    }),
  );
}

/** Sends a platform event signed as the payment platform does; `options` break the signature for refusal tests. */
export async function sendPlatformEvent(
  gateway: TestGateway,
  event: Record<string, unknown>,
  options: { secret?: string; date?: Date; tamper?: (body: string) => string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = `${gateway.url}${PLATFORM_EVENTS_PATH}`;
  const body = JSON.stringify(event);
  const headers = signRequest(options.secret ?? PLATFORM_SECRET, { url, body, date: options.date ?? new Date() });
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: options.tamper ? options.tamper(body) : body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Production units get their customer's answer from the payment platform. */
export async function platformApprove(gateway: TestGateway, transactionGlobalId: string): Promise<void> {
  const answer = await sendPlatformEvent(gateway, { eventId: randomUUID(), transactionId: uuidOf(transactionGlobalId), action: "APPROVE" });
  if (answer.status !== 200) throw new Error(`Platform approval failed: ${answer.status} ${JSON.stringify(answer.body)}`);
}

/** A token from a sales unit's own API keys, read from the seeded (encrypted) rows. */
export async function apiKeyToken(gateway: TestGateway, salesUnitId: string): Promise<string> {
  const keys = await gateway.services.db.apiKeys.findUniqueOrThrow({ where: { salesUnitId } });
  const encryptionKey = Buffer.from(TEST_ENCRYPTION_KEY, "base64");
  return accessToken(gateway.url, keys.clientId, decryptSecret(keys.clientSecretEncrypted, encryptionKey), decryptSecret(keys.primarySubscriptionKeyEnc, encryptionKey));
}

/** Everything a money operation writes about one payment, to compare before and after. */
export async function footprint(gateway: TestGateway, transactionGlobalId: string) {
  const id = uuidOf(transactionGlobalId);
  const db = gateway.services.db;
  const [row, operations, outbox, audit, idempotency] = await Promise.all([
    db.transaction.findUniqueOrThrow({ where: { id } }),
    db.transactionOperation.count({ where: { transactionId: id } }),
    db.outboxEvent.count({ where: { aggregateId: id } }),
    db.auditEvent.count({ where: { objectType: "Transaction", objectId: id } }),
    db.idempotencyRecord.count(),
  ]);
  return { row, operations, outbox, audit, idempotency };
}
