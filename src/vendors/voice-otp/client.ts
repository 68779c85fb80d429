import { jsonBody, jsonPost, readReply } from '../client-kit.js';
import { VendorError, type VendorHttp, type VendorReply } from '../http.js';
import {
  CHECK_BALANCE_PATH,
  CHECK_VOICE_PATH,
  CheckBalanceReply,
  LOCAL_PHONE,
  OUTCOME_UNKNOWN,
  POST_SMS_CODES,
  POST_SMS_PATH,
  parseTextReply,
  toCheckBalanceOutcome,
  toCheckVoiceOutcome,
  toPostSmsOutcome,
  VOICE_CODE,
  type VoiceCallStatus,
  type VoiceOtpReason,
} from './wire.js';

export type { VoiceCallStatus, VoiceOtpReason } from './wire.js';

const VENDOR = 'voiceOtp';

export interface VoiceOtpClientOptions {
  http: VendorHttp;
  username: string;
  password: string;
  key: string;
  /** The caller id the vendor assigned (`sender`, e.g. `DAUSO1`). */
  sender: string;
}

/** `postSMS` accepted: the call is placed and can be followed with `callStatus`. */
export interface VoiceCallPlaced {
  requestId: string;
}

/** A placed call's state: `PENDING` until the subscriber answers (`ANSWERED`) or not (`FAILED`). */
export interface VoiceCallState {
  status: VoiceCallStatus;
  /** The vendor's code for it: `1`, `27` or `23`. */
  vendorCode: string;
}

export interface VoiceOtpBalance {
  /** In the vendor's own units, as it reports them. */
  balance: number;
}

type Operation = 'post-sms' | 'check-voice' | 'check-balance';

const REFUSED: Record<Operation, string> = {
  'post-sms': 'refused the call',
  'check-voice': "refused the call's status check",
  'check-balance': 'refused the balance check',
};

/**
 * A refusal by the voice OTP vendor: `code` is `VENDOR_REJECTED`, `vendorCode` the vendor's own
 * code (`-8`, `14`, ...), `reason` the gateway's stable name for it and `vendorMessage` the
 * document's Vietnamese text for the code (the vendor sends only the number).
 */
export class VoiceOtpRejected extends VendorError {
  readonly reason: VoiceOtpReason;

  constructor(init: {
    operation: Operation;
    status: number;
    vendorCode: string;
    reason: VoiceOtpReason;
    en: string;
    vi: string | null;
    outcomeUnknown: boolean;
  }) {
    super({
      vendor: VENDOR,
      code: 'VENDOR_REJECTED',
      status: init.status,
      vendorCode: init.vendorCode,
      vendorMessage: init.vi,
      message: `${VENDOR} ${REFUSED[init.operation]}: ${init.en} (code ${init.vendorCode})`,
      outcomeUnknown: init.outcomeUnknown,
    });
    this.reason = init.reason;
  }
}

/**
 * Voice OTP calls (vendor-docs §4). `placeCall` creates a call the vendor bills, so it is made
 * exactly once: never retried, and a timeout, a lost or unreadable reply or code `27` leaves its
 * outcome unknown. `callStatus` and `balance` are reads, retried within the HTTP layer's bounds.
 * The code read out travels only in the request body, which is never logged nor put in an error.
 */
export class VoiceOtpClient {
  constructor(private readonly opts: VoiceOtpClientOptions) {}

  /** Places a call that reads `code` (digits only, 1 to 6) to `phone` (local form). */
  async placeCall(phone: string, code: string): Promise<VoiceCallPlaced> {
    // The services validate both first; reaching here with either wrong is a bug, not a refusal.
    if (!LOCAL_PHONE.test(phone)) throw new Error('voice OTP needs a phone in local form');
    if (!VOICE_CODE.test(code)) throw new Error('a voice OTP code is 1 to 6 digits');
    const { username, password: pass, sender, key } = this.opts;
    const body = { username, pass, sender, key, phonesend: phone, message: code };
    return this.opts.http.call(
      jsonPost({
        operation: 'post-sms',
        path: POST_SMS_PATH,
        json: body,
        safeToRepeat: false,
        phone,
        parse: (reply) => {
          const outcome = toPostSmsOutcome(readText(reply));
          if (outcome.kind === 'accepted') return { requestId: outcome.requestId };
          throw refusal('post-sms', reply.status, outcome.code);
        },
      }),
    );
  }

  /** The state of a call `placeCall` placed, by its request id. */
  async callStatus(requestId: string): Promise<VoiceCallState> {
    const { username, password: pass, key } = this.opts;
    const body = { username, pass, key, request_id: requestId };
    return this.opts.http.call(
      jsonPost({
        operation: 'check-voice',
        path: CHECK_VOICE_PATH,
        json: body,
        safeToRepeat: true,
        parse: (reply) => {
          const outcome = toCheckVoiceOutcome(readText(reply));
          if (outcome.kind === 'status')
            return { status: outcome.status, vendorCode: outcome.code };
          throw refusal('check-voice', reply.status, outcome.code);
        },
      }),
    );
  }

  /** The account's balance. */
  async balance(): Promise<VoiceOtpBalance> {
    const { username, password: pass, key } = this.opts;
    return this.opts.http.call(
      jsonPost({
        operation: 'check-balance',
        path: CHECK_BALANCE_PATH,
        json: { username, pass, key },
        safeToRepeat: true,
        parse: (reply) => {
          const outcome = toCheckBalanceOutcome(readJson(reply));
          if (outcome.kind === 'balance') return { balance: outcome.balance };
          throw refusal('check-balance', reply.status, outcome.code);
        },
      }),
    );
  }
}

/** The vendor's code, read leniently; a 4xx that carries none is a refusal before anything. */
function readText(reply: VendorReply) {
  return readReply(VENDOR, reply, parseTextReply);
}

function readJson(reply: VendorReply): CheckBalanceReply {
  return readReply(VENDOR, reply, (body) => CheckBalanceReply.parse(jsonBody(body)));
}

function refusal(operation: Operation, status: number, vendorCode: string): VoiceOtpRejected {
  if (operation === 'check-balance') {
    const listed = vendorCode === '0';
    return new VoiceOtpRejected({
      operation,
      status,
      vendorCode,
      reason: listed ? 'BALANCE_CHECK_REFUSED' : 'UNLISTED_CODE',
      en: listed ? 'failed, or wrong username, pass or key' : 'a code its document does not list',
      vi: listed ? 'Không thành công hoặc sai user/pass/key' : null,
      outcomeUnknown: false,
    });
  }
  const listed = POST_SMS_CODES[vendorCode];
  return new VoiceOtpRejected({
    operation,
    status,
    vendorCode,
    reason: listed?.reason ?? 'UNLISTED_CODE',
    en: listed?.en ?? 'a code its document does not list',
    vi: listed?.vi ?? null,
    // Code 27 may have placed (and billed) the call. A code the document does not list says
    // nothing either way, so a call answered with one is treated the same, to be reconciled.
    outcomeUnknown:
      operation === 'post-sms' && (vendorCode === OUTCOME_UNKNOWN || listed === undefined),
  });
}
