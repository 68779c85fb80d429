import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach } from 'vitest';
import type { VoiceCall } from '../../src/domain/voice.js';
import { IdempotentRunner } from '../../src/services/idempotent.js';
import { PhoneVerificationService } from '../../src/services/phone-verification.js';
import { VoiceCallService } from '../../src/services/voice-calls.js';
import { IdempotencyStore } from '../../src/store/idempotency.js';
import { VoiceStore } from '../../src/store/voice.js';
import { VendorHttp, VendorMetrics } from '../../src/vendors/http.js';
import { VoiceOtpClient } from '../../src/vendors/voice-otp/client.js';
import {
  createVoiceOtpSimulator,
  type VoiceOtpSimulator,
} from '../../src/vendors/voice-otp/simulator.js';
import type { TestDatabase } from './db.js';

/** The server secret the verification codes are hashed with. */
export const VOICE_SECRET = 'service-test-secret-of-32-characters';
const CREDENTIALS = { username: 'u', password: 'p', key: 'k', sender: 'DAUSO1' };

/**
 * The voice services on their own: real stores, a real simulator, no GraphQL. The clock starts
 * at 2026-11-23T01:00:00Z and moves only with `advance`.
 */
interface VoiceServices {
  sim: VoiceOtpSimulator;
  store: VoiceStore;
  voice: VoiceCallService;
  verifications: PhoneVerificationService;
  /** Every call the calls service published, in order. */
  changes: VoiceCall[];
  /** The messages of every warning logged. */
  warnings: string[];
  advance(ms: number): void;
}

/** New voice services for each test (closed after it); call the answer inside a test. */
export function useVoiceServices(create: () => TestDatabase): () => VoiceServices {
  let current: (VoiceServices & { close(): Promise<void> }) | undefined;
  beforeEach(async () => {
    current = await startVoiceServices(create);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('The voice services exist only inside a test');
    return current;
  };
}

async function startVoiceServices(
  create: () => TestDatabase,
): Promise<VoiceServices & { close(): Promise<void> }> {
  const t = create();
  await t.database.migrate();
  let clock = Date.parse('2026-11-23T01:00:00.000Z');
  const sim = createVoiceOtpSimulator({ ...CREDENTIALS, hangMs: 2_000 });
  const http = new VendorHttp({
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
  const store = new VoiceStore(t.database, now);
  const changes: VoiceCall[] = [];
  const warnings: string[] = [];
  const logger = pino({ level: 'silent' });
  logger.warn = ((obj: unknown, msg?: string) => {
    warnings.push(msg ?? String(obj));
  }) as typeof logger.warn;
  const idempotent = new IdempotentRunner({
    store: new IdempotencyStore(t.database, { ttlHours: 24, abandonAfterMs: 60_000, now }),
    secret: VOICE_SECRET,
    duplicateWaitMs: 5_000,
  });
  const voice = new VoiceCallService({
    store,
    idempotent,
    voiceOtp: new VoiceOtpClient({ http, ...CREDENTIALS }),
    rules: {
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
  const verifications = new PhoneVerificationService({
    store,
    idempotent,
    calls: voice,
    secret: VOICE_SECRET,
    rules: { validitySeconds: 600, maxChecks: 5, maxSends: 3, perPhoneHour: 5 },
    logger,
    now,
  });
  return {
    sim,
    store,
    voice,
    verifications,
    changes,
    warnings,
    advance: (ms) => {
      clock += ms;
    },
    async close() {
      voice.close();
      await http.close();
      await sim.close();
      await t.dispose();
    },
  };
}
