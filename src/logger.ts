/**
 * Structured JSON logs (pino). Bodies, raw sources, passwords and tokens are redacted by
 * path wherever they might be attached to a log object.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export const REDACT_PATHS = [
  'password',
  'pass',
  'auth.pass',
  '*.password',
  '*.pass',
  'token',
  '*.token',
  'raw',
  '*.raw',
  'text',
  '*.text',
  'html',
  '*.html',
  'body',
  '*.body',
  'headers.authorization',
  'headers.cookie',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'claim-intake',
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
