import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import {
  type ErrorName,
  InvalidInput,
  VerificationNotPending,
  VerificationRateLimited,
} from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import { maskPhone, parsePhone } from '../domain/phone.js';
import type {
  PhoneVerification,
  VerificationChannel,
  VerificationRules,
  VerificationStatus,
} from '../domain/voice.js';
import type { VoiceStore } from '../store/voice.js';
import {
  IDEMPOTENT_ERRORS,
  type IdempotentRunner,
  type ResultCodec,
  readKey,
} from './idempotent.js';
import { CALL_ERRORS, type VoiceCallService } from './voice-calls.js';
import type { VoiceMetrics } from './voice-metrics.js';

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

const VERIFICATION_CODE = /^\d{6}$/;

export interface StartPhoneVerificationInput {
  phone: string;
  channel: VerificationChannel;
  idempotencyKey?: string | null;
}

export interface PhoneVerificationServiceOptions {
  store: VoiceStore;
  idempotent: IdempotentRunner;
  /**
   * Places each verification's call, under the same caps, fraud guard and metrics as any other
   * call.
   */
  calls: VoiceCallService;
  /** Keys the code hashes (GATEWAY_SECRET). */
  secret: string;
  /** Validity, checks, sends and the per-phone cap (`VERIFICATION_*`). */
  rules: VerificationRules;
  logger: Logger;
  now?: () => Date;
}

/**
 * Phone verification: a verification's code is drawn here, hashed with the server secret, and
 * only the hash is kept; the voice call service places the call that reads it out.
 */
export class PhoneVerificationService {
  private readonly now: () => Date;
  private readonly metrics: VoiceMetrics;

  constructor(private readonly opts: PhoneVerificationServiceOptions) {
    this.now = opts.now ?? (() => new Date());
    this.metrics = opts.calls.metrics;
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
    const phone = parsePhone(input.phone);
    const key = readKey(input.idempotencyKey);
    const rules = this.opts.rules;
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
          this.opts.calls.rules,
        );
        if (opened.kind === 'call-refused')
          throw this.opts.calls.refuse(clientId, phone.local, opened.refused);
        if (opened.kind === 'phone-limited') {
          this.metrics.callRefused(clientId, 'VERIFICATION_PHONE_PER_HOUR');
          throw new VerificationRateLimited(
            message('VerificationRateLimited.PHONE_PER_HOUR', { max: rules.perPhoneHour }),
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
            message('VerificationRateLimited.SENDS_PER_VERIFICATION', { max: rules.maxSends }),
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
        await this.opts.calls.place(opened.call, code);
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
      throw new InvalidInput(message('InvalidInput.verificationCode'), 'code');
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
    const rules = this.opts.rules;
    const notPending = (status: VerificationStatus) =>
      new VerificationNotPending(message('VerificationNotPending.status', { status }), status);
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
}
