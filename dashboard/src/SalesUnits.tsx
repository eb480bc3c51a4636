import { useEffect, useState } from "preact/hooks";
import { RequestPaymentDocument, SalesUnitsDocument, type SalesUnitsQuery, type SalesUnitsQueryVariables } from "@client/graphql";
import { ApiError, newIdempotencyKey, request } from "./api";
import { may, type Viewer } from "./App";
import { parseMajor } from "./format";
import { navigate } from "./router";

type Unit = NonNullable<SalesUnitsQuery["salesUnits"]>["edges"][number]["node"];

const PAGE = 20;

/** The sales units the caller may see, searchable, paged; TEST units offer a test payment request. */
export function SalesUnits(props: { viewer: Viewer }) {
  const [search, setSearch] = useState("");
  const [environment, setEnvironment] = useState("");
  const [variables, setVariables] = useState<SalesUnitsQueryVariables>({ first: PAGE });
  const [cursors, setCursors] = useState<(string | null)[]>([]);
  const [page, setPage] = useState<SalesUnitsQuery["salesUnits"] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setError(null);
    request(SalesUnitsDocument, variables).then(
      (data) => setPage(data.salesUnits),
      (e: unknown) => setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e)),
    );
  }, [variables]);

  const apply = (event: Event) => {
    event.preventDefault();
    setCursors([]);
    setVariables({
      first: PAGE,
      filter: { ...(search ? { search } : {}), ...(environment ? { environment: environment as "TEST" | "PRODUCTION" } : {}) },
    });
  };

  return (
    <section>
      <h1>Sales units</h1>
      <form class="filters" onSubmit={apply}>
        <input name="search" placeholder="Name or MSN" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        <select name="environment" value={environment} onChange={(e) => setEnvironment((e.target as HTMLSelectElement).value)}>
          <option value="">Any environment</option>
          <option value="PRODUCTION">Production</option>
          <option value="TEST">Test</option>
        </select>
        <button type="submit">Search</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {page && (
        <>
          <p class="count" data-testid="sales-unit-count">
            {page.totalCount} sales units
          </p>
          <table data-testid="sales-units">
            <thead>
              <tr>
                <th>Name</th>
                <th>MSN</th>
                <th>Merchant</th>
                <th>Environment</th>
                <th>Channel</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {page.edges.map(({ node }) => (
                <UnitRow key={node.id} unit={node} viewer={props.viewer} />
              ))}
            </tbody>
          </table>
          <div class="pager">
            <button
              type="button"
              disabled={cursors.length === 0}
              onClick={() => {
                const previous = cursors.slice(0, -1);
                setCursors(previous);
                setVariables({ ...variables, after: previous[previous.length - 1] ?? null });
              }}
            >
              Previous
            </button>
            <button
              type="button"
              disabled={!page.pageInfo.hasNextPage}
              onClick={() => {
                setCursors([...cursors, page.pageInfo.endCursor ?? null]);
                setVariables({ ...variables, after: page.pageInfo.endCursor ?? null });
              }}
            >
              Next
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function UnitRow(props: { unit: Unit; viewer: Viewer }) {
  const { unit } = props;
  const [open, setOpen] = useState(false);
  const canRequest = unit.environment === "TEST" && may(props.viewer, "REQUEST_PAYMENT", unit.merchant.id, unit.id);
  return (
    <>
      <tr data-testid={`sales-unit-${unit.msn}`}>
        <td>{unit.name}</td>
        <td>{unit.msn}</td>
        <td>{unit.merchant.name}</td>
        <td>{unit.environment}</td>
        <td>{unit.channel}</td>
        <td>{unit.status}</td>
        <td class="actions">
          <button type="button" onClick={() => navigate(`/transactions?salesUnit=${encodeURIComponent(unit.id)}`)}>
            Transactions
          </button>
          {canRequest && (
            <button type="button" onClick={() => setOpen(!open)}>
              Request payment
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={7}>
            <RequestPaymentForm unit={unit} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Sends a payment request to a test customer; the test app's answer is played from the payment's detail. */
function RequestPaymentForm(props: { unit: Unit }) {
  const [amount, setAmount] = useState("125.00");
  const [phone, setPhone] = useState("+4791234567");
  const [description, setDescription] = useState("Test payment from the dashboard");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const minor = parseMajor(amount);
    if (minor === null) return setError("Type an amount such as 125.00");
    setBusy(true);
    setError(null);
    try {
      const reference = `dash-${crypto.randomUUID().slice(0, 18)}`;
      const { requestPayment: result } = await request(RequestPaymentDocument, {
        input: { salesUnitId: props.unit.id, amount: minor, phoneNumber: phone, description, reference, idempotencyKey: newIdempotencyKey() },
      });
      if (result.__typename === "MutationRequestPaymentSuccess") {
        // Null when the caller may request payments here but not view them: the request was sent all the same.
        if (result.data) navigate(`/transactions/${encodeURIComponent(result.data.id)}`);
        else setError("Payment requested. You may not view this sales unit's payments, so it is not shown.");
      }
      else setError(`${result.message} (${result.code}${"path" in result && result.path ? `, ${result.path.slice(1).join(".")}` : ""})`);
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="inline-form" onSubmit={submit} data-testid="request-payment">
      <label>
        Amount ({props.unit.currency}) <input name="amount" value={amount} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        Customer phone <input name="phone" value={phone} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        Description <input name="description" value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit" disabled={busy}>
        Send request
      </button>
      {error && (
        <span class="error" role="alert" data-testid="request-payment-error">
          {error}
        </span>
      )}
    </form>
  );
}
