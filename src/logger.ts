import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Paths censored wherever they appear in a log object. Phone numbers are masked where they are
 * logged (`maskPhone`); this list is the safety net for secrets that reach a log by accident.
 */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'api-key',
  '*["api-key"]',
  '*.headers["api-key"]',
  'password',
  '*.password',
  'pass',
  '*.pass',
  'key',
  '*.key',
  'secretKey',
  '*.secretKey',
  'ApiKey',
  '*.ApiKey',
  'SecretKey',
  '*.SecretKey',
  'otp',
  '*.otp',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'telco-gateway' },
    },
    destination,
  );
}
