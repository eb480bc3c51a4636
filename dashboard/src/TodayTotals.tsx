import { useEffect, useState } from "preact/hooks";
import { createClient } from "graphql-ws";
import { TodayFiguresDocument, type TodayFiguresSubscription } from "@client/graphql";
import { currentToken, graphqlSource } from "./api";
import { TOKEN_REFUSED } from "./live";

type Figures = NonNullable<TodayFiguresSubscription["transactionAggregates"]>["totals"];

function startOfToday(): string {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  return midnight.toISOString();
}

/** How often the panel looks whether the local day has changed (a timer for midnight can fire late after a sleep). */
const DAY_CHECK_MS = 60_000;

/**
 * Today's totals per currency (the dashboard figures), from the live `transactionAggregates` subscription: the
 * gateway answers at once and again after each batch of payment changes, so the figures follow the board without
 * a query per event. The figures carry no cursor, so graphql-ws's own retry (same variables) is enough after a cut.
 * When the local day changes the panel subscribes again from the new day: a board left open overnight shows today.
 */
export function TodayTotals() {
  const [figures, setFigures] = useState<Figures | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [from, setFrom] = useState(startOfToday);

  useEffect(() => {
    const timer = setInterval(() => setFrom(startOfToday()), DAY_CHECK_MS);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    setFigures(null);
    const token = currentToken();
    const client = createClient({
      url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      // Through an outage of any length (graphql-ws gives up after 5 tries by default), but not with a refused token.
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: (event) => !(typeof event === "object" && event !== null && "code" in event && TOKEN_REFUSED.has(Number(event.code))),
    });
    const unsubscribe = client.subscribe<TodayFiguresSubscription>(
      { query: graphqlSource(TodayFiguresDocument), variables: { from } },
      {
        next: ({ data, errors }) => {
          if (data?.transactionAggregates) setFigures(data.transactionAggregates.totals);
          setError(errors?.[0] ? errors[0].message : null);
        },
        error: (e: unknown) => setError(e instanceof Error ? e.message : "The live figures stopped."),
        complete: () => undefined,
      },
    );
    return () => {
      unsubscribe();
      void client.dispose();
    };
  }, [from]);

  return (
    <section class="today" data-testid="today-totals">
      <h2>Today</h2>
      {error && <p class="error">{error}</p>}
      {figures === null && !error && <p class="loading">Loading today's figures…</p>}
      {figures?.length === 0 && <p class="note">No payments today yet.</p>}
      {figures?.map((row) => (
        <dl key={row.currency} data-testid="today-currency" data-currency={row.currency}>
          <dt>Payments</dt>
          <dd data-testid="today-count">{row.count}</dd>
          <dt>Requested</dt>
          <dd>{row.requested.formatted}</dd>
          <dt>Captured</dt>
          <dd data-testid="today-captured">{row.captured.formatted}</dd>
          <dt>Refunded</dt>
          <dd>{row.refunded.formatted}</dd>
          <dt>Cancelled</dt>
          <dd>{row.cancelled.formatted}</dd>
        </dl>
      ))}
    </section>
  );
}
