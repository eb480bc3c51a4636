import { useCallback, useEffect, useState } from "preact/hooks";
import {
  CancelTransactionDocument,
  CaptureTransactionDocument,
  type MoneyErrorFragment,
  RefundTransactionDocument,
  SimulateCustomerActionDocument,
  TransactionDetailDocument,
  type TransactionDetailFragment,
} from "@client/graphql";
import { ApiError, newIdempotencyKey, request } from "./api";
import { may, type Viewer } from "./App";
import { majorText, money, parseMajor, time } from "./format";
import type { LiveEvent } from "./live";

type Detail = TransactionDetailFragment;

/** One payment: amounts, payer, operation history, and the money actions `availableActions` allows. */
export function TransactionDetail(props: { id: string; viewer: Viewer; lastEvent: LiveEvent | null }) {
  const [transaction, setTransaction] = useState<Detail | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    request(TransactionDetailDocument, { id: props.id }).then(
      (data) => {
        // A later answer replaces an earlier failure: one lost reload must not stick.
        setError(null);
        setMissing(data.node?.__typename !== "Transaction");
        if (data.node?.__typename === "Transaction") setTransaction(data.node);
      },
      (e: unknown) => setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e)),
    );
  }, [props.id]);

  useEffect(load, [load]);
  // Someone else (the customer, a colleague, the expiry job) changed this payment: read it again.
  useEffect(() => {
    if (props.lastEvent?.transaction.id === props.id) load();
  }, [props.lastEvent, props.id, load]);

  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (missing) return <p>No such payment, or not one you may see.</p>;
  if (!transaction) return <p class="loading">Loading the payment…</p>;
  const t = transaction;
  const unit = t.salesUnit;
  const manages = may(props.viewer, "MANAGE_TRANSACTIONS", unit.merchant.id, unit.id);
  const actions = t.availableActions;

  return (
    <section data-testid="transaction-detail" data-status={t.status} data-reference={t.reference}>
      <h1>
        Payment {t.reference} <span class={`status ${t.status}`}>{t.status}</span>
      </h1>
      <dl class="amounts">
        <dt>Sales unit</dt>
        <dd>
          {unit.name} ({unit.msn}, {unit.environment})
        </dd>
        <dt>Amount</dt>
        <dd data-testid="amount">{money(t.amount, t.currency)}</dd>
        <dt>Reserved</dt>
        <dd>{money(t.authorizedAmount, t.currency)}</dd>
        <dt>Captured</dt>
        <dd data-testid="captured-amount">{money(t.capturedAmount, t.currency)}</dd>
        <dt>Cancelled</dt>
        <dd data-testid="cancelled-amount">{money(t.cancelledAmount, t.currency)}</dd>
        <dt>Refunded</dt>
        <dd data-testid="refunded-amount">{money(t.refundedAmount, t.currency)}</dd>
        <dt>Description</dt>
        <dd>{t.description ?? "—"}</dd>
        <dt>Payer</dt>
        <dd>{t.payer ? [t.payer.name, t.payer.phoneNumber, t.payer.email].filter(Boolean).join(" · ") || "—" : "hidden"}</dd>
        <dt>Created</dt>
        <dd>{time(t.createdAt)}</dd>
      </dl>

      {manages ? (
        <div class="money-actions" data-testid="money-actions">
          <AmountAction
            name="capture"
            label="Capture"
            transaction={t}
            limit={actions.capture ? { amount: actions.capture.maxAmount, deadline: actions.capture.deadline } : null}
            onDone={setTransaction}
            send={async (amount, idempotencyKey) => (await request(CaptureTransactionDocument, { input: { transactionId: t.id, amount, idempotencyKey } })).captureTransaction}
          />
          <AmountAction
            name="cancel"
            label="Cancel the rest"
            fixed
            transaction={t}
            limit={actions.cancel ? { amount: actions.cancel.amount, deadline: actions.cancel.deadline } : null}
            onDone={setTransaction}
            send={async (amount, idempotencyKey) => (await request(CancelTransactionDocument, { input: { transactionId: t.id, amount, idempotencyKey } })).cancelTransaction}
          />
          <AmountAction
            name="refund"
            label="Refund"
            transaction={t}
            limit={actions.refund ? { amount: actions.refund.maxAmount, deadline: actions.refund.deadline } : null}
            onDone={setTransaction}
            send={async (amount, idempotencyKey) => (await request(RefundTransactionDocument, { input: { transactionId: t.id, amount, idempotencyKey } })).refundTransaction}
          />
        </div>
      ) : (
        <p class="note" data-testid="no-money-actions">
          Your access does not include managing payments on this sales unit.
        </p>
      )}

      {t.status === "REQUESTED" && unit.environment === "TEST" && <CustomerSimulator transaction={t} onDone={load} />}

      <h2>Operation history</h2>
      <table data-testid="operations">
        <thead>
          <tr>
            <th>When</th>
            <th>Operation</th>
            <th class="num">Amount</th>
            <th>By</th>
          </tr>
        </thead>
        <tbody>
          {t.operations.map((o) => (
            <tr key={o.id} data-testid="operation" data-type={o.type}>
              <td>{time(o.createdAt)}</td>
              <td>{o.type}</td>
              <td class="num">{money(o.amount, t.currency)}</td>
              <td>{o.actorLabel ?? o.actorKind}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

type MoneyResult = MoneyErrorFragment | { __typename: "MutationCaptureTransactionSuccess" | "MutationCancelTransactionSuccess" | "MutationRefundTransactionSuccess"; data: Detail };

/**
 * One money action: enabled only while `availableActions` offers it, up to its limit. The idempotency key is kept
 * while the same amount is retried (a lost answer is then answered again, not done twice) and renewed otherwise.
 */
function AmountAction(props: {
  name: string;
  label: string;
  transaction: Detail;
  limit: { amount: number; deadline: string } | null;
  fixed?: boolean;
  onDone: (t: Detail) => void;
  send: (amount: number, idempotencyKey: string) => Promise<MoneyResult>;
}) {
  const { limit, transaction: t } = props;
  const [text, setText] = useState(limit ? majorText(limit.amount) : "");
  const [attempt, setAttempt] = useState<{ amount: number; key: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => setText(limit ? majorText(limit.amount) : ""), [limit?.amount]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const amount = parseMajor(text);
    if (amount === null) return setError("Type an amount such as 12.50");
    const key = attempt?.amount === amount ? attempt.key : newIdempotencyKey();
    setAttempt({ amount, key });
    setBusy(true);
    setError(null);
    try {
      const result = await props.send(amount, key);
      if ("data" in result) {
        setAttempt(null);
        props.onDone(result.data);
      } else {
        setAttempt(null);
        setError(errorText(result, t.currency));
      }
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="money-action" onSubmit={submit} data-testid={`${props.name}-form`}>
      <input
        name={`${props.name}Amount`}
        aria-label={`${props.label} amount`}
        value={text}
        readOnly={props.fixed}
        disabled={!limit}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
      />
      <button type="submit" name={props.name} disabled={!limit || busy}>
        {props.label}
      </button>
      {limit && <span class="hint">up to {money(limit.amount, t.currency)} until {time(limit.deadline)}</span>}
      {error && (
        <span class="error" role="alert" data-testid={`${props.name}-error`}>
          {error}
        </span>
      )}
    </form>
  );
}

/** A typed refusal, in words, with what the error type adds (the amount still available, the field at fault). */
function errorText(error: MoneyErrorFragment, currency: string): string {
  switch (error.__typename) {
    case "AmountExceededError":
      return `${error.message} Available: ${money(error.availableAmount, currency)}.`;
    case "ValidationError":
      return `${error.message}${error.path ? ` (${error.path.slice(1).join(".")})` : ""}`;
    default:
      return `${error.message} (${error.code})`;
  }
}

/** On TEST sales units, play the customer's app: approve or decline a request. */
function CustomerSimulator(props: { transaction: Detail; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const act = async (action: "APPROVE" | "DECLINE") => {
    setError(null);
    try {
      const { simulateCustomerAction: result } = await request(SimulateCustomerActionDocument, {
        input: { transactionId: props.transaction.id, action, idempotencyKey: newIdempotencyKey() },
      });
      if (result.__typename === "MutationSimulateCustomerActionSuccess") props.onDone();
      else setError(`${result.message} (${result.code})`);
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
    }
  };
  return (
    <div class="simulator" data-testid="customer-simulator">
      <span>Test customer:</span>
      <button type="button" name="approve" onClick={() => act("APPROVE")}>
        Approve as customer
      </button>
      <button type="button" name="decline" onClick={() => act("DECLINE")}>
        Decline as customer
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
