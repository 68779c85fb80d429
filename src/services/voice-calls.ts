import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import {
  type ErrorName,
  InvalidInput,
  VendorUnavailable,
  VoiceCallPrefixBlocked,
  VoiceCallRateLimited,
} from '../domain/errors.js';
import { type Message, message } from '../domain/messages/index.js';
import { maskPhone, parsePhone } from '../domain/phone.js';
import { outcomeOf, statusAfter } from '../domain/vendor-outcome.js';
import { isFollowable, type VoiceCall } from '../domain/voice.js';
import type { VoiceStore } from '../store/voice.js';
import type { CallRefused, CallRules } from '../store/voice-guard.js';
import { VendorError } from '../vendors/vendor-error.js';
import type { VoiceOtpClient } from '../vendors/voice-otp/client.js';
import { IDEMPOTENT_ERRORS, type IdempotentRunner, readKey } from './idempotent.js';
import { LedgerCalls, vendorErrorOf } from './ledger-call.js';
import type { LedgerSweep } from './ledger-sweep.js';
import type { SharedCache } from './shared-cache.js';
import { LocalPollLease, type PollLease, VoiceCallPoller } from './voice-call-poller.js';
import { VoiceMetrics } from './voice-metrics.js';

/** What placing a call can answer (a verification's call too). */
export const CALL_ERRORS = [
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

const CODE = /^\d{1,6}$/;

export interface SendVoiceOtpInput {
  phone: string;
  code: string;
  idempotencyKey?: string | null;
}

export interface VoiceOtpBalanceReading {
  balance: number;
  checkedAt: string;
}

export interface VoiceCallServiceOptions {
  store: VoiceStore;
  idempotent: IdempotentRunner;
  voiceOtp: VoiceOtpClient;
  /** The caps and fraud guard every call is admitted under (`VOICE_CALLS_*`, `VOICE_GUARD_*`). */
  rules: CallRules;
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
 * Voice OTP calls: placed, followed and refreshed, and the account balance. A call is recorded
 * before `postSMS` and updated after; the digits it reads are passed to the vendor and nowhere
 * else (never stored, logged or returned). Phone verification places its calls through here.
 */
export class VoiceCallService {
  readonly poller: VoiceCallPoller;
  private readonly now: () => Date;
  private balanceCache: { reading: VoiceOtpBalanceReading; until: number } | null = null;
  private balanceInFlight: Promise<VoiceOtpBalanceReading> | null = null;
  private readonly balanceGauge: Gauge;
  /** The voice metrics, counted here and by phone verification. */
  readonly metrics: VoiceMetrics;

  private readonly calls: LedgerCalls;

  /** The call ledger's sweep: calls recorded but never answered by `postSMS` become UNKNOWN. */
  readonly ledgerSweep: LedgerSweep = {
    sweeps: 'stale voice calls',
    sweep: async (staleAfterMs) => {
      const calls = await this.opts.store.sweepCalls(staleAfterMs);
      for (const call of calls) this.opts.onCallChange(call);
      return calls.length;
    },
  };

  constructor(private readonly opts: VoiceCallServiceOptions) {
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

  /** The caps and fraud guard every call is admitted under. */
  get rules(): CallRules {
    return this.opts.rules;
  }

  async sendVoiceOtp(clientId: string, input: SendVoiceOtpInput): Promise<VoiceCall> {
    const phone = parsePhone(input.phone);
    const code = input.code.trim();
    if (!CODE.test(code)) throw new InvalidInput(message('InvalidInput.voiceCode'), 'code');
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
          this.opts.rules,
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
          message('VendorError.voiceInterrupted', { status: call.status }),
          'voiceOtp',
          'VENDOR_TIMEOUT',
          true,
          { kind: 'VoiceCall', key: call.id },
        );
      },
    });
  }

  /** The error a call not admitted answers, counted and (a prefix block) logged. */
  refuse(clientId: string, phone: string, refused: CallRefused): Error {
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
      message('VoiceCallPrefixBlocked.paused', {
        prefix: refused.prefix,
        retryAfterSeconds: refused.retryAfterSeconds,
      }),
      refused.retryAfterSeconds,
      refused.prefix,
    );
  }

  /** Places a recorded call; the call after `postSMS`, or the error it means. */
  async place(call: VoiceCall, code: string): Promise<VoiceCall> {
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
  private async notPlaced(call: VoiceCall, err: VendorError): Promise<Message<'VendorError'>> {
    const status = statusAfter('voiceCall', err);
    if (outcomeOf(err) === 'REJECTED') {
      await this.move(
        call,
        status,
        { vendorCode: err.vendorCode, failureMessage: err.message },
        `Refused by the vendor (${err.vendorCode})`,
      );
      return message('VendorError.voiceRejected', { vendorCode: err.vendorCode });
    }
    await this.move(
      call,
      status,
      { vendorCode: err.vendorCode ?? null, failureMessage: err.message },
      err.outcomeUnknown ? `Outcome unknown: ${err.message}` : `Not placed: ${err.message}`,
    );
    return message(
      err.outcomeUnknown ? 'VendorError.voiceNotConfirmed' : 'VendorError.voiceNotTaken',
      { code: err.code },
    );
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

  close(): void {
    this.poller.close();
  }
}
