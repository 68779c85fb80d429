import {
  errorClasses,
  InvalidInput,
  OA_PACKAGE_REFUSAL_REASONS,
  type OAPackageRefusalReason,
} from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import {
  OA_PACKAGE_STATUSES,
  OA_PACKAGE_TIER_NAMES,
  type OAPackage,
  type OAPackageStatus,
  type OAPackageTierName,
} from '../domain/oa-package.js';
import { oaRefusal, PURCHASE_OA_PACKAGE_ERRORS } from '../services/oa-packages.js';
import { encodeCursor } from '../store/keyset.js';
import type { OAPackageFilter } from '../store/oa-packages.js';
import { builder } from './builder.js';
import { describedValues } from './enum-values.js';
import { decodeGlobalId } from './global-id.js';
import { idempotencyKeyField } from './idempotency-key.js';
import { clientFilterField, ledgerEvidenceFields, readClient } from './ledger-client.js';
import { ledgerStatusTypes } from './ledger-events.js';
import { checkPageSize, createdRangeFields, ledgerConnection, ledgerPage } from './ledger-page.js';
import { recordNode } from './records.js';
import { SENSITIVE } from './sensitive.js';

const TIER_DESCRIPTIONS: Record<OAPackageTierName, string> = {
  TRIAL: 'Trial (eSMS `Package` "1").',
  ADVANCED: 'Advanced (eSMS `Package` "2").',
  PREMIUM: 'Premium (eSMS `Package` "3").',
};

const OA_PACKAGE_REFUSAL_DESCRIPTIONS: Record<OAPackageRefusalReason, string> = {
  BAD_CREDENTIALS: 'eSMS code 101: the gateway’s ApiKey or SecretKey is wrong.',
  NO_PRICE_LIST: 'eSMS code 102: no price list is set up for the gateway’s eSMS account.',
  BALANCE_TOO_LOW: 'eSMS code 103: the gateway’s eSMS balance is too low.',
  DUPLICATE_REQUEST: 'eSMS code 124: a duplicate request id.',
  IP_NOT_ALLOWED: 'eSMS code 140: the gateway’s IP address is not allowed to call eSMS.',
  ZALO_OA_PROBLEM: 'eSMS codes 789 to 799: a problem with the Zalo Official Account.',
  OTHER: 'A code eSMS’s document does not name; see `vendorCode` and `vendorMessage`.',
};

export const OAPackageRefusalReasonEnum = builder.enumType('OAPackageRefusalReason', {
  description: 'Why eSMS refused an OA package purchase, by the codes its document names.',
  values: describedValues(OA_PACKAGE_REFUSAL_REASONS, OA_PACKAGE_REFUSAL_DESCRIPTIONS),
});

export const OAPackageTierEnum = builder.enumType('OAPackageTier', {
  description: 'A Zalo Official Account package, as eSMS sells them.',
  values: describedValues(OA_PACKAGE_TIER_NAMES, TIER_DESCRIPTIONS),
});

const STATUS_DESCRIPTIONS: Record<OAPackageStatus, string> = {
  SUBMITTED:
    'Recorded and sent to eSMS, with no answer yet; or eSMS answered 199 (the same purchase is already being processed there, and this call created nothing new).',
  ACCEPTED:
    'eSMS accepted the purchase (code 100) and gave its `servicePreviewId`; it may still be under eSMS’s review.',
  REJECTED:
    'eSMS refused the purchase (its code in `vendorCode`), or the call never reached it. Nothing was bought. Final.',
  UNKNOWN:
    'eSMS did not answer in time, or its answer was lost or unreadable: it may have acted. Check with eSMS before buying again.',
};

export const { status: OAPackageStatusEnum, event: OAPackageEventRef } = ledgerStatusTypes({
  name: 'OAPackageStatus',
  description: 'Where a Zalo OA package purchase stands. Every change is in `OAPackage.events`.',
  statuses: OA_PACKAGE_STATUSES,
  descriptions: STATUS_DESCRIPTIONS,
  event: {
    name: 'OAPackageEvent',
    description: 'One change of an OA package purchase, in the order it happened.',
    status: 'The status the purchase moved to.',
    detail: 'What happened, in words.',
  },
});

export const OAPackageRef = builder.objectRef<OAPackage>('OAPackage');

builder.node(OAPackageRef, {
  description:
    'A purchase of a Zalo Official Account package through eSMS: recorded before eSMS is called and settled after.',
  ...recordNode('OAPackage'),
  fields: (t) => ({
    oaId: t.exposeString('oaId', { description: 'The Zalo Official Account id.' }),
    tier: t.field({
      type: OAPackageTierEnum,
      description: 'The package bought.',
      resolve: (p) => p.tier,
    }),
    activeFrom: t.field({
      type: 'Date',
      description: 'The day the package starts (eSMS `Dateactive`).',
      resolve: (p) => p.activeFrom,
    }),
    duration: t.exposeInt('duration', {
      description: 'The package’s duration, as eSMS counts it (eSMS `Duaration`).',
    }),
    status: t.field({
      type: OAPackageStatusEnum,
      description: 'Where the purchase stands.',
      resolve: (p) => p.status,
    }),
    servicePreviewId: t.exposeString('servicePreviewId', {
      nullable: true,
      description: 'eSMS’s id of the purchase (`ServicePreviewId`), once it gave one.',
    }),
    vendorCode: t.exposeString('vendorCode', {
      nullable: true,
      description:
        'eSMS’s `CodeResult` as it came (`100` accepted, `199` already processing, others refusals); null until eSMS answered.',
    }),
    vendorMessage: t.exposeString('vendorMessage', {
      nullable: true,
      description: 'eSMS’s `ErrorMessage` as it came (it has one for acceptances too).',
    }),
    refusal: t.field({
      type: OAPackageRefusalReasonEnum,
      nullable: true,
      description:
        'Why eSMS refused the purchase, by the codes its document names; null unless eSMS refused it (a purchase that never reached eSMS is REJECTED with no refusal).',
      resolve: (p) => oaRefusal(p),
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the purchase was recorded.',
      resolve: (p) => p.createdAt,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'The last change.',
      resolve: (p) => p.updatedAt,
    }),
    ...ledgerEvidenceFields(t, 'bought it', {
      type: OAPackageEventRef,
      description: 'Every change of this purchase, oldest first.',
      load: (ctx, id) => ctx.loaders.oaPackageEvents.load(id),
    }),
  }),
});

const OAPackageConnection = ledgerConnection(OAPackageRef, 'OAPackage', {
  page: 'A page of OA package purchases, newest first.',
  total: 'How many purchases match, across all pages.',
  edge: 'An OA package purchase in a page.',
});

const OAPackageFilterInput = builder.inputType('OAPackageFilter', {
  description:
    'Narrows the ledger of OA package purchases. Every field is optional; given fields must all match.',
  fields: (t) => ({
    oaId: t.string({ required: false, description: 'Only this Zalo Official Account.' }),
    status: t.field({
      type: OAPackageStatusEnum,
      required: false,
      description: 'Only this status.',
    }),
    tier: t.field({ type: OAPackageTierEnum, required: false, description: 'Only this package.' }),
    client: clientFilterField(t, 'purchases'),
    ...createdRangeFields(t, 'Recorded'),
  }),
});

builder.queryField('oaPackage', (t) =>
  t.field({
    type: OAPackageRef,
    nullable: true,
    description:
      'One OA package purchase, by its `id`; null when there is none (or it is another client’s, without `ledger:all`).',
    authScopes: { oa: true, 'ledger:all': true },
    args: { id: t.arg.id({ required: true, description: 'The purchase’s `id` (a global id).' }) },
    resolve: (_root, { id }, ctx) => ctx.access.get('OAPackage', decodeOAPackageId(String(id))),
  }),
);

builder.queryField('oaPackages', (t) =>
  t.field({
    type: OAPackageConnection,
    description:
      'The ledger of OA package purchases, newest first, for one Zalo Official Account (`oaId`) or for a filter: the client’s own, or every client’s with `ledger:all`.',
    authScopes: { oa: true, 'ledger:all': true },
    args: {
      oaId: t.arg.string({
        required: false,
        description: 'Only this Zalo Official Account (the same as `filter.oaId`).',
      }),
      filter: t.arg({
        type: OAPackageFilterInput,
        required: false,
        description: 'Which purchases.',
      }),
      first: t.arg.int({
        required: false,
        description: 'Page size (at most 100; 20 by default).',
      }),
      after: t.arg.string({
        required: false,
        description: 'Return purchases after this cursor (`pageInfo.endCursor`).',
      }),
    },
    resolve: (_root, args, ctx) => {
      checkPageSize(args); // before the filter is read, as it always was
      const f = args.filter ?? {};
      const oaIds = [args.oaId, f.oaId].map((id) => id?.trim()).filter(Boolean);
      if (new Set(oaIds).size > 1) {
        throw new InvalidInput(message('InvalidInput.oneOaId'), 'oaId');
      }
      const client = readClient(f.client);
      const filter: Omit<OAPackageFilter, 'clientId'> = {
        oaId: oaIds[0] ?? null,
        status: f.status ?? null,
        tier: f.tier ?? null,
        createdFrom: f.createdFrom ?? null,
        createdTo: f.createdTo ?? null,
      };
      return ledgerPage(
        ctx,
        'OAPackage',
        { first: args.first, after: args.after },
        {
          cursor: (p) => encodeCursor(p.createdAt, p.id),
          list: (s, clientId, window) => s.oaPackages.list({ ...filter, clientId }, window),
          count: (s, clientId) => s.oaPackages.count({ ...filter, clientId }),
          client,
        },
      );
    },
  }),
);

const PurchaseOAPackageInput = builder.inputType('PurchaseOAPackageInput', {
  description: 'A Zalo Official Account package to buy through eSMS.',
  fields: (t) => ({
    oaId: t.string({
      required: true,
      description: 'The Zalo Official Account id, pre-registered with eSMS.',
    }),
    tier: t.field({ type: OAPackageTierEnum, required: true, description: 'The package.' }),
    activeFrom: t.field({
      type: 'Date',
      required: true,
      description: 'The day the package starts: today or later in Vietnam time.',
    }),
    duration: t.int({
      required: true,
      description: 'The package’s duration, as eSMS counts it: a positive whole number.',
    }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('purchaseOAPackage', (t) =>
  t.field({
    // Sends an OTP or a call, spends money, or checks a code: one per document.
    extensions: SENSITIVE,
    authScopes: { oa: true },
    type: OAPackageRef,
    description:
      'Buys a Zalo Official Account package through eSMS: records the purchase, then asks eSMS. Never retried by the gateway; a purchase whose outcome is UNKNOWN must be checked with eSMS before buying again.',
    args: {
      input: t.arg({ type: PurchaseOAPackageInput, required: true, description: 'The purchase.' }),
    },
    errors: {
      types: errorClasses(PURCHASE_OA_PACKAGE_ERRORS),
      union: {
        name: 'PurchaseOAPackageResult',
        description: 'The purchase, accepted or already being processed by eSMS, or why not.',
      },
      result: {
        name: 'PurchaseOAPackageSuccess',
        description:
          'eSMS took the purchase: ACCEPTED, or SUBMITTED when it answered that the same purchase is already being processed.',
      },
      dataField: { name: 'oaPackage', description: 'The purchase.' },
    },
    resolve: (_root, { input }, ctx) => ctx.oaPurchases.purchase(ctx.clientId, input),
  }),
);

/** The database id in an OAPackage global id; any other id is a bad argument. */
function decodeOAPackageId(id: string): string {
  const decoded = decodeGlobalId(id);
  if (decoded.typename !== 'OAPackage' || !decoded.id) {
    throw new InvalidInput(message('InvalidInput.notOAPackageId'), 'id');
  }
  return decoded.id;
}
