import { ms, optionalUrl, secret } from '../../config-fields.js';
import { defineVendor, type EnvOf, type VendorSection } from '../module.js';
import { EsmsClient } from './client.js';
import { createEsmsSimulator } from './simulator.js';

export type EsmsSection = VendorSection & { apiKey: string | null; secretKey: string | null };

const ESMS_ENV = {
  ESMS_BASE_URL: optionalUrl,
  ESMS_API_KEY: secret,
  ESMS_SECRET_KEY: secret,
  ESMS_TIMEOUT_MS: ms(15_000),
};

/** eSMS (vendor-docs §5): purchases of Zalo Official Account packages. */
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
  // The section's `apiKey`/`secretKey` and eSMS's body fields `ApiKey` and `SecretKey`.
  redactPaths: [
    'apiKey',
    '*.apiKey',
    'secretKey',
    '*.secretKey',
    'ApiKey',
    '*.ApiKey',
    'SecretKey',
    '*.SecretKey',
  ],
  sandbox: {
    credentials: { apiKey: 'sandbox-esms-api-key', secretKey: 'sandbox-esms-secret-key' },
    simulator: ({ config, hangMs }) =>
      createEsmsSimulator({
        apiKey: config.apiKey ?? '',
        secretKey: config.secretKey ?? '',
        ...(hangMs === undefined ? {} : { hangMs }),
      }),
  },
  client: ({ http, config }) => {
    if (!config.apiKey || !config.secretKey) {
      throw new Error('esms needs an api key and a secret key');
    }
    return new EsmsClient({ http, apiKey: config.apiKey, secretKey: config.secretKey });
  },
});

export {
  EsmsClient,
  EsmsRejection,
  type OAPackagePurchase,
  type OAPackageSubmission,
} from './client.js';
export { type EsmsRefusalReason, OA_PACKAGE_TIERS, type OAPackageTier } from './wire.js';
