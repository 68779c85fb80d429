import { ms, optionalUrl } from '../../config-fields.js';
import { defineVendor, type EnvOf, type InboundDeps, type VendorSection } from '../module.js';
import { addressList, allowList } from './allow-list.js';
import { VascloudClient } from './client.js';
import { notifyRoute } from './inbound.js';
import { createVascloudSimulator } from './simulator.js';
import type { VasNotification } from './wire.js';

export type VascloudSection = VendorSection & {
  cpUrl: string | null;
  /**
   * IPs and CIDRs the SDP may notify from (`VASCLOUD_NOTIFY_ALLOW`); null lets every address
   * through, which only a sandbox gets (no base URL and no list). A real vendor with no list
   * has `[]`: every notification is refused with 403 until the SDP's addresses are listed.
   */
  notifyAllow: string[] | null;
};

const VASCLOUD_ENV = {
  VASCLOUD_BASE_URL: optionalUrl,
  VASCLOUD_CP_URL: optionalUrl,
  VASCLOUD_TIMEOUT_MS: ms(10_000),
  VASCLOUD_NOTIFY_ALLOW: addressList,
};

/**
 * VAS cloud XML API (vendor-docs §3): CheckServiceInfo, notify_reg (register, cancel), and the
 * SDP's notifications to our cpURL. The document describes no credentials: the SDP allow-lists
 * partner addresses.
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
    notifyAllow: env.VASCLOUD_NOTIFY_ALLOW ?? (env.VASCLOUD_BASE_URL ? [] : null),
  }),
  // No credentials on this wire; the MSISDN is its phone field, masked where it is logged.
  redactPaths: ['msisdn', '*.msisdn'],
  sandbox: {
    credentials: {},
    simulator: ({ config, hangMs }) =>
      createVascloudSimulator({
        cpUrl: config.cpUrl,
        ...(hangMs === undefined ? {} : { hangMs }),
      }),
  },
  client: ({ http, config }) => new VascloudClient({ http, cpUrl: config.cpUrl }),
  // Annotated so the module's event type is the notification, not inferred as `never`.
  inbound: ({
    config,
    logger,
    deliver,
  }: InboundDeps<VascloudSection, VascloudClient, VasNotification>) => [
    notifyRoute({ cpUrl: config.cpUrl, logger, deliver, allow: allowList(config.notifyAllow) }),
  ],
});

export type {
  VasCheckRequest,
  VasCheckResult,
  VascloudClient,
  VasRegistrationRequest,
  VasRegistrationResult,
} from './client.js';
export type { VasAction, VasNotification } from './wire.js';
