/**
 * Structured logs (pino): JSON lines in production, pretty lines for a developer. Bodies,
 * raw sources, passwords, tokens and cookies are redacted by path wherever they might be
 * attached to a log object, and the password of any URL is masked in every line written,
 * whatever field (or error message) carries it.
 */
import { createRequire } from 'node:module';
import { type DestinationStream, destination as fileDestination, type Logger, pino } from 'pino';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const REDACT_PATHS = [
  // Credentials, wherever a config slice or a client's options end up in a log object.
  'password',
  'pass',
  'auth',
  'secret',
  '*.password',
  '*.pass',
  '*.auth',
  '*.secret',
  'mailboxes[*].password',
  '*.mailboxes[*].password',
  // OAuth2 (IMAP_AUTH/SMTP_AUTH=oauth2): the client secret, refresh and access tokens, as the
  // config holds them (config.mailAuth.oauth2), as providers hold them, and as the token
  // endpoint names them on the wire.
  'clientSecret',
  'refreshToken',
  'accessToken',
  '*.clientSecret',
  '*.refreshToken',
  '*.accessToken',
  'mailAuth.oauth2.clientSecret',
  'mailAuth.oauth2.refreshToken',
  '*.mailAuth.oauth2.clientSecret',
  '*.mailAuth.oauth2.refreshToken',
  'client_secret',
  'refresh_token',
  'access_token',
  '*.client_secret',
  '*.refresh_token',
  '*.access_token',
  // Session and API tokens, CSRF tokens, cookies and authorization headers.
  'token',
  '*.token',
  'csrfToken',
  '*.csrfToken',
  'cookie',
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  // Email content: raw sources, bodies, attachment bytes.
  'raw',
  '*.raw',
  'text',
  '*.text',
  'html',
  '*.html',
  'textAsHtml',
  '*.textAsHtml',
  'body',
  '*.body',
  'content',
  '*.content',
  'attachments[*].content',
  '*.attachments[*].content',
];

/**
 * `scheme://user:password@`: the password part, also inside error messages and any other
 * string. JSON-escaped text never holds a raw `@`, `/` or whitespace inside a password
 * (URLs percent-encode them), so the match stops at the host.
 */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@"]*:)[^\s/@"]+@/gi;

/** Masks the password of every URL in a line. */
export function maskUrlPasswords(line: string): string {
  return line.replace(URL_PASSWORD, '$1***@');
}

export interface LoggerOptions {
  /** JSON lines, or pino-pretty's coloured lines for a developer. @defaultValue 'json' */
  format?: LogFormat;
  /** Colours in pretty output. @defaultValue whether stdout is a terminal (no destination given) */
  colorize?: boolean;
  /**
   * The module that formats pretty output. Production images leave out development
   * dependencies, so a missing one falls back to JSON with a warning.
   * @defaultValue 'pino-pretty'
   */
  prettyModule?: string;
}

export function createLogger(
  level: string,
  destination?: DestinationStream,
  options: LoggerOptions = {},
): Logger {
  const pretty =
    options.format === 'pretty'
      ? prettyDestination(destination, options.colorize, options.prettyModule ?? 'pino-pretty')
      : undefined;
  const logger = pino(
    {
      name: 'claim-intake',
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: maskUrlPasswords },
    },
    pretty ?? destination,
  );
  if (pretty === null) {
    logger.warn(
      { format: 'pretty', module: options.prettyModule ?? 'pino-pretty' },
      'LOG_FORMAT=pretty needs pino-pretty (a development dependency, not installed): logging JSON',
    );
  }
  return logger;
}

const require = createRequire(import.meta.url);

/**
 * A destination that turns each JSON line into a pretty one, synchronously (no worker
 * thread, so nothing is lost on exit and lines keep their order). Null when the module
 * is not installed.
 */
function prettyDestination(
  destination: DestinationStream | undefined,
  colorize: boolean | undefined,
  moduleName: string,
): DestinationStream | null {
  let prettyFactory: typeof import('pino-pretty').prettyFactory;
  try {
    ({ prettyFactory } = require(moduleName) as typeof import('pino-pretty'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return null;
    throw error;
  }
  const out = destination ?? fileDestination(1);
  const format = prettyFactory({
    colorize: colorize ?? (destination === undefined && process.stdout.isTTY === true),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  return { write: (line: string) => out.write(format(line)) };
}
