/**
 * Environment → one validated, frozen Config, read once at start-up. A missing or
 * malformed setting throws a ConfigError whose message is one line naming it.
 * A `.env` file in the working directory is read when present (real environment wins).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULTS } from './config-defaults.ts';
import {
  ConfigError,
  type MailboxConfig,
  mailbox,
  maildir,
  metricsListener,
  parseImapUrl,
  redisClusterSeeds,
  type SenderAuthConfig,
  type StringReader,
  senderAuth,
  type TrustProxy,
  tokenLifetimes,
  trustProxy,
} from './config-values.ts';
import type { IntakeSettings } from './intake/intake-deps.ts';
import { type MailAuthConfig, mailAuth } from './mail/oauth2-settings.ts';
import type { RedisSettings } from './store/redis.ts';
import type { ReplyLimits } from './store/reply-limits.ts';

export {
  ConfigError,
  type ImapMailbox,
  type MailboxConfig,
  type MaildirMailbox,
} from './config-values.ts';

export interface Config {
  /** IMAP_URL (comma-separated for several mailboxes); without it, the Maildir at MAILDIR_PATH. */
  mailboxes: MailboxConfig[];
  /** REDIS_URL, REDIS_CLUSTER and REDIS_PREFIX, together as every Redis user takes them. */
  redis: Required<RedisSettings>;
  /** DATABASE_URL. */
  databaseUrl: string;
  httpHost: string;
  httpPort: number;
  /** COOKIE_SECURE: the session cookie's Secure flag; false only behind plain http. */
  cookieSecure: boolean;
  /**
   * TRUST_PROXY: whose X-Forwarded-For to believe for the client's address (the sign-in rate
   * limit's key): addresses and CIDRs, or a hop count; false: the peer's address.
   */
  trustProxy: TrustProxy;
  /** SESSION_IDLE_MINUTES: a console session ends after this long without a request. */
  sessionIdleMinutes: number;
  /** API_TOKEN_DAYS: a new API token's lifetime unless its maker asks for less. */
  apiTokenDays: number;
  /** API_TOKEN_MAX_DAYS: the longest lifetime a new API token may be given. */
  apiTokenMaxDays: number;
  policyFile: string | undefined;
  calendarFile: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** LOG_FORMAT. @defaultValue 'pretty' on a terminal outside NODE_ENV=production, else 'json' */
  logFormat: 'json' | 'pretty';
  /** How replies leave and how many may: SMTP_URL, MAIL_FROM, OUTBOX_DIR, REPLY_LIMIT_*. */
  reply: ReplySettings;
  /**
   * ALLOW_PLAINTEXT_MAIL: `imap://` and `smtp://` to a host off loopback may go on in clear when
   * the server offers no STARTTLS (credentials and claims readable on the path); only for a
   * network trusted end to end.
   */
  allowPlaintextMail: boolean;
  /**
   * IMAP_AUTH and SMTP_AUTH (`password` or `oauth2`, XOAUTH2 with a token from OAUTH2_TOKEN_URL)
   * and the OAUTH2_* settings (src/mail/oauth2-settings.ts). @defaultValue password for both
   */
  mailAuth: MailAuthConfig;
  /**
   * METRICS_PORT: /healthz, /readyz and /metrics on a port of their own (0: any free one); the
   * console's port then serves /healthz only. @defaultValue undefined (all on HTTP_PORT)
   */
  metricsPort: number | undefined;
  /** METRICS_HOST: the address METRICS_PORT listens on. @defaultValue HTTP_HOST */
  metricsHost: string;
  senderAuth: SenderAuthConfig;
  /** WORKER_CONCURRENCY_*: jobs run at once per queue and process. */
  concurrency: { assess: number; settle: number; reply: number };
  /**
   * STAGE_MAX_FAILURES: failures of one stage for one claim (and decision version) before the
   * claim goes to review with `stage_failed` instead of being retried again.
   */
  stageMaxFailures: number;
  /** SHUTDOWN_GRACE_MS: how long SIGTERM waits for active jobs before forcing them back to the queue. */
  shutdownGraceMs: number;
  /**
   * JOB_LOCK_MS: how long a worker's hold on an active job lasts without renewal (renewed at half
   * of it while the job runs), and how often stalled jobs are looked for: a job of a worker that
   * died is run again by another within about twice this.
   */
  jobLockMs: number;
  /**
   * RETENTION_DAYS: days the raw source of a message (with its attachments) and of a sent reply
   * is kept once its claim is finished; 0 keeps them forever. Decisions, ledger and audit stay.
   */
  retentionDays: number;
  /** HOUSEKEEPING_INTERVAL_MS: how often housekeeping (retention, expired sessions) runs, cluster-wide. */
  housekeepingIntervalMs: number;
  /** The mailbox sources and the poller, folders included: what src/intake takes as it is. */
  intake: IntakeSettings;
}

/** config.reply: where replies go, from whom, and the flood limits on automatic ones. */
export interface ReplySettings {
  /** SMTP_URL; unset: replies are written to outboxDir. */
  smtpUrl: string | undefined;
  /**
   * MAIL_FROM: one RFC 5322 mailbox, `claims@example.com` or `Claims Desk <claims@example.com>`,
   * as given. Its display name shows in the From of replies only; src/reply/outbound/mail-from.ts
   * gives the bare address everything else uses. Required with SMTP_URL.
   */
  mailFrom: string;
  /** OUTBOX_DIR, resolved: where replies go as .eml files when SMTP_URL is unset. */
  outboxDir: string;
  /** REPLY_LIMIT_PER_SENDER, _PER_DOMAIN and _PER_HOUR. */
  limits: ReplyLimits;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads `.env` (KEY=VALUE lines, # comments, optional quotes) into a plain object. */
export function readDotEnv(file = resolve('.env')): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const [, key, value = ''] =
      /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line) ?? [];
    if (key === undefined || line.trim().startsWith('#')) continue;
    out[key] = value.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

export function loadConfig(env: NodeJS.ProcessEnv = { ...readDotEnv(), ...process.env }): Config {
  const str = envReader(env);
  const int = (
    name: string,
    fallback: number,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number => {
    const v = str(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${v}"`);
    }
    return Number(v);
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = str(name, String(fallback)).toLowerCase();
    if (v !== 'true' && v !== 'false')
      throw new ConfigError(name, `must be true or false, got "${v}"`);
    return v === 'true';
  };
  function url(name: string, protocols: string[]): string | undefined;
  function url(name: string, protocols: string[], fallback: string): string;
  function url(name: string, protocols: string[], fallback?: string): string | undefined {
    const v = fallback === undefined ? str(name) : str(name, fallback);
    if (v === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      throw new ConfigError(name, 'is not a URL');
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    }
    return v;
  }
  const logLevel = str('LOG_LEVEL', DEFAULTS.LOG_LEVEL);
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const logFormat = str(
    'LOG_FORMAT',
    process.stdout.isTTY && env.NODE_ENV !== 'production' ? 'pretty' : 'json',
  );
  if (logFormat !== 'json' && logFormat !== 'pretty') {
    throw new ConfigError('LOG_FORMAT', `must be json or pretty, got "${logFormat}"`);
  }
  // 0 asks the OS for any free port (tests, several instances on one host).
  const httpPort = int('HTTP_PORT', DEFAULTS.HTTP_PORT, 0, 65535);
  const httpHost = str('HTTP_HOST', DEFAULTS.HTTP_HOST);
  const cookieSecure = bool('COOKIE_SECURE', DEFAULTS.COOKIE_SECURE);
  const allowPlaintextMail = bool('ALLOW_PLAINTEXT_MAIL', DEFAULTS.ALLOW_PLAINTEXT_MAIL);
  const imap = str('IMAP_URL');
  const mailboxes: MailboxConfig[] = imap
    ? imap
        .split(/[,\s]+/)
        .filter(Boolean)
        .map((u) => ({ ...parseImapUrl(u), allowPlaintext: allowPlaintextMail }))
    : [maildir(str('MAILDIR_PATH', DEFAULTS.MAILDIR_PATH))];
  const names = new Set(mailboxes.map((m) => m.name));
  if (names.size !== mailboxes.length)
    throw new ConfigError('IMAP_URL', 'names the same mailbox twice');
  const mailFrom = str('MAIL_FROM');
  if (mailFrom !== undefined) mailbox('MAIL_FROM', mailFrom);
  const smtpUrl = url('SMTP_URL', ['smtp:', 'smtps:']);
  if (smtpUrl !== undefined && mailFrom === undefined) {
    throw new ConfigError('MAIL_FROM', 'is required when SMTP_URL is set (the From of replies)');
  }
  const redisCluster = bool('REDIS_CLUSTER', DEFAULTS.REDIS_CLUSTER);
  const redisUrl = str('REDIS_URL', DEFAULTS.REDIS_URL);
  if (redisCluster) redisClusterSeeds(redisUrl);
  else if (redisUrl.includes(','))
    throw new ConfigError(
      'REDIS_URL',
      'lists several servers; set REDIS_CLUSTER=true for a Redis Cluster',
    );
  const folder = (name: string, fallback: string): string => {
    const v = str(name, fallback);
    if (/[\r\n*%]/.test(v)) throw new ConfigError(name, 'is not a valid folder name');
    return v;
  };
  const processedFolder = folder('IMAP_PROCESSED_FOLDER', DEFAULTS.IMAP_PROCESSED_FOLDER);
  const quarantineFolder = folder('IMAP_QUARANTINE_FOLDER', DEFAULTS.IMAP_QUARANTINE_FOLDER);
  return Object.freeze({
    mailboxes,
    redis: Object.freeze({
      url: redisCluster ? redisUrl : url('REDIS_URL', ['redis:', 'rediss:'], redisUrl),
      cluster: redisCluster,
      prefix: str('REDIS_PREFIX', DEFAULTS.REDIS_PREFIX),
    }),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:'], DEFAULTS.DATABASE_URL),
    httpHost,
    httpPort,
    ...metricsListener(str, int, { host: httpHost, port: httpPort }),
    cookieSecure,
    trustProxy: trustProxy(str('TRUST_PROXY', DEFAULTS.TRUST_PROXY)),
    sessionIdleMinutes: int('SESSION_IDLE_MINUTES', DEFAULTS.SESSION_IDLE_MINUTES, 1, 720),
    ...tokenLifetimes(int),
    policyFile: str('POLICY_FILE'),
    calendarFile: str('CALENDAR_FILE'),
    logLevel: logLevel as Config['logLevel'],
    logFormat,
    reply: Object.freeze({
      smtpUrl,
      mailFrom: mailFrom ?? DEFAULTS.MAIL_FROM,
      outboxDir: resolve(str('OUTBOX_DIR', DEFAULTS.OUTBOX_DIR)),
      limits: Object.freeze({
        perSender: int('REPLY_LIMIT_PER_SENDER', DEFAULTS.REPLY_LIMIT_PER_SENDER, 0),
        perDomain: int('REPLY_LIMIT_PER_DOMAIN', DEFAULTS.REPLY_LIMIT_PER_DOMAIN, 0),
        perHour: int('REPLY_LIMIT_PER_HOUR', DEFAULTS.REPLY_LIMIT_PER_HOUR, 0),
      }),
    }),
    allowPlaintextMail,
    mailAuth: mailAuth(str, { imap: imap !== undefined, smtpUrl }),
    senderAuth: senderAuth(str),
    concurrency: Object.freeze({
      assess: int('WORKER_CONCURRENCY_ASSESS', DEFAULTS.WORKER_CONCURRENCY_ASSESS, 1, 256),
      settle: int('WORKER_CONCURRENCY_SETTLE', DEFAULTS.WORKER_CONCURRENCY_SETTLE, 1, 256),
      reply: int('WORKER_CONCURRENCY_REPLY', DEFAULTS.WORKER_CONCURRENCY_REPLY, 1, 256),
    }),
    stageMaxFailures: int('STAGE_MAX_FAILURES', DEFAULTS.STAGE_MAX_FAILURES, 1, 1000),
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', DEFAULTS.SHUTDOWN_GRACE_MS, 0),
    jobLockMs: int('JOB_LOCK_MS', DEFAULTS.JOB_LOCK_MS, 1000, 3_600_000),
    // 0 is "never purge" (an explicit choice, e.g. under a legal hold), not a zero-day retention.
    retentionDays: int('RETENTION_DAYS', DEFAULTS.RETENTION_DAYS, 0, 36_500),
    housekeepingIntervalMs: int(
      'HOUSEKEEPING_INTERVAL_MS',
      DEFAULTS.HOUSEKEEPING_INTERVAL_MS,
      1000,
    ),
    intake: Object.freeze({
      processedFolder,
      quarantineFolder,
      maxMessageBytes: int('MAX_MESSAGE_BYTES', DEFAULTS.MAX_MESSAGE_BYTES, 1024),
      pollIntervalMs: int('IMAP_POLL_INTERVAL_MS', DEFAULTS.IMAP_POLL_INTERVAL_MS, 100),
      reconcileIntervalMs: int(
        'IMAP_RECONCILE_INTERVAL_MS',
        DEFAULTS.IMAP_RECONCILE_INTERVAL_MS,
        1000,
      ),
      batchSize: int('INTAKE_BATCH_SIZE', DEFAULTS.INTAKE_BATCH_SIZE, 1, 10_000),
      batchBytes: int('INTAKE_BATCH_BYTES', DEFAULTS.INTAKE_BATCH_BYTES, 2 ** 20, 2 ** 30),
      lockTtlMs: int('POLLER_LOCK_TTL_MS', DEFAULTS.POLLER_LOCK_TTL_MS, 1000),
    }),
  });
}

/** The setting reader over `env`: trimmed values; unset and blank are the same. */
function envReader(env: NodeJS.ProcessEnv): StringReader {
  function str(name: string): string | undefined;
  function str(name: string, fallback: string): string;
  function str(name: string, fallback?: string): string | undefined {
    const v = env[name];
    if (v === undefined || v.trim() === '') return fallback;
    return v.trim();
  }
  return str;
}
