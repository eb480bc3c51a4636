/**
 * Caps on the streaming connections (WebSocket connections, SSE streams) one principal and one address hold at
 * once. Each stream is a standing cost (memory, a permission read per batch of events), so one caller opening
 * hundreds of them slows every other request down; past the cap a new one is refused and the existing ones go on.
 */
import { GraphQLError } from "graphql";

export class TooManyConnectionsError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: "TOO_MANY_CONNECTIONS" } });
  }
}

export interface ConnectionCaps {
  perPrincipal: number;
  perAddress: number;
}

export type StreamTransport = "websocket" | "sse";

export class ConnectionLimits {
  private readonly byPrincipal = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();
  private readonly byTransport: Record<StreamTransport, number> = { websocket: 0, sse: 0 };
  /** Told of every connection refused at a cap (metrics). */
  onRefused: (() => void) | null = null;

  constructor(private readonly caps: ConnectionCaps) {}

  /** Connections counted now, by transport. */
  held(): Record<StreamTransport, number> {
    return { ...this.byTransport };
  }

  /** Connections counted for an address now. */
  heldBy(address: string): number {
    return this.byAddress.get(address) ?? 0;
  }

  /** Counts a connection in and returns its release (safe to call twice); throws when a cap is reached. */
  acquire(principal: string | null, address: string | null, transport: StreamTransport = "websocket"): () => void {
    if (address !== null && (this.byAddress.get(address) ?? 0) >= this.caps.perAddress) {
      this.onRefused?.();
      throw new TooManyConnectionsError(`Your address already holds ${this.caps.perAddress} live connections: close one before opening another.`);
    }
    if (principal !== null && (this.byPrincipal.get(principal) ?? 0) >= this.caps.perPrincipal) {
      this.onRefused?.();
      throw new TooManyConnectionsError(`You already hold ${this.caps.perPrincipal} live connections: close one before opening another.`);
    }
    increment(this.byAddress, address);
    increment(this.byPrincipal, principal);
    this.byTransport[transport]++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.byAddress, address);
      decrement(this.byPrincipal, principal);
      this.byTransport[transport]--;
    };
  }
}

function increment(counts: Map<string, number>, key: string | null): void {
  if (key !== null) counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string | null): void {
  if (key === null) return;
  const left = (counts.get(key) ?? 1) - 1;
  if (left === 0) counts.delete(key);
  else counts.set(key, left);
}

/** One principal, however many tokens it holds and whichever sales unit it acts for. */
export function principalIdentity(principal: { kind: string; id: string }): string {
  return `${principal.kind}:${principal.id}`;
}
