/**
 * The one money representation for sums and totals (aggregates, report totals, …): `Money { minor currency
 * formatted }`, with `minor` a `MinorUnits` scalar, a 64-bit integer of øre/cents serialised as a decimal string so
 * that JavaScript clients never lose precision past 2^53 (or overflow at 2^31 like `Int`). Single payment amounts
 * stay `Int` (they are bounded far below 2^31). Use `moneyOf(sum, currency)` as the resolver's value.
 */
import { GraphQLError, GraphQLScalarType, Kind } from "graphql";
import { formatAmount, formatMinorUnits, toMinorSum, type MinorSum } from "../domain/money";
import { ValidationError } from "../domain/errors";
import type { Currency } from "../generated/prisma/enums";
import { builder } from "./builder";
import { CurrencyEnum } from "./enums";

function parseMinorUnits(value: unknown): bigint {
  try {
    if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return toMinorSum(value);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
  }
  throw new GraphQLError('MinorUnits is a whole number of øre or cents given as a string of digits, e.g. "2147483648".', {
    extensions: { code: "BAD_USER_INPUT" },
  });
}

export const MinorUnitsScalar = builder.addScalarType(
  "MinorUnits",
  new GraphQLScalarType<bigint, string>({
    name: "MinorUnits",
    description:
      "A sum of money in minor units (øre, cents) as a 64-bit integer, serialised as a string of digits with an optional minus sign " +
      '(e.g. "2147483648" is 21 474 836,48), so it stays exact in every client. Inputs take the same string (or a JSON integer up to 2^53).',
    serialize: (value) => toMinorSum(value as bigint | number | string).toString(),
    parseValue: parseMinorUnits,
    parseLiteral: (ast) => {
      if (ast.kind === Kind.STRING || ast.kind === Kind.INT) return parseMinorUnits(ast.value);
      throw new GraphQLError("MinorUnits is a string of digits.", { extensions: { code: "BAD_USER_INPUT" } });
    },
  }),
  {},
);

/** What a Money field resolves to. */
export interface MoneyValue {
  minor: MinorSum;
  currency: Currency;
}

export function moneyOf(minor: bigint | number | string, currency: Currency): MoneyValue {
  return { minor: toMinorSum(minor), currency };
}

export const Money = builder.objectRef<MoneyValue>("Money").implement({
  description: "A sum of money: exact minor units, its currency, and how the portal writes it.",
  fields: (t) => ({
    minor: t.field({ type: "MinorUnits", description: "The sum in minor units (øre, cents), exact.", resolve: (m) => m.minor }),
    currency: t.field({ type: CurrencyEnum, description: "The currency of the sum.", resolve: (m) => m.currency }),
    decimal: t.string({ description: 'The sum in major units with a decimal point, e.g. "1234.50", as the CSV reports write it.', resolve: (m) => formatMinorUnits(m.minor) }),
    formatted: t.string({
      description: 'The sum as people in the currency\'s home market read it, e.g. "1 234,50 NOK" (no-break spaces).',
      resolve: (m) => formatAmount(m.minor, m.currency),
    }),
  }),
});

/**
 * The deprecated `Int` twin of a Money field (a total that was a 32-bit `Int` before sums became 64-bit): kept so
 * existing clients work, nullable so that a total past 2^31 − 1 fails that one field, not the object holding it.
 */
export function legacyTotalReason(moneyField: string): string {
  return `Use \`${moneyField}\` (Money): an Int stops at 2 147 483 647 minor units. Deprecated 2026-12-02, removed no earlier than 2027-06-02 (README: deprecation policy).`;
}

export function int32Total(value: bigint | number, moneyField: string): number {
  const sum = toMinorSum(value);
  if (sum > 2_147_483_647n || sum < -2_147_483_648n) {
    throw new GraphQLError(`This total does not fit in an Int: read \`${moneyField}.minor\` instead.`, {
      extensions: { code: "AMOUNT_OUT_OF_RANGE" },
    });
  }
  return Number(sum);
}
