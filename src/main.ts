import { type Config, ConfigError, loadConfig } from './config.js';
import { createGateway } from './gateway.js';
import { createLogger } from './logger.js';

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
const gateway = await createGateway(config, { logger });
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
