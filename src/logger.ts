import { type DestinationStream, type Logger, pino } from 'pino';
import { traceLogFields } from './tracing.js';
import { VENDOR_REDACT_PATHS } from './vendors/index.js';

/**
 * Paths censored wherever they appear in a log object. Phone numbers are masked where they are
 * logged (`maskPhone`); this list is the safety net for secrets that reach a log by accident.
 */
export const REDACT_PATHS: readonly string[] = [
  'otp',
  '*.otp',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  // Each vendor module names its own credential fields.
  ...VENDOR_REDACT_PATHS,
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: [...new Set(REDACT_PATHS)], censor: '[redacted]' },
      base: { service: 'telco-gateway' },
      // `traceId` on every line written inside a traced operation (README "Tracing").
      mixin: traceLogFields,
    },
    destination,
  );
}
