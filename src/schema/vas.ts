import { errorClasses, InvalidInput, VasTransactionNotFound } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import type { PhoneNumber } from '../domain/phone.js';
import {
  VAS_ACTIONS,
  VAS_TRANSACTION_STATUSES,
  type VasEvent,
  type VasSubscriptionState,
  type VasTransaction,
} from '../domain/vas.js';
import { readId, SETTLE_VAS_ERRORS, VAS_CHANGE_ERRORS } from '../services/vas.js';
import { encodeCursor } from '../store/keyset.js';
import type { VasTransactionFilter } from '../store/vas.js';
import { builder } from './builder.js';
import { cacheHint } from './cache-hints.js';
import { describedValues } from './enum-values.js';
import { decodeGlobalId, notAnId } from './global-id.js';
import { idempotencyKeyField } from './idempotency-key.js';
import { clientFilterField, ledgerEvidenceFields, readClient } from './ledger-client.js';
import { ledgerStatusTypes } from './ledger-events.js';
import {
  checkPageSize,
  createdRangeFields,
  ledgerConnection,
  ledgerPage,
  type PageArgs,
} from './ledger-page.js';
import { phoneArgument } from './phone-argument.js';
import { asSeenBy, loadRecords, recordAuth, recordNode } from './records.js';
import { SENSITIVE } from './sensitive.js';
import { untilShutdown } from './streams.js';
import { SubscriberRef } from './subscriber.js';
import { VendorFailureReasonEnum } from './vendor-failure.js';

type Ctx = typeof builder.$inferSchemaTypes.Context;
type InputFields = PothosSchemaTypes.InputFieldBuilder<
  typeof builder.$inferSchemaTypes,
  'InputObject'
>;

export const VasTransactionActionEnum = builder.enumType('VasTransactionAction', {
  description: 'What a VAS transaction asks the SDP to do.',
  values: describedValues(VAS_ACTIONS, {
    REGISTER: 'Register the package (notify_reg `regType` 1); the subscriber is charged.',
    CANCEL: 'Cancel the package (notify_reg `regType` 2).',
  }),
});

export const { status: VasTransactionStatusEnum, event: VasTransactionEventRef } =
  ledgerStatusTypes({
    name: 'VasTransactionStatus',
    description: 'Where a VAS transaction stands. Every change is in `VasTransaction.events`.',
    statuses: VAS_TRANSACTION_STATUSES,
    descriptions: {
      PENDING: 'Recorded; the notify_reg call has not been answered yet.',
      SUCCEEDED:
        'The SDP did it (its reply, a CheckServiceInfo or its notification says so). Final.',
      FAILED: 'The SDP refused it, or did not act on it. Final.',
      UNKNOWN:
        'The call got no usable answer and the SDP may have acted. The sweeper settles it from CheckServiceInfo (with backoff), as does `settleVasTransaction` or a notification for the same package; a new register or cancel of the package waits until then.',
    },
    event: {
      name: 'VasTransactionEvent',
      description: 'One change of a VAS transaction, in the order it happened.',
      status: 'The status after this change.',
      detail: 'What happened, with the evidence (the SDP’s reply, check or notification).',
    },
  });

export const VasTransactionRef = builder.objectRef<VasTransaction>('VasTransaction');

builder.node(VasTransactionRef, {
  description:
    'One register or cancel of a VAS package: recorded before the notify_reg call and updated after it. The VAS ledger a back office reconciles.',
  ...recordNode('VasTransaction'),
  fields: (t) => ({
    databaseId: t.exposeID('id', { description: 'The gateway’s own id of the transaction.' }),
    phone: t.exposeString('phone', { description: 'The subscriber, local form `0XXXXXXXXX`.' }),
    serviceId: t.exposeString('serviceId', {
      description: 'The vendor’s service id, exactly as sent.',
    }),
    packageId: t.exposeString('packageId', {
      description: 'The vendor’s package id, exactly as sent.',
    }),
    action: t.field({
      type: VasTransactionActionEnum,
      description: 'Register or cancel.',
      resolve: (tx) => tx.action,
    }),
    status: t.field({
      type: VasTransactionStatusEnum,
      description: 'Where it stands.',
      resolve: (tx) => tx.status,
    }),
    channel: t.exposeString('channel', { description: 'The channel sent (`APP`, `WEB`, ...).' }),
    price: t.string({
      nullable: true,
      description: 'The price sent, in VND; null when left to the SDP.',
      resolve: (tx) => tx.price || null,
    }),
    autoRenew: t.exposeBoolean('autoRenew', {
      nullable: true,
      description: 'Whether the registration renews every cycle; null for a cancel.',
    }),
    queueId: t.exposeString('queueId', {
      description: 'The `queueID` sent to notify_reg, generated and recorded before the call.',
    }),
    vendorCode: t.exposeString('vendorCode', {
      nullable: true,
      description:
        'The SDP’s `error_id` as sent (`0` when it accepted); null when it did not answer.',
    }),
    vendorMessage: t.exposeString('vendorMessage', {
      nullable: true,
      description: 'The SDP’s `error_desc`, as sent.',
    }),
    failureReason: t.field({
      type: VendorFailureReasonEnum,
      nullable: true,
      description: 'Why the call got no usable answer, when it did not.',
      resolve: (tx) => tx.failureReason,
    }),
    ...ledgerEvidenceFields(t, 'made it', {
      type: VasTransactionEventRef,
      description: 'Every change, oldest first.',
      load: (ctx, id) => ctx.loaders.vasTransactionEvents.load(id),
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was recorded.',
      resolve: (tx) => tx.createdAt,
    }),
    settledAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it became SUCCEEDED or FAILED; null while PENDING or UNKNOWN.',
      resolve: (tx) => tx.settledAt,
    }),
  }),
});

/** A VasSubscription's id key: the subscriber's sealed id, the service and the package. */
function vasSubscriptionKey(ctx: Ctx, msisdn: string, serviceId: string, packageId: string) {
  return `${ctx.subscriberIds.seal(msisdn)}:${serviceId}:${packageId}`;
}

export const VasSubscriptionRef = builder.objectRef<VasSubscriptionState>('VasSubscription');

builder.node(VasSubscriptionRef, {
  description:
    'Whether a subscriber holds a VAS package, as the SDP’s CheckServiceInfo (or, for live updates, a change the gateway saw) says.',
  id: {
    resolve: (s, _args, ctx) => vasSubscriptionKey(ctx, s.msisdn, s.serviceId, s.packageId),
    parse: (key, ctx) => {
      const [sealed = '', serviceId = '', packageId = ''] = key.split(':');
      const msisdn = ctx.subscriberIds.open(sealed);
      if (!msisdn || !serviceId || !packageId) throw notAnId();
      return `${msisdn}:${serviceId}:${packageId}`;
    },
  },
  ...recordAuth('VasSubscription'),
  // Scope first: a caller without `vas` (or `ledger:all`) gets null, and the SDP is not asked.
  loadMany: loadRecords('VasSubscription'),
  fields: (t) => ({
    phone: t.exposeString('phone', { description: 'The subscriber, local form `0XXXXXXXXX`.' }),
    serviceId: t.exposeString('serviceId', { description: 'The vendor’s service id, as given.' }),
    packageId: t.exposeString('packageId', { description: 'The vendor’s package id, as given.' }),
    active: t.exposeBoolean('active', {
      nullable: true,
      description:
        'True when the subscriber holds the package (`status` 1); null when the SDP refused the check (see `errorId`).',
    }),
    checkedAt: t.field({
      type: 'DateTime',
      description: 'When the SDP was asked (or the change was seen).',
      resolve: (s) => s.checkedAt,
    }),
    errorId: t.exposeString('errorId', {
      nullable: true,
      description: 'The SDP’s `error_id` when it refused the check, as sent; null otherwise.',
    }),
    errorDesc: t.exposeString('errorDesc', {
      nullable: true,
      description: 'The SDP’s `error_desc` when it refused the check.',
    }),
  }),
});

export const VasEventRef = builder.objectRef<VasEvent>('VasEvent');

builder.node(VasEventRef, {
  description:
    'A notification the SDP sent to the gateway’s cpURL: the subscriber registered or cancelled a package through another channel (an SMS such as `DK L1`). Recorded once per `queueID`.',
  ...recordNode('VasEvent'),
  fields: (t) => ({
    queueId: t.exposeString('queueId', { description: 'The SDP’s `queueID`, unique per event.' }),
    action: t.field({
      type: VasTransactionActionEnum,
      description: 'Registered or cancelled (`regType`).',
      resolve: (e) => e.action,
    }),
    phone: t.exposeString('phone', { description: 'The subscriber, local form.' }),
    serviceId: t.exposeString('serviceId', { description: 'The vendor’s service id, as sent.' }),
    packageId: t.exposeString('packageId', { description: 'The vendor’s package id, as sent.' }),
    channel: t.exposeString('channel', { description: 'The channel it came through, e.g. `SMS`.' }),
    resultCode: t.exposeString('resultCode', {
      description: 'The SDP’s `resultCode` (`0`: done), as sent.',
    }),
    errorDesc: t.exposeString('errorDesc', { description: 'The SDP’s `errorDesc`, as sent.' }),
    commandCode: t.exposeString('commandCode', {
      description: 'What the subscriber sent, e.g. `DK L1`.',
    }),
    price: t.exposeString('price', { description: 'The price, in VND, as sent.' }),
    autoRenew: t.exposeBoolean('autoRenew', {
      nullable: true,
      description: 'Whether it renews every cycle; null when not said.',
    }),
    subscribedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: '`subcribeTime`, read as Vietnam time.',
      resolve: (e) => e.subscribedAt,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: '`expiredTime`, read as Vietnam time.',
      resolve: (e) => e.expiresAt,
    }),
    receivedAt: t.field({
      type: 'DateTime',
      description: 'When the gateway recorded it.',
      resolve: (e) => e.receivedAt,
    }),
    replays: t.int({
      description:
        'How many times the SDP sent the same `queueID` again after it was recorded: each was acknowledged (`error_id` 0) and changed nothing.',
      resolve: (e) => e.replays ?? 0,
    }),
    lastReplayedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the last of those replays came; null when none did.',
      resolve: (e) => e.lastReplayedAt ?? null,
    }),
  }),
});

export const VasTransactionConnection = ledgerConnection(VasTransactionRef, 'VasTransaction', {
  page: 'A page of VAS transactions, newest first.',
  total: 'How many transactions match the filter, across all pages.',
  edge: 'A VAS transaction in a page.',
});

export const VasEventConnection = ledgerConnection(VasEventRef, 'VasEvent', {
  page: 'A page of SDP notifications, newest first.',
  total:
    'How many notifications this subscriber has (of the service or package asked for), across all pages.',
  edge: 'A notification in a page.',
});

function transactionPage(
  ctx: Ctx,
  { client, ...filter }: Omit<VasTransactionFilter, 'clientId'> & { client?: string | null },
  args: PageArgs,
) {
  return ledgerPage(ctx, 'VasTransaction', args, {
    cursor: (tx) => encodeCursor(tx.createdAt, tx.id),
    list: (s, clientId, window) => s.vasStore.list({ ...filter, clientId }, window),
    count: (s, clientId) => s.vasStore.count({ ...filter, clientId }),
    client,
  });
}

const subscriberFilterFields = (t: InputFields) => ({
  status: t.field({
    type: VasTransactionStatusEnum,
    required: false,
    description: 'Only this status.',
  }),
  action: t.field({
    type: VasTransactionActionEnum,
    required: false,
    description: 'Only registers or only cancels.',
  }),
  serviceId: t.string({ required: false, description: 'Only this service id.' }),
  packageId: t.string({ required: false, description: 'Only this package id.' }),
  ...createdRangeFields(t, 'Recorded'),
});

const SubscriberVasTransactionFilterInput = builder.inputType('SubscriberVasTransactionFilter', {
  description: 'Narrows one subscriber’s VAS transactions. Given fields must all match.',
  fields: subscriberFilterFields,
});

export const VasTransactionFilterInput = builder.inputType('VasTransactionFilter', {
  description: 'Narrows the VAS ledger. Every field is optional; given fields must all match.',
  fields: (t) => ({
    ...subscriberFilterFields(t),
    phone: t.string({ required: false, description: 'Only this subscriber, in any phone form.' }),
    client: clientFilterField(t, 'transactions'),
  }),
});

/** A filter as the subscriber's list takes it; the ledger's adds the phone and the client. */
type FilterArg = typeof SubscriberVasTransactionFilterInput.$inferInput | null | undefined;

function readFilter(f: FilterArg, phone: string | null): Omit<VasTransactionFilter, 'clientId'> {
  return {
    status: f?.status ?? null,
    action: f?.action ?? null,
    phone,
    serviceId: f?.serviceId ? readId(f.serviceId, 'serviceId') : null,
    packageId: f?.packageId ? readId(f.packageId, 'packageId') : null,
    createdFrom: f?.createdFrom ?? null,
    createdTo: f?.createdTo ?? null,
  };
}

/** The `filter` argument of `vasTransactions` (and `vasTransactionTotals`) in the store's terms. */
export function ledgerVasFilter(
  f: typeof VasTransactionFilterInput.$inferInput | null | undefined,
): Omit<VasTransactionFilter, 'clientId'> & { client: string | null } {
  return {
    ...readFilter(f, f?.phone ? phoneArgument(f.phone).local : null),
    client: readClient(f?.client),
  };
}

/** The loader key of one check: identical checks in a request are made once. */
function checkKey(p: PhoneNumber, serviceId: string, packageId: string): string {
  return `${p.msisdn}:${serviceId}:${packageId}`;
}

builder.objectFields(SubscriberRef, (t) => ({
  vasSubscription: t.field({
    type: VasSubscriptionRef,
    nullable: true,
    authScopes: { vas: true },
    description:
      'Whether this subscriber holds a VAS package, asked of the SDP now (CheckServiceInfo). Identical checks in one request are made once, the others concurrently. A refusal is answered with `active` null and the SDP’s `errorId`; an SDP that does not answer is a top-level error with code VAS_UNAVAILABLE; a malformed id one with INVALID_INPUT. Always asked anew, but the last answer is kept per client: while the SDP cannot be reached, one up to `RESPONSE_CACHE_STALE_SECONDS` old is served instead of the error, marked `extensions.stale`.',
    extensions: cacheHint(0, 'PRIVATE'),
    // Asks the SDP: a resolver span of its own (src/schema/tracing.ts).
    tracing: true,
    args: {
      serviceId: t.arg.id({ required: true, description: 'The vendor’s service id, as written.' }),
      packageId: t.arg.id({ required: true, description: 'The vendor’s package id, as written.' }),
    },
    resolve: (p, args, ctx) =>
      ctx.access.get(
        'VasSubscription',
        checkKey(
          p,
          readId(String(args.serviceId), 'serviceId'),
          readId(String(args.packageId), 'packageId'),
        ),
      ),
  }),
  vasTransactions: t.connection(
    {
      type: VasTransactionRef,
      description:
        'This subscriber’s VAS registrations and cancellations, newest first (the client’s own, or every client’s with `ledger:all`).',
      authScopes: { vas: true, 'ledger:all': true },
      args: {
        filter: t.arg({
          type: SubscriberVasTransactionFilterInput,
          required: false,
          description: 'Which of them.',
        }),
      },
      resolve: (p, args, ctx) => transactionPage(ctx, readFilter(args.filter, p.local), args),
    },
    VasTransactionConnection,
  ),
  vasEvents: t.connection(
    {
      type: VasEventRef,
      description:
        'The SDP’s notifications about this subscriber (registrations and cancellations through other channels), newest first; only one service’s, or one package’s, when given.',
      authScopes: { vas: true, 'ledger:all': true },
      args: {
        serviceId: t.arg.id({
          required: false,
          description: 'Only notifications about this service id, as written.',
        }),
        packageId: t.arg.id({
          required: false,
          description: 'Only notifications about this package id, as written.',
        }),
      },
      resolve: (p, args, ctx) => {
        checkPageSize(args); // before the ids are read, as it always was
        const only = {
          serviceId: args.serviceId ? readId(String(args.serviceId), 'serviceId') : null,
          packageId: args.packageId ? readId(String(args.packageId), 'packageId') : null,
        };
        return ledgerPage(ctx, 'VasEvent', args, {
          cursor: (e) => encodeCursor(e.receivedAt, e.queueId),
          list: (s, _owner, window) => s.vasStore.listEvents(p.local, window, only),
          count: (s) => s.vasStore.countEvents(p.local, only),
        });
      },
    },
    VasEventConnection,
  ),
}));

builder.queryField('vasTransactions', (t) =>
  t.connection(
    {
      type: VasTransactionRef,
      description:
        'The VAS ledger, newest first, for reconciliation: the client’s own transactions, or every client’s with `ledger:all`.',
      authScopes: { vas: true, 'ledger:all': true },
      args: {
        filter: t.arg({
          type: VasTransactionFilterInput,
          required: false,
          description: 'Which transactions.',
        }),
      },
      resolve: (_root, args, ctx) => transactionPage(ctx, ledgerVasFilter(args.filter), args),
    },
    VasTransactionConnection,
  ),
);

const idempotencyKey = (t: InputFields) => idempotencyKeyField(t);

const changeFields = (t: InputFields) => ({
  phone: t.string({ required: true, description: 'The subscriber, in any phone form.' }),
  serviceId: t.id({ required: true, description: 'The vendor’s service id, kept as written.' }),
  packageId: t.id({ required: true, description: 'The vendor’s package id, kept as written.' }),
  channel: t.string({
    required: true,
    description: 'The sales channel sent to the SDP: `APP`, `WEB`, `WAP`, `CSKH`, ...',
  }),
});

const RegisterVasPackageInput = builder.inputType('RegisterVasPackageInput', {
  description: 'Register a VAS package for a subscriber (the subscriber is charged).',
  fields: (t) => ({
    ...changeFields(t),
    price: t.string({
      required: false,
      description: 'The price in VND, as digits; left to the SDP when absent.',
    }),
    autoRenew: t.boolean({
      required: false,
      description: 'Renew every cycle; true when absent.',
    }),
    idempotencyKey: idempotencyKey(t),
  }),
});

const CancelVasPackageInput = builder.inputType('CancelVasPackageInput', {
  description: 'Cancel a subscriber’s VAS package.',
  fields: (t) => ({ ...changeFields(t), idempotencyKey: idempotencyKey(t) }),
});

builder.mutationField('registerVasPackage', (t) =>
  t.field({
    // Sends an OTP or a call, spends money, or checks a code: one per document.
    extensions: SENSITIVE,
    authScopes: { vas: true },
    type: VasTransactionRef,
    description:
      'Registers a VAS package (notify_reg `regType` 1): recorded as a PENDING transaction, then sent once. A refusal is `VasRejected` with the SDP’s `errorId`; a lost reply leaves the transaction UNKNOWN, settled later from CheckServiceInfo.',
    args: {
      input: t.arg({ type: RegisterVasPackageInput, required: true, description: 'The request.' }),
    },
    errors: {
      types: errorClasses(VAS_CHANGE_ERRORS),
      union: { name: 'RegisterVasPackageResult', description: 'The transaction, or why not.' },
      result: { name: 'RegisterVasPackageSuccess', description: 'The SDP registered the package.' },
      dataField: { name: 'transaction', description: 'The transaction, SUCCEEDED.' },
    },
    resolve: (_root, { input }, ctx) =>
      asSeenBy(ctx, () =>
        ctx.vas.register(ctx.clientId, {
          ...input,
          serviceId: String(input.serviceId),
          packageId: String(input.packageId),
        }),
      ),
  }),
);

builder.mutationField('cancelVasPackage', (t) =>
  t.field({
    // Sends an OTP or a call, spends money, or checks a code: one per document.
    extensions: SENSITIVE,
    authScopes: { vas: true },
    type: VasTransactionRef,
    description:
      'Cancels a VAS package (notify_reg `regType` 2), with the same ledger and rules as `registerVasPackage`.',
    args: {
      input: t.arg({ type: CancelVasPackageInput, required: true, description: 'The request.' }),
    },
    errors: {
      types: errorClasses(VAS_CHANGE_ERRORS),
      union: { name: 'CancelVasPackageResult', description: 'The transaction, or why not.' },
      result: { name: 'CancelVasPackageSuccess', description: 'The SDP cancelled the package.' },
      dataField: { name: 'transaction', description: 'The transaction, SUCCEEDED.' },
    },
    resolve: (_root, { input }, ctx) =>
      asSeenBy(ctx, () =>
        ctx.vas.cancel(ctx.clientId, {
          ...input,
          serviceId: String(input.serviceId),
          packageId: String(input.packageId),
        }),
      ),
  }),
);

builder.mutationField('settleVasTransaction', (t) =>
  t.field({
    authScopes: { vas: true },
    type: VasTransactionRef,
    description:
      'Settles an UNKNOWN VAS transaction now from CheckServiceInfo, as the sweeper does on its own; a transaction in any other state is returned as it is. Another client’s transaction (without `ledger:all`) is VasTransactionNotFound, as an unknown one is, and the SDP is not asked.',
    args: { id: t.arg.id({ required: true, description: 'The transaction’s `id`.' }) },
    errors: {
      types: errorClasses(SETTLE_VAS_ERRORS),
      union: { name: 'SettleVasTransactionResult', description: 'The transaction, or why not.' },
      result: {
        name: 'SettleVasTransactionSuccess',
        description: 'The transaction, settled if it was UNKNOWN.',
      },
      dataField: { name: 'transaction', description: 'The transaction now.' },
    },
    resolve: async (_root, { id }, ctx) => {
      const decoded = decodeGlobalId(String(id));
      if (decoded.typename !== 'VasTransaction') {
        throw new InvalidInput(
          message('InvalidInput.notTypeId', { typename: 'VasTransaction' }),
          'id',
        );
      }
      // Another client's transaction (without `ledger:all`) is answered as an unknown one, and
      // the SDP is not asked about it.
      const tx = await ctx.access.get('VasTransaction', decoded.id);
      if (!tx) {
        throw new VasTransactionNotFound(
          message('VasTransactionNotFound.noTransaction'),
          decoded.id,
        );
      }
      return ctx.vas.settleNow(tx);
    },
  }),
);

builder.subscriptionField('vasSubscriptionChanged', (t) =>
  t.field({
    authScopes: { vas: true },
    type: VasSubscriptionRef,
    description:
      'Every change of this subscriber’s VAS packages the gateway sees: a register or cancel through the gateway, a settlement, or an SDP notification (through Redis across instances when `REDIS_URL` is set).',
    args: {
      phone: t.arg.string({ required: true, description: 'The subscriber, in any phone form.' }),
    },
    subscribe: (_root, { phone }, ctx) =>
      untilShutdown(
        ctx.pubsub.subscribe('vasSubscriptionChanged', phoneArgument(phone).local),
        ctx.shutdown,
      ),
    resolve: (state) => state,
  }),
);
