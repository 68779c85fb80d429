import { type PhoneNumber, parsePhone } from '../domain/phone.js';
import { builder } from './builder.js';
import { cacheHint } from './cache-hints.js';
import { notAnId } from './global-id.js';
import {
  LEDGER_SCOPES,
  OrderConnection,
  OrderRef,
  OrderStatusEnum,
  orderPage,
  SubscriberOrderFilterInput,
} from './order.js';
import { PackageRef } from './package.js';
import { phoneArgument } from './phone-argument.js';
import { TelcoEnum } from './telco.js';

export const SubscriberRef = builder.objectRef<PhoneNumber>('Subscriber');

/** The MSISDN inside a subscriber id's key (the number the gateway sealed); an error for others. */
export function openSubscriberKey(key: string, ctx: typeof builder.$inferSchemaTypes.Context) {
  const msisdn = ctx.subscriberIds.open(key);
  if (!msisdn) throw notAnId();
  return msisdn;
}

builder.node(SubscriberRef, {
  description:
    'A mobile subscriber, identified by phone number. Its `id` holds the number encrypted, so ids in URLs and logs do not show it.',
  id: {
    resolve: (p, _args, ctx) => ctx.subscriberIds.seal(p.msisdn),
    parse: openSubscriberKey,
  },
  loadWithoutCache: (msisdn: string) => parsePhone(msisdn),
  fields: (t) => ({
    phone: t.exposeString('local', { description: 'Local form, `0936004420`.' }),
    msisdn: t.exposeString('msisdn', { description: 'MSISDN, `84936004420`.' }),
    e164: t.exposeString('e164', { description: 'E.164, `+84936004420`.' }),
    telco: t.expose('telco', {
      type: TelcoEnum,
      description: 'The carrier, from the number prefix.',
    }),
    eligiblePackages: t.field({
      type: [PackageRef],
      description:
        'Step 1: the packages this subscriber may buy through the gateway. Empty for carriers the gateway does not sell for. Cacheable: PUBLIC, 300 seconds.',
      extensions: cacheHint(300),
      resolve: (p, _args, ctx) => ctx.eligibility.eligiblePackages(p),
    }),
    orders: t.connection(
      {
        type: OrderRef,
        description:
          'This subscriber’s orders, newest first (for a `ledger` client, those it made).',
        authScopes: LEDGER_SCOPES,
        args: {
          filter: t.arg({
            type: SubscriberOrderFilterInput,
            required: false,
            description: 'Which of this subscriber’s orders.',
          }),
          status: t.arg({
            type: OrderStatusEnum,
            required: false,
            description: 'Only this status.',
            deprecationReason: 'Use `filter: { status: ... }`, as `orders(filter:)` does.',
          }),
        },
        resolve: (p, args, ctx) => {
          const f = args.filter ?? {};
          return orderPage(
            ctx,
            {
              phone: p.local,
              status: f.status ?? args.status ?? null,
              packageCode: f.packageCode?.trim().toUpperCase() ?? null,
              createdFrom: f.createdFrom ?? null,
              createdTo: f.createdTo ?? null,
            },
            args,
          );
        },
      },
      OrderConnection,
    ),
  }),
});

builder.queryField('subscriber', (t) =>
  t.field({
    type: SubscriberRef,
    description:
      'A subscriber by phone number, in any of the forms `0936004420`, `84936004420` or `+84936004420` (spaces and dots allowed). Every well-formed Vietnamese mobile number is a subscriber (its carrier may be UNKNOWN), so this is never null; a number that is not one is a top-level error with code INVALID_PHONE_NUMBER. Cacheable: PUBLIC, 1 day (the carrier comes from the number).',
    extensions: cacheHint(86_400),
    args: {
      phone: t.arg.string({ required: true, description: 'The phone number, in any form.' }),
    },
    resolve: (_root, { phone }) => phoneArgument(phone),
  }),
);
