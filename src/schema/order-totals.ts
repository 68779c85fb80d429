import { findPackage } from '../domain/catalog.js';
import { ORDER_STATUSES, type OrderStatus } from '../domain/order.js';
import { builder } from './builder.js';
import {
  LEDGER_SCOPES,
  ledgerOrderFilter,
  narrowOwner,
  OrderFilterInput,
  OrderStatusEnum,
} from './order.js';

/** Vietnam has no daylight saving: its day is UTC+7 all year. */
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

interface Tally {
  count: number;
  amountVnd: number;
}
interface Totals {
  count: number;
  amountVnd: number;
  byStatus: Array<Tally & { status: OrderStatus }>;
  byPackage: Array<Tally & { packageCode: string }>;
  byDay: Array<{ day: string; status: OrderStatus; count: number }>;
}

const NONE: Totals = { count: 0, amountVnd: 0, byStatus: [], byPackage: [], byDay: [] };

/** The Vietnam day (yyyy-MM-dd) of a UTC hour written `yyyy-MM-ddTHH`. */
function vietnamDay(utcHour: string): string {
  return new Date(Date.parse(`${utcHour}:00:00Z`) + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

function add<K>(map: Map<K, Tally>, key: K, count: number, amount: number) {
  const t = map.get(key) ?? { count: 0, amountVnd: 0 };
  t.count += count;
  t.amountVnd += amount;
  map.set(key, t);
}

/** Folds the store's hourly tally into the totals: amounts from the catalog's prices. */
function fold(
  rows: Array<{ hour: string; status: OrderStatus; packageCode: string; count: number }>,
): Totals {
  const byStatus = new Map<OrderStatus, Tally>();
  const byPackage = new Map<string, Tally>();
  const byDay = new Map<string, number>();
  let count = 0;
  let amountVnd = 0;
  for (const r of rows) {
    const amount = r.count * (findPackage(r.packageCode)?.priceVnd ?? 0);
    count += r.count;
    amountVnd += amount;
    add(byStatus, r.status, r.count, amount);
    add(byPackage, r.packageCode, r.count, amount);
    const day = `${vietnamDay(r.hour)}|${r.status}`;
    byDay.set(day, (byDay.get(day) ?? 0) + r.count);
  }
  return {
    count,
    amountVnd,
    byStatus: ORDER_STATUSES.filter((s) => byStatus.has(s)).map((status) => ({
      status,
      ...byStatus.get(status)!,
    })),
    byPackage: [...byPackage.keys()].sort().map((packageCode) => ({
      packageCode,
      ...byPackage.get(packageCode)!,
    })),
    byDay: [...byDay.entries()]
      .map(([key, n]) => {
        const [day = '', status] = key.split('|');
        return { day, status: status as OrderStatus, count: n };
      })
      .sort((a, b) => a.day.localeCompare(b.day) || a.status.localeCompare(b.status)),
  };
}

const amountField = (
  t: PothosSchemaTypes.ObjectFieldBuilder<typeof builder.$inferSchemaTypes, Tally>,
) =>
  t.field({
    type: 'Float',
    description:
      'The catalog price (VND, VAT included) of each order, summed; a package without a price counts 0. A whole number, as a Float because it may pass 2^31.',
    resolve: (p) => p.amountVnd,
  });

const StatusTotalRef = builder
  .objectRef<Tally & { status: OrderStatus }>('OrderStatusTotal')
  .implement({
    description: 'The orders of a filter in one status.',
    fields: (t) => ({
      status: t.field({
        type: OrderStatusEnum,
        description: 'The status.',
        resolve: (p) => p.status,
      }),
      count: t.exposeInt('count', { description: 'How many orders.' }),
      amountVnd: amountField(t),
    }),
  });

const PackageTotalRef = builder
  .objectRef<Tally & { packageCode: string }>('OrderPackageTotal')
  .implement({
    description: 'The orders of a filter for one package, in every status.',
    fields: (t) => ({
      packageCode: t.exposeString('packageCode', { description: 'The package code sold.' }),
      count: t.exposeInt('count', { description: 'How many orders.' }),
      amountVnd: amountField(t),
    }),
  });

const DayTotalRef = builder.objectRef<Totals['byDay'][number]>('OrderDayTotal').implement({
  description: 'How many orders of a filter were created on one day (Vietnam time) in one status.',
  fields: (t) => ({
    day: t.field({
      type: 'Date',
      description: 'The day, in Vietnam time (UTC+7).',
      resolve: (d) => d.day,
    }),
    status: t.field({
      type: OrderStatusEnum,
      description: 'Their status now.',
      resolve: (d) => d.status,
    }),
    count: t.exposeInt('count', { description: 'How many orders.' }),
  }),
});

const OrderTotalsRef = builder.objectRef<Totals>('OrderTotals').implement({
  description:
    'The totals of an order filter, over every page: what `orders` with the same filter lists, counted and priced.',
  fields: (t) => ({
    count: t.exposeInt('count', { description: 'How many orders (`orders.totalCount`).' }),
    amountVnd: amountField(t),
    byStatus: t.field({
      type: [StatusTotalRef],
      description: 'Per status, in the order of `OrderStatus`; statuses without orders left out.',
      resolve: (p) => p.byStatus,
    }),
    byPackage: t.field({
      type: [PackageTotalRef],
      description: 'Per package code, sorted by code.',
      resolve: (p) => p.byPackage,
    }),
    byDay: t.field({
      type: [DayTotalRef],
      description: 'Per day (Vietnam time) and status, oldest day first: for a chart.',
      resolve: (p) => p.byDay,
    }),
  }),
});

builder.queryField('orderTotals', (t) =>
  t.field({
    type: OrderTotalsRef,
    description:
      'Totals of the order ledger for a filter (per status, per package, per day), for reconciliation. A `ledger` client counts its own orders; `ledger:all`, every client’s.',
    authScopes: LEDGER_SCOPES,
    args: {
      filter: t.arg({
        type: OrderFilterInput,
        required: false,
        description: 'Which orders, as for `orders`.',
      }),
    },
    resolve: (_root, args, ctx) => {
      const { client, ...rest } = ledgerOrderFilter(args.filter ?? {});
      return ctx.access.summarize(
        'Order',
        async (s, owner) => {
          const clientId = narrowOwner(owner, client);
          return clientId === undefined ? NONE : fold(await s.orders.tally({ ...rest, clientId }));
        },
        NONE,
      );
    },
  }),
);
