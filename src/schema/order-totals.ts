import { findPackage } from '../domain/catalog.js';
import { foldTotals, noTotals } from '../domain/ledger-totals.js';
import { ORDER_STATUSES, type OrderStatus } from '../domain/order.js';
import { builder } from './builder.js';
import { ledgerTotalsType } from './ledger-totals.js';
import { LEDGER_SCOPES, ledgerOrderFilter, OrderFilterInput, OrderStatusEnum } from './order.js';

const OrderTotalsRef = ledgerTotalsType<OrderStatus>({
  name: 'Order',
  records: 'orders',
  list: 'orders',
  statusEnum: OrderStatusEnum,
  amount:
    'The catalog price (VND, VAT included) of each order, summed; a package without a price counts 0.',
  packageFields: (t) => ({
    packageCode: t.exposeString('packageKey', { description: 'The package code sold.' }),
  }),
  packageDescription: 'The orders of a filter for one package, in every status.',
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
      const { client, ...filter } = ledgerOrderFilter(args.filter ?? {});
      return ctx.access.summarize(
        'Order',
        async (s, clientId) => {
          const rows = await s.orders.tally({ ...filter, clientId });
          return foldTotals(
            rows.map((r) => ({
              hour: r.hour,
              status: r.status,
              packageKey: r.packageCode,
              count: r.count,
              amountVnd: r.count * (findPackage(r.packageCode)?.priceVnd ?? 0),
            })),
            ORDER_STATUSES,
          );
        },
        noTotals<OrderStatus>(),
        client,
      );
    },
  }),
);
