/**
 * Transactions with their operation history, generated in memory so they can be written with a few bulk
 * inserts. Each transaction is played through the state machine of src/domain/transaction.ts step by step, and its aggregates
 * are summed from the operations it got, so the row and its history always agree.
 */
import type { Prisma } from "../generated/prisma/client";
import type { Channel, Country, Currency, Environment, OperationType, PrincipalKind, TransactionStatus } from "../generated/prisma/enums";
import { dayOf } from "../domain/calendar";
import type { UnitProfile } from "./catalog";
import { MESSAGES, PROFILES, SHIPPING } from "./products";
import type { Random } from "./random";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A payment request expires after 10 minutes (docs/transactions.md). */
const REQUEST_TTL = 10 * MINUTE;

export interface Actor {
  kind: PrincipalKind;
  id: string | null;
  label: string | null;
}

export interface Payer {
  name: string;
  phone: string;
  email: string;
}

export interface LinkState {
  id: string;
  slug: string;
  amount: number;
  description: string;
  createdAt: Date;
  expiresAt: Date | null;
  singleUse: boolean;
  active: boolean;
  uses: number;
}

export interface UnitContext {
  id: string;
  merchantId: string;
  msn: string;
  country: Exclude<Country, "SE">;
  currency: Currency;
  environment: Environment;
  channel: Channel;
  directCapture: boolean;
  lateCapture: boolean;
  profile: UnitProfile;
  /** Settled transactions to create in [from, until]. */
  count: number;
  /** Transactions still waiting for the customer (status REQUESTED, created minutes before `now`). */
  pending: number;
  from: Date;
  until: Date;
  /** Who sends payment requests: the shop's API integration or its POS partner. */
  requester: Actor;
  /** The POS partner that captures for an in-person unit, if any. */
  partner: Actor | null;
  /** Users who may capture, cancel and refund on this unit (administrators, members with TRANSACTION_MANAGEMENT). */
  managers: Actor[];
  links: LinkState[];
  payers: Payer[];
}

export type TransactionRow = Prisma.TransactionCreateManyInput & { id: string; createdAt: Date };
export type OperationRow = Prisma.TransactionOperationCreateManyInput & { id: string; createdAt: Date; type: OperationType; amount: number };

export interface GeneratedTransactions {
  transactions: TransactionRow[];
  operations: OperationRow[];
}

interface Step {
  type: OperationType;
  amount: number;
  at: number;
  actor: Actor;
}

const PLATFORM: Actor = { kind: "PLATFORM", id: null, label: "Payment platform" };

/** Local business hours as UTC hours: Oslo and Copenhagen are UTC+1, Helsinki UTC+2 (summer time ignored). */
function utcOffsetHours(country: Exclude<Country, "SE">): number {
  return country === "FI" ? 2 : 1;
}

function openingHours(channel: Channel, profile: UnitProfile): [number, number] {
  if (channel === "ONLINE") return [6, 23];
  return profile === "cafe" ? [7, 18] : [10, 18];
}

/** Sorted creation instants between `from` and `until`, denser towards the present (the shops grow). */
function creationTimes(rng: Random, unit: UnitContext, now: number): number[] {
  const from = unit.from.getTime();
  const until = Math.min(unit.until.getTime(), now - 15 * MINUTE);
  if (until <= from) throw new Error(`seed: sales unit ${unit.msn} has no time window for its transactions`);
  const spanDays = (until - from) / DAY;
  const [open, close] = openingHours(unit.channel, unit.profile);
  const offset = utcOffsetHours(unit.country) * HOUR;
  const times: number[] = [];
  while (times.length < unit.count) {
    const daysBack = spanDays * rng.next() ** 1.35;
    const day = Math.floor((until - daysBack * DAY) / DAY) * DAY;
    const at = day + rng.int(open * 60, close * 60 - 1) * MINUTE + rng.int(0, 59_999) - offset;
    if (at >= from && at <= until) times.push(at);
  }
  return times.sort((a, b) => a - b);
}

class References {
  private counters = new Map<string, number>();

  next(prefix: string, width: number): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-${String(n).padStart(width, "0")}`;
  }
}

/** A share of `total` between `low` and `high`, in whole currency units where possible, strictly inside (0, total). */
function share(rng: Random, total: number, low: number, high: number): number {
  const raw = total * (low + rng.next() * (high - low));
  let value = Math.round(raw / 100) * 100;
  if (value <= 0 || value >= total) value = Math.max(1, Math.floor(total / 2));
  return value;
}

function basket(rng: Random, profile: UnitProfile, shipped: boolean): { amount: number; description: string } {
  const data = PROFILES[profile];
  if (data.bulk && rng.chance(data.bulk.probability)) {
    const quantity = rng.int(data.bulk.quantity[0], data.bulk.quantity[1]);
    return { amount: data.bulk.product.amount * quantity, description: `${quantity} x ${data.bulk.product.name}` };
  }
  const count = rng.int(data.basket[0], data.basket[1]);
  const items = Array.from({ length: count }, () => rng.pick(data.products));
  let amount = items.reduce((sum, item) => sum + item.amount, 0);
  const names = [...new Set(items.map((item) => item.name))];
  let description = names.join(", ");
  if (shipped && data.shipping && amount < data.shipping.freeShippingFrom) {
    amount += data.shipping.amount;
    description += ` + ${data.shipping.label}`;
  }
  if (description.length > 100) description = `${description.slice(0, 97)}...`;
  return { amount, description };
}

/** Plays one answered payment request through the state machine and returns its steps after the REQUEST. */
function answeredSteps(rng: Random, unit: UnitContext, createdAt: number, amount: number, now: number): Step[] {
  const roll = rng.next();
  if (roll < 0.03) return [{ type: "EXPIRE", amount, at: createdAt + REQUEST_TTL, actor: PLATFORM }];
  const answeredAt = createdAt + (unit.channel === "IN_PERSON" ? rng.int(4, 60) : rng.int(10, 300)) * 1000;
  if (roll < 0.075) return [{ type: "DECLINE", amount, at: answeredAt, actor: PLATFORM }];

  const steps: Step[] = [{ type: "APPROVE", amount, at: answeredAt, actor: PLATFORM }];
  const manager = (): Actor => rng.pick(unit.managers);
  const apiOrManager = (): Actor => (rng.chance(0.6) ? unit.requester : manager());

  if (unit.directCapture) {
    steps.push({ type: "CAPTURE", amount, at: answeredAt + 1000, actor: PLATFORM });
  } else {
    // A reservation can be captured or cancelled for 180 days in NO, 14 in DK/FI, longer with late capture.
    const window = (unit.country === "NO" || unit.lateCapture ? 180 : 14) * DAY;
    const age = now - answeredAt;
    const keepReserved = age < window && (age < 3 * DAY ? rng.chance(0.35) : rng.chance(0.015));
    if (keepReserved) return steps;
    if (rng.chance(0.045)) {
      const cancelAt = answeredAt + rng.int(HOUR, Math.min(5 * DAY, window - HOUR));
      if (cancelAt > now - MINUTE) return steps;
      steps.push({ type: "CANCEL", amount, at: cancelAt, actor: manager() });
      return steps;
    }
    const delay = unit.channel === "ONLINE" ? rng.int(30 * MINUTE, 3 * DAY) : rng.int(2_000, 3 * MINUTE);
    const captureAt = answeredAt + delay;
    if (captureAt > now - MINUTE || captureAt > answeredAt + window) return steps;
    const captureActor = unit.partner ?? apiOrManager();
    const kind = amount >= 2 ? rng.weighted([["full", 0.91], ["partial", 0.05], ["split", 0.04]] as const) : "full";
    if (kind === "partial") {
      steps.push({ type: "CAPTURE", amount: share(rng, amount, 0.4, 0.95), at: captureAt, actor: captureActor });
    } else if (kind === "split") {
      const first = share(rng, amount, 0.3, 0.7);
      const secondAt = Math.min(captureAt + rng.int(HOUR, 2 * DAY), now - MINUTE, answeredAt + window);
      steps.push({ type: "CAPTURE", amount: first, at: captureAt, actor: captureActor });
      steps.push({ type: "CAPTURE", amount: amount - first, at: Math.max(secondAt, captureAt + 1000), actor: captureActor });
    } else {
      steps.push({ type: "CAPTURE", amount, at: captureAt, actor: captureActor });
    }
  }

  const captures = steps.filter((step) => step.type === "CAPTURE");
  const captured = captures.reduce((sum, step) => sum + step.amount, 0);
  const lastCaptureAt = Math.max(...captures.map((step) => step.at));
  const refundKind = rng.weighted([["none", 0.915], ["full", 0.045], ["partial", 0.04]] as const);
  if (refundKind === "none") return steps;
  // Refunds only within one year of the capture.
  const refundAt = lastCaptureAt + rng.int(2 * HOUR, 45 * DAY);
  if (refundAt > now - MINUTE || refundAt > lastCaptureAt + 365 * DAY) return steps;
  if (refundKind === "full" || captured < 2) {
    steps.push({ type: "REFUND", amount: captured, at: refundAt, actor: manager() });
    return steps;
  }
  const first = share(rng, captured, 0.1, 0.6);
  steps.push({ type: "REFUND", amount: first, at: refundAt, actor: manager() });
  const secondAt = refundAt + rng.int(HOUR, 10 * DAY);
  if (rng.chance(0.3) && secondAt < now - MINUTE && captured - first >= 2) {
    steps.push({ type: "REFUND", amount: share(rng, captured - first, 0.2, 0.8), at: secondAt, actor: apiOrManager() });
  }
  return steps;
}

function statusOf(steps: Step[]): TransactionStatus {
  const types = new Set(steps.map((step) => step.type));
  if (types.has("REFUND")) return "REFUNDED";
  if (types.has("CAPTURE")) return "CAPTURED";
  if (types.has("CANCEL")) return "CANCELLED";
  if (types.has("APPROVE")) return "RESERVED";
  if (types.has("DECLINE")) return "REJECTED";
  if (types.has("EXPIRE")) return "EXPIRED";
  return "REQUESTED";
}

function sumOf(steps: Step[], type: OperationType): number {
  return steps.reduce((sum, step) => (step.type === type ? sum + step.amount : sum), 0);
}

function usableLink(rng: Random, unit: UnitContext, at: number): LinkState | null {
  if (unit.links.length === 0 || !rng.chance(0.1)) return null;
  const open = unit.links.filter(
    (link) =>
      link.createdAt.getTime() < at &&
      (link.expiresAt === null || at < link.expiresAt.getTime()) &&
      !(link.singleUse && link.uses > 0) &&
      (link.active || link.singleUse),
  );
  return open.length > 0 ? rng.pick(open) : null;
}

export function generateTransactions(rng: Random, units: UnitContext[], now: Date): GeneratedTransactions {
  const nowMs = now.getTime();
  const transactions: TransactionRow[] = [];
  const operations: OperationRow[] = [];

  for (const unit of units) {
    const references = new References();
    const shipped = unit.channel === "ONLINE" && unit.profile !== "coffee-subscription";
    const test = unit.environment === "TEST";
    const pendingTimes = Array.from({ length: unit.pending }, () => nowMs - rng.int(1 * MINUTE, 6 * MINUTE)).sort((a, b) => a - b);
    const plan = [...creationTimes(rng, unit, nowMs).map((at) => ({ at, pending: false })), ...pendingTimes.map((at) => ({ at, pending: true }))];

    for (const { at: createdAt, pending } of plan) {
      const id = rng.uuid();
      const link = pending ? null : usableLink(rng, unit, createdAt);
      const goods = link ? { amount: link.amount, description: link.description } : basket(rng, unit.profile, shipped);
      const prefix = test ? "test" : link ? `link-${link.slug}` : PROFILES[unit.profile].referencePrefix;
      const reference =
        prefix === "pos" ? references.next(`pos-${dayOf(new Date(createdAt)).replaceAll("-", "")}`, 4) : references.next(`${prefix}-${dayOf(new Date(createdAt)).slice(0, 4)}`, 6);

      const requester = link ? PLATFORM : unit.requester;
      const steps: Step[] = [{ type: "REQUEST", amount: goods.amount, at: createdAt, actor: requester }];
      if (!pending) steps.push(...answeredSteps(rng, unit, createdAt, goods.amount, nowMs));
      if (link && steps.some((step) => step.type === "APPROVE")) {
        link.uses += 1;
        if (link.singleUse) link.active = false;
      }
      const status = statusOf(steps);
      const answered = status !== "REQUESTED" && status !== "EXPIRED" && status !== "REJECTED";

      const payer = rng.pick(unit.payers);
      const sharesIdentity = answered && (unit.channel === "ONLINE" || link !== null ? rng.chance(0.92) : rng.chance(0.45));
      const phoneKnown = sharesIdentity || (unit.channel === "ONLINE" && rng.chance(0.6));
      const withShipping = answered && (link !== null || (shipped && rng.chance(0.5)));
      const shipping = SHIPPING[unit.country];
      const captures = steps.filter((step) => step.type === "CAPTURE");
      const approve = steps.find((step) => step.type === "APPROVE");
      const last = steps[steps.length - 1] ?? steps[0];
      const authorized = approve ? approve.amount : 0;
      const captured = sumOf(steps, "CAPTURE");

      transactions.push({
        id,
        merchantId: unit.merchantId,
        salesUnitId: unit.id,
        reference,
        description: goods.description,
        currency: unit.currency,
        amount: goods.amount,
        authorizedAmount: authorized,
        capturedAmount: captured,
        refundedAmount: sumOf(steps, "REFUND"),
        cancelledAmount: sumOf(steps, "CANCEL"),
        status,
        paymentLinkId: link?.id ?? null,
        payerName: sharesIdentity ? payer.name : null,
        payerPhone: phoneKnown ? payer.phone : null,
        payerEmail: sharesIdentity && (unit.channel === "ONLINE" || link) && rng.chance(0.75) ? payer.email : null,
        message: answered && rng.chance(unit.channel === "ONLINE" ? 0.12 : 0.03) ? rng.pick(MESSAGES[unit.country]) : null,
        shippingName: withShipping ? payer.name : null,
        shippingAddress: withShipping ? rng.pick(shipping.addresses) : null,
        shippingMethod: withShipping ? rng.pick(shipping.methods) : null,
        expiresAt: new Date(createdAt + REQUEST_TTL),
        reservedAt: approve ? new Date(approve.at) : null,
        firstCapturedAt: captures[0] ? new Date(captures[0].at) : null,
        lastCapturedAt: captures.length > 0 ? new Date(Math.max(...captures.map((step) => step.at))) : null,
        version: steps.length - 1,
        createdAt: new Date(createdAt),
        updatedAt: new Date(last?.at ?? createdAt),
      });
      for (const step of steps) {
        operations.push({
          id: rng.uuid(),
          transactionId: id,
          type: step.type,
          amount: step.amount,
          actorKind: step.actor.kind,
          actorId: step.actor.id,
          actorLabel: step.actor.label,
          createdAt: new Date(step.at),
        });
      }
    }
  }
  return { transactions, operations };
}
