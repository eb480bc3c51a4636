import { useEffect, useState } from "preact/hooks";
import { money, time } from "./format";
import { type LiveEvent, type LiveStatus, startLiveFeed } from "./live";
import { navigate } from "./router";

/** Board columns: a payment's card moves between them as its events arrive. */
const COLUMNS = [
  { title: "Requested", statuses: ["REQUESTED"] },
  { title: "Reserved", statuses: ["RESERVED"] },
  { title: "Captured", statuses: ["CAPTURED"] },
  { title: "Closed", statuses: ["CANCELLED", "REFUNDED", "REJECTED", "EXPIRED"] },
] as const;

const MAX_CARDS = 40;
const MAX_LOG = 30;

interface Card {
  event: LiveEvent;
  /** When this browser received the latest event of the payment (ms since the epoch): tests measure the delay. */
  receivedAt: number;
}

/** The live feed: connection state, the payments that changed since the page opened, and the latest events. */
export function LivePanel(props: { onEvent: (event: LiveEvent) => void }) {
  const [status, setStatus] = useState<LiveStatus>({ state: "connecting", connections: 0, lastEventId: null, error: null });
  const [cards, setCards] = useState<Card[]>([]);
  const [log, setLog] = useState<Card[]>([]);
  const { onEvent } = props;

  useEffect(
    () =>
      startLiveFeed({
        onStatus: setStatus,
        onEvent: (event) => {
          const card = { event, receivedAt: Date.now() };
          setCards((current) => [card, ...current.filter((c) => c.event.transaction.id !== event.transaction.id)].slice(0, MAX_CARDS));
          setLog((current) => [card, ...current].slice(0, MAX_LOG));
          onEvent(event);
        },
      }),
    [onEvent],
  );

  return (
    <aside
      class="live"
      data-testid="live-panel"
      data-state={status.state}
      data-connections={String(status.connections)}
      data-last-event-id={status.lastEventId ?? ""}
    >
      <h2>
        Live <span class={`dot dot-${status.state}`} /> <small>{status.state}</small>
      </h2>
      {status.error && status.state !== "live" && <p class="note">{status.error}</p>}
      <div class="board">
        {COLUMNS.map((column) => (
          <div class="column" key={column.title} data-testid={`live-column-${column.title.toLowerCase()}`}>
            <h3>{column.title}</h3>
            {cards
              .filter((c) => (column.statuses as readonly string[]).includes(c.event.transaction.status))
              .map(({ event, receivedAt }) => (
                <button
                  type="button"
                  class="card"
                  key={event.transaction.id}
                  data-testid="live-card"
                  data-reference={event.transaction.reference}
                  data-status={event.transaction.status}
                  data-received-at={String(receivedAt)}
                  onClick={() => navigate(`/transactions/${encodeURIComponent(event.transaction.id)}`)}
                >
                  <span>{event.transaction.reference}</span>
                  <span>{money(event.transaction.amount, event.transaction.currency)}</span>
                </button>
              ))}
          </div>
        ))}
      </div>
      <h3>Events</h3>
      <ol class="events" data-testid="live-events">
        {log.map(({ event }) => (
          <li key={event.id} data-event-id={event.id} data-type={event.type}>
            {time(event.occurredAt)} · {event.type} · {event.transaction.reference} · {money(event.operationAmount, event.transaction.currency)} ·{" "}
            {event.salesUnit.name}
          </li>
        ))}
      </ol>
    </aside>
  );
}
