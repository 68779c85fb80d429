import { Pool } from 'undici';
import { CatalogEligibility } from '../../dist/domain/eligibility.js';
import { dmallSells } from '../../dist/vendors/dmall/client.js';
import { voiceOtp } from '../../dist/vendors/voice-otp/index.js';

/**
 * What the arms' resolvers read from the context, and nothing else: the eligibility rule the
 * gateway uses (`eligiblePackages`), a caller holding every scope (as the gateway's anonymous
 * sandbox caller does), and, when `VOICE_OTP_URL` is set, a `voice.balance()` that makes the
 * simulator's `checkBalance` call with undici and nothing around it.
 *
 * The arms run compiled, from `dist/` (bench/run.ts builds it first), as the gateway does, so
 * that their memory is comparable with the gateway's.
 */
export function armContext() {
  const context = {
    eligibility: new CatalogEligibility(dmallSells),
    caller: { clientId: null, scopes: null },
  };
  const voice = process.env.VOICE_OTP_URL;
  if (voice) context.voice = { balance: checkBalance(voice) };
  return context;
}

/** The voice simulator's balance check, made directly: one keep-alive pool, JSON in and out. */
export function checkBalance(baseUrl) {
  const url = new URL(baseUrl);
  const pool = new Pool(url.origin, { connections: 10 });
  const { username, password, key } = voiceOtp.sandbox.credentials;
  const body = JSON.stringify({ username, pass: password, key });
  const path = `${url.pathname.replace(/\/+$/, '')}/onsmsapivoice/checkBalance`;
  return async () => {
    const res = await pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      body,
    });
    const reply = JSON.parse(await res.body.text());
    return { balance: Number(reply.balance), checkedAt: new Date().toISOString() };
  };
}

export function port() {
  return Number(process.env.PORT ?? 0);
}

export function listening(server) {
  process.stdout.write(`LISTENING http://127.0.0.1:${server.address().port}/graphql\n`);
}
