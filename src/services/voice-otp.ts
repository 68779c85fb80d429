import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import {
  type ErrorName,
  InvalidInput,
  InvalidPhoneNumber,
  VendorUnavailable,
  VerificationNotPending,
  VerificationRateLimited,
  VoiceCallPrefixBlocked,
  VoiceCallRateLimited,
} from '../domain/errors.js';
import { maskPhone, PhoneNumberError, parsePhone } from '../domain/phone.js';
import { outcomeOf, statusAfter } from '../domain/vendor-outcome.js';
import {
  isFollowable,
  type PhoneVerification,
  type VerificationChannel,
  type VerificationRules,
  type VerificationStatus,
  type VoiceCall,
} from '../domain/voice.js';
import type { VoiceStore } from '../store/voice.js';
import type { CallRefused, CallRules } from '../store/voice-guard.js';
import { VendorError } from '../vendors/vendor-error.js';
import type { VoiceOtpClient } from '../vendors/voice-otp/client.js';
import {
  IDEMPOTENT_ERRORS,
  type IdempotentRunner,
  type ResultCodec,
  readKey,
} from './idempotent.js';
import { LedgerCalls, vendorErrorOf } from './ledger-call.js';
import type { SharedCache } from './shared-cache.js';
import { LocalPollLease, type PollLease, VoiceCallPoller } from './voice-call-poller.js';
import { VoiceMetrics } from './voice-metrics.js';

const CALL_ERRORS = [
  'InvalidPhoneNumber',
  'VendorRejected',
  'VendorUnavailable',
  'VoiceCallRateLimited',
  'VoiceCallPrefixBlocked',
] as const;

/** What `sendVoiceOtp` can answer besides the call. */
export const SEND_VOICE_OTP_ERRORS = [
  ...IDEMPOTENT_ERRORS,
  ...CALL_ERRORS,
] as const satisfies readonly ErrorName[];

/** What `startPhoneVerification` can answer besides the verification. */
export const START_PHONE_VERIFICATION_ERRORS = [
  ...IDEMPOTENT_ERRORS,
  ...CALL_ERRORS,
  'VerificationRateLimited',
] as const satisfies readonly ErrorName[];

/** What `cancelPhoneVerification` can answer besides the verification. */
export const PHONE_VERIFICATION_ERRORS = [
  'InvalidInput',
  'VerificationNotFound',
] as const satisfies readonly ErrorName[];

/** What `checkPhoneVerification` can answer besides the verification. */
export const CHECK_PHONE_VERIFICATION_ERRORS = [
  ...IDEMPOTENT_ERRORS,
  ...PHONE_VERIFICATION_ERRORS,
  'VerificationNotPending',
] as const satisfies readonly ErrorName[];

const CODE = /^\d{1,6}$/;
const VERIFICATION_CODE = /^\d{6}$/;

export interface SendVoiceOtpInput {
  phone: string;
  code: string;
  idempotencyKey?: string | null;
}

export interface StartPhoneVerificationInput {
  phone: string;
  channel: VerificationChannel;
  idempotencyKey?: string | null;
}

export interface VoiceOtpBalanceReading {
  balance: number;
  checkedAt: string;
}

export interface VoiceOtpServiceOptions {
  store: VoiceStore;
  idempotent: IdempotentRunner;
  voiceOtp: VoiceOtpClient;
  /** Keys the code hashes (GATEWAY_SECRET). */
  secret: string;
  verification: VerificationRules;
  /** The caps and fraud guard every call is admitted under (`VOICE_CALLS_*`, `VOICE_GUARD_*`). */
  calls: CallRules;
  /** `shared`: the cache every instance reads (Redis), so N instances ask the vendor once. */
  balance: { cacheSeconds: number; warnBelow: number; shared?: SharedCache };
  poll: { initialMs: number; maxMs: number; lease?: PollLease };
  registry: Registry;
  /** Called after every committed change of a call (live updates). */
  onCallChange: (call: VoiceCall) => void;
  logger: Logger;
  now?: () => Date;
}

/** The shared cache's key of the voice OTP account balance. */
const BALANCE_KEY = 'voice-otp-balance';
/**
 * Voice OTP calls and phone verification. A call is recorded before `postSMS` and updated after;
 * the digits it reads are passed to the vendor and nowhere else (never stored, logged or
 * returned). A verification's code is drawn here, hashed with the server secret, and only the
 * hash is kept.
 */
export class VoiceOtpService {
  readonly poller: VoiceCallPoller;
  private readonly now: () => Date;
  private balanceCache: { reading: VoiceOtpBalanceReading; until: number } | null = null;
  private balanceInFlight: Promise<VoiceOtpBalanceReading> | null = null;
  private readonly balanceGauge: Gauge;
  private readonly metrics: VoiceMetrics;

  private readonly calls: LedgerCalls;

  constructor(private readonly opts: VoiceOtpServiceOptions) {
    this.now = opts.now ?? (() => new Date());
    this.calls = new LedgerCalls(opts.idempotent);
    this.poller = new VoiceCallPoller({
      lease: opts.poll.lease ?? new LocalPollLease(),
      refresh: async (id) => {
        const call = await opts.store.callById(id);
        return call ? this.refresh(call) : null;
      },
      initialMs: opts.poll.initialMs,
      maxMs: opts.poll.maxMs,
      logger: opts.logger,
    });
    this.balanceGauge = new Gauge({
      name: 'voice_otp_balance',
      help: 'The voice OTP account balance at its last check, in the vendor’s units',
      registers: [opts.registry],
    });
    this.metrics = new VoiceMetrics(opts.registry);
  }

  async sendVoiceOtp(clientId: string, input: SendVoiceOtpInput): Promise<VoiceCall> {
    const phone = readPhone(input.phone);
    const code = input.code.trim();
    if (!CODE.test(code)) throw new InvalidInput('The code is 1 to 6 digits.', 'code');
    const key = readKey(input.idempotencyKey);
    // The fingerprint holds the code only inside an HMAC, never in clear.
    return this.calls.run<VoiceCall, { requestId: string }>({
      scope: { clientId, operation: 'sendVoiceOtp', key },
      request: { phone: phone.local, code },
      kind: 'VoiceCall',
      vendor: 'voiceOtp',
      savedAs: 'voiceCallId',
      find: (id) => this.opts.store.callById(id),
      record: async () => {
        const recorded = await this.opts.store.createCall(
          { clientId, phone: phone.local, verificationId: null },
          this.opts.calls,
        );
        if (recorded.kind !== 'recorded') throw this.refuse(clientId, phone.local, recorded);
        return recorded.call;
      },
      call: (call) => this.dial(call, code),
      succeeded: (call, placed) => this.placed(call, placed),
      failed: (call, err) => this.notPlaced(call, err),
      interrupted: (call) => {
        if (call.requestId) return call;
        throw new VendorUnavailable(
          `The gateway stopped while placing this call, so whether it was placed is unknown; the call is ${call.status}. It is not placed again.`,
          'voiceOtp',
          'VENDOR_TIMEOUT',
          true,
          { kind: 'VoiceCall', key: call.id },
        );
      },
    });
  }

  /** The error a call not admitted answers, counted and (a prefix block) logged. */
  private refuse(clientId: string, phone: string, refused: CallRefused): Error {
    if (refused.kind === 'limited') {
      const { limit, retryAfterSeconds, message } = refused.refusal;
      this.metrics.callRefused(clientId, limit);
      return new VoiceCallRateLimited(message, retryAfterSeconds, limit);
    }
    this.metrics.callRefused(clientId, 'PREFIX_BLOCKED');
    if (refused.tripped) {
      this.metrics.prefixBlocked();
      this.opts.logger.warn(
        {
          prefix: refused.prefix,
          unconverted: refused.unconverted,
          phone: maskPhone(phone),
          clientId,
          cooldownSeconds: refused.retryAfterSeconds,
        },
        'voice guard blocked a number prefix: too many unconverted calls',
      );
    } else {
      this.opts.logger.info(
        { prefix: refused.prefix, phone: maskPhone(phone), clientId },
        'voice call refused: its number prefix is blocked',
      );
    }
    return new VoiceCallPrefixBlocked(
      `Calls to numbers starting ${refused.prefix} are paused for ${refused.retryAfterSeconds} s: too many recent calls to them led to no approved verification. No call was placed.`,
      refused.retryAfterSeconds,
      refused.prefix,
    );
  }

  /** Places a recorded call; the call after `postSMS`, or the error it means. */
  private async place(call: VoiceCall, code: string): Promise<VoiceCall> {
    let placed: { requestId: string };
    try {
      placed = await this.dial(call, code);
    } catch (err) {
      if (!(err instanceof VendorError)) throw err;
      throw vendorErrorOf(
        err,
        { kind: 'VoiceCall', key: call.id },
        await this.notPlaced(call, err),
      );
    }
    return this.placed(call, placed);
  }

  /** `postSMS` for a recorded call, once. */
  private dial(call: VoiceCall, code: string): Promise<{ requestId: string }> {
    this.opts.onCallChange(call);
    this.metrics.callPlaced(call.clientId, call.verificationId ? 'verification' : 'otp');
    this.opts.logger.info(
      { voiceCallId: call.id, phone: maskPhone(call.phone) },
      'placing voice call',
    );
    return this.opts.voiceOtp.placeCall(call.phone, code);
  }

  private placed(call: VoiceCall, placed: { requestId: string }): Promise<VoiceCall> {
    return this.move(
      call,
      'PENDING',
      { requestId: placed.requestId, vendorCode: '1' },
      `Placed: request ${placed.requestId}`,
    );
  }

  /** Settles a call `postSMS` did not place (or may have); the message for the client. */
  private async notPlaced(call: VoiceCall, err: VendorError): Promise<string> {
    const status = statusAfter('voiceCall', err);
    if (outcomeOf(err) === 'REJECTED') {
      await this.move(
        call,
        status,
        { vendorCode: err.vendorCode, failureMessage: err.message },
        `Refused by the vendor (${err.vendorCode})`,
      );
      return `The voice OTP vendor refused the call: ${err.message}`;
    }
    await this.move(
      call,
      status,
      { vendorCode: err.vendorCode ?? null, failureMessage: err.message },
      err.outcomeUnknown ? `Outcome unknown: ${err.message}` : `Not placed: ${err.message}`,
    );
    return err.outcomeUnknown
      ? `The voice OTP vendor did not confirm the call (${err.code}); it may have been placed. The call is UNKNOWN and is not placed again.`
      : `The voice OTP vendor could not take the call (${err.code}); nothing was placed. Try again shortly.`;
  }

  private async move(
    call: VoiceCall,
    status: VoiceCall['status'],
    patch: Parameters<VoiceStore['moveCall']>[2],
    detail: string,
  ): Promise<VoiceCall> {
    const next = await this.opts.store.moveCall(call, status, patch, detail);
    if (!next) throw new Error(`Voice call ${call.id} changed while a vendor call was in flight`);
    this.opts.onCallChange(next);
    return next;
  }

  /**
   * The calls as they stand now, in the order given: each pending one asked of the vendor first,
   * concurrently (the per-request DataLoader's batch); settled calls as recorded. The caller has
   * already been allowed to see them (`RecordAccess`): nothing here asks the vendor for a call
   * its client may not read.
   */
  async refreshAll(calls: readonly VoiceCall[]): Promise<VoiceCall[]> {
    return Promise.all(calls.map((c) => (isFollowable(c) ? this.refresh(c) : c)));
  }

  /** Asks the vendor about a pending call and records a change; a vendor failure keeps it as is. */
  async refresh(call: VoiceCall): Promise<VoiceCall> {
    if (!isFollowable(call) || !call.requestId) return call;
    let state: Awaited<ReturnType<VoiceOtpClient['callStatus']>>;
    try {
      state = await this.opts.voiceOtp.callStatus(call.requestId);
    } catch (err) {
      this.opts.logger.warn(
        { voiceCallId: call.id, err: err instanceof Error ? err.message : String(err) },
        'voice call status check failed',
      );
      return call;
    }
    if (state.status === call.status) return call;
    const next = await this.opts.store.moveCall(
      call,
      state.status,
      { vendorCode: state.vendorCode },
      `checkVoice: ${state.status} (${state.vendorCode})`,
    );
    if (!next) return (await this.opts.store.callById(call.id)) ?? call;
    this.opts.onCallChange(next);
    return next;
  }

  /** The account balance, from the vendor at most once per `VOICE_OTP_BALANCE_CACHE_SECONDS`. */
  async balance(): Promise<VoiceOtpBalanceReading> {
    const now = this.now().getTime();
    if (this.balanceCache && now < this.balanceCache.until) return this.balanceCache.reading;
    this.balanceInFlight ??= (async () => {
      try {
        const shared = await this.sharedBalance();
        if (shared) return shared;
        const { balance } = await this.opts.voiceOtp.balance();
        const reading = { balance, checkedAt: this.now().toISOString() };
        const until = this.now().getTime() + this.opts.balance.cacheSeconds * 1000;
        this.balanceCache = { reading, until };
        await this.opts.balance.shared?.set(
          BALANCE_KEY,
          JSON.stringify({ reading, until }),
          this.opts.balance.cacheSeconds * 1000,
        );
        this.balanceGauge.set(balance);
        if (this.lowBalance(balance)) {
          this.opts.logger.warn(
            { balance, warnBelow: this.opts.balance.warnBelow },
            'voice OTP balance is under VOICE_OTP_BALANCE_WARN',
          );
        }
        return reading;
      } finally {
        this.balanceInFlight = null;
      }
    })();
    return this.balanceInFlight;
  }

  /** Another instance's fresh reading, kept locally until it expires; null for none. */
  private async sharedBalance(): Promise<VoiceOtpBalanceReading | null> {
    const raw = await this.opts.balance.shared?.get(BALANCE_KEY);
    if (!raw) return null;
    try {
      const { reading, until } = JSON.parse(raw) as {
        reading: VoiceOtpBalanceReading;
        until: number;
      };
      if (typeof reading?.balance !== 'number' || !(until > this.now().getTime())) return null;
      this.balanceCache = { reading, until };
      this.balanceGauge.set(reading.balance);
      return reading;
    } catch {
      return null;
    }
  }

  private lowBalance(balance: number): boolean {
    return this.opts.balance.warnBelow > 0 && balance < this.opts.balance.warnBelow;
  }

  /**
   * A `/readyz` note when the last known balance is low (never a reason to be unready). A probe
   * never waits on the vendor: a stale balance is refreshed in the background for the next one.
   */
  readinessNote(): string | null {
    const cached = this.balanceCache;
    if (!cached || this.now().getTime() >= cached.until) {
      this.balance().catch((err: unknown) =>
        this.opts.logger.warn({ err: (err as Error).message }, 'voice OTP balance check failed'),
      );
    }
    const balance = cached?.reading.balance;
    return balance !== undefined && this.lowBalance(balance)
      ? `voiceOtp balance ${balance} is under VOICE_OTP_BALANCE_WARN (${this.opts.balance.warnBelow})`
      : null;
  }

  private hash(verificationId: string, code: string): string {
    return createHmac('sha256', this.opts.secret)
      .update(`phone-verification:${verificationId}:${code}`)
      .digest('hex');
  }

  async startVerification(
    clientId: string,
    input: StartPhoneVerificationInput,
  ): Promise<PhoneVerification> {
    const phone = readPhone(input.phone);
    const key = readKey(input.idempotencyKey);
    const rules = this.opts.verification;
    const codec: ResultCodec<PhoneVerification> = {
      save: (v) => ({ verificationId: v.id }),
      load: async ({ verificationId }) => {
        const v = verificationId ? await this.opts.store.verificationById(verificationId) : null;
        if (!v) throw new Error(`Stored verification ${verificationId} is gone`);
        return this.current(v);
      },
      interrupted: async (saved) => codec.load(saved),
    };
    return this.opts.idempotent.run(
      { clientId, operation: 'startPhoneVerification', key },
      { phone: phone.local, channel: input.channel },
      codec,
      async (touch) => {
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        // The hash is keyed by the verification's id, known only once it is made: the store
        // gets a function of the id.
        const opened = await this.opts.store.openVerification(
          {
            clientId,
            phone: phone.local,
            channel: input.channel,
            codeHash: (id: string) => this.hash(id, code),
          },
          rules,
          this.opts.calls,
        );
        if (opened.kind === 'call-refused')
          throw this.refuse(clientId, phone.local, opened.refused);
        if (opened.kind === 'phone-limited') {
          this.metrics.callRefused(clientId, 'VERIFICATION_PHONE_PER_HOUR');
          throw new VerificationRateLimited(
            `Too many verifications for this phone in the last hour (at most ${rules.perPhoneHour}).`,
            opened.retryAfterSeconds,
            'PHONE_PER_HOUR',
          );
        }
        if (opened.kind === 'sends-exhausted') {
          this.metrics.callRefused(clientId, 'VERIFICATION_SENDS');
          const left = Math.ceil(
            (new Date(opened.verification.expiresAt).getTime() - this.now().getTime()) / 1000,
          );
          throw new VerificationRateLimited(
            `This phone’s verification has had its ${rules.maxSends} calls; check the code, or start again once it expires.`,
            Math.max(1, left),
            'SENDS_PER_VERIFICATION',
          );
        }
        const verification = opened.verification;
        await touch(verification);
        this.opts.logger.info(
          {
            verificationId: verification.id,
            phone: maskPhone(phone.local),
            send: verification.sends,
          },
          opened.kind === 'created' ? 'phone verification started' : 'phone verification resent',
        );
        await this.place(opened.call, code);
        return verification;
      },
    );
  }

  /** The verification as a client sees it: PENDING past its validity is EXPIRED. */
  private async current(v: PhoneVerification): Promise<PhoneVerification> {
    if (v.status !== 'PENDING' || this.now() < new Date(v.expiresAt)) return v;
    const expired = await this.opts.store.moveVerification(v, 'EXPIRED', {}, 'Validity ran out');
    if (expired) this.metrics.verificationEnded(v.clientId, 'EXPIRED');
    return expired ?? (await this.opts.store.verificationById(v.id)) ?? v;
  }

  /** The verification as a client sees it now (PENDING past its validity is EXPIRED). */
  seen(v: PhoneVerification): Promise<PhoneVerification> {
    return this.current(v);
  }

  /** The verification again, after a concurrent change. */
  private async reread(v: PhoneVerification): Promise<PhoneVerification> {
    const again = await this.opts.store.verificationById(v.id);
    if (!again) throw new Error(`Verification ${v.id} is gone`);
    return this.current(again);
  }

  /**
   * Checks a code against a verification the caller owns (the schema found it through
   * `RecordAccess.getOwn`; another client's is VerificationNotFound there). Only a PENDING
   * verification is compared: any other answers VerificationNotPending, whatever the code, so a
   * check never reports an approval it did not make. A retry with the idempotency key of a check
   * that was answered replays that answer (the approving one included).
   */
  async checkVerification(
    verification: PhoneVerification,
    input: { code: string; idempotencyKey?: string | null },
  ): Promise<PhoneVerification> {
    const code = input.code.trim();
    if (!VERIFICATION_CODE.test(code)) {
      throw new InvalidInput('The code is the 6 digits the call read out.', 'code');
    }
    const key = readKey(input.idempotencyKey);
    // The answer as it was given: a replay says what the first check said, not what is now.
    const codec: ResultCodec<PhoneVerification> = {
      save: (v) => ({ verificationId: v.id, status: v.status, checks: String(v.checks) }),
      load: async ({ verificationId, status, checks }) => {
        const v = verificationId ? await this.opts.store.verificationById(verificationId) : null;
        if (!v) throw new Error(`Stored verification ${verificationId} is gone`);
        return { ...v, status: status as VerificationStatus, checks: Number(checks) };
      },
      interrupted: (saved) => codec.load(saved),
    };
    // The fingerprint holds the code only inside an HMAC, never in clear.
    return this.opts.idempotent.run(
      { clientId: verification.clientId, operation: 'checkPhoneVerification', key },
      { verificationId: verification.id, code },
      codec,
      (touch) => this.check(verification, code, touch),
    );
  }

  private async check(
    verification: PhoneVerification,
    code: string,
    touch: (v: PhoneVerification) => Promise<void>,
  ): Promise<PhoneVerification> {
    const rules = this.opts.verification;
    const notPending = (status: VerificationStatus) =>
      new VerificationNotPending(
        `This verification is ${status}, so nothing was checked; start a new one.`,
        status,
      );
    for (let round = 0; round < 5; round++) {
      const v = round === 0 ? await this.current(verification) : await this.reread(verification);
      if (v.status !== 'PENDING') throw notPending(v.status);
      if (v.checks >= rules.maxChecks) {
        // Every check used while PENDING (VERIFICATION_MAX_CHECKS lowered since): it ends here.
        const next = await this.opts.store.moveVerification(
          v,
          'MAX_ATTEMPTS_REACHED',
          {},
          `Check ${v.checks + 1} refused: all ${rules.maxChecks} checks used`,
        );
        if (next) {
          this.metrics.verificationEnded(v.clientId, 'MAX_ATTEMPTS_REACHED');
          throw notPending(next.status);
        }
        continue;
      }
      const expected = Buffer.from(v.codeHash, 'hex');
      const given = Buffer.from(this.hash(v.id, code), 'hex');
      const right = expected.length === given.length && timingSafeEqual(expected, given);
      const checks = v.checks + 1;
      const status: VerificationStatus = right
        ? 'APPROVED'
        : checks >= rules.maxChecks
          ? 'MAX_ATTEMPTS_REACHED'
          : 'PENDING';
      const next = await this.opts.store.moveVerification(
        v,
        status,
        { checks },
        right
          ? `Check ${checks}: approved`
          : `Check ${checks}: wrong code${status === 'PENDING' ? '' : ', no checks left'}`,
      );
      // Another check or a resend got in first: look again, so a code approves only once.
      if (!next) continue;
      await touch(next);
      if (status !== 'PENDING') this.metrics.verificationEnded(v.clientId, status);
      return next;
    }
    throw new Error(`Verification ${verification.id} kept changing under concurrent checks`);
  }

  /** Ends a PENDING verification the caller owns (found through `RecordAccess.getOwn`). */
  async cancelVerification(verification: PhoneVerification): Promise<PhoneVerification> {
    for (let round = 0; round < 5; round++) {
      const v = round === 0 ? await this.current(verification) : await this.reread(verification);
      if (v.status !== 'PENDING') return v;
      const next = await this.opts.store.moveVerification(v, 'CANCELED', {}, 'Canceled');
      if (next) return next;
    }
    throw new Error(`Verification ${verification.id} kept changing while being canceled`);
  }

  close(): void {
    this.poller.close();
  }
}

function readPhone(input: string) {
  try {
    return parsePhone(input);
  } catch (err) {
    if (err instanceof PhoneNumberError) throw new InvalidPhoneNumber(err.message, input);
    throw err;
  }
}
