import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VerificationNotPending } from '../../src/domain/errors.js';
import { DIALECTS } from '../helpers/db.js';
import { useVoiceServices, VOICE_SECRET } from '../helpers/voice-services.js';

/** The phone verification service on its own: real stores, a real simulator, no GraphQL. */

describe.each(DIALECTS)('the phone verification service on $name', ({ create }) => {
  const services = useVoiceServices(create);
  const client = 'app-svc';

  it('stores an HMAC of the verification code keyed with the secret, never the code', async () => {
    const { verifications, sim, store } = services();
    const v = await verifications.startVerification(client, {
      phone: '0936000002',
      channel: 'VOICE',
      idempotencyKey: randomUUID(),
    });
    const code = sim.calls.at(-1)!.message;
    const stored = await store.verificationById(v.id);
    expect(stored!.codeHash).toBe(
      createHmac('sha256', VOICE_SECRET).update(`phone-verification:${v.id}:${code}`).digest('hex'),
    );
    expect(stored!.codeHash).not.toContain(code);
    expect((await verifications.checkVerification(v, { code })).status).toBe('APPROVED');
  });

  it('approves once when two checks with the right code race', async () => {
    const { verifications, sim, store } = services();
    const v = await verifications.startVerification(client, {
      phone: '0936000004',
      channel: 'VOICE',
      idempotencyKey: randomUUID(),
    });
    const code = sim.calls.at(-1)!.message;
    const answers = await Promise.allSettled([
      verifications.checkVerification(v, { code }),
      verifications.checkVerification(v, { code }),
    ]);
    const approved = answers.filter((a) => a.status === 'fulfilled');
    expect(approved.map((a) => a.value.status)).toEqual(['APPROVED']);
    const refused = answers.find((a) => a.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(VerificationNotPending);
    expect(refused?.reason).toMatchObject({ status: 'APPROVED' });
    // One check approved; the other saw it approved and compared nothing.
    expect((await store.verificationById(v.id))!.checks).toBe(1);
  });
});
