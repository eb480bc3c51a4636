/**
 * A LISTEN connection that stays open: a session of its own (LISTEN does not survive a pooled client), reopened
 * after `reconnectMs` whenever it is lost or cannot be opened. A notification sent while nobody listened is gone, so
 * `onListening` runs each time listening (re)starts: callers catch up there.
 */
import pg from "pg";

export interface ListenOptions {
  databaseUrl: string;
  channel: string;
  reconnectMs: number;
  onNotification(): void;
  onListening(): void;
  /** The connection failed: `wasListening` is false when it could not be opened in the first place. */
  onLost(error: unknown, wasListening: boolean): void;
}

export function keepListening(options: ListenOptions): { stop(): Promise<void> } {
  let stopped = false;
  let listener: pg.Client | null = null;
  let reopenTimer: NodeJS.Timeout | null = null;

  const listen = async () => {
    const client = new pg.Client({ connectionString: options.databaseUrl });
    let dropped = false;
    const drop = (error?: unknown) => {
      if (dropped) return;
      dropped = true;
      const wasListening = listener === client;
      if (wasListening) listener = null;
      client.end().catch(() => undefined);
      if (stopped) return;
      options.onLost(error, wasListening);
      reopenTimer = setTimeout(() => {
        reopenTimer = null;
        void listen();
      }, options.reconnectMs);
      reopenTimer.unref();
    };
    client.on("notification", () => options.onNotification());
    client.on("error", (error) => drop(error));
    client.on("end", () => drop());
    try {
      await client.connect();
      await client.query(`LISTEN ${options.channel}`);
    } catch (error) {
      drop(error);
      return;
    }
    if (stopped) {
      dropped = true;
      await client.end().catch(() => undefined);
      return;
    }
    listener = client;
    options.onListening();
  };

  void listen();
  return {
    stop: async () => {
      stopped = true;
      if (reopenTimer) clearTimeout(reopenTimer);
      await listener?.end().catch(() => undefined);
    },
  };
}
