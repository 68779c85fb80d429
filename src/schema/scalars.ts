import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.js';

builder.scalarType('DateTime', {
  description: 'A point in time, as an ISO-8601 string in UTC (`2026-11-22T04:36:53.000Z`).',
  serialize: (value) =>
    value instanceof Date ? value.toISOString() : new Date(value).toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) {
      throw new GraphQLError('DateTime must be an ISO-8601 string, e.g. 2026-11-22T04:36:53Z');
    }
    return date;
  },
});

/** True for a real calendar day written `yyyy-MM-dd` (`2026-02-30` is not one). */
function isCalendarDay(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function readDay(value: unknown): string {
  if (!isCalendarDay(value)) {
    throw new GraphQLError('Date must be a calendar day written yyyy-MM-dd, e.g. 2026-12-01');
  }
  return value;
}

builder.scalarType('Date', {
  description: 'A calendar day, `yyyy-MM-dd` (`2026-12-01`), with no time and no time zone.',
  serialize: (value) => readDay(value),
  parseValue: (value) => readDay(value),
  parseLiteral: (ast) => readDay(ast.kind === Kind.STRING ? ast.value : null),
});
