import { jsonBody, jsonPost, readReply, rejection } from '../client-kit.js';
import { VendorError, type VendorHttp, type VendorReply } from '../http.js';
import {
  ALREADY_PROCESSING_CODE,
  type EsmsRefusalReason,
  OA_PACKAGE_TIERS,
  type OAPackageTier,
  REGIS_OA_PACKAGE_PATH,
  RegisOAPackageRequest,
  toOutcome,
} from './wire.js';

/** A purchase of a Zalo OA package, in the gateway's terms. */
export interface OAPackagePurchase {
  /** The Zalo Official Account id, pre-registered with eSMS. */
  oaId: string;
  tier: OAPackageTier;
  /** The day the package starts, `yyyy-MM-dd` (a Vietnam calendar day). */
  activeFrom: string;
  /** The package's duration as eSMS counts it; a positive whole number. */
  duration: number;
}

/**
 * What eSMS said to a purchase. `submitted`: accepted (code 100), possibly still under eSMS's
 * review. `already-processing` (code 199): the same purchase is already at eSMS and being
 * processed, so this call created nothing new and the purchase stays submitted.
 */
export type OAPackageSubmission =
  | { kind: 'submitted'; servicePreviewId: string; vendorCode: '100'; message: string | null }
  | {
      kind: 'already-processing';
      servicePreviewId: string | null;
      vendorCode: typeof ALREADY_PROCESSING_CODE;
      message: string | null;
    };

/**
 * A refusal by eSMS: `code` is `VENDOR_REJECTED`, `vendorCode` eSMS's `CodeResult` and
 * `vendorMessage` its `ErrorMessage` as it came; `reason` names the documented codes.
 */
export class EsmsRejection extends VendorError {
  override name = 'EsmsRejection';
  readonly reason: EsmsRefusalReason;
  declare readonly vendorCode: string;

  constructor(init: {
    status: number;
    vendorCode: string;
    reason: EsmsRefusalReason;
    vendorMessage: string | null;
  }) {
    // eSMS answered: this request was not acted on (124 and 199 concern an earlier one).
    super(
      rejection({
        ...init,
        vendor: 'esms',
        fallback: `eSMS refused the request (${init.vendorCode})`,
      }),
    );
    this.reason = init.reason;
  }
}

export interface EsmsClientOptions {
  http: VendorHttp;
  apiKey: string;
  secretKey: string;
}

/**
 * eSMS Zalo OA packages. A purchase creates something at eSMS (and costs money), so it is never
 * retried here; a timeout or an unreadable reply leaves its outcome unknown.
 */
export class EsmsClient {
  constructor(private readonly opts: EsmsClientOptions) {}

  async purchaseOAPackage(purchase: OAPackagePurchase): Promise<OAPackageSubmission> {
    const body = this.purchaseBody(purchase);
    // eSMS says no with a JSON body, whatever the status.
    return this.opts.http.call(
      jsonPost({
        operation: 'regis-oa-package',
        path: REGIS_OA_PACKAGE_PATH,
        json: body,
        safeToRepeat: false,
        parse: (reply) => this.read(reply),
      }),
    );
  }

  /** The request body; a purchase the wire format cannot carry is a bug of the caller. */
  private purchaseBody(purchase: OAPackagePurchase): RegisOAPackageRequest {
    const body = {
      ApiKey: this.opts.apiKey,
      SecretKey: this.opts.secretKey,
      Dateactive: purchase.activeFrom,
      Duaration: String(purchase.duration),
      OAID: purchase.oaId,
      Package: OA_PACKAGE_TIERS[purchase.tier],
    };
    const checked = RegisOAPackageRequest.safeParse(body);
    if (!checked.success) {
      // Zod's messages name the field and the rule, never the value (so never the keys).
      const issue = checked.error.issues[0];
      throw new TypeError(
        `Invalid OA package purchase: ${issue?.path.join('.')}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return checked.data;
  }

  private read(reply: VendorReply): OAPackageSubmission {
    const outcome = readReply('esms', reply, (body) => toOutcome(jsonBody(body)));
    switch (outcome.kind) {
      case 'accepted':
        return {
          kind: 'submitted',
          servicePreviewId: outcome.servicePreviewId,
          vendorCode: '100',
          message: this.scrub(outcome.message),
        };
      case 'already-processing':
        return {
          kind: 'already-processing',
          servicePreviewId: outcome.servicePreviewId,
          vendorCode: ALREADY_PROCESSING_CODE,
          message: this.scrub(outcome.message),
        };
      case 'refused':
        throw new EsmsRejection({
          status: reply.status,
          vendorCode: outcome.vendorCode,
          reason: outcome.reason,
          vendorMessage: this.scrub(outcome.message),
        });
    }
  }

  /** The vendor's message as it came, unless it echoes a key: keys never reach errors or logs. */
  private scrub(message: string | null): string | null {
    if (message === null) return null;
    let out = message;
    for (const secret of [this.opts.apiKey, this.opts.secretKey]) {
      if (secret) out = out.split(secret).join('[redacted]');
    }
    return out;
  }
}
