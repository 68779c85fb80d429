import { ms, optionalText, optionalUrl, secret } from '../../config-fields.js';
import { defineVendor, type EnvOf, type VendorSection } from '../module.js';

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
 * Voice OTP calls (vendor-docs §4). Configured ahead of its client: its variables are part of
 * the documented configuration; the client and simulator join this module with the voice issue.
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
  redactPaths: ['password', '*.password', 'pass', '*.pass', 'key', '*.key'],
});
