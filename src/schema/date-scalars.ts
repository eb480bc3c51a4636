/**
 * DateTime and Date as graphql-scalars defines them, within the years PostgreSQL and the ISO calendar share:
 * graphql-scalars takes year 0000, which PostgreSQL has no such year for (it counts 1 BC), so a filter or an input
 * with it would fail in the database as an untyped error. Here it is a clear input error instead.
 */
import { GraphQLError, GraphQLScalarType, type GraphQLScalarTypeConfig } from "graphql";
import { DateResolver, DateTimeResolver } from "graphql-scalars";

function withinCalendar<Internal, External>(scalar: GraphQLScalarType<Internal, External>): GraphQLScalarType<Internal, External> {
  const checked = (value: Internal): Internal => {
    if (value instanceof Date && value.getUTCFullYear() < 1) {
      throw new GraphQLError(`${scalar.name} years run from 0001 to 9999.`, { extensions: { code: "BAD_USER_INPUT" } });
    }
    return value;
  };
  const config: GraphQLScalarTypeConfig<Internal, External> = scalar.toConfig();
  return new GraphQLScalarType<Internal, External>({
    ...config,
    parseValue: (value) => checked(scalar.parseValue(value)),
    parseLiteral: (ast, variables) => checked(scalar.parseLiteral(ast, variables)),
  });
}

export const DateTimeScalar = withinCalendar(DateTimeResolver);
export const DateScalar = withinCalendar(DateResolver);
