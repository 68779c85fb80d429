import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHECK_BALANCE_PATH, POST_SMS_PATH } from '../../src/vendors/voice-otp/wire.js';
import { DIALECTS } from '../helpers/db.js';
import { useVoiceServices } from '../helpers/voice-services.js';

/** The voice call service on its own: real stores, a real simulator, no GraphQL. */

describe.each(DIALECTS)('the voice call service on $name', ({ create }) => {
  const services = useVoiceServices(create);
  const client = 'app-svc';

  it('publishes the call recorded, then placed', async () => {
    const { voice, changes, sim } = services();
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

  it('caches the balance for its window and warns when it is low', async () => {
    const { voice, warnings, sim, advance } = services();
    const first = await voice.balance();
    await voice.balance();
    expect(sim.callsTo(CHECK_BALANCE_PATH)).toHaveLength(1);
    expect(first).toEqual({ balance: 1000, checkedAt: '2026-11-23T01:00:00.000Z' });
    expect(warnings).toEqual(['voice OTP balance is under VOICE_OTP_BALANCE_WARN']);
    expect(voice.readinessNote()).toBe(
      'voiceOtp balance 1000 is under VOICE_OTP_BALANCE_WARN (2000)',
    );
    advance(60_000);
    await voice.balance();
    expect(sim.callsTo(CHECK_BALANCE_PATH)).toHaveLength(2);
  });
});
