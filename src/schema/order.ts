import { findPackage } from '../domain/catalog.js';
import { InvalidInput, OrderNotFound } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import {
  attemptsLeft,
  isFinalOrder,
  ORDER_FAILURE_CODES,
  ORDER_STATUSES,
  type Order,
  type OrderFailureCode,
  otpExpiresAt,
} from '../domain/order.js';
import { encodeCursor } from '../store/keyset.js';
import type { OrderFilter } from '../store/orders.js';
import { builder } from './builder.js';
import { describedValues } from './enum-values.js';
import { clientFilterField, ledgerEvidenceFields, readClient } from './ledger-client.js';
import { ledgerStatusTypes } from './ledger-events.js';
import { createdRangeFields, ledgerConnection, ledgerPage, type PageArgs } from './ledger-page.js';
import { PackageRef } from './package.js';
import { phoneArgument } from './phone-argument.js';
import { recordNode } from './records.js';
import { noteEventId, recordStream, resumeAfter } from './streams.js';
import { TelcoEnum } from './telco.js';
import { VENDOR_FAILURE_DESCRIPTIONS } from './vendor-failure.js';

const STATUS_DESCRIPTIONS: Record<(typeof ORDER_STATUSES)[number], string> = {
  PENDING: 'Recorded; the OTP request to the vendor has not been answered yet.',
  OTP_SENT: 'The telco texted an OTP to the subscriber; waiting for registerWithOtp.',
  REGISTERING: 'A registration call to the vendor is in flight.',
  REGISTERED: 'The package is registered. Final.',
  FAILED:
    'The vendor refused the OTP request, or it never reached the vendor. Final; nothing was sold.',
  UNKNOWN:
    'A vendor call did not return a result (timeout, lost reply, gateway restart). The vendor may have acted: reconcile before selling again. A registration in this state may be retried with the same order code, which settles it.',
  LOCKED: 'Too many wrong OTPs. Final.',
  EXPIRED: 'The OTP validity ran out before registration. Final.',
  REFUSED:
    'The gateway refused the OTP request before calling the vendor (its circuit was open or too many calls were in flight); nothing was sent, and it does not count toward the OTP limits. Final.',
};

export const { status: OrderStatusEnum, event: OrderEventRef } = ledgerStatusTypes({
  name: 'OrderStatus',
  description: 'Where an order stands. Every change is recorded in `Order.events`.',
  statuses: ORDER_STATUSES,
  descriptions: STATUS_DESCRIPTIONS,
  event: {
    name: 'OrderEvent',
    description: 'One change of an order, in the order it happened.',
    status: 'The status the order moved to.',
    detail: 'What happened, in words.',
  },
});

const UtmRef = builder.objectRef<Order['utm']>('Utm').implement({
  description: 'Campaign tags the seller attached to the order (sent to the vendor as utm*).',
  fields: (t) => ({
    source: t.exposeString('source', { description: 'utmSource; empty when not given.' }),
    medium: t.exposeString('medium', { description: 'utmMedium; empty when not given.' }),
    content: t.exposeString('content', { description: 'utmContent; empty when not given.' }),
    campaign: t.exposeString('campaign', { description: 'utmCampaign; empty when not given.' }),
  }),
});

const FAILURE_DESCRIPTIONS: Record<OrderFailureCode, string> = {
  ...VENDOR_FAILURE_DESCRIPTIONS,
  VENDOR_REJECTED: 'The vendor refused the OTP request; its own code is in `vendorCode`.',
  OTP_INCORRECT: 'The vendor did not accept the OTP; its own code is in `vendorCode`.',
};

export const OrderFailureCodeEnum = builder.enumType('OrderFailureCode', {
  description: 'Why the last vendor call of an order failed, in the gateway’s words.',
  values: describedValues(ORDER_FAILURE_CODES, FAILURE_DESCRIPTIONS),
});

interface OrderFailure {
  code: OrderFailureCode;
  vendorCode: string | null;
  message: string | null;
}

const OrderFailureRef = builder.objectRef<OrderFailure>('OrderFailure').implement({
  description: 'The last failure recorded on an order.',
  fields: (t) => ({
    code: t.expose('code', { type: OrderFailureCodeEnum, description: 'What failed.' }),
    vendorCode: t.exposeString('vendorCode', {
      nullable: true,
      description:
        'The vendor’s own error code, as it came (e.g. dmall’s `errorCode`); null when the vendor gave none.',
    }),
    message: t.exposeString('message', {
      nullable: true,
      description: 'The vendor’s or the gateway’s message.',
    }),
  }),
});

export const OrderRegistrationRef = builder
  .objectRef<{ type: string | null; code: string }>('OrderRegistration')
  .implement({
    description: 'What the vendor reported it registered.',
    fields: (t) => ({
      type: t.exposeString('type', {
        nullable: true,
        description:
          'The package kind the vendor reports, e.g. `CALL/SMS`; null when the order was settled by a later call.',
      }),
      code: t.exposeString('code', { description: 'The registered package code.' }),
    }),
  });

export const OrderRef = builder.objectRef<Order>('Order');

/** The only scopes that read the ledger. */
export const LEDGER_SCOPES = { ledger: true, 'ledger:all': true } as const;

builder.node(OrderRef, {
  description:
    'One sale of a package: from the OTP request to registration. The ledger that reconciliation reads.',
  ...recordNode('Order'),
  fields: (t) => ({
    databaseId: t.exposeID('id', {
      description:
        'The gateway’s own id of the order (a UUID): what `id` was before `id` became a global id. Keep `id` for caches and `node(id:)`.',
    }),
    orderCode: t.exposeString('orderCode', {
      nullable: true,
      description: 'The vendor’s order code (`DG...`), once the OTP request succeeded.',
    }),
    partnerTransId: t.exposeString('partnerTransId', {
      description:
        'The gateway’s own transaction id, unique per order (the partner transaction id).',
    }),
    telcoTransId: t.exposeString('telcoTransId', {
      nullable: true,
      description: 'The telco’s transaction id, once the OTP request succeeded.',
    }),
    phone: t.exposeString('phone', { description: 'The subscriber, local form `0XXXXXXXXX`.' }),
    telco: t.expose('telco', { type: TelcoEnum, description: 'The subscriber’s carrier.' }),
    package: t.field({
      type: PackageRef,
      nullable: true,
      description: 'The package sold; null only if it has since left the catalog.',
      resolve: (o) => findPackage(o.packageCode) ?? null,
    }),
    packageCode: t.exposeString('packageCode', { description: 'The package code sold.' }),
    status: t.field({
      type: OrderStatusEnum,
      description: 'Where the order stands.',
      resolve: (o) => o.status,
    }),
    failure: t.field({
      type: OrderFailureRef,
      nullable: true,
      description: 'The last failure recorded, if any.',
      resolve: (o) =>
        o.failureCode
          ? { code: o.failureCode, vendorCode: o.failureVendorCode, message: o.failureMessage }
          : null,
    }),
    otpAttempts: t.exposeInt('otpAttempts', { description: 'Wrong OTPs entered so far.' }),
    otpAttemptsLeft: t.int({
      description: 'Wrong OTPs still allowed before the order locks.',
      resolve: (o, _args, ctx) => attemptsLeft(o, ctx.config.otp.maxAttempts),
    }),
    otpExpiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the OTP stops being usable; null before one was sent.',
      resolve: (o, _args, ctx) =>
        o.otpSentAt ? otpExpiresAt(o, ctx.config.otp.validitySeconds) : null,
    }),
    registration: t.field({
      type: OrderRegistrationRef,
      nullable: true,
      description: 'What the vendor registered; null until REGISTERED.',
      resolve: (o) =>
        o.status === 'REGISTERED' && o.registeredCode
          ? { type: o.registeredType, code: o.registeredCode }
          : null,
    }),
    utm: t.field({ type: UtmRef, description: 'Campaign tags.', resolve: (o) => o.utm }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the OTP was requested.',
      resolve: (o) => o.createdAt,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'The last change.',
      resolve: (o) => o.updatedAt,
    }),
    registeredAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the registration was confirmed.',
      resolve: (o) => o.registeredAt,
    }),
    ...ledgerEvidenceFields(t, 'sold it', {
      type: OrderEventRef,
      description: 'Every change of this order, oldest first.',
      load: (ctx, id) => ctx.loaders.orderEvents.load(id),
    }),
  }),
});

/** The filter fields that make sense within one subscriber's orders. */
const subscriberOrderFilterFields = (
  t: PothosSchemaTypes.InputFieldBuilder<typeof builder.$inferSchemaTypes, 'InputObject'>,
) => ({
  status: t.field({ type: OrderStatusEnum, required: false, description: 'Only this status.' }),
  packageCode: t.string({ required: false, description: 'Only this package code.' }),
  ...createdRangeFields(t, 'Created'),
});

export const SubscriberOrderFilterInput = builder.inputType('SubscriberOrderFilter', {
  description:
    'Narrows one subscriber’s orders (`Subscriber.orders`). Every field is optional; given fields must all match.',
  fields: subscriberOrderFilterFields,
});

export const OrderFilterInput = builder.inputType('OrderFilter', {
  description: 'Narrows an order list. Every field is optional; given fields must all match.',
  fields: (t) => ({
    ...subscriberOrderFilterFields(t),
    telco: t.field({ type: TelcoEnum, required: false, description: 'Only this carrier.' }),
    phone: t.string({ required: false, description: 'Only this subscriber, in any phone form.' }),
    client: clientFilterField(t, 'orders'),
  }),
});

export const OrderConnection = ledgerConnection(OrderRef, 'Order', {
  page: 'A page of orders, newest first.',
  total: 'How many orders match the filter, across all pages.',
  edge: 'An order in a page.',
});

type Ctx = typeof builder.$inferSchemaTypes.Context;

/** A page of the ledger, with a lazily counted total. Shared by `orders` and `Subscriber.orders`. */
export function orderPage(ctx: Ctx, { client, ...filter }: LedgerOrderFilter, args: PageArgs) {
  return ledgerPage(ctx, 'Order', args, {
    cursor: (order) => encodeCursor(order.createdAt, order.id),
    list: (s, clientId, window) => s.orders.list({ ...filter, clientId }, window),
    count: (s, clientId) => s.orders.count({ ...filter, clientId }),
    client,
  });
}

/** An order filter as the schema takes it: `client` narrows within what the caller may list. */
export type LedgerOrderFilter = Omit<OrderFilter, 'clientId'> & { client?: string | null };

/** The `filter` argument of `orders` (and `orderTotals`) in the store's terms. */
export function ledgerOrderFilter(f: {
  status?: Order['status'] | null;
  telco?: Order['telco'] | null;
  phone?: string | null;
  packageCode?: string | null;
  client?: string | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
}): LedgerOrderFilter {
  return {
    status: f.status ?? null,
    telco: f.telco ?? null,
    phone: f.phone ? phoneArgument(f.phone).local : null,
    packageCode: f.packageCode?.trim().toUpperCase() || null,
    client: readClient(f.client),
    createdFrom: f.createdFrom ?? null,
    createdTo: f.createdTo ?? null,
  };
}

builder.queryField('order', (t) =>
  t.field({
    type: OrderRef,
    nullable: true,
    description: 'One order, by the vendor’s order code (`DG...`) or the gateway’s partnerTransId.',
    authScopes: LEDGER_SCOPES,
    args: {
      code: t.arg.string({ required: true, description: 'orderCode or partnerTransId.' }),
    },
    resolve: (_root, { code }, ctx) =>
      ctx.access.find('Order', (s) => s.orders.findByCode(code.trim())),
  }),
);

builder.queryField('orders', (t) =>
  t.connection(
    {
      type: OrderRef,
      description:
        'The order ledger, newest first: step 4 of the retail programme (reconciliation). A `ledger` client sees its own orders; `ledger:all`, every client’s.',
      authScopes: LEDGER_SCOPES,
      args: {
        filter: t.arg({ type: OrderFilterInput, required: false, description: 'Which orders.' }),
      },
      resolve: (_root, args, ctx) => orderPage(ctx, ledgerOrderFilter(args.filter ?? {}), args),
    },
    OrderConnection,
  ),
);

builder.subscriptionType({
  description:
    'Live updates, over server-sent events or WebSocket (graphql-transport-ws), both on /graphql.',
});

builder.subscriptionField('orderUpdated', (t) =>
  t.field({
    type: OrderRef,
    description:
      'The order now, then again on every change, until a final state (REGISTERED, FAILED, EXPIRED, LOCKED, REFUSED; an UNKNOWN OTP request too): that one is sent, then the stream completes. An UNKNOWN registration stays open until it is settled. Every payload carries its event id (`extensions.eventId`, and the SSE `id:` field); a client that lost the stream resumes with `after:` (or SSE `Last-Event-ID`) and gets every change after it once, then the live ones. No order with this code (or none this client may read): the stream ends at once with a top-level error with code ORDER_NOT_FOUND.',
    authScopes: LEDGER_SCOPES,
    args: {
      // Nullable only because a deprecated argument must be; one of the two is required.
      code: t.arg.string({
        required: false,
        description:
          'The vendor’s order code (`DG...`) or the gateway’s partnerTransId, as for `order(code:)`. Required.',
      }),
      orderCode: t.arg.string({
        required: false,
        description: 'The same as `code`.',
        deprecationReason: 'Use `code`, as `order(code:)` does.',
      }),
      after: t.arg.string({
        required: false,
        description:
          'Resume: the `extensions.eventId` of the last payload received. The order is sent again only if it changed since; then every later change. Over SSE the `Last-Event-ID` header does the same.',
      }),
    },
    // Not a generator: an unknown order is refused before the stream starts, so it is a
    // located top-level error (ORDER_NOT_FOUND) like a query's, not a failure of the stream.
    subscribe: async (_root, args, ctx) => {
      const code = (args.code ?? args.orderCode ?? '').trim();
      if (!code) throw new InvalidInput(message('InvalidInput.orderCodeArgument'), 'code');
      const after = resumeAfter(args.after, (ctx as { request?: Request }).request);
      // Listen before reading, so a change between the two is not missed.
      const updates = ctx.pubsub.subscribe('orderUpdated', code);
      let current: Order | null;
      try {
        current = await ctx.access.find('Order', (s) => s.orders.findByCode(code));
      } catch (err) {
        await updates.return?.();
        throw err;
      }
      if (!current) {
        await updates.return?.();
        throw new OrderNotFound(message('OrderNotFound.noOrder', { orderCode: code }), code);
      }
      return recordStream(updates, ctx.shutdown, current, { after, isFinal: isFinalOrder });
    },
    resolve: (order, _args, ctx) => {
      noteEventId(ctx, order);
      return order;
    },
  }),
);
