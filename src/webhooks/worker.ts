/**
 * The webhook delivery worker (docs/webhooks.md). Every state change is a committed row, so a killed instance loses
 * nothing and several instances share the work:
 *
 * 1. Fan-out: for each enabled endpoint, the outbox rows after its cursor (in deliverySeq order) that its
 *    subscription matches become WebhookDelivery rows, and the cursor moves, in one statement under the endpoint's
 *    row lock (SKIP LOCKED: another instance takes the next endpoint).
 * 2. Claim: due deliveries are leased (leaseUntil) with row locks and SKIP LOCKED; per endpoint at most
 *    `concurrencyPerEndpoint` are in flight, and a delivery waits while an earlier one of the same object is pending
 *    for the same endpoint, so each object's events arrive in order. A lease outlives the request timeout; a lease
 *    left by a killed instance ends and the delivery is sent again (at least once).
 * 3. Send: the owner's access now decides (mayReceive); then one signed POST, its attempt logged, and the delivery
 *    done, or due again after an exponential backoff with jitter, or, once the retry window is over, failed and its
 *    endpoint disabled (audit row, e-mail to the merchant's Administrators).
 *
 * Sends are not awaited by the loop: a slow endpoint holds its own slots only, and the others' deliveries go on.
 */
import type { Logger } from "pino";
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { Clock } from "../deps";
import type { Access } from "../auth/permissions";
import { decryptSecret } from "../auth/secrets";
import { mayReceive } from "../events/catalog";
import type { OutboxRecord } from "../events/outbox";
import type { EventBus } from "../events/pubsub";
import { loggableError } from "../logging";
import type { MailTransport } from "../services/mail";
import { SYSTEM_ACTOR } from "../services/audit";
import { recordChange } from "../services/changes";
import { eventFilterSql } from "../services/webhooks";
import type { OutboxEvent, WebhookEndpoint } from "../generated/prisma/client";
import { deliveryHeaders, encodeEventId, eventBody } from "./envelope";
import { loadOwnerAccess } from "./owner";
import { nextAttemptAt } from "./rules";
import { sendWebhook, type SendResult } from "./send";

/** Outbox rows turned into deliveries per endpoint per pass. */
const FAN_OUT_BATCH = 1000;
/** Requests one instance has in flight at most, over all endpoints. */
const MAX_IN_FLIGHT = 200;
/** How long "is any endpoint enabled?" is trusted: ten polls, at most five seconds (a new endpoint waits that long). */
const enabledCheckMs = (pollIntervalMs: number) => Math.min(5_000, 10 * pollIntervalMs);

export interface WebhookWorkerDeps {
  db: Db;
  config: Config;
  clock: Clock;
  logger: Logger;
  encryptionKey: Buffer;
  mail: MailTransport;
  /** Overrides how long the "any endpoint enabled" answer is trusted (tests). */
  enabledCheckMs?: number;
  /**
   * Where new outbox events are announced. A batch this instance's relay numbered starts a pass at once instead of on
   * the next poll, and one with an event of a webhook endpoint also drops the cached "any endpoint enabled?" answer, so
   * a new endpoint gets its first events without waiting for that answer to expire. News from another instance's relay
   * (through Redis; it carries no events) starts a pass too, and leaves the cached answer to its expiry. Polling stays:
   * it is what finds the rows when no announcement comes (no Redis, a lost message).
   */
  bus?: EventBus;
}

interface ClaimedDelivery {
  id: string;
  endpointId: string;
  outboxEventId: bigint;
  /**
   * Counted up by every claim, so it names this one: what settles or hands back the delivery does so only while the
   * row still has it. A worker whose lease ran out (a stalled process) then changes nothing another instance has
   * claimed since, which it would otherwise make claimable a third time while the second attempt is in flight.
   */
  attemptCount: number;
  /** When the delivery was first claimed to be sent: its retry window starts there. */
  firstAttemptAt: Date;
}

const UTC_NOW = `(now() AT TIME ZONE 'UTC')`;

export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private passing: Promise<void> | null = null;
  private again = false;
  /** New outbox rows are looked for on the timer; a finished send only looks for more due deliveries. */
  private fanOutDue = true;
  private stopped = false;
  private readonly shutdown = new AbortController();
  /** The last answer to "is any endpoint enabled?" and when (performance.now()) it was asked. */
  private anyEnabled = false;
  private anyEnabledAt = Number.NEGATIVE_INFINITY;
  /** Undoes the bus subscriptions made in `start`. */
  private readonly detach: (() => void)[] = [];

  constructor(private readonly deps: WebhookWorkerDeps) {}

  start(): void {
    const bus = this.deps.bus;
    if (bus) {
      this.detach.push(
        bus.subscribe((records) => this.relayed(records)),
        bus.onNews(() => this.announced()),
      );
    }
    this.timer = setInterval(() => this.announced(), this.deps.config.webhooks.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** This instance's relay numbered new outbox rows: fan them out now (see `WebhookWorkerDeps.bus`). */
  private relayed(records: readonly OutboxRecord[]): void {
    if (records.some((record) => record.aggregateType === "WebhookEndpoint")) this.anyEnabledAt = Number.NEGATIVE_INFINITY;
    this.announced();
  }

  /** New outbox rows may have been numbered, here or on another instance (or the poll says it is time to look). */
  private announced(): void {
    this.fanOutDue = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const detach of this.detach.splice(0)) detach();
    if (this.timer) clearInterval(this.timer);
    this.shutdown.abort();
    await this.passing;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Runs a pass now, or right after the one running. */
  kick(): void {
    if (this.stopped) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.passing = this.pass()
      .catch((error: unknown) => this.deps.logger.warn({ err: loggableError(error) }, "Webhook pass failed; the next one retries"))
      .finally(() => {
        this.passing = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One pass: fan out new events, then claim and start what is due. Exposed for the bench and tests. */
  async pass(): Promise<void> {
    // With no endpoint enabled there is nothing to fan out to nor to claim: an idle gateway asks one cheap question.
    if (!(await this.anyEndpointEnabled())) return;
    if (this.fanOutDue) {
      this.fanOutDue = false;
      await this.fanOut();
    }
    const room = MAX_IN_FLIGHT - this.inFlight.size;
    if (room <= 0 || this.stopped) return;
    const claimed = await this.claim(room);
    if (claimed.length === 0) return;
    // Stopped while claiming: hand them back untried rather than send with a signal already aborted.
    if (this.stopped) {
      await Promise.all(claimed.map((delivery) => this.release(delivery)));
      return;
    }
    const [endpoints, events] = await Promise.all([
      this.deps.db.webhookEndpoint.findMany({ where: { id: { in: [...new Set(claimed.map((d) => d.endpointId))] } } }),
      this.deps.db.outboxEvent.findMany({ where: { id: { in: [...new Set(claimed.map((d) => BigInt(d.outboxEventId)))] } } }),
    ]);
    const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
    const eventsById = new Map(events.map((event) => [event.id, event]));
    const accessOf = new Map<string, Promise<Access>>();
    for (const delivery of claimed) {
      const endpoint = byId.get(delivery.endpointId);
      if (!endpoint) continue;
      if (!accessOf.has(endpoint.id)) accessOf.set(endpoint.id, loadOwnerAccess(this.deps.db, endpoint));
      const running: Promise<void> = this.deliver(delivery, endpoint, eventsById.get(BigInt(delivery.outboxEventId)) ?? null, accessOf.get(endpoint.id)!)
        .catch((error: unknown) => this.deps.logger.warn({ err: loggableError(error), deliveryId: delivery.id }, "Webhook delivery failed to record; its lease ends and it is sent again"))
        .finally(() => {
          this.inFlight.delete(running);
          this.kick();
        });
      this.inFlight.add(running);
    }
  }

  private async fanOut(): Promise<void> {
    const endpoints = await this.deps.db.$queryRawUnsafe<Pick<WebhookEndpoint, "id" | "eventTypes" | "salesUnitIds" | "merchantId" | "partnerId">[]>(
      `SELECT id, COALESCE("eventTypes", '{}') AS "eventTypes", COALESCE("salesUnitIds", '{}') AS "salesUnitIds", "merchantId", "partnerId" FROM "WebhookEndpoint"
       WHERE status = 'ENABLED' AND cursor < (SELECT COALESCE(MAX("deliverySeq"), 0) FROM "OutboxEvent")`,
    );
    for (const endpoint of endpoints) {
      if (this.stopped) return;
      // One endpoint's trouble must not stop the others' fan-out.
      await this.fanOutTo(endpoint).catch((error: unknown) =>
        this.deps.logger.warn({ err: loggableError(error), webhookEndpointId: endpoint.id }, "Webhook fan-out failed for an endpoint; the next pass retries"),
      );
    }
  }

  private async fanOutTo(endpoint: Pick<WebhookEndpoint, "id" | "eventTypes" | "salesUnitIds" | "merchantId" | "partnerId">): Promise<void> {
      const filter = eventFilterSql(endpoint, 2);
      // The subscription is re-read under the lock (an update may have changed it); the filter's parameters are
      // those read above, so a changed subscription waits for the next pass (the cursor check fails it here).
      await this.deps.db.$executeRawUnsafe(
        `WITH e AS (
           SELECT id, cursor FROM "WebhookEndpoint" WHERE id = $1::uuid AND status = 'ENABLED' AND COALESCE("eventTypes", '{}') = $${filter.params.length + 3}::text[]
             AND COALESCE("salesUnitIds", '{}') = $${filter.params.length + 4}::uuid[] FOR UPDATE SKIP LOCKED
         ),
         scanned AS (
           SELECT o.id, o."deliverySeq", o.type, o."aggregateId", o."merchantId", o."salesUnitId"
           FROM "OutboxEvent" o, e WHERE o."deliverySeq" > e.cursor ORDER BY o."deliverySeq" LIMIT $2
         ),
         inserted AS (
           INSERT INTO "WebhookDelivery" (id, "endpointId", "outboxEventId", "deliverySeq", "eventType", "aggregateId", "nextAttemptAt", "createdAt")
           SELECT gen_random_uuid(), e.id, o.id, o."deliverySeq", o.type, o."aggregateId", ${UTC_NOW}, ${UTC_NOW}
           FROM scanned o, e WHERE ${filter.sql}
         )
         UPDATE "WebhookEndpoint" w SET cursor = (SELECT MAX("deliverySeq") FROM scanned)
         FROM e WHERE w.id = e.id AND EXISTS (SELECT 1 FROM scanned)`,
        endpoint.id,
        FAN_OUT_BATCH,
        ...filter.params,
        endpoint.eventTypes,
        endpoint.salesUnitIds,
      );
  }

  /** Whether any endpoint is enabled, asked at most once per `enabledCheckMs`. */
  private async anyEndpointEnabled(): Promise<boolean> {
    const now = performance.now();
    if (now - this.anyEnabledAt < (this.deps.enabledCheckMs ?? enabledCheckMs(this.deps.config.webhooks.pollIntervalMs))) return this.anyEnabled;
    const [row] = await this.deps.db.$queryRaw<{ enabled: boolean }[]>`SELECT EXISTS (SELECT 1 FROM "WebhookEndpoint" WHERE status = 'ENABLED') AS enabled`;
    this.anyEnabled = row?.enabled === true;
    this.anyEnabledAt = now;
    return this.anyEnabled;
  }

  private async claim(limit: number): Promise<ClaimedDelivery[]> {
    const { concurrencyPerEndpoint, timeoutMs } = this.deps.config.webhooks;
    // Longer than any attempt can take (its deadline), with room for recording it; then another instance may resend.
    const leaseMs = 2 * timeoutMs + 1000;
    return this.deps.db.$queryRawUnsafe<ClaimedDelivery[]>(
      `WITH picked AS (
         SELECT next.id FROM "WebhookEndpoint" e
         CROSS JOIN LATERAL (
           SELECT count(*) AS n FROM "WebhookDelivery" l WHERE l."endpointId" = e.id AND l.status = 'PENDING' AND l."leaseUntil" > ${UTC_NOW}
         ) f
         CROSS JOIN LATERAL (
           -- Each object's first pending delivery is its head; only a head that is due and not in flight may go.
           SELECT head.id FROM (
             SELECT DISTINCT ON (d."aggregateId") d.id, d."deliverySeq", d."createdAt", d."nextAttemptAt", d."leaseUntil"
             FROM "WebhookDelivery" d WHERE d."endpointId" = e.id AND d.status = 'PENDING'
             ORDER BY d."aggregateId", d."deliverySeq", d."createdAt"
           ) head
           WHERE head."nextAttemptAt" <= ${UTC_NOW} AND (head."leaseUntil" IS NULL OR head."leaseUntil" <= ${UTC_NOW})
           ORDER BY head."deliverySeq", head."createdAt"
           LIMIT GREATEST($1 - f.n, 0)
         ) next
         WHERE e.status = 'ENABLED'
         LIMIT $2
       ),
       locked AS (SELECT d.id FROM "WebhookDelivery" d WHERE d.id IN (SELECT id FROM picked) FOR UPDATE SKIP LOCKED)
       UPDATE "WebhookDelivery" d SET "leaseUntil" = ${UTC_NOW} + $3 * interval '1 millisecond', "attemptCount" = d."attemptCount" + 1,
         "firstAttemptAt" = COALESCE(d."firstAttemptAt", ${UTC_NOW})
       FROM locked WHERE d.id = locked.id AND d.status = 'PENDING' AND (d."leaseUntil" IS NULL OR d."leaseUntil" <= ${UTC_NOW})
       RETURNING d.id, d."endpointId", d."outboxEventId", d."attemptCount", d."firstAttemptAt"`,
      concurrencyPerEndpoint,
      limit,
      leaseMs,
    );
  }

  /**
   * A claimed delivery handed back untried (this instance is stopping): its lease ends now and the claim's attempt
   * is not counted (nor, for a delivery never tried before, its window begun), so the next instance sends it as if
   * nothing happened. Never the receiver's failure.
   */
  private async release(delivery: ClaimedDelivery): Promise<void> {
    await this.deps.db.$executeRaw`
      UPDATE "WebhookDelivery" SET "leaseUntil" = NULL, "attemptCount" = GREATEST("attemptCount" - 1, 0),
        "firstAttemptAt" = CASE WHEN "attemptCount" <= 1 THEN NULL ELSE "firstAttemptAt" END
      WHERE id = ${delivery.id}::uuid AND status = 'PENDING' AND "attemptCount" = ${delivery.attemptCount}`;
  }

  private async deliver(delivery: ClaimedDelivery, endpoint: WebhookEndpoint, event: OutboxEvent | null, access: Promise<Access>): Promise<void> {
    const { db, config, clock } = this.deps;
    if (!event || !mayReceive(await access, event)) {
      await db.webhookDelivery.updateMany({
        where: { id: delivery.id, status: "PENDING", attemptCount: delivery.attemptCount },
        data: { status: "SKIPPED", leaseUntil: null, completedAt: clock.now(), lastError: "Not sent: the endpoint's owner may not see this event now." },
      });
      return;
    }
    if (this.stopped) return this.release(delivery);
    const startedAt = clock.now();
    let request: { headers: Record<string, string>; body: string };
    try {
      request = this.request(delivery, endpoint, event);
    } catch (error) {
      // A row that cannot be sent (a secret that no longer decrypts, say) fails like an attempt, so it backs off,
      // gives up after the retry window and stops holding up the object's later events.
      this.deps.logger.error({ err: loggableError(error), deliveryId: delivery.id, webhookEndpointId: endpoint.id }, "A webhook delivery could not be prepared");
      await this.record(delivery, endpoint, startedAt, { statusCode: null, responseExcerpt: null, error: "The gateway could not prepare this delivery.", durationMs: 0 });
      return;
    }
    const result = await sendWebhook({ url: endpoint.url, ...request, timeoutMs: config.webhooks.timeoutMs, rules: config.webhooks, signal: this.shutdown.signal });
    if (result.aborted) return this.release(delivery);
    await this.record(delivery, endpoint, startedAt, result);
  }

  /** The signed request for a delivery. */
  private request(delivery: ClaimedDelivery, endpoint: WebhookEndpoint, event: OutboxEvent): { headers: Record<string, string>; body: string } {
    const { clock, encryptionKey } = this.deps;
    const now = clock.now();
    const previousSecret =
      endpoint.previousSecretEncrypted && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now
        ? decryptSecret(endpoint.previousSecretEncrypted, encryptionKey)
        : null;
    const body = eventBody(event);
    const headers = deliveryHeaders({
      url: endpoint.url,
      body,
      date: now,
      secret: decryptSecret(endpoint.secretEncrypted, encryptionKey),
      previousSecret,
      deliveryId: delivery.id,
      eventId: encodeEventId(event.id),
      eventType: event.type,
      attempt: delivery.attemptCount,
    });
    return { headers, body };
  }

  private async record(delivery: ClaimedDelivery, endpoint: WebhookEndpoint, startedAt: Date, result: SendResult): Promise<void> {
    const { db, clock, config } = this.deps;
    const now = clock.now();
    const succeeded = result.error === null;
    const next = succeeded
      ? null
      : nextAttemptAt(new Date(delivery.firstAttemptAt), delivery.attemptCount, now, { baseMs: config.webhooks.retryBaseMs, maxDelayMs: config.webhooks.retryMaxDelayMs, windowMs: config.webhooks.retryWindowMs });
    const gaveUp = !succeeded && next === null;
    if (!gaveUp) {
      // The common case in one statement (one round trip): the outcome, and the attempt if the delivery is still ours.
      await db.$executeRaw`
        WITH settled AS (
          UPDATE "WebhookDelivery" SET "leaseUntil" = NULL, "lastError" = ${result.error},
            status = ${succeeded ? "SUCCEEDED" : "PENDING"}::"WebhookDeliveryStatus",
            "completedAt" = ${succeeded ? now : null}::timestamp(3),
            "nextAttemptAt" = COALESCE(${next}::timestamp(3), "nextAttemptAt")
          WHERE id = ${delivery.id}::uuid AND status = 'PENDING' AND "attemptCount" = ${delivery.attemptCount}
          RETURNING id
        )
        INSERT INTO "WebhookAttempt" (id, "deliveryId", number, "startedAt", "durationMs", "statusCode", "responseExcerpt", error)
        SELECT gen_random_uuid(), id, ${delivery.attemptCount}, ${startedAt}::timestamp(3), ${result.durationMs}, ${result.statusCode}, ${result.responseExcerpt}, ${result.error}
        FROM settled`;
      return;
    }
    const disabled = await db.$transaction(async (tx) => {
      const updated = await tx.webhookDelivery.updateMany({
        where: { id: delivery.id, status: "PENDING", attemptCount: delivery.attemptCount },
        data: succeeded
          ? { status: "SUCCEEDED", leaseUntil: null, completedAt: now, lastError: null }
          : gaveUp
            ? { status: "FAILED", leaseUntil: null, completedAt: now, lastError: result.error }
            : { leaseUntil: null, nextAttemptAt: next!, lastError: result.error },
      });
      // Gone (its endpoint deleted), or no longer ours: another instance settled or claimed it after our lease ran out.
      if (updated.count === 0) return false;
      await tx.webhookAttempt.create({
        data: {
          deliveryId: delivery.id,
          number: delivery.attemptCount,
          startedAt,
          durationMs: result.durationMs,
          statusCode: result.statusCode,
          responseExcerpt: result.responseExcerpt,
          error: result.error,
        },
      });
      if (!gaveUp) return false;
      const reason = `Deliveries failed for longer than the retry window; the last error: ${result.error}`;
      const turnedOff = await tx.webhookEndpoint.updateMany({ where: { id: endpoint.id, status: "ENABLED" }, data: { status: "DISABLED", disabledReason: reason } });
      if (turnedOff.count === 0) return false;
      await recordChange(tx, SYSTEM_ACTOR, {
        merchantId: endpoint.merchantId,
        action: "webhookEndpoint.disable",
        objectType: "WebhookEndpoint",
        objectId: endpoint.id,
        data: { url: endpoint.url, reason, deliveryId: delivery.id },
        event: { type: "webhookEndpoint.DISABLED", salesUnitId: null, payload: { url: endpoint.url, reason } },
      });
      return true;
    });
    if (disabled) await this.tellAdministrators(endpoint, result.error ?? "");
  }

  /** The merchant's Administrators with an e-mail address hear that their endpoint was switched off, and what to do. */
  private async tellAdministrators(endpoint: WebhookEndpoint, lastError: string): Promise<void> {
    const { db, mail, logger } = this.deps;
    if (!endpoint.merchantId) {
      logger.warn({ webhookEndpointId: endpoint.id, partnerId: endpoint.partnerId }, "A partner's webhook endpoint was disabled after failing deliveries");
      return;
    }
    const administrators = await db.portalUser.findMany({
      where: { anonymizedAt: null, email: { not: null }, memberships: { some: { merchantId: endpoint.merchantId, role: "ADMINISTRATOR" } } },
      select: { email: true },
    });
    for (const { email } of administrators) {
      await mail
        .send({
          to: email!,
          subject: "Your webhook endpoint was disabled",
          text: [
            `Deliveries to your webhook endpoint ${endpoint.url} kept failing, so it was disabled.`,
            `The last error: ${lastError}`,
            "Fix the endpoint, enable it again in the portal (enableWebhookEndpoint), and replay the events you missed with redeliverWebhookEvents.",
          ].join("\n\n"),
          attachments: [],
        })
        .catch((error: unknown) => logger.warn({ err: loggableError(error), webhookEndpointId: endpoint.id }, "Could not e-mail an Administrator about a disabled webhook endpoint"));
    }
  }
}
