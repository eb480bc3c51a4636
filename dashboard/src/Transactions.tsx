import { useEffect, useState } from "preact/hooks";
import {
  SalesUnitsDocument,
  type SalesUnitsQuery,
  type TransactionFilter,
  type TransactionOrder,
  type TransactionOrderField,
  type TransactionRowFragment,
  TransactionsDocument,
  type TransactionsQuery,
  type TransactionStatus,
} from "@client/graphql";
import { ApiError, request } from "./api";
import { money, parseMajor, time } from "./format";
import type { LiveEvent } from "./live";
import { navigate } from "./router";

const STATUSES: TransactionStatus[] = ["REQUESTED", "RESERVED", "CAPTURED", "CANCELLED", "REFUNDED", "REJECTED", "EXPIRED"];

/** The API sorts (`orderBy`); newest first until a column header is clicked. */
const NEWEST_FIRST: TransactionOrder = { field: "CREATED_AT", direction: "DESC" };

/** A click on the sorted column turns its direction; on another column sorts by it, largest or latest first. */
function nextOrder(current: TransactionOrder, field: TransactionOrderField): TransactionOrder {
  if (current.field !== field) return { field, direction: "DESC" };
  return { field, direction: current.direction === "DESC" ? "ASC" : "DESC" };
}

/** A page of transactions (the query root is nullable only when refused, and then `request` throws). */
type Page = NonNullable<TransactionsQuery["transactions"]>;

/** A column header that sorts the list by its field (`aria-sort` says how it is sorted now). */
function SortHeader(props: { field: TransactionOrderField; order: TransactionOrder; onSort: (field: TransactionOrderField) => void; label: string; num?: boolean }) {
  const active = props.order.field === props.field;
  const direction = props.order.direction === "ASC" ? "ascending" : "descending";
  return (
    <th class={props.num ? "num" : undefined} aria-sort={active ? direction : "none"}>
      <button type="button" class="sort" name={`sort-${props.field}`} onClick={() => props.onSort(props.field)}>
        {props.label}
        {active ? (props.order.direction === "ASC" ? " ▲" : " ▼") : ""}
      </button>
    </th>
  );
}

/**
 * The transaction list with the API's filters, a search by amount ("125.50" or "125,50"), sorting by a click on a
 * column header and cursor paging; rows follow the live feed.
 */
export function Transactions(props: { lastEvent: LiveEvent | null }) {
  const initialUnit = new URLSearchParams(location.search).get("salesUnit") ?? "";
  const [statuses, setStatuses] = useState<TransactionStatus[]>([]);
  const [search, setSearch] = useState("");
  const [amount, setAmount] = useState("");
  const [reference, setReference] = useState("");
  const [salesUnitId, setSalesUnitId] = useState(initialUnit);
  const [createdFrom, setCreatedFrom] = useState("");
  const [createdTo, setCreatedTo] = useState("");
  const [order, setOrder] = useState<TransactionOrder>(NEWEST_FIRST);
  const [size, setSize] = useState(20);
  const [filter, setFilter] = useState<TransactionFilter>(initialUnit ? { salesUnitIds: [initialUnit] } : {});
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<Page | null>(null);
  const [shown, setShown] = useState<TransactionRowFragment[]>([]);
  const [units, setUnits] = useState<NonNullable<SalesUnitsQuery["salesUnits"]>["edges"]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    request(SalesUnitsDocument, { first: 100 }).then(
      (data) => setUnits(data.salesUnits.edges),
      () => setUnits([]),
    );
  }, []);

  const cursor = cursors[cursors.length - 1] ?? null;
  useEffect(() => {
    // Only the newest request's answer counts: an older, slower one (the search before a sort) is dropped.
    let current = true;
    setLoading(true);
    setError(null);
    request(TransactionsDocument, { filter, orderBy: order, first: size, after: cursor }).then(
      (data) => {
        if (!current) return;
        setPage(data.transactions);
        setShown(data.transactions.edges.map((e) => e.node));
        setLoading(false);
      },
      (e: unknown) => {
        if (!current) return;
        setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [filter, order, size, cursor]);

  // A payment on screen moves with the live feed: the event carries its status and amounts as of the change.
  useEffect(() => {
    const changed = props.lastEvent?.transaction;
    if (changed) setShown((current) => current.map((row) => (row.id === changed.id ? { ...row, ...changed } : row)));
  }, [props.lastEvent]);

  const apply = (event: Event) => {
    event.preventDefault();
    const next: TransactionFilter = {};
    if (amount.trim()) {
      const minor = parseMajor(amount);
      if (minor === null) {
        setError(`"${amount.trim()}" is not an amount: type it like 125.50 or 125,50.`);
        return;
      }
      next.amount = minor;
    }
    if (statuses.length) next.status = statuses;
    if (search.trim()) next.search = search.trim();
    if (reference.trim()) next.reference = reference.trim();
    if (salesUnitId) next.salesUnitIds = [salesUnitId];
    if (createdFrom) next.createdFrom = new Date(`${createdFrom}T00:00:00`).toISOString();
    if (createdTo) next.createdTo = new Date(`${createdTo}T23:59:59.999`).toISOString();
    setCursors([null]);
    setFilter(next);
  };

  const sortBy = (field: TransactionOrderField) => {
    setCursors([null]);
    setOrder(nextOrder(order, field));
  };

  return (
    <section>
      <h1>Transactions</h1>
      <form class="filters" onSubmit={apply} data-testid="transaction-filters">
        <fieldset class="statuses">
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s}>
              <input
                type="checkbox"
                name="status"
                value={s}
                checked={statuses.includes(s)}
                onChange={(e) => setStatuses((e.target as HTMLInputElement).checked ? [...statuses, s] : statuses.filter((x) => x !== s))}
              />
              {s}
            </label>
          ))}
        </fieldset>
        <input name="search" placeholder="Payer, phone, reference, description" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        <input name="reference" placeholder="Exact reference" value={reference} onInput={(e) => setReference((e.target as HTMLInputElement).value)} />
        <input
          name="amount"
          inputMode="decimal"
          placeholder="Amount, e.g. 125.50"
          value={amount}
          onInput={(e) => setAmount((e.target as HTMLInputElement).value)}
        />
        <select name="salesUnit" value={salesUnitId} onChange={(e) => setSalesUnitId((e.target as HTMLSelectElement).value)}>
          <option value="">All sales units</option>
          {units.map(({ node }) => (
            <option key={node.id} value={node.id}>
              {node.name} ({node.msn})
            </option>
          ))}
        </select>
        <label>
          From <input type="date" name="createdFrom" value={createdFrom} onInput={(e) => setCreatedFrom((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          To <input type="date" name="createdTo" value={createdTo} onInput={(e) => setCreatedTo((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Per page{" "}
          <select
            name="size"
            value={String(size)}
            onChange={(e) => {
              setCursors([null]);
              setSize(Number((e.target as HTMLSelectElement).value));
            }}
          >
            <option value="10">10</option>
            <option value="20">20</option>
            <option value="50">50</option>
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {page && (
        <>
          <p class="count" data-testid="transaction-count" data-loading={loading ? "true" : "false"}>
            {page.totalCount} transactions · page {cursors.length}
          </p>
          <table data-testid="transactions" data-order={`${order.field} ${order.direction}`}>
            <thead>
              <tr>
                <SortHeader field="CREATED_AT" label="Created" order={order} onSort={sortBy} />
                <th>Reference</th>
                <th>Sales unit</th>
                <SortHeader field="STATUS" label="Status" order={order} onSort={sortBy} />
                <SortHeader field="AMOUNT" label="Amount" order={order} onSort={sortBy} num />
                <th class="num">Captured</th>
                <th class="num">Refunded</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((t) => (
                <tr
                  key={t.id}
                  class="clickable"
                  data-testid="transaction-row"
                  data-reference={t.reference}
                  data-status={t.status}
                  data-amount={t.amount}
                  onClick={() => navigate(`/transactions/${encodeURIComponent(t.id)}`)}
                >
                  <td>{time(t.createdAt)}</td>
                  <td>{t.reference}</td>
                  <td>{t.salesUnit.name}</td>
                  <td>
                    <span class={`status ${t.status}`}>{t.status}</span>
                  </td>
                  <td class="num">{money(t.amount, t.currency)}</td>
                  <td class="num">{money(t.capturedAmount, t.currency)}</td>
                  <td class="num">{money(t.refundedAmount, t.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="pager">
            <button type="button" disabled={loading || cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous
            </button>
            <button type="button" disabled={loading || !page.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, page.pageInfo.endCursor ?? null])}>
              Next
            </button>
          </div>
        </>
      )}
    </section>
  );
}
