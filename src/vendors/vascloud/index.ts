import { ms, optionalUrl } from '../../config-fields.js';
import { defineVendor, type EnvOf, type VendorSection } from '../module.js';

export type VascloudSection = VendorSection & { cpUrl: string | null };

const VASCLOUD_ENV = {
  VASCLOUD_BASE_URL: optionalUrl,
  VASCLOUD_CP_URL: optionalUrl,
  VASCLOUD_TIMEOUT_MS: ms(10_000),
};

/**
 * VAS cloud XML API (vendor-docs §3). Configured ahead of its client: its variables are part of
 * the documented configuration; the client, simulator and SDP notification route join this
 * module with the VAS issue.
 */
export const vascloud = defineVendor({
  name: 'vascloud',
  env: VASCLOUD_ENV,
  urlVariable: 'VASCLOUD_BASE_URL',
  requiredWithUrl: ['VASCLOUD_CP_URL'],
  section: (env: EnvOf<typeof VASCLOUD_ENV>): VascloudSection => ({
    baseUrl: env.VASCLOUD_BASE_URL ?? null,
    timeoutMs: env.VASCLOUD_TIMEOUT_MS,
    cpUrl: env.VASCLOUD_CP_URL ?? null,
  }),
  redactPaths: [],
});
