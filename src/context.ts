import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database } from './store/database.js';
import type { Vendors } from './vendors/index.js';

/** What every resolver gets. Built per request in `app.ts`; loaders are per request too. */
export interface Context {
  config: Config;
  db: Database;
  logger: Logger;
  vendors: Vendors;
  /** Who is calling: scopes idempotency keys and per-client limits. */
  clientId: string;
}
