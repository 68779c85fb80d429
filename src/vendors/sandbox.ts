import type { Logger } from 'pino';
import type { Config, VendorName } from '../config.js';
import { createDmallSimulator } from './dmall/simulator.js';
import type { SimulatorServer } from './simulator-kit.js';

/**
 * Sandbox mode: a vendor whose base URL is unset is served by its simulator, started in-process
 * on a loopback port with sandbox credentials. Vendors join `SIMULATORS` as their issues land.
 */

/** Credentials the simulators expect and the gateway sends in sandbox. Not secrets. */
export const SANDBOX_CREDENTIALS = {
  dmall: { apiKey: 'sandbox-dmall-api-key' },
} as const;

const SIMULATORS: Partial<Record<VendorName, () => SimulatorServer>> = {
  dmall: () => createDmallSimulator({ apiKey: SANDBOX_CREDENTIALS.dmall.apiKey }),
};

export interface Sandbox {
  /** Base URL of each simulator started, by vendor. */
  readonly urls: Partial<Record<VendorName, string>>;
  readonly simulators: Partial<Record<VendorName, SimulatorServer>>;
  close(): Promise<void>;
}

export async function startSimulators(
  vendors: VendorName[],
  options: { port?: (vendor: VendorName) => number; host?: string } = {},
): Promise<Sandbox> {
  const simulators: Partial<Record<VendorName, SimulatorServer>> = {};
  const urls: Partial<Record<VendorName, string>> = {};
  try {
    for (const vendor of vendors) {
      const create = SIMULATORS[vendor];
      if (!create) continue;
      const sim = create();
      simulators[vendor] = sim;
      urls[vendor] = await sim.listen(options.port?.(vendor) ?? 0, options.host);
    }
  } catch (err) {
    await Promise.all(Object.values(simulators).map((s) => s.close()));
    throw err;
  }
  return {
    urls,
    simulators,
    close: async () => {
      await Promise.all(Object.values(simulators).map((s) => s.close()));
    },
  };
}

/** Starts the simulators for every vendor the config leaves without a base URL. */
export async function startSandbox(config: Config, logger: Logger): Promise<Sandbox> {
  const unset = (['dmall', 'vascloud', 'voiceOtp', 'esms'] as const).filter(
    (v) => config[v].baseUrl === null,
  );
  if (unset.length > 0 && !config.sandboxAllowed) {
    // loadConfig refuses this already; kept so no other path can start production in sandbox.
    throw new Error(`No base URL for ${unset.join(', ')} and sandbox is not allowed`);
  }
  const sandbox = await startSimulators(unset);
  for (const [vendor, url] of Object.entries(sandbox.urls)) {
    logger.warn(
      { vendor, url },
      `SANDBOX: ${vendor} is served by its in-process simulator; no real ${vendor} call is made`,
    );
  }
  return sandbox;
}

export function implementedSimulators(): VendorName[] {
  return Object.keys(SIMULATORS) as VendorName[];
}
