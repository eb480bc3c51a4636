import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AmountExceededError, InvalidStateError, ValidationError } from "../../src/domain/errors";
import {
  applyOperation,
  availableActions,
  REQUEST_TTL_MS,
  requestTransaction,
  type TransactionContext,
  type TransactionOperation,
  type TransactionState,
} from "../../src/domain/transaction";
import type { MerchantCountry } from "../../src/domain/types";

const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = new Date("2025-03-03T10:00:00.000Z");

function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

function context(overrides: Partial<TransactionContext> = {}): TransactionContext {
  return { country: "NO", directCapture: false, lateCapture: false, now: at(MINUTE), ...overrides };
}

function apply(state: TransactionState, operation: TransactionOperation, overrides: Partial<TransactionContext> = {}) {
  return applyOperation(state, operation, context(overrides));
}

/** A payment of 1 000,00 reserved at T0 + 1 minute. */
function reserved(amount = 100_000, overrides: Partial<TransactionContext> = {}): TransactionState {
  return apply(requestTransaction(amount, T0), { type: "APPROVE" }, overrides).state;
}

function captured(amount = 100_000, capture?: number): TransactionState {
  return apply(reserved(amount), { type: "CAPTURE", amount: capture }, { now: at(DAY) }).state;
}

function refusal(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the operation to be refused");
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe("requesting a payment", () => {
  it("starts a request that expires after ten minutes", () => {
    const state = requestTransaction(25_000, T0);
    expect(state).toMatchObject({ status: "REQUESTED", amount: 25_000, authorizedAmount: 0, capturedAmount: 0 });
    expect(state.expiresAt.getTime() - T0.getTime()).toBe(10 * MINUTE);
    expect(REQUEST_TTL_MS).toBe(10 * MINUTE);
  });

  it("refuses an amount that is zero, fractional or above 65,000,000", () => {
    for (const amount of [0, -100, 10.5, 65_000_001]) {
      expect(() => requestTransaction(amount, T0)).toThrow(ValidationError);
    }
    expect(requestTransaction(65_000_000, T0).amount).toBe(65_000_000);
  });
});

describe("approve", () => {
  it("reserves the requested amount when the customer approves", () => {
    const result = apply(requestTransaction(100_000, T0), { type: "APPROVE" });
    expect(result.eventType).toBe("RESERVED");
    expect(result.amount).toBe(100_000);
    expect(result.state).toMatchObject({ status: "RESERVED", authorizedAmount: 100_000, capturedAmount: 0 });
    expect(result.state.reservedAt).toEqual(at(MINUTE));
  });

  it("captures the whole amount at once when the sales unit has direct capture", () => {
    const result = apply(requestTransaction(100_000, T0), { type: "APPROVE" }, { directCapture: true });
    expect(result.eventType).toBe("CAPTURED");
    expect(result.amount).toBe(100_000);
    expect(result.state).toMatchObject({ status: "CAPTURED", authorizedAmount: 100_000, capturedAmount: 100_000 });
    expect(result.state.lastCapturedAt).toEqual(at(MINUTE));
  });

  it("refuses an approval that arrives after the request expired", () => {
    const request = requestTransaction(100_000, T0);
    expect(() => apply(request, { type: "APPROVE" }, { now: at(10 * MINUTE) })).toThrow(/expired/);
    expect(apply(request, { type: "APPROVE" }, { now: at(10 * MINUTE - 1) }).state.status).toBe("RESERVED");
  });

  it("refuses to approve a payment that is already reserved", () => {
    expect(() => apply(reserved(), { type: "APPROVE" })).toThrow(InvalidStateError);
  });
});

describe("decline", () => {
  it("rejects the payment when the customer declines", () => {
    const result = apply(requestTransaction(100_000, T0), { type: "DECLINE" });
    expect(result).toMatchObject({
      eventType: "REJECTED",
      amount: 0,
      state: { status: "REJECTED", authorizedAmount: 0 },
    });
  });

  it("refuses a decline after the request expired or was answered", () => {
    expect(() => apply(requestTransaction(100_000, T0), { type: "DECLINE" }, { now: at(11 * MINUTE) })).toThrow(
      InvalidStateError,
    );
    expect(() => apply(reserved(), { type: "DECLINE" })).toThrow(InvalidStateError);
  });
});

describe("expire", () => {
  it("expires an unanswered request once its ten minutes are up", () => {
    const result = apply(requestTransaction(100_000, T0), { type: "EXPIRE" }, { now: at(10 * MINUTE) });
    expect(result).toMatchObject({ eventType: "EXPIRED", amount: 0, state: { status: "EXPIRED" } });
  });

  it("refuses to expire a request before its ten minutes are up", () => {
    expect(() => apply(requestTransaction(100_000, T0), { type: "EXPIRE" }, { now: at(10 * MINUTE - 1) })).toThrow(
      /open until 2025-03-03 10:10 UTC/,
    );
  });

  it("refuses to expire a payment the customer approved", () => {
    expect(() => apply(reserved(), { type: "EXPIRE" }, { now: at(DAY) })).toThrow(InvalidStateError);
  });
});

describe("capture", () => {
  it("captures the full reserved amount when no amount is given", () => {
    const result = apply(reserved(), { type: "CAPTURE" }, { now: at(DAY) });
    expect(result).toMatchObject({ eventType: "CAPTURED", amount: 100_000 });
    expect(result.state).toMatchObject({ status: "CAPTURED", capturedAmount: 100_000, lastCapturedAt: at(DAY) });
  });

  it("treats a null amount like a missing one", () => {
    expect(apply(reserved(), { type: "CAPTURE", amount: null }).amount).toBe(100_000);
  });

  it("allows repeated partial captures until the authorized amount is reached", () => {
    let state = reserved();
    for (const [amount, total] of [
      [30_000, 30_000],
      [50_000, 80_000],
      [20_000, 100_000],
    ] as const) {
      const result = apply(state, { type: "CAPTURE", amount });
      expect(result.amount).toBe(amount);
      state = result.state;
      expect(state).toMatchObject({ status: "CAPTURED", capturedAmount: total });
    }
    expect(() => apply(state, { type: "CAPTURE" })).toThrow(/already captured/);
  });

  it("refuses to capture more than is left, saying how much is available", () => {
    const error = refusal(() => apply(captured(100_000, 60_000), { type: "CAPTURE", amount: 40_001 }));
    expect(error).toBeInstanceOf(AmountExceededError);
    expect((error as AmountExceededError).availableAmount).toBe(40_000);
    expect(error.message).toContain("400,00\u00a0NOK");
  });

  it("refuses amounts that are not positive whole numbers of øre", () => {
    for (const amount of [0, -5, 1.5, Number.NaN]) {
      const error = refusal(() => apply(reserved(), { type: "CAPTURE", amount }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe("amount");
    }
  });

  it("refuses to capture a payment the customer has not approved", () => {
    const error = refusal(() => apply(requestTransaction(100_000, T0), { type: "CAPTURE" }));
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error.message).toMatch(/cannot be captured\. You can cancel the request\./);
  });

  it("refuses to capture after the rest of the reservation was cancelled", () => {
    const cancelled = apply(captured(100_000, 60_000), { type: "CANCEL" }).state;
    expect(() => apply(cancelled, { type: "CAPTURE", amount: 1 })).toThrow(/cancelled/);
  });

  it("refuses to capture once part of the payment is refunded", () => {
    const refunded = apply(captured(100_000, 60_000), { type: "REFUND", amount: 10_000 }).state;
    expect(() => apply(refunded, { type: "CAPTURE", amount: 1 })).toThrow(InvalidStateError);
  });

  it("lets a Norwegian reservation be captured for 180 days and no longer", () => {
    const state = reserved();
    expect(apply(state, { type: "CAPTURE" }, { now: at(MINUTE + 180 * DAY - 1) }).state.status).toBe("CAPTURED");
    const error = refusal(() => apply(state, { type: "CAPTURE" }, { now: at(MINUTE + 180 * DAY) }));
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error.message).toMatch(/180 days/);
  });

  it.each<MerchantCountry>(["DK", "FI"])("refuses to capture a %s reservation after 14 days", (country) => {
    const state = reserved(100_000, { country });
    expect(apply(state, { type: "CAPTURE" }, { country, now: at(MINUTE + 14 * DAY - 1) }).amount).toBe(100_000);
    expect(() => apply(state, { type: "CAPTURE" }, { country, now: at(MINUTE + 14 * DAY) })).toThrow(/14 days/);
  });

  it("gives Danish and Finnish sales units with late capture 180 days", () => {
    const state = reserved(100_000, { country: "DK" });
    const late = { country: "DK", lateCapture: true } as const;
    expect(apply(state, { type: "CAPTURE" }, { ...late, now: at(100 * DAY) }).amount).toBe(100_000);
    expect(() => apply(state, { type: "CAPTURE" }, { ...late, now: at(MINUTE + 180 * DAY) })).toThrow(/180 days/);
  });

  it("formats amounts in the market's currency", () => {
    const state = reserved(100_000, { country: "FI" });
    const error = refusal(() => apply(state, { type: "CAPTURE", amount: 100_001 }, { country: "FI" }));
    expect(error.message).toContain("1\u00a0000,00\u00a0EUR");
  });
});

describe("cancel", () => {
  it("cancels a reserved payment and releases the whole reservation", () => {
    const result = apply(reserved(), { type: "CANCEL" });
    expect(result).toMatchObject({ eventType: "CANCELLED", amount: 100_000 });
    expect(result.state).toMatchObject({ status: "CANCELLED", cancelledAmount: 100_000, capturedAmount: 0 });
  });

  it("releases the rest after a partial capture and keeps the payment captured", () => {
    const result = apply(captured(100_000, 60_000), { type: "CANCEL" });
    expect(result).toMatchObject({ eventType: "CANCELLED", amount: 40_000 });
    expect(result.state).toMatchObject({ status: "CAPTURED", capturedAmount: 60_000, cancelledAmount: 40_000 });
  });

  it("refuses to cancel after a full capture and suggests a refund", () => {
    const error = refusal(() => apply(captured(), { type: "CANCEL" }));
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error.message).toMatch(/You can refund up to 1\u00a0000,00\u00a0NOK\./);
  });

  it("refuses to cancel a second time", () => {
    expect(() => apply(apply(reserved(), { type: "CANCEL" }).state, { type: "CANCEL" })).toThrow(InvalidStateError);
    const partlyCancelled = apply(captured(100_000, 60_000), { type: "CANCEL" }).state;
    expect(() => apply(partlyCancelled, { type: "CANCEL" })).toThrow(/already cancelled/);
  });

  it("withdraws a request the customer has not answered, releasing nothing", () => {
    const result = apply(requestTransaction(100_000, T0), { type: "CANCEL" });
    expect(result).toMatchObject({
      eventType: "CANCELLED",
      amount: 0,
      state: { status: "CANCELLED", cancelledAmount: 0 },
    });
    expect(() => apply(result.state, { type: "APPROVE" })).toThrow(InvalidStateError);
  });

  it("refuses to cancel a request that has expired", () => {
    expect(() => apply(requestTransaction(100_000, T0), { type: "CANCEL" }, { now: at(10 * MINUTE) })).toThrow(
      /expired/,
    );
  });

  it("refuses to cancel a Finnish reservation after its 14 days", () => {
    const state = reserved(100_000, { country: "FI" });
    expect(() => apply(state, { type: "CANCEL" }, { country: "FI", now: at(MINUTE + 14 * DAY) })).toThrow(/14 days/);
  });

  it("releases the uncaptured rest of a payment that was partly captured and partly refunded", () => {
    const refunded = apply(captured(100_000, 60_000), { type: "REFUND", amount: 10_000 }).state;
    const result = apply(refunded, { type: "CANCEL" });
    expect(result.amount).toBe(40_000);
    expect(result.state).toMatchObject({ status: "REFUNDED", cancelledAmount: 40_000 });
  });

  it("refuses to cancel a rejected or expired payment", () => {
    const rejected = apply(requestTransaction(100_000, T0), { type: "DECLINE" }).state;
    expect(() => apply(rejected, { type: "CANCEL" })).toThrow(/Nothing more can be done/);
  });
});

describe("refund", () => {
  it("refunds everything captured when no amount is given", () => {
    const result = apply(captured(), { type: "REFUND" }, { now: at(2 * DAY) });
    expect(result).toMatchObject({ eventType: "REFUNDED", amount: 100_000 });
    expect(result.state).toMatchObject({ status: "REFUNDED", refundedAmount: 100_000 });
  });

  it("marks the payment refunded even after a partial refund", () => {
    const result = apply(captured(), { type: "REFUND", amount: 100 });
    expect(result.state).toMatchObject({ status: "REFUNDED", refundedAmount: 100, capturedAmount: 100_000 });
  });

  it("allows repeated partial refunds until everything captured is refunded", () => {
    let state = captured();
    state = apply(state, { type: "REFUND", amount: 70_000 }).state;
    state = apply(state, { type: "REFUND", amount: 30_000 }).state;
    expect(state.refundedAmount).toBe(100_000);
    expect(() => apply(state, { type: "REFUND", amount: 1 })).toThrow(/already refunded/);
  });

  it("refunds only what was captured, not the whole authorization", () => {
    const error = refusal(() => apply(captured(100_000, 60_000), { type: "REFUND", amount: 60_001 }));
    expect(error).toBeInstanceOf(AmountExceededError);
    expect((error as AmountExceededError).availableAmount).toBe(60_000);
    expect(apply(captured(100_000, 60_000), { type: "REFUND" }).amount).toBe(60_000);
  });

  it("refuses to refund a reserved payment and says it can be captured or cancelled", () => {
    const error = refusal(() => apply(reserved(), { type: "REFUND" }));
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error.message).toMatch(
      /You can capture up to 1\u00a0000,00\u00a0NOK or cancel the remaining 1\u00a0000,00\u00a0NOK\./,
    );
  });

  it("refuses a refund older than one year", () => {
    const state = captured();
    expect(apply(state, { type: "REFUND" }, { now: at(DAY + 365 * DAY - 1) }).amount).toBe(100_000);
    const error = refusal(() => apply(state, { type: "REFUND" }, { now: at(DAY + 365 * DAY) }));
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error.message).toMatch(/365 days after the last capture/);
  });

  it("counts the year from the last capture", () => {
    const first = captured(100_000, 50_000);
    const second = apply(first, { type: "CAPTURE" }, { now: at(100 * DAY) }).state;
    expect(apply(second, { type: "REFUND" }, { now: at(400 * DAY) }).amount).toBe(100_000);
  });
});

describe("availableActions", () => {
  it("offers capture and cancel of a reservation, with amounts and deadlines", () => {
    expect(availableActions(reserved(), context({ now: at(DAY) }))).toEqual({
      capture: { maxAmount: 100_000, deadline: at(MINUTE + 180 * DAY) },
      cancel: { amount: 100_000, deadline: at(MINUTE + 180 * DAY) },
      refund: null,
    });
  });

  it("offers capture of the rest, cancel of the rest and refund after a partial capture", () => {
    expect(availableActions(captured(100_000, 60_000), context({ now: at(2 * DAY) }))).toEqual({
      capture: { maxAmount: 40_000, deadline: at(MINUTE + 180 * DAY) },
      cancel: { amount: 40_000, deadline: at(MINUTE + 180 * DAY) },
      refund: { maxAmount: 60_000, deadline: at(DAY + 365 * DAY) },
    });
  });

  it("offers nothing for a rejected payment", () => {
    const rejected = apply(requestTransaction(100_000, T0), { type: "DECLINE" }).state;
    expect(availableActions(rejected, context())).toEqual({ capture: null, cancel: null, refund: null });
  });
});

describe("applyOperation", () => {
  it("never changes the state it is given", () => {
    const state = deepFreeze(captured(100_000, 60_000));
    const before = structuredClone(state);
    apply(state, { type: "REFUND", amount: 1_000 });
    apply(state, { type: "CANCEL" });
    expect(() => apply(state, { type: "APPROVE" })).toThrow(InvalidStateError);
    expect(state).toEqual(before);
  });

  it("returns only the transaction's state fields when given a whole database row", () => {
    const row = { ...reserved(), id: "9b6f", version: 3, reference: "order-1234" };
    expect(Object.keys(apply(row, { type: "CAPTURE" }).state)).not.toContain("id");
  });
});

describe("any sequence of operations", () => {
  const operation: fc.Arbitrary<TransactionOperation> = fc.oneof(
    fc.constant({ type: "APPROVE" as const }),
    fc.constant({ type: "DECLINE" as const }),
    fc.constant({ type: "EXPIRE" as const }),
    fc.constant({ type: "CANCEL" as const }),
    amountOrNot().map((amount) => ({ type: "CAPTURE" as const, amount })),
    amountOrNot().map((amount) => ({ type: "REFUND" as const, amount })),
  );
  const step = fc.record({
    operation,
    advance: fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 12 * MINUTE }) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 20 * DAY }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 200 * DAY }) },
    ),
  });
  const scenario = fc.record({
    amount: fc.integer({ min: 1, max: 10_000 }),
    country: fc.constantFrom<MerchantCountry>("NO", "DK", "FI"),
    directCapture: fc.boolean(),
    lateCapture: fc.boolean(),
    steps: fc.array(step, { maxLength: 25 }),
  });

  function amountOrNot(): fc.Arbitrary<number | undefined> {
    return fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: 1, max: 12_000 }),
      fc.integer({ min: 1, max: 500 }),
      fc.constantFrom(0, -1, 2.5),
    );
  }

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
  type Check = (
    before: TransactionState,
    after: TransactionState,
    outcome: { amount: number; eventType: string } | Error,
    ctx: TransactionContext,
  ) => void;

  /** Runs a scenario from a fresh request, calling `check` after every step with what happened. */
  function run(input: Scenario, check: Check): void {
    let state = requestTransaction(input.amount, T0);
    let now = T0.getTime();
    for (const { operation, advance } of input.steps) {
      now += advance;
      const ctx: TransactionContext = {
        country: input.country,
        directCapture: input.directCapture,
        lateCapture: input.lateCapture,
        now: new Date(now),
      };
      const before = deepFreeze(state);
      // Only the operation is tried: a failed check must fail the property, not be taken for the operation's refusal.
      let result: ReturnType<typeof applyOperation>;
      try {
        result = applyOperation(before, operation, ctx);
      } catch (error) {
        check(before, before, error as Error, ctx);
        continue;
      }
      check(before, result.state, result, ctx);
      state = result.state;
    }
  }

  it("keeps captured ≤ authorized, refunded ≤ captured and cancelled + captured ≤ authorized", () => {
    fc.assert(
      fc.property(scenario, (input) => {
        run(input, (_before, after) => {
          expect(after.capturedAmount).toBeLessThanOrEqual(after.authorizedAmount);
          expect(after.refundedAmount).toBeLessThanOrEqual(after.capturedAmount);
          expect(after.cancelledAmount + after.capturedAmount).toBeLessThanOrEqual(after.authorizedAmount);
          for (const amount of [
            after.authorizedAmount,
            after.capturedAmount,
            after.refundedAmount,
            after.cancelledAmount,
          ]) {
            expect(Number.isInteger(amount) && amount >= 0).toBe(true);
          }
          expect([0, input.amount]).toContain(after.authorizedAmount);
        });
      }),
      { numRuns: 500 },
    );
  });

  it("records in the aggregates exactly the amounts the operations moved", () => {
    fc.assert(
      fc.property(scenario, (input) => {
        run(input, (before, after, outcome) => {
          if (outcome instanceof Error) return;
          const moved = outcome.amount;
          const delta = {
            captured: after.capturedAmount - before.capturedAmount,
            refunded: after.refundedAmount - before.refundedAmount,
            cancelled: after.cancelledAmount - before.cancelledAmount,
          };
          const expected = { captured: 0, refunded: 0, cancelled: 0 };
          if (outcome.eventType === "CAPTURED") expected.captured = moved;
          if (outcome.eventType === "REFUNDED") expected.refunded = moved;
          if (outcome.eventType === "CANCELLED") {
            expected.cancelled = moved;
            // A cancel releases exactly what was reserved and not captured.
            expect(moved).toBe(before.authorizedAmount - before.capturedAmount);
          }
          expect(delta).toEqual(expected);
        });
      }),
      { numRuns: 500 },
    );
  });

  it("leaves the state unchanged when it refuses an operation, with a typed error", () => {
    fc.assert(
      fc.property(scenario, (input) => {
        run(input, (_before, _after, outcome) => {
          if (!(outcome instanceof Error)) return;
          // Unchanged: the state is frozen, so a write to it would throw a TypeError, which is none of these.
          expect(
            [InvalidStateError, AmountExceededError, ValidationError].some((type) => outcome instanceof type),
            String(outcome),
          ).toBe(true);
        });
      }),
      { numRuns: 500 },
    );
  });

  it("keeps each status consistent with the amounts", () => {
    fc.assert(
      fc.property(scenario, (input) => {
        run(input, (_before, after) => {
          switch (after.status) {
            case "REQUESTED":
            case "REJECTED":
            case "EXPIRED":
              expect(after.authorizedAmount + after.capturedAmount + after.cancelledAmount).toBe(0);
              break;
            case "RESERVED":
              expect([after.capturedAmount, after.cancelledAmount, after.refundedAmount]).toEqual([0, 0, 0]);
              break;
            case "CANCELLED":
              expect(after.capturedAmount).toBe(0);
              expect(after.cancelledAmount).toBe(after.authorizedAmount);
              break;
            case "CAPTURED":
              expect(after.capturedAmount).toBeGreaterThan(0);
              expect(after.refundedAmount).toBe(0);
              break;
            case "REFUNDED":
              expect(after.refundedAmount).toBeGreaterThan(0);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with availableActions about what is possible and how much", () => {
    fc.assert(
      fc.property(scenario, (input) => {
        run(input, (before, _after, _outcome, ctx) => {
          const actions = availableActions(before, ctx);
          const limits = [
            ["CAPTURE", actions.capture?.maxAmount],
            ["REFUND", actions.refund?.maxAmount],
          ] as const;
          for (const [type, max] of limits) {
            if (max === undefined) {
              expect(() => applyOperation(before, { type }, ctx)).toThrow(InvalidStateError);
            } else {
              expect(applyOperation(before, { type }, ctx).amount).toBe(max);
              expect(applyOperation(before, { type, amount: max }, ctx).amount).toBe(max);
              expect(() => applyOperation(before, { type, amount: max + 1 }, ctx)).toThrow(AmountExceededError);
            }
          }
          if (actions.cancel) {
            expect(applyOperation(before, { type: "CANCEL" }, ctx).amount).toBe(actions.cancel.amount);
          } else {
            expect(() => applyOperation(before, { type: "CANCEL" }, ctx)).toThrow(InvalidStateError);
          }
        });
      }),
      { numRuns: 300 },
    );
  });
});
