import type { EnumRef } from '@pothos/core';
import type { LedgerTotals, Tally } from '../domain/ledger-totals.js';
import { builder } from './builder.js';

type Types = typeof builder.$inferSchemaTypes;
type PackageTotal = Tally & { packageKey: string };

interface TotalsOptions<S extends string> {
  /** The record type's name: `Order` makes `OrderTotals`, `OrderStatusTotal`, ... */
  name: string;
  /** The records, in words: `orders`. */
  records: string;
  /** The list field whose filter the totals take. */
  list: string;
  statusEnum: EnumRef<Types, S, S>;
  /** How a record's VND amount is known. */
  amount: string;
  /** The fields that name a package, from the tally's package key. */
  packageFields: (t: PothosSchemaTypes.ObjectFieldBuilder<Types, PackageTotal>) => object;
  packageDescription: string;
}

/**
 * The totals type of a ledger's filter (`OrderTotals`, `VasTransactionTotals`): what its list
 * with the same filter holds, over every page, counted and priced per status, per package and
 * per day and status (a chart's data).
 */
export function ledgerTotalsType<S extends string>(o: TotalsOptions<S>) {
  const amount = (t: PothosSchemaTypes.ObjectFieldBuilder<Types, Tally>) =>
    t.float({
      description: `${o.amount} A whole number, as a Float because it may pass 2^31.`,
      resolve: (p) => p.amountVnd,
    });
  const count = (t: PothosSchemaTypes.ObjectFieldBuilder<Types, Tally>) =>
    t.exposeInt('count', { description: `How many ${o.records}.` });

  const StatusTotal = builder.objectRef<Tally & { status: S }>(`${o.name}StatusTotal`).implement({
    description: `The ${o.records} of a filter in one status.`,
    fields: (t) => ({
      status: t.field({
        type: o.statusEnum,
        description: 'The status.',
        resolve: (p) => p.status as never,
      }),
      count: count(t as never),
      amountVnd: amount(t as never),
    }),
  });
  const PackageTotal = builder.objectRef<PackageTotal>(`${o.name}PackageTotal`).implement({
    description: o.packageDescription,
    fields: (t) => ({
      ...(o.packageFields(t) as Record<string, never>),
      count: count(t as never),
      amountVnd: amount(t as never),
    }),
  });
  const DayTotal = builder
    .objectRef<{ day: string; status: S; count: number }>(`${o.name}DayTotal`)
    .implement({
      description: `How many ${o.records} of a filter were created on one day (Vietnam time) and are in one status now.`,
      fields: (t) => ({
        day: t.field({
          type: 'Date',
          description: 'The day, in Vietnam time (UTC+7).',
          resolve: (d) => d.day,
        }),
        status: t.field({
          type: o.statusEnum,
          description: 'Their status now.',
          resolve: (d) => d.status as never,
        }),
        count: t.exposeInt('count', { description: `How many ${o.records}.` }),
      }),
    });
  return builder.objectRef<LedgerTotals<S>>(`${o.name}Totals`).implement({
    description: `The totals of a filter of \`${o.list}\`, over every page: what it lists with the same filter, counted and priced.`,
    fields: (t) => ({
      count: t.exposeInt('count', {
        description: `How many ${o.records} (\`${o.list}.totalCount\`).`,
      }),
      amountVnd: amount(t as never),
      byStatus: t.field({
        type: [StatusTotal],
        description: 'Per status, in the order of the status enum; statuses without any left out.',
        resolve: (p) => p.byStatus,
      }),
      byPackage: t.field({
        type: [PackageTotal],
        description: 'Per package, sorted.',
        resolve: (p) => p.byPackage,
      }),
      byDay: t.field({
        type: [DayTotal],
        description:
          'Per day (Vietnam time) and status, oldest day first, statuses in enum order: the data of a chart.',
        resolve: (p) => p.byDay,
      }),
    }),
  });
}
