import { useEffect, useState } from "preact/hooks";
import {
  SalesUnitsDocument,
  type SalesUnitsQuery,
  type TransactionFilter,
  type TransactionRowFragment,
  TransactionsDocument,
  type TransactionsQuery,
  type TransactionsQueryVariables,
  type TransactionStatus,
} from "@client/graphql";
import { ApiError, request } from "./api";
import { money, time } from "./format";
import type { LiveEvent } from "./live";
import { navigate } from "./router";

const STATUSES: TransactionStatus[] = ["REQUESTED", "RESERVED", "CAPTURED", "CANCELLED", "REFUNDED", "REJECTED", "EXPIRED"];

/** The API lists newest first; oldest first reads the same order from its end (`last`/`before`). */
type Sort = "NEWEST" | "OLDEST";

function pageVariables(filter: TransactionFilter, sort: Sort, size: number, cursor: string | null): TransactionsQueryVariables {
  return sort === "NEWEST" ? { filter, first: size, after: cursor } : { filter, last: size, before: cursor };
}

/** A page of transactions (the query root is nullable only when refused, and then `request` throws). */
type Page = NonNullable<TransactionsQuery["transactions"]>;

/** Rows of a page in the chosen order. */
function rows(page: Page, sort: Sort): TransactionRowFragment[] {
  const nodes = page.edges.map((e) => e.node);
  return sort === "NEWEST" ? nodes : nodes.reverse();
}

/** The transaction list with the API's filters, both orders and cursor paging; rows follow the live feed. */
export function Transactions(props: { lastEvent: LiveEvent | null }) {
  const initialUnit = new URLSearchParams(location.search).get("salesUnit") ?? "";
  const [statuses, setStatuses] = useState<TransactionStatus[]>([]);
  const [search, setSearch] = useState("");
  const [reference, setReference] = useState("");
  const [salesUnitId, setSalesUnitId] = useState(initialUnit);
  const [createdFrom, setCreatedFrom] = useState("");
  const [createdTo, setCreatedTo] = useState("");
  const [sort, setSort] = useState<Sort>("NEWEST");
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
    setLoading(true);
    setError(null);
    request(TransactionsDocument, pageVariables(filter, sort, size, cursor)).then(
      (data) => {
        setPage(data.transactions);
        setShown(rows(data.transactions, sort));
        setLoading(false);
      },
      (e: unknown) => {
        setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
        setLoading(false);
      },
    );
  }, [filter, sort, size, cursor]);

  // A payment on screen moves with the live feed: the event carries its status and amounts as of the change.
  useEffect(() => {
    const changed = props.lastEvent?.transaction;
    if (changed) setShown((current) => current.map((row) => (row.id === changed.id ? { ...row, ...changed } : row)));
  }, [props.lastEvent]);

  const apply = (event: Event) => {
    event.preventDefault();
    const next: TransactionFilter = {};
    if (statuses.length) next.status = statuses;
    if (search.trim()) next.search = search.trim();
    if (reference.trim()) next.reference = reference.trim();
    if (salesUnitId) next.salesUnitIds = [salesUnitId];
    if (createdFrom) next.createdFrom = new Date(`${createdFrom}T00:00:00`).toISOString();
    if (createdTo) next.createdTo = new Date(`${createdTo}T23:59:59.999`).toISOString();
    setCursors([null]);
    setFilter(next);
  };

  const hasMore = page ? (sort === "NEWEST" ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage) : false;
  const nextCursor = page ? (sort === "NEWEST" ? page.pageInfo.endCursor : page.pageInfo.startCursor) : null;

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
          Order{" "}
          <select
            name="sort"
            value={sort}
            onChange={(e) => {
              setCursors([null]);
              setSort((e.target as HTMLSelectElement).value as Sort);
            }}
          >
            <option value="NEWEST">Newest first</option>
            <option value="OLDEST">Oldest first</option>
          </select>
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
          <table data-testid="transactions">
            <thead>
              <tr>
                <th>Created</th>
                <th>Reference</th>
                <th>Sales unit</th>
                <th>Status</th>
                <th class="num">Amount</th>
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
            <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous
            </button>
            <button type="button" disabled={!hasMore} onClick={() => setCursors([...cursors, nextCursor ?? null])}>
              Next
            </button>
          </div>
        </>
      )}
    </section>
  );
}
