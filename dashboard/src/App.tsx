import { useCallback, useEffect, useState } from "preact/hooks";
import { ViewerDocument, type ViewerQuery } from "@client/graphql";
import { ApiError, currentToken, isTokenRefused, request, setToken } from "./api";
import { Login } from "./Login";
import { LivePanel } from "./LivePanel";
import type { LiveEvent } from "./live";
import { navigate, usePath } from "./router";
import { SalesUnits } from "./SalesUnits";
import { TodayTotals } from "./TodayTotals";
import { TransactionDetail } from "./TransactionDetail";
import { Transactions } from "./Transactions";

export type Viewer = NonNullable<ViewerQuery["viewer"]>;

export function App() {
  const [token, setTokenState] = useState(currentToken());
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lastEvent, setLastEvent] = useState<LiveEvent | null>(null);
  const [attempt, setAttempt] = useState(0);
  // The Transactions page is keyed by its query string too: the Transactions link, after a sales unit's Transactions
  // button, shows every payment again.
  const address = usePath();
  const path = address.split("?")[0]!;

  const logOut = useCallback(() => {
    setToken(null);
    setTokenState(null);
    setViewer(null);
  }, []);

  useEffect(() => {
    if (!token) return;
    setError(null);
    request(ViewerDocument, {}).then(
      (data) => {
        if (data.viewer) setViewer(data.viewer);
        else {
          setError("The gateway does not know this token.");
          logOut();
        }
      },
      (e: unknown) => {
        setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
        // Only a token the gateway refuses ends the session; a rate limit, an outage or a lost network does not.
        if (isTokenRefused(e)) logOut();
      },
    );
  }, [token, logOut, attempt]);

  if (!token) {
    return (
      <Login
        error={error}
        onToken={(value) => {
          setError(null);
          setToken(value);
          setTokenState(value);
        }}
      />
    );
  }
  if (!viewer) {
    if (!error) return <p class="loading">Loading who you are…</p>;
    return (
      <p class="error" role="alert">
        {error}{" "}
        <button type="button" onClick={() => setAttempt(attempt + 1)}>
          Try again
        </button>{" "}
        <button type="button" onClick={logOut}>
          Log out
        </button>
      </p>
    );
  }

  const detail = /^\/transactions\/([^/]+)$/.exec(path);
  return (
    <div class="layout">
      <header>
        <strong>Portal dashboard</strong>
        <nav>
          <a href="/dashboard/sales-units" onClick={link("/sales-units")} class={path.startsWith("/sales-units") ? "active" : ""}>
            Sales units
          </a>
          <a href="/dashboard/transactions" onClick={link("/transactions")} class={path.startsWith("/transactions") ? "active" : ""}>
            Transactions
          </a>
        </nav>
        <span class="who" data-testid="viewer">
          {viewer.label} · {viewer.memberships.map((m) => `${roleLabel(m.role)} of ${m.merchant.name}`).join(", ") || viewer.kind}
        </span>
        <button type="button" onClick={logOut}>
          Log out
        </button>
      </header>
      <main>
        <TodayTotals />
        {detail ? (
          <TransactionDetail key={detail[1]} id={decodeURIComponent(detail[1]!)} viewer={viewer} lastEvent={lastEvent} />
        ) : path.startsWith("/transactions") ? (
          <Transactions key={address} lastEvent={lastEvent} />
        ) : (
          <SalesUnits viewer={viewer} />
        )}
      </main>
      <LivePanel onEvent={setLastEvent} />
    </div>
  );
}

function link(path: string) {
  return (event: MouseEvent) => {
    event.preventDefault();
    navigate(path);
  };
}

export function roleLabel(role: string): string {
  return role
    .toLowerCase()
    .split("_")
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(" ");
}

/** Whether the viewer holds an action on a sales unit of a merchant (from `viewer.access`). */
export function may(viewer: Viewer, action: string, merchantId: string, salesUnitId: string): boolean {
  return viewer.access.some(
    (a) => a.actions.includes(action as never) && a.merchantId === merchantId && (a.allSalesUnits || a.salesUnitIds.includes(salesUnitId)),
  );
}
