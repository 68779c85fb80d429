import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import { parsePhone } from '../../domain/phone.js';
import { belowServerError, readReply, rejection } from '../client-kit.js';
import { VendorError, type VendorHttp, type VendorReply } from '../http.js';
import {
  buildNotifyMessage,
  buildVasXml,
  CHECK_PATH,
  CHECK_SERVICE_INFO,
  CheckServiceInfoReply,
  formatVnTime,
  isVasSuccess,
  NotifierResponse,
  parseVasXml,
  REG_PATH,
  REG_TYPES,
  type VasAction,
  XML_CONTENT_TYPE,
} from './wire.js';

/** A subscriber's service package, in the gateway's terms. */
export interface VasPackageRef {
  /** Any form `parsePhone` accepts; it goes out as the MSISDN `84XXXXXXXXX`. */
  phone: string;
  /** The vendor's service id (`service`, `service_id`), e.g. `1000161`, kept as written. */
  serviceId: string;
  /** The vendor's package id (`package`, `package_id`), e.g. `1003013`, kept as written. */
  packageId: string;
  /** `WEB`, `WAP`, `APP`, `CSKH`, ... */
  channel: string;
}

export interface VasCheckRequest extends VasPackageRef {
  note?: string;
  /** The `requestid` to send; by default a new one (`newRequestId()`). */
  requestId?: string;
}

export interface VasCheckResult {
  /** The `requestid` sent and echoed, for the record. */
  requestId: string;
  msisdn: string;
  serviceId: string;
  packageId: string;
  /** `status` 1: the subscriber holds the package. */
  active: boolean;
  /** The vendor's `error_desc` (e.g. `Success`). */
  message: string | null;
}

export interface VasRegistrationRequest extends VasPackageRef {
  /** `price` and `originalprice` in VND, as digits; empty when the caller leaves it to the SDP. */
  price?: string;
  originalPrice?: string;
  /** Renew the package every cycle (`autoRenew` 1); by default true. */
  autoRenew?: boolean;
  serviceCode?: string;
  packageCode?: string;
  subpackageCode?: string;
  /**
   * The `queueID` to send; by default a new one. Pass one from `newQueueId()` to record the
   * transaction before the call, so a call whose reply is lost can still be traced.
   */
  queueId?: string;
}

export type VasCancellationRequest = Omit<
  VasRegistrationRequest,
  'price' | 'originalPrice' | 'autoRenew'
>;

/** A `notify_reg` the vendor accepted (`error_id` 0). */
export interface VasRegistrationResult {
  action: VasAction;
  /** The `queueID` sent and echoed, for the record. */
  queueId: string;
  msisdn: string;
  serviceId: string;
  packageId: string;
  message: string | null;
}

export interface VascloudClientOptions {
  http: VendorHttp;
  /** The gateway's own notification URL (`cpURL`, `service_url`); empty when unset. */
  cpUrl: string | null;
  now?: () => Date;
}

/**
 * VAS cloud XML API. CheckServiceInfo is a read: safe to repeat, retried within the configured
 * bounds. `notify_reg` registers or cancels a package, which charges or stops charging the
 * subscriber: it is made exactly once, and a timeout or an unreadable reply leaves its outcome
 * unknown (`VendorError.outcomeUnknown`), to be settled with CheckServiceInfo. A reply with
 * `error_id` other than 0 is a `VendorError` with code `VENDOR_REJECTED` and `vendorCode` the
 * `error_id`.
 */
export class VascloudClient {
  private lastId = 0;

  constructor(private readonly opts: VascloudClientOptions) {}

  /**
   * A new `requestid`/`queueID`: a number unique in this process (strictly increasing) and
   * unlikely to repeat across instances: epoch milliseconds, then three random digits. Sixteen
   * digits, within both the vendor's bigint and a JavaScript safe integer.
   */
  newQueueId(): string {
    const candidate = Date.now() * 1000 + randomInt(1000);
    this.lastId = Math.max(candidate, this.lastId + 1);
    return String(this.lastId);
  }

  newRequestId(): string {
    return this.newQueueId();
  }

  /** CheckServiceInfo: does the subscriber hold the package? */
  checkServiceInfo(request: VasCheckRequest): Promise<VasCheckResult> {
    const msisdn = parsePhone(request.phone).msisdn;
    const requestId = request.requestId ?? this.newRequestId();
    const body = buildVasXml({
      RQST: {
        name: CHECK_SERVICE_INFO,
        requestid: requestId,
        msisdn,
        service: request.serviceId,
        package: request.packageId,
        note: request.note ?? '',
        service_url: this.opts.cpUrl ?? '',
        channel: request.channel,
      },
    });
    return this.opts.http.call({
      operation: 'check-service-info',
      path: CHECK_PATH,
      method: 'POST',
      headers: { 'content-type': XML_CONTENT_TYPE },
      body,
      safeToRepeat: true,
      acceptStatus: belowServerError,
      phone: msisdn,
      parse: (reply) => {
        const rply = read(reply, CheckServiceInfoReply).RPLY;
        if (!isVasSuccess(rply.error_id)) throw rejected(reply, rply.error_id, rply.error_desc);
        if (rply.requestid !== requestId) {
          throw new Error(`the reply is for requestid ${rply.requestid}, not ${requestId}`);
        }
        if (rply.status !== '1' && rply.status !== '0') {
          throw new Error(`status ${rply.status} is neither 1 nor 0`);
        }
        return {
          requestId,
          msisdn,
          serviceId: request.serviceId,
          packageId: request.packageId,
          active: rply.status === '1',
          message: rply.error_desc || null,
        };
      },
    });
  }

  /** notify_reg with `regType` 1: registers the package (the subscriber is charged). */
  register(request: VasRegistrationRequest): Promise<VasRegistrationResult> {
    return this.notifyReg('register', request);
  }

  /** notify_reg with `regType` 2: cancels the package. */
  cancel(request: VasCancellationRequest): Promise<VasRegistrationResult> {
    return this.notifyReg('cancel', request);
  }

  private notifyReg(
    action: VasAction,
    request: VasRegistrationRequest,
  ): Promise<VasRegistrationResult> {
    const msisdn = parsePhone(request.phone).msisdn;
    const queueId = request.queueId ?? this.newQueueId();
    const now = this.opts.now?.() ?? new Date();
    const epochMs = String(now.getTime());
    // The partner sends the SDP's own NOTIFY message (vendor-docs §3). The elements the SDP
    // fills when it notifies us (`resultCode`, `errorDesc`, `commandcode`, `expiredTime`,
    // `updateTime`) go out empty but present, as the documented shape has them all.
    const body = buildNotifyMessage({
      queueID: queueId,
      resultCode: '',
      errorDesc: '',
      startTime: epochMs,
      startTimeCP: epochMs,
      cpURL: this.opts.cpUrl ?? '',
      // "The operation's identifier": ours is the queueID.
      regID: queueId,
      msisdn,
      regType: REG_TYPES[action],
      channel: request.channel,
      service_id: request.serviceId,
      package_id: request.packageId,
      originalprice: request.originalPrice ?? request.price ?? '',
      price: request.price ?? '',
      commandcode: '',
      serviceCode: request.serviceCode ?? '',
      packageCode: request.packageCode ?? '',
      subpackageCode: request.subpackageCode ?? '',
      autoRenew: action === 'cancel' ? '0' : request.autoRenew === false ? '0' : '1',
      subcribeTime: formatVnTime(now),
      expiredTime: '',
      updateTime: '',
    });
    return this.opts.http.call({
      operation: action === 'register' ? 'notify-reg-register' : 'notify-reg-cancel',
      path: REG_PATH,
      method: 'POST',
      headers: { 'content-type': XML_CONTENT_TYPE },
      body,
      safeToRepeat: false,
      acceptStatus: belowServerError,
      phone: msisdn,
      parse: (reply) => {
        const command = read(reply, NotifierResponse).ACCESSGW.COMMAND;
        if (!isVasSuccess(command.error_id)) {
          throw rejected(reply, command.error_id, command.error_desc);
        }
        if (command.queueID !== queueId) {
          throw new Error(`the reply is for queueID ${command.queueID}, not ${queueId}`);
        }
        return {
          action,
          queueId,
          msisdn,
          serviceId: request.serviceId,
          packageId: request.packageId,
          message: command.error_desc || null,
        };
      },
    });
  }
}

/**
 * Reads a reply in its documented shape. A 4xx that is not that shape (a proxy's page) is a
 * refusal with a known outcome; a 2xx that is not is a bad response, whose outcome the HTTP
 * layer leaves unknown for a create call.
 */
function read<T>(reply: VendorReply, schema: z.ZodType<T>): T {
  return readReply('vascloud', reply, (body) => schema.parse(parseVasXml(body)));
}

function rejected(reply: VendorReply, errorId: string, errorDesc: string | undefined) {
  return new VendorError(
    rejection({
      vendor: 'vascloud',
      status: reply.status,
      vendorCode: errorId,
      vendorMessage: errorDesc || null,
      fallback: `vascloud refused the request (error_id ${errorId})`,
    }),
  );
}
