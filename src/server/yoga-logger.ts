import { GraphQLError } from 'graphql';
import type { YogaLogger } from 'graphql-yoga';
import type { Logger } from 'pino';
import { gatewayErrorOf } from './error-code.js';

/**
 * Yoga's logger. Yoga logs every error its mask rewrites at `error`, with its stack; a registered
 * error (an unknown order code on `orderUpdated`, a malformed phone number) is rewritten to carry
 * its code, so without this each would read as a server failure. Those are the caller's mistakes:
 * logged at `info` as a client error with their code and path, no stack. Everything else is unchanged.
 */
export function yogaLogger(logger: Logger): YogaLogger {
  return {
    debug: (...args: unknown[]) => logger.debug(args[0] as object, ...(args.slice(1) as [])),
    info: (...args: unknown[]) => logger.info(args[0] as object, ...(args.slice(1) as [])),
    warn: (...args: unknown[]) => logger.warn(args[0] as object, ...(args.slice(1) as [])),
    error: (...args: unknown[]) => {
      const registered = gatewayErrorOf(args[0]);
      if (registered) {
        // The code and where, not the message: a message may quote what the caller sent.
        const path = args[0] instanceof GraphQLError ? args[0].path?.join('.') : undefined;
        logger.info({ code: registered.code, path }, 'client error');
        return;
      }
      logger.error(args[0] as object, ...(args.slice(1) as []));
    },
  };
}
