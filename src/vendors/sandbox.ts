import type { Logger } from 'pino';
import type {
  AnyVendorModule,
  VendorLayerConfig,
  VendorSection,
  VendorSections,
} from './module.js';
import type { SimulatorServer } from './simulator-kit.js';

/**
 * Sandbox mode: a vendor whose base URL is unset is served by its simulator, started in-process
 * on a loopback port, with the sandbox credentials its module declares (not secrets).
 */

export interface Sandbox {
  /** Base URL of each simulator started, by vendor. */
  readonly urls: Readonly<Record<string, string>>;
  readonly simulators: Readonly<Record<string, SimulatorServer>>;
  close(): Promise<void>;
}

export interface StartSimulatorsOptions {
  port?: (vendor: string) => number;
  host?: string;
  hangMs?: number;
}

/** Starts the simulators of the given modules (those that have one). */
export async function startSimulators(
  modules: readonly AnyVendorModule[],
  sections: Readonly<Record<string, VendorSection>>,
  options: StartSimulatorsOptions = {},
): Promise<Sandbox> {
  const simulators: Record<string, SimulatorServer> = {};
  const urls: Record<string, string> = {};
  try {
    for (const module of modules) {
      if (!module.sandbox) continue;
      const config = { ...sections[module.name], ...module.sandbox.credentials };
      const sim = module.sandbox.simulator({
        config,
        ...(options.hangMs === undefined ? {} : { hangMs: options.hangMs }),
      });
      simulators[module.name] = sim;
      urls[module.name] = await sim.listen(options.port?.(module.name) ?? 0, options.host);
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
export async function startSandbox<M extends readonly AnyVendorModule[]>(
  config: VendorLayerConfig & VendorSections<M>,
  modules: M,
  logger: Logger,
): Promise<Sandbox> {
  const sections = config as unknown as Record<string, VendorSection>;
  const unset = modules.filter((m) => sections[m.name]?.baseUrl === null);
  if (unset.length > 0 && !config.sandboxAllowed) {
    // loadConfig refuses this already; kept so no other path can start production in sandbox.
    throw new Error(
      `No base URL for ${unset.map((m) => m.name).join(', ')} and sandbox is not allowed`,
    );
  }
  const sandbox = await startSimulators(unset, sections);
  for (const [vendor, url] of Object.entries(sandbox.urls)) {
    logger.warn(
      { vendor, url },
      `SANDBOX: ${vendor} is served by its in-process simulator; no real ${vendor} call is made`,
    );
  }
  return sandbox;
}
