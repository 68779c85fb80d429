import { ms, optionalUrl, secret } from '../../config-fields.js';
import { defineVendor, type EnvOf, type VendorSection } from '../module.js';

export type EsmsSection = VendorSection & { apiKey: string | null; secretKey: string | null };

const ESMS_ENV = {
  ESMS_BASE_URL: optionalUrl,
  ESMS_API_KEY: secret,
  ESMS_SECRET_KEY: secret,
  ESMS_TIMEOUT_MS: ms(15_000),
};

/**
 * eSMS, Zalo OA packages (vendor-docs §5). Configured ahead of its client: its variables are part
 * of the documented configuration; the client and simulator join this module with the OA issue.
 */
export const esms = defineVendor({
  name: 'esms',
  env: ESMS_ENV,
  urlVariable: 'ESMS_BASE_URL',
  requiredWithUrl: ['ESMS_API_KEY', 'ESMS_SECRET_KEY'],
  section: (env: EnvOf<typeof ESMS_ENV>): EsmsSection => ({
    baseUrl: env.ESMS_BASE_URL ?? null,
    timeoutMs: env.ESMS_TIMEOUT_MS,
    apiKey: env.ESMS_API_KEY ?? null,
    secretKey: env.ESMS_SECRET_KEY ?? null,
  }),
  // eSMS's body fields `ApiKey` and `SecretKey`.
  redactPaths: ['secretKey', '*.secretKey', 'ApiKey', '*.ApiKey', 'SecretKey', '*.SecretKey'],
});
