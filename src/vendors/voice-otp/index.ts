import { ms, optionalText, optionalUrl, secret } from '../../config-fields.js';
import { defineVendor, type EnvOf, type VendorSection } from '../module.js';
import { VoiceOtpClient } from './client.js';
import { createVoiceOtpSimulator } from './simulator.js';

export type VoiceOtpSection = VendorSection & {
  username: string | null;
  password: string | null;
  key: string | null;
  sender: string | null;
};

const VOICE_OTP_ENV = {
  VOICE_OTP_BASE_URL: optionalUrl,
  VOICE_OTP_USERNAME: secret,
  VOICE_OTP_PASSWORD: secret,
  VOICE_OTP_KEY: secret,
  VOICE_OTP_SENDER: optionalText,
  VOICE_OTP_TIMEOUT_MS: ms(15_000),
};

/**
 * Voice OTP calls (vendor-docs §4): `postSMS` places a call that reads up to six digits,
 * `checkVoice` follows it, `checkBalance` reads the account's balance.
 */
export const voiceOtp = defineVendor({
  name: 'voiceOtp',
  env: VOICE_OTP_ENV,
  urlVariable: 'VOICE_OTP_BASE_URL',
  requiredWithUrl: [
    'VOICE_OTP_USERNAME',
    'VOICE_OTP_PASSWORD',
    'VOICE_OTP_KEY',
    'VOICE_OTP_SENDER',
  ],
  section: (env: EnvOf<typeof VOICE_OTP_ENV>): VoiceOtpSection => ({
    baseUrl: env.VOICE_OTP_BASE_URL ?? null,
    timeoutMs: env.VOICE_OTP_TIMEOUT_MS,
    username: env.VOICE_OTP_USERNAME ?? null,
    password: env.VOICE_OTP_PASSWORD ?? null,
    key: env.VOICE_OTP_KEY ?? null,
    sender: env.VOICE_OTP_SENDER ?? null,
  }),
  // The vendor's body fields: `pass` and `key` are credentials, `username` identifies the account.
  // The code read out travels as `message`, which cannot be a redact path (`*.message` would
  // censor every logged error's message): it stays out of logs because no body is ever logged.
  redactPaths: ['password', '*.password', 'pass', '*.pass', 'key', '*.key'],
  sandbox: {
    credentials: {
      username: 'sandbox-voice-user',
      password: 'sandbox-voice-pass',
      key: 'sandbox-voice-key',
      sender: 'DAUSO1',
    },
    simulator: ({ config, hangMs }) =>
      createVoiceOtpSimulator({
        username: config.username ?? '',
        password: config.password ?? '',
        key: config.key ?? '',
        sender: config.sender ?? '',
        ...(hangMs === undefined ? {} : { hangMs }),
      }),
  },
  client: ({ http, config }) => {
    const { username, password, key, sender } = config;
    if (!username || !password || !key || !sender) {
      throw new Error('voiceOtp needs a username, password, key and sender');
    }
    return new VoiceOtpClient({ http, username, password, key, sender });
  },
});
