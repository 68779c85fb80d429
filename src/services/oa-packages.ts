import type { Logger } from 'pino';
import {
  type ErrorName,
  InvalidInput,
  type OAPackageRefusalReason,
  OAPurchaseRateLimited,
  VendorRejected,
  VendorUnavailable,
} from '../domain/errors.js';
import { type Message, message } from '../domain/messages/index.js';
import {
  OA_PACKAGE_TIER_NAMES,
  type OAPackage,
  type OAPackageTierName,
  vietnamToday,
} from '../domain/oa-package.js';
import { failureReason, outcomeOf, statusAfter } from '../domain/vendor-outcome.js';
import type { OAPackagePatch, OAPackageStore } from '../store/oa-packages.js';
import type { EsmsClient, EsmsRefusalReason, OAPackageSubmission } from '../vendors/esms/index.js';
import { isCalendarDate, refusalReason } from '../vendors/esms/wire.js';
import type { VendorError } from '../vendors/vendor-error.js';
import { IDEMPOTENT_ERRORS, type IdempotentRunner, readKey } from './idempotent.js';
import { LedgerCalls } from './ledger-call.js';
import type { LedgerSweep } from './ledger-sweep.js';

/** What `purchaseOAPackage` can answer besides the purchase; its result union lists these. */
export const PURCHASE_OA_PACKAGE_ERRORS = [
  ...IDEMPOTENT_ERRORS,
  'VendorRejected',
  'VendorUnavailable',
  'OAPurchaseRateLimited',
] as const satisfies readonly ErrorName[];

export interface PurchaseOAPackageInput {
  oaId: string;
  tier: string;
  /** `yyyy-MM-dd` (the `Date` scalar has checked the form). */
  activeFrom: string;
  duration: number;
  idempotencyKey?: string | null;
}

export interface OAPackagePurchasesOptions {
  store: OAPackageStore;
  idempotent: IdempotentRunner;
  esms: EsmsClient;
  /** Purchases one client may make per hour (`OA_PURCHASE_LIMIT_PER_CLIENT_HOUR`). */
  limitPerClientHour: number;
  logger: Logger;
  now?: () => Date;
}

/** A Zalo OA id: digits in practice; letters, `_` and `-` tolerated, never spaces. */
const OA_ID = /^[A-Za-z0-9_-]{1,64}$/;

// The same names on both sides: a new eSMS reason fails to compile here until mapped.
const REASONS = {
  BAD_CREDENTIALS: 'BAD_CREDENTIALS',
  NO_PRICE_LIST: 'NO_PRICE_LIST',
  BALANCE_TOO_LOW: 'BALANCE_TOO_LOW',
  DUPLICATE_REQUEST: 'DUPLICATE_REQUEST',
  IP_NOT_ALLOWED: 'IP_NOT_ALLOWED',
  ZALO_OA_PROBLEM: 'ZALO_OA_PROBLEM',
  OTHER: 'OTHER',
} as const satisfies Record<EsmsRefusalReason, OAPackageRefusalReason>;

/**
 * Why eSMS refused a purchase, by the codes its document names: null unless eSMS answered with a
 * refusal (a REJECTED purchase with eSMS's code; one that never reached eSMS has none).
 */
export function oaRefusal(pkg: OAPackage): OAPackageRefusalReason | null {
  if (pkg.status !== 'REJECTED' || !pkg.vendorCode) return null;
  return REASONS[refusalReason(pkg.vendorCode)];
}

/**
 * Purchases of Zalo Official Account packages through eSMS. Each purchase is idempotent by key;
 * it is recorded (SUBMITTED) before eSMS is called and settled after: ACCEPTED (code 100),
 * SUBMITTED still (199: the same purchase is already being processed at eSMS), REJECTED (a
 * refusal, or a call that never reached eSMS), or UNKNOWN (a timeout, lost or unreadable reply:
 * eSMS may have acted). Never retried automatically.
 */
export class OAPackagePurchases {
  private readonly now: () => Date;

  private readonly calls: LedgerCalls;

  /** The purchase ledger's sweep: purchases cut short mid-call become UNKNOWN. */
  readonly ledgerSweep: LedgerSweep = {
    sweeps: 'OA package purchases cut short',
    sweep: async (staleAfterMs) => (await this.opts.store.sweep({ staleAfterMs })).length,
  };

  constructor(private readonly opts: OAPackagePurchasesOptions) {
    this.now = opts.now ?? (() => new Date());
    this.calls = new LedgerCalls(opts.idempotent);
  }

  async purchase(clientId: string, input: PurchaseOAPackageInput): Promise<OAPackage> {
    const oaId = input.oaId.trim();
    if (!OA_ID.test(oaId)) {
      throw new InvalidInput(message('InvalidInput.oaId'), 'oaId');
    }
    const tier = input.tier as OAPackageTierName;
    if (!OA_PACKAGE_TIER_NAMES.includes(tier)) {
      throw new InvalidInput(
        message('InvalidInput.oaTier', { tiers: OA_PACKAGE_TIER_NAMES, given: String(input.tier) }),
        'tier',
      );
    }
    if (!isCalendarDate(input.activeFrom)) {
      throw new InvalidInput(message('InvalidInput.activeFromFormat'), 'activeFrom');
    }
    const today = vietnamToday(this.now());
    if (input.activeFrom < today) {
      throw new InvalidInput(
        message('InvalidInput.activeFromPast', { activeFrom: input.activeFrom, today }),
        'activeFrom',
      );
    }
    if (!Number.isInteger(input.duration) || input.duration <= 0) {
      throw new InvalidInput(
        message('InvalidInput.duration', { given: input.duration }),
        'duration',
      );
    }
    const key = readKey(input.idempotencyKey);
    const purchase = { oaId, tier, activeFrom: input.activeFrom, duration: input.duration };

    return this.calls.run<OAPackage, OAPackageSubmission>({
      scope: { clientId, operation: 'purchaseOAPackage', key },
      request: purchase,
      kind: 'OAPackage',
      vendor: 'esms',
      savedAs: 'oaPackageId',
      find: (id) => this.opts.store.findById(id),
      record: async () => {
        const created = await this.opts.store.create(
          { clientId, ...purchase },
          { perClientHour: this.opts.limitPerClientHour },
        );
        if (created.kind === 'limited') {
          throw new OAPurchaseRateLimited(
            message('OAPurchaseRateLimited.perHour', {
              max: this.opts.limitPerClientHour,
              retryAfterSeconds: created.retryAfterSeconds,
            }),
            created.retryAfterSeconds,
          );
        }
        this.opts.logger.info(
          { oaPackageId: created.oaPackage.id, oaId, tier, activeFrom: purchase.activeFrom },
          'OA package purchase submitted',
        );
        return created.oaPackage;
      },
      call: () => this.opts.esms.purchaseOAPackage(purchase),
      succeeded: (submitted, answer) => {
        const patch = {
          servicePreviewId: answer.servicePreviewId,
          vendorCode: answer.vendorCode,
          vendorMessage: answer.message,
        };
        return answer.kind === 'submitted'
          ? this.move(
              submitted,
              'ACCEPTED',
              patch,
              `eSMS accepted the purchase (ServicePreviewId ${answer.servicePreviewId}); it may still be under eSMS's review`,
            )
          : this.move(
              submitted,
              'SUBMITTED',
              patch,
              'eSMS answered 199: the same purchase is already being processed; nothing new was created',
            );
      },
      failed: (pkg, err) => this.failed(pkg, err),
      interrupted: interruptedAnswer,
    });
  }

  /** Settles a purchase whose call failed; the message for the client. */
  private async failed(pkg: OAPackage, err: VendorError): Promise<Message<'VendorError'>> {
    const status = statusAfter('oaPackage', err);
    if (outcomeOf(err) === 'REJECTED') {
      await this.move(
        pkg,
        status,
        { vendorCode: err.vendorCode, vendorMessage: err.vendorMessage },
        `eSMS refused the purchase (${err.vendorCode})`,
      );
      return message('VendorError.esmsRejected', { vendorCode: err.vendorCode });
    }
    await this.move(
      pkg,
      status,
      {
        failureReason: failureReason(err),
        vendorCode: err.vendorCode,
        vendorMessage: err.vendorMessage,
      },
      err.outcomeUnknown
        ? `Purchase outcome unknown (${err.code}): eSMS may have acted; check with eSMS before buying again`
        : err.attempted
          ? `eSMS could not take the purchase (${err.code}) and did not act on it`
          : `Purchase not sent (${err.message})`,
    );
    return message(
      err.outcomeUnknown ? 'VendorError.esmsNotConfirmed' : 'VendorError.esmsNotTaken',
      {
        code: err.code,
      },
    );
  }

  private async move(
    pkg: OAPackage,
    status: OAPackage['status'],
    patch: OAPackagePatch,
    detail: string,
  ): Promise<OAPackage> {
    const next = await this.opts.store.transition(pkg, status, patch, detail);
    if (!next) throw new Error(`OA package ${pkg.id} changed while eSMS was being called`);
    this.opts.logger.info({ oaPackageId: pkg.id, status }, 'OA package purchase settled');
    return next;
  }
}

/**
 * The answer to a retry of a purchase whose gateway process stopped while it ran, from the row's
 * state now (the sweeper has made a call cut short UNKNOWN by then).
 */
function interruptedAnswer(pkg: OAPackage): OAPackage {
  if (pkg.status === 'ACCEPTED' || (pkg.status === 'SUBMITTED' && pkg.vendorCode !== null)) {
    return pkg;
  }
  if (pkg.status === 'REJECTED' && pkg.failureReason === null) {
    throw new VendorRejected(
      message('VendorError.esmsRejected', { vendorCode: pkg.vendorCode }),
      'esms',
      pkg.vendorCode,
      pkg.vendorMessage,
      { kind: 'OAPackage', key: pkg.id },
    );
  }
  const unknown = pkg.status !== 'REJECTED';
  throw new VendorUnavailable(
    unknown
      ? message('VendorError.esmsInterrupted', { status: pkg.status })
      : message('VendorError.esmsNotRecorded'),
    'esms',
    pkg.failureReason ?? 'VENDOR_TIMEOUT',
    unknown,
    { kind: 'OAPackage', key: pkg.id },
  );
}
