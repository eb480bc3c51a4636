/**
 * Periodic background work of each gateway instance (provisioning, expiry, …). A job never overlaps itself; a
 * failed run is logged and the next one tries again. Jobs must be safe with several instances running.
 */
import type { Logger } from "pino";
import { isDatabaseUnavailable } from "../db/errors";
import { loggableError } from "../logging";
import type { Metrics } from "../metrics/metrics";

export interface Job {
  name: string;
  intervalMs: number;
  run(): Promise<unknown>;
}

export interface RunningJobs {
  stop(): Promise<void>;
}

export function startJobs(jobs: Job[], logger: Logger, metrics?: Metrics): RunningJobs {
  const inFlight = new Set<Promise<unknown>>();
  const timers = jobs.map((job) => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      const startedAt = performance.now();
      const ran = (outcome: "ok" | "failed" | "unavailable") => metrics?.jobRan(job.name, outcome, (performance.now() - startedAt) / 1000);
      const run = job
        .run()
        .then(
          () => ran("ok"),
          (error: unknown) => {
            // The database being away is an outage /readyz reports, not a fault of the job: the next run retries.
            if (isDatabaseUnavailable(error)) {
              ran("unavailable");
              logger.warn({ err: loggableError(error), job: job.name }, "Background job skipped: the database is unavailable");
            } else {
              ran("failed");
              logger.error({ err: loggableError(error), job: job.name }, "Background job failed");
            }
          },
        )
        .finally(() => {
          running = false;
          inFlight.delete(run);
        });
      inFlight.add(run);
    }, job.intervalMs);
    timer.unref();
    return timer;
  });
  return {
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
