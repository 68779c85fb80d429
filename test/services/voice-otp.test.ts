import { createHmac, randomUUID } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VerificationNotPending } from '../../src/domain/errors.js';
import type { VoiceCall } from '../../src/domain/voice.js';
import { IdempotentRunner } from '../../src/services/idempotent.js';
import { VoiceOtpService } from '../../src/services/voice-otp.js';
import { IdempotencyStore } from '../../src/store/idempotency.js';
import { VoiceStore } from '../../src/store/voice.js';
import { VendorHttp, VendorMetrics } from '../../src/vendors/http.js';
import { VoiceOtpClient } from '../../src/vendors/voice-otp/client.js';
import {
  createVoiceOtpSimulator,
  type VoiceOtpSimulator,
} from '../../src/vendors/voice-otp/simulator.js';
import { CHECK_BALANCE_PATH, POST_SMS_PATH } from '../../src/vendors/voice-otp/wire.js';
import { DIALECTS, type TestDatabase } from '../helpers/db.js';

/** The voice service on its own: real stores, a real simulator, no GraphQL. */

const SECRET = 'service-test-secret-of-32-characters';
const CREDENTIALS = { username: 'u', password: 'p', key: 'k', sender: 'DAUSO1' };

describe.each(DIALECTS)('the voice OTP service on $name', ({ create }) => {
  let t: TestDatabase;
  let sim: VoiceOtpSimulator;
  let http: VendorHttp;
  let store: VoiceStore;
  let voice: VoiceOtpService;
  let changes: VoiceCall[];
  let warnings: string[];
  let clock: number;
  const client = 'app-svc';

  beforeEach(async () => {
    t = create();
    await t.database.migrate();
    clock = Date.parse('2026-11-23T01:00:00.000Z');
    sim = createVoiceOtpSimulator({ ...CREDENTIALS, hangMs: 2_000 });
    http = new VendorHttp({
      vendor: 'voiceOtp',
      baseUrl: await sim.listen(),
      timeoutMs: 1_000,
      maxBodyBytes: 65_536,
      readRetries: 2,
      breakerFailures: 1000,
      breakerHalfOpenMs: 1000,
      maxConcurrency: 20,
      metrics: new VendorMetrics(new Registry()),
      logger: pino({ level: 'silent' }),
    });
    const now = () => new Date(clock);
    store = new VoiceStore(t.database, now);
    changes = [];
    warnings = [];
    const logger = pino({ level: 'silent' });
    logger.warn = ((obj: unknown, msg?: string) => {
      warnings.push(msg ?? String(obj));
    }) as typeof logger.warn;
    voice = new VoiceOtpService({
      store,
      idempotent: new IdempotentRunner({
        store: new IdempotencyStore(t.database, { ttlHours: 24, abandonAfterMs: 60_000, now }),
        secret: SECRET,
        duplicateWaitMs: 5_000,
      }),
      voiceOtp: new VoiceOtpClient({ http, ...CREDENTIALS }),
      secret: SECRET,
      verification: { validitySeconds: 600, maxChecks: 5, maxSends: 3, perPhoneHour: 5 },
      calls: {
        limits: { perPhone10Min: 3, perPhoneDay: 10, perClientMinute: 30, perClientDay: 1000 },
        guard: { windowSeconds: 3600, maxUnconverted: 20, cooldownSeconds: 3600 },
      },
      balance: { cacheSeconds: 60, warnBelow: 2000 },
      poll: { initialMs: 1_000, maxMs: 15_000 },
      registry: new Registry(),
      onCallChange: (c) => changes.push(c),
      logger,
      now,
    });
  });
  afterEach(async () => {
    voice.close();
    await http.close();
    await sim.close();
    await t.dispose();
  });

  it('publishes the call recorded, then placed', async () => {
    const call = await voice.sendVoiceOtp(client, {
      phone: '0936000001',
      code: '42',
      idempotencyKey: randomUUID(),
    });
    expect(changes.map((c) => [c.status, c.requestId])).toEqual([
      ['PENDING', null],
      ['PENDING', call.requestId],
    ]);
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(1);
  });

  it('stores an HMAC of the verification code keyed with the secret, never the code', async () => {
    const v = await voice.startVerification(client, {
      phone: '0936000002',
      channel: 'VOICE',
      idempotencyKey: randomUUID(),
    });
    const code = sim.calls.at(-1)!.message;
    const stored = await store.verificationById(v.id);
    expect(stored!.codeHash).toBe(
      createHmac('sha256', SECRET).update(`phone-verification:${v.id}:${code}`).digest('hex'),
    );
    expect(stored!.codeHash).not.toContain(code);
    expect((await voice.checkVerification(v, { code })).status).toBe('APPROVED');
  });

  it('approves once when two checks with the right code race', async () => {
    const v = await voice.startVerification(client, {
      phone: '0936000004',
      channel: 'VOICE',
      idempotencyKey: randomUUID(),
    });
    const code = sim.calls.at(-1)!.message;
    const answers = await Promise.allSettled([
      voice.checkVerification(v, { code }),
      voice.checkVerification(v, { code }),
    ]);
    const approved = answers.filter((a) => a.status === 'fulfilled');
    expect(approved.map((a) => a.value.status)).toEqual(['APPROVED']);
    const refused = answers.find((a) => a.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(VerificationNotPending);
    expect(refused?.reason).toMatchObject({ status: 'APPROVED' });
    // One check approved; the other saw it approved and compared nothing.
    expect((await store.verificationById(v.id))!.checks).toBe(1);
  });

  it('caches the balance for its window and warns when it is low', async () => {
    const first = await voice.balance();
    await voice.balance();
    expect(sim.callsTo(CHECK_BALANCE_PATH)).toHaveLength(1);
    expect(first).toEqual({ balance: 1000, checkedAt: '2026-11-23T01:00:00.000Z' });
    expect(warnings).toEqual(['voice OTP balance is under VOICE_OTP_BALANCE_WARN']);
    expect(voice.readinessNote()).toBe(
      'voiceOtp balance 1000 is under VOICE_OTP_BALANCE_WARN (2000)',
    );
    clock += 60_000;
    await voice.balance();
    expect(sim.callsTo(CHECK_BALANCE_PATH)).toHaveLength(2);
  });
});
