import type { Logger } from 'pino';
import { dmall } from './dmall/index.js';
import { esms } from './esms/index.js';
import { VendorHttp, type VendorMetrics } from './http.js';
import type {
  AnyVendorModule,
  InboundRoute,
  VendorClients,
  VendorLayerConfig,
  VendorSection,
  VendorSections,
} from './module.js';
import type { Sandbox } from './sandbox.js';
import { vascloud } from './vascloud/index.js';
import { voiceOtp } from './voice-otp/index.js';

/** Every vendor the gateway speaks to, one line each. Config, sandbox and clients follow it. */
export const VENDOR_MODULES = [dmall, vascloud, voiceOtp, esms] as const;

export type VendorModules = typeof VENDOR_MODULES;
export type VendorName = VendorModules[number]['name'];

/** A listener for the events a vendor pushes to the gateway through its inbound routes. */
export type InboundListener = (event: unknown) => Promise<void>;

/** One client per vendor, pointed at the real vendor or at its sandbox simulator. */
export type Vendors<M extends readonly AnyVendorModule[] = VendorModules> = VendorClients<M> & {
  /** The routes vendors call on the gateway, mounted beside `/graphql`. */
  readonly routes: InboundRoute[];
  /** The service that takes a vendor's inbound events; until one listens, deliveries fail. */
  listen(vendor: M[number]['name'], listener: InboundListener): void;
  close(): Promise<void>;
};

export interface CreateVendorsOptions<M extends readonly AnyVendorModule[]> {
  sandbox: Sandbox;
  metrics: VendorMetrics;
  logger: Logger;
  modules?: M;
}

/**
 * The section a vendor's client uses: the configured one, or, while the vendor is in sandbox, the
 * simulator's URL and sandbox credentials in place of the unset ones.
 */
export function effectiveSection<S extends VendorSection>(
  module: AnyVendorModule,
  section: S,
  simulatorUrl: string | undefined,
): S | null {
  if (section.baseUrl) return section;
  if (!simulatorUrl) return null;
  return { ...section, ...module.sandbox?.credentials, baseUrl: simulatorUrl };
}

export function createVendors<M extends readonly AnyVendorModule[] = VendorModules>(
  config: VendorLayerConfig & VendorSections<M>,
  options: CreateVendorsOptions<M>,
): Vendors<M> {
  const modules = (options.modules ?? VENDOR_MODULES) as M;
  const { logger, metrics, sandbox } = options;
  const https: VendorHttp[] = [];
  const clients: Record<string, unknown> = {};
  const routes: InboundRoute[] = [];
  const listeners = new Map<string, InboundListener>();

  for (const module of modules) {
    if (!module.client) continue;
    const configured = (config as Record<string, VendorSection>)[module.name];
    if (!configured) throw new Error(`No config section for vendor ${module.name}`);
    const section = effectiveSection(module, configured, sandbox.urls[module.name]);
    if (!section?.baseUrl) {
      throw new Error(`${module.name} has neither a base URL nor a running simulator`);
    }
    const http = new VendorHttp({
      vendor: module.name,
      baseUrl: section.baseUrl,
      timeoutMs: section.timeoutMs,
      maxBodyBytes: config.http.maxBodyBytes,
      readRetries: config.http.readRetries,
      breakerFailures: config.http.breakerFailures,
      breakerHalfOpenMs: config.http.breakerHalfOpenMs,
      maxConcurrency: config.http.maxConcurrency,
      metrics,
      logger,
    });
    https.push(http);
    const client = module.client({ http, config: section, logger });
    clients[module.name] = client;
    if (module.inbound) {
      routes.push(
        ...module.inbound({
          config: section,
          client,
          logger: logger.child({ vendor: module.name, inbound: true }),
          deliver: async (event: unknown) => {
            const listener = listeners.get(module.name);
            if (!listener) throw new Error(`No service takes ${module.name} events yet`);
            await listener(event);
          },
        }),
      );
    }
  }

  return {
    ...(clients as VendorClients<M>),
    routes,
    listen(vendor, listener) {
      listeners.set(vendor, listener);
    },
    async close() {
      await Promise.all(https.map((h) => h.close()));
    },
  };
}

/**
 * The longest a call to any vendor in use can take: a request still waiting on a vendor is
 * never taken for one cut short by a crash before this has passed.
 */
export function slowestVendorMs<M extends readonly AnyVendorModule[] = VendorModules>(
  config: VendorSections<M>,
  modules: M = VENDOR_MODULES as unknown as M,
): number {
  const sections = config as Record<string, VendorSection>;
  return Math.max(
    0,
    ...modules.filter((m) => m.client).map((m) => sections[m.name]?.timeoutMs ?? 0),
  );
}

/** Every vendor's credential field names, for the logger's redaction list. */
export const VENDOR_REDACT_PATHS: readonly string[] = VENDOR_MODULES.flatMap((m) => m.redactPaths);
