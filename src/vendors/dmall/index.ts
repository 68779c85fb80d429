import { ms, optionalUrl, secret } from '../../config-fields.js';
import { defineVendor, type EnvOf, type VendorSection } from '../module.js';
import { DmallClient } from './client.js';
import { createDmallSimulator } from './simulator.js';

export type DmallSection = VendorSection & { apiKey: string | null };

const DMALL_ENV = {
  DMALL_BASE_URL: optionalUrl,
  DMALL_API_KEY: secret,
  DMALL_TIMEOUT_MS: ms(15_000),
};

/** dmall partner API (vendor-docs §1): OTP requests and registrations of telco packages. */
export const dmall = defineVendor({
  name: 'dmall',
  env: DMALL_ENV,
  urlVariable: 'DMALL_BASE_URL',
  requiredWithUrl: ['DMALL_API_KEY'],
  section: (env: EnvOf<typeof DMALL_ENV>): DmallSection => ({
    baseUrl: env.DMALL_BASE_URL ?? null,
    timeoutMs: env.DMALL_TIMEOUT_MS,
    apiKey: env.DMALL_API_KEY ?? null,
  }),
  redactPaths: ['apiKey', '*.apiKey', 'api-key', '*["api-key"]', '*.headers["api-key"]'],
  sandbox: {
    credentials: { apiKey: 'sandbox-dmall-api-key' },
    simulator: ({ config, hangMs }) =>
      createDmallSimulator({
        apiKey: config.apiKey ?? '',
        ...(hangMs === undefined ? {} : { hangMs }),
      }),
  },
  client: ({ http, config }) => {
    if (!config.apiKey) throw new Error('dmall needs an api key');
    return new DmallClient({ http, apiKey: config.apiKey });
  },
});

export { dmallSells } from './client.js';
export { DMALL_TELCOS } from './wire.js';
