import { type Config, ConfigError, loadConfig } from './config.js';
import { createGateway } from './gateway.js';
import { createLogger } from './logger.js';
import { DatabaseUnreachable } from './store/database.js';

/** Starts the server and handles signals. Everything else is in `gateway.ts`. */

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const logger = createLogger(config.logLevel);
let gateway: Awaited<ReturnType<typeof createGateway>>;
try {
  gateway = await createGateway(config, { logger });
} catch (err) {
  // One JSON line an operator can read (no stack trace); the orchestrator restarts us.
  if (err instanceof DatabaseUnreachable) {
    logger.fatal(
      { database: err.target, attempts: err.attempts, err: err.lastError },
      `database unreachable for ${config.databasePool.startTimeoutMs} ms; exiting`,
    );
  } else {
    logger.fatal({ err: (err as Error).message }, 'start-up failed; exiting');
  }
  process.exit(1);
}
const url = await gateway.listen();
logger.info({ url }, `GraphQL gateway ready: open ${url} for GraphiQL`);
process.stdout.write(`GraphiQL: ${url}\n`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: draining in-flight requests');
  // A stuck request must not keep the process past its orchestrator's grace period.
  const force = setTimeout(() => {
    logger.error('shutdown took longer than 4.5 s; exiting anyway');
    process.exit(1);
  }, 4_500);
  force.unref();
  try {
    await gateway.close();
    logger.info('shutdown complete');
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
