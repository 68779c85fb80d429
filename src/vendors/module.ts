import type { Kysely, Migration } from 'kysely';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { LedgerCallRunner } from '../services/ledger-call-spec.js';
import type { LedgerSweep } from '../services/ledger-sweep.js';
import type { VendorHttp } from './http.js';
import type { SimulatorServer } from './simulator-kit.js';

/**
 * What the vendor layer reads of the gateway's configuration: `BaseConfig` in src/config.ts
 * extends it, so the vendors never import the config module (which imports their list).
 */
export interface VendorLayerConfig {
  /** Whether a vendor without a base URL may run in sandbox (refused in production). */
  sandboxAllowed: boolean;
  /** The shared outbound HTTP settings (`VENDOR_*`). */
  http: {
    readRetries: number;
    breakerFailures: number;
    breakerHalfOpenMs: number;
    maxConcurrency: number;
    maxBodyBytes: number;
  };
}

/**
 * The shape of a vendor module: everything the gateway needs to know about one vendor, in that
 * vendor's folder (`src/vendors/<vendor>/index.ts`). Config, sandbox, clients, log redaction and
 * inbound routes are all built from the list in `src/vendors/index.ts`, so a new vendor is one
 * folder plus one line there.
 */

/** The config section every vendor has; a module adds its credentials beside these. */
export interface VendorSection {
  /** Null: the vendor runs as its in-process simulator (sandbox). */
  baseUrl: string | null;
  timeoutMs: number;
}

/** A route the vendor calls on the gateway (a webhook), mounted beside `/graphql`. */
export interface InboundRoute {
  method: 'GET' | 'POST';
  /** Path on the gateway, e.g. `/vendors/vascloud/notify`: by convention under `/vendors/<name>/`. */
  path: string;
  /** Reads the vendor's request (validating it as any input) and answers in its wire format. */
  handle(request: Request, peer?: InboundPeer): Promise<Response>;
}

/** Who sent an inbound request, as the gateway's server saw it. */
export interface InboundPeer {
  /**
   * The TCP peer's address (`socket.remoteAddress` of Node's request); null when the request did
   * not come through a socket (in-process `yoga.fetch`). Fetch's `Request` does not carry it, so
   * `src/server/vendor-routes.ts` takes it from the Node request in Yoga's server context.
   * `X-Forwarded-For` is never read: no proxy in front of the gateway is trusted for it.
   */
  address: string | null;
}

export interface InboundDeps<Section, Client, Event> {
  config: Section;
  client: Client;
  logger: Logger;
  /**
   * Hands a validated event to the service that listens for this vendor's events. Rejects when no
   * service listens or the service fails, so the route can answer the vendor with an error and
   * the vendor retries: an inbound event is never dropped silently.
   */
  deliver(event: Event): Promise<void>;
}

export interface SimulatorDeps<Section> {
  /** The section as the gateway will use it in sandbox (sandbox credentials in place). */
  config: Section;
  /** How long a `hang` lasts before the simulator answers anyway. */
  hangMs?: number;
}

export interface VendorModule<
  Name extends string = string,
  Shape extends z.ZodRawShape = z.ZodRawShape,
  Section extends VendorSection = VendorSection,
  Client = never,
  Event = unknown,
> {
  /** The vendor's key: in `Config`, in the clients, in metrics and logs. */
  readonly name: Name;
  /** Its environment variables, each with its validator (see `src/config-fields.ts`). */
  readonly env: Shape;
  /** The variable that points at the real vendor; while it is unset the simulator serves. */
  readonly urlVariable: keyof Shape & string;
  /** Variables required once the base URL is set. */
  readonly requiredWithUrl: ReadonlyArray<keyof Shape & string>;
  /** Builds the vendor's config section from its validated variables. */
  section(env: EnvOf<Shape>): Section;
  /** Log paths censored wherever they appear (the vendor's credential field names). */
  readonly redactPaths: readonly string[];
  /** Sandbox: the credentials the simulator expects (not secrets) and the simulator itself. */
  readonly sandbox?: {
    readonly credentials: NoInfer<Partial<Section>>;
    simulator(deps: SimulatorDeps<NoInfer<Section>>): SimulatorServer;
  };
  /** The client, built on the injected `VendorHttp`; it reads no environment. */
  client?(deps: { http: VendorHttp; config: NoInfer<Section>; logger: Logger }): Client;
  /** The routes this vendor calls on the gateway, if it calls us. */
  inbound?(deps: InboundDeps<NoInfer<Section>, NoInfer<Client>, Event>): InboundRoute[];
  /** What the vendor adds to the API beyond its client: a ledger, a service, GraphQL fields. */
  readonly feature?: VendorFeature<NoInfer<Client>>;
}

/** What a vendor's feature is built with: its client and the gateway's shared parts. */
export interface FeatureDeps<Client> {
  client: Client;
  /** The database, untyped: the feature queries the tables its own migrations made. */
  db: Kysely<unknown>;
  /** Record, call once, settle, answer the vendor pair (src/services/ledger-call.ts). */
  calls: LedgerCallRunner;
  logger: Logger;
  now: () => Date;
}

/** A vendor feature's service as the gateway sees it: what it sweeps. */
export interface FeatureService {
  /** Its ledger's sweep, run with the others (src/server/sweeper.ts). */
  readonly ledgerSweep?: LedgerSweep;
}

/**
 * A vendor's part of the API, declared in the vendor's folder and found through the module list:
 * the gateway runs its migrations after its own, registers its GraphQL types and fields before
 * the schema is built (resolvers reach the service as `ctx.features[<vendor name>]`), builds its
 * service with the shared parts, and sweeps its ledger with the others.
 */
export interface VendorFeature<Client> {
  /** Its tables. Named so they sort after the gateway's own (e.g. `<vendor>_0001_...`). */
  readonly migrations?: Record<string, Migration>;
  /** Registers its GraphQL types and fields on the gateway's schema builder. */
  register?(): void;
  service(deps: FeatureDeps<Client>): FeatureService;
}

/** A module's variables as validated, e.g. `{ DMALL_BASE_URL: string | undefined, ... }`. */
export type EnvOf<Shape extends z.ZodRawShape> = z.output<z.ZodObject<Shape>>;

/**
 * Declares a module with its types inferred from the literal. Annotate `section`'s parameter
 * with `EnvOf<typeof ENV>` so the section type is inferred before the client's.
 */
export function defineVendor<
  const Name extends string,
  Shape extends z.ZodRawShape,
  Section extends VendorSection,
  Client = never,
  Event = unknown,
>(
  module: VendorModule<Name, Shape, Section, Client, Event>,
): VendorModule<Name, Shape, Section, Client, Event> {
  return module;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of modules of any shape
export type AnyVendorModule = VendorModule<string, any, any, any, any>;

type SectionOf<M> =
  M extends VendorModule<string, infer _S, infer Section, infer _C, infer _E> ? Section : never;
type ClientOf<M> =
  M extends VendorModule<string, infer _S, infer _Sec, infer Client, infer _E> ? Client : never;

/** `{ dmall: DmallSection, ... }` for a list of modules. */
export type VendorSections<M extends readonly AnyVendorModule[]> = {
  [K in M[number] as K['name']]: SectionOf<K>;
};

/** `{ dmall: DmallClient, ... }` for the modules of a list that have a client. */
export type VendorClients<M extends readonly AnyVendorModule[]> = {
  [K in M[number] as [ClientOf<K>] extends [never] ? never : K['name']]: ClientOf<K>;
};
