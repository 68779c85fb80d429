import type { Logger } from 'pino';
import {
  type ErrorName,
  InvalidInput,
  type OAPackageRefusalReason,
  OAPurchaseRateLimited,
  VendorRejected,
  VendorUnavailable,
} from '../domain/errors.js';
import {
  OA_PACKAGE_TIER_NAMES,
  type OAPackage,
  type OAPackageTierName,
  vietnamToday,
} from '../domain/oa-package.js';
import { LEDGER_OUTCOMES, statusAfter } from '../domain/vendor-outcome.js';
import type { OAPackagePatch, OAPackageStore } from '../store/oa-packages.js';
import type { EsmsClient, EsmsRefusalReason, OAPackageSubmission } from '../vendors/esms/index.js';
import { EsmsRejection } from '../vendors/esms/index.js';
import { isCalendarDate, refusalReason } from '../vendors/esms/wire.js';
import { VendorError } from '../vendors/vendor-error.js';
import {
  IDEMPOTENT_ERRORS,
  type IdempotentRunner,
  type ResultCodec,
  readKey,
} from './idempotent.js';

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

  constructor(private readonly opts: OAPackagePurchasesOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  private codec(): ResultCodec<OAPackage> {
    const load = async ({ oaPackageId }: Record<string, string>) => {
      const pkg = oaPackageId ? await this.opts.store.findById(oaPackageId) : null;
      if (!pkg) throw new Error(`Stored OA package ${oaPackageId} is gone`);
      return pkg;
    };
    return {
      save: (pkg) => ({ oaPackageId: pkg.id }),
      load,
      interrupted: async (saved) => interruptedAnswer(await load(saved)),
    };
  }

  async purchase(clientId: string, input: PurchaseOAPackageInput): Promise<OAPackage> {
    const oaId = input.oaId.trim();
    if (!OA_ID.test(oaId)) {
      throw new InvalidInput(
        'oaId must be the Zalo Official Account id (1 to 64 letters, digits, _ or -).',
        'oaId',
      );
    }
    const tier = input.tier as OAPackageTierName;
    if (!OA_PACKAGE_TIER_NAMES.includes(tier)) {
      throw new InvalidInput(
        `tier must be one of ${OA_PACKAGE_TIER_NAMES.join(', ')}; it was ${input.tier}.`,
        'tier',
      );
    }
    if (!isCalendarDate(input.activeFrom)) {
      throw new InvalidInput('activeFrom must be a date written yyyy-MM-dd.', 'activeFrom');
    }
    const today = vietnamToday(this.now());
    if (input.activeFrom < today) {
      throw new InvalidInput(
        `activeFrom ${input.activeFrom} is before today in Vietnam (${today}).`,
        'activeFrom',
      );
    }
    if (!Number.isInteger(input.duration) || input.duration <= 0) {
      throw new InvalidInput(
        `duration must be a positive whole number; it was ${input.duration}.`,
        'duration',
      );
    }
    const key = readKey(input.idempotencyKey);
    const purchase = { oaId, tier, activeFrom: input.activeFrom, duration: input.duration };

    return this.opts.idempotent.run(
      { clientId, operation: 'purchaseOAPackage', key },
      purchase,
      this.codec(),
      async (touch) => {
        const created = await this.opts.store.create(
          { clientId, ...purchase },
          { perClientHour: this.opts.limitPerClientHour },
        );
        if (created.kind === 'limited') {
          throw new OAPurchaseRateLimited(
            `This client made ${this.opts.limitPerClientHour} OA package purchases in the last hour; try again in ${created.retryAfterSeconds} s.`,
            created.retryAfterSeconds,
          );
        }
        const submitted = created.oaPackage;
        await touch(submitted);
        this.opts.logger.info(
          { oaPackageId: submitted.id, oaId, tier, activeFrom: purchase.activeFrom },
          'OA package purchase submitted',
        );
        let answer: OAPackageSubmission;
        try {
          answer = await this.opts.esms.purchaseOAPackage(purchase);
        } catch (err) {
          if (!(err instanceof VendorError)) throw err;
          return this.failed(submitted, err);
        }
        if (answer.kind === 'submitted') {
          return this.move(
            submitted,
            'ACCEPTED',
            {
              servicePreviewId: answer.servicePreviewId,
              vendorCode: answer.vendorCode,
              vendorMessage: answer.message,
            },
            `eSMS accepted the purchase (ServicePreviewId ${answer.servicePreviewId}); it may still be under eSMS's review`,
          );
        }
        return this.move(
          submitted,
          'SUBMITTED',
          {
            servicePreviewId: answer.servicePreviewId,
            vendorCode: answer.vendorCode,
            vendorMessage: answer.message,
          },
          'eSMS answered 199: the same purchase is already being processed; nothing new was created',
        );
      },
    );
  }

  private async failed(pkg: OAPackage, err: VendorError): Promise<never> {
    if (err instanceof EsmsRejection) {
      await this.move(
        pkg,
        LEDGER_OUTCOMES.oaPackage.REJECTED,
        { vendorCode: err.vendorCode, vendorMessage: err.vendorMessage },
        `eSMS refused the purchase (${err.vendorCode})`,
      );
      throw new VendorRejected(
        err.vendorMessage ?? `eSMS refused the purchase (${err.vendorCode}).`,
        'esms',
        err.vendorCode,
        err.vendorMessage,
        { kind: 'OAPackage', key: pkg.id },
      );
    }
    // Any other refusal by status (a proxy's 4xx page) arrives with VENDOR_HTTP below.
    const reason = err.code === 'VENDOR_REJECTED' ? 'VENDOR_HTTP' : err.code;
    await this.move(
      pkg,
      statusAfter('oaPackage', err),
      { failureReason: reason, vendorCode: err.vendorCode, vendorMessage: err.vendorMessage },
      err.outcomeUnknown
        ? `Purchase outcome unknown (${err.code}): eSMS may have acted; check with eSMS before buying again`
        : err.attempted
          ? `eSMS could not take the purchase (${err.code}) and did not act on it`
          : `Purchase not sent (${err.message})`,
    );
    throw new VendorUnavailable(
      err.outcomeUnknown
        ? `eSMS did not confirm the purchase (${err.code}). It is UNKNOWN: check with eSMS before buying again.`
        : `eSMS could not take the purchase (${err.code}); nothing was bought. Try again with a new key.`,
      'esms',
      reason,
      err.outcomeUnknown,
      { kind: 'OAPackage', key: pkg.id },
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
      pkg.vendorMessage ?? `eSMS refused the purchase (${pkg.vendorCode}).`,
      'esms',
      pkg.vendorCode,
      pkg.vendorMessage,
      { kind: 'OAPackage', key: pkg.id },
    );
  }
  const unknown = pkg.status !== 'REJECTED';
  throw new VendorUnavailable(
    unknown
      ? `The gateway stopped while this purchase was with eSMS, so its outcome is unknown; it is ${pkg.status}. Check with eSMS before buying again.`
      : 'eSMS could not take the purchase; nothing was bought.',
    'esms',
    pkg.failureReason ?? 'VENDOR_TIMEOUT',
    unknown,
    { kind: 'OAPackage', key: pkg.id },
  );
}
