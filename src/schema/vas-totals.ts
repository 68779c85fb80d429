import { foldTotals, noTotals } from '../domain/ledger-totals.js';
import { VAS_TRANSACTION_STATUSES, type VasTransactionStatus } from '../domain/vas.js';
import { builder } from './builder.js';
import { ledgerTotalsType } from './ledger-totals.js';
import { ledgerVasFilter, VasTransactionFilterInput, VasTransactionStatusEnum } from './vas.js';

/** A tally's package key: service and package ids (neither holds a `/`: `readId`). */
const packageKey = (serviceId: string, packageId: string) => `${serviceId}/${packageId}`;

const VasTransactionTotalsRef = ledgerTotalsType<VasTransactionStatus>({
  name: 'VasTransaction',
  records: 'transactions',
  list: 'vasTransactions',
  statusEnum: VasTransactionStatusEnum,
  amount:
    'The price sent with each transaction (VND), summed; one sent without a price (left to the SDP) counts 0.',
  packageFields: (t) => ({
    serviceId: t.string({
      description: 'The vendor’s service id, as sent.',
      resolve: (p) => p.packageKey.split('/')[0] ?? '',
    }),
    packageId: t.string({
      description: 'The vendor’s package id, as sent.',
      resolve: (p) => p.packageKey.split('/')[1] ?? '',
    }),
  }),
  packageDescription:
    'The VAS transactions of a filter for one service and package, in every status.',
});

builder.queryField('vasTransactionTotals', (t) =>
  t.field({
    type: VasTransactionTotalsRef,
    description:
      'Totals of the VAS ledger for a filter (per status, per package, per day), for reconciliation: the client’s own transactions, or every client’s with `ledger:all`.',
    authScopes: { vas: true, 'ledger:all': true },
    args: {
      filter: t.arg({
        type: VasTransactionFilterInput,
        required: false,
        description: 'Which transactions, as for `vasTransactions`.',
      }),
    },
    resolve: (_root, args, ctx) => {
      const { client, ...filter } = ledgerVasFilter(args.filter);
      return ctx.access.summarize(
        'VasTransaction',
        async (s, clientId) => {
          const rows = await s.vasStore.tally({ ...filter, clientId });
          return foldTotals(
            rows.map((r) => ({
              hour: r.hour,
              status: r.status,
              packageKey: packageKey(r.serviceId, r.packageId),
              count: r.count,
              amountVnd: /^\d{1,12}$/.test(r.price) ? r.count * Number(r.price) : 0,
            })),
            VAS_TRANSACTION_STATUSES,
          );
        },
        noTotals<VasTransactionStatus>(),
        client,
      );
    },
  }),
);
