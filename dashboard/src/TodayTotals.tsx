import { useEffect, useState } from "preact/hooks";
import { TodayFiguresDocument, type TodayFiguresQuery } from "@client/graphql";
import { ApiError, request } from "./api";
import type { LiveEvent } from "./live";

type Figures = TodayFiguresQuery["transactionAggregates"]["totals"];

function startOfToday(): string {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  return midnight.toISOString();
}

/**
 * Today's totals per currency (the dashboard figures), read again after every live event, so they follow the board
 * without polling.
 */
export function TodayTotals(props: { lastEvent: LiveEvent | null }) {
  const [figures, setFigures] = useState<Figures | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    request(TodayFiguresDocument, { from: startOfToday() }).then(
      (data) => current && (setFigures(data.transactionAggregates.totals), setError(null)),
      (e: unknown) => current && setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e)),
    );
    return () => {
      current = false;
    };
  }, [props.lastEvent]);

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
