/**
 * Environment → one validated, frozen Config, read once at start-up. A missing or
 * malformed setting throws a ConfigError whose message is one line naming it.
 * A `.env` file in the working directory is read when present (real environment wins).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ConfigError,
  type MailboxConfig,
  mailbox,
  maildir,
  metricsListener,
  parseImapUrl,
  redisClusterSeeds,
  type SenderAuthConfig,
  senderAuth,
  type TrustProxy,
  tokenLifetimes,
  trustProxy,
} from './config-values.ts';
import { DEFAULT_BATCH_BYTES } from './intake/intake-deps.ts';
import { type MailAuthConfig, mailAuth } from './mail/oauth2-settings.ts';

export {
  ConfigError,
  type ImapMailbox,
  type MailboxConfig,
  type MaildirMailbox,
} from './config-values.ts';

export interface Config {
  /** IMAP_URL (comma-separated for several mailboxes); without it, the Maildir at MAILDIR_PATH. */
  mailboxes: MailboxConfig[];
  /** @defaultValue 'Processed' */
  processedFolder: string;
  /** @defaultValue 'Quarantine' */
  quarantineFolder: string;
  /**
   * One Redis server's URL; with redisCluster, a comma list of the cluster's seed nodes.
   * @defaultValue 'redis://127.0.0.1:6379'
   */
  redisUrl: string;
  /** REDIS_CLUSTER: REDIS_URL names Redis Cluster nodes. @defaultValue false */
  redisCluster: boolean;
  /** Key prefix of every Redis key (queues, locks). @defaultValue 'claim-intake' */
  redisPrefix: string;
  /** @defaultValue 'postgres://localhost/claim_intake' */
  databaseUrl: string;
  httpHost: string;
  httpPort: number;
  /** COOKIE_SECURE: the session cookie's Secure flag; false only behind plain http. @defaultValue true */
  cookieSecure: boolean;
  /**
   * TRUST_PROXY: whose X-Forwarded-For to believe for the client's address (the sign-in rate
   * limit's key): addresses and CIDRs, or a hop count. @defaultValue false (the peer's address)
   */
  trustProxy: TrustProxy;
  /** SESSION_IDLE_MINUTES: a console session ends after this long without a request. @defaultValue 60 */
  sessionIdleMinutes: number;
  /** API_TOKEN_DAYS: a new API token's lifetime unless its maker asks for less. @defaultValue 90 */
  apiTokenDays: number;
  /** API_TOKEN_MAX_DAYS: the longest lifetime a new API token may be given. @defaultValue 365 */
  apiTokenMaxDays: number;
  policyFile: string | undefined;
  calendarFile: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** LOG_FORMAT. @defaultValue 'pretty' on a terminal outside NODE_ENV=production, else 'json' */
  logFormat: 'json' | 'pretty';
  /** Automatic replies per mailbox (case and +tag folded) per 24 hours. @defaultValue 5 */
  replyLimitPerSender: number;
  /** Automatic replies per domain per 24 hours, to addresses that are no account's contact. @defaultValue 50 */
  replyLimitPerDomain: number;
  /** Automatic replies in all per hour: sized for an outage day's burst of claims. @defaultValue 20000 */
  replyLimitPerHour: number;
  smtpUrl: string | undefined;
  /**
   * ALLOW_PLAINTEXT_MAIL: `imap://` and `smtp://` to a host off loopback may go on in clear when
   * the server offers no STARTTLS (credentials and claims readable on the path); only for a
   * network trusted end to end. @defaultValue false
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
  /**
   * MAIL_FROM: one RFC 5322 mailbox, `claims@example.com` or `Claims Desk <claims@example.com>`,
   * as given. Its display name shows in the From of replies only; src/reply/mail-from.ts
   * gives the bare address everything else uses.
   */
  mailFrom: string | undefined;
  /** Where replies go as .eml files when SMTP_URL is unset. @defaultValue 'var/outbox' */
  outboxDir: string;
  senderAuth: SenderAuthConfig;
  /** Jobs run at once per queue and process. */
  concurrency: { assess: number; settle: number; reply: number };
  /**
   * STAGE_MAX_FAILURES: failures of one stage for one claim (and decision version) before the
   * claim goes to review with `stage_failed` instead of being retried again. @defaultValue 5
   */
  stageMaxFailures: number;
  /** How long SIGTERM waits for active jobs before forcing them back to the queue. @defaultValue 30000 */
  shutdownGraceMs: number;
  /**
   * How long a worker's hold on an active job lasts without renewal (renewed at half of it while
   * the job runs), and how often stalled jobs are looked for: a job of a worker that died is
   * run again by another within about twice this. @defaultValue 30000
   */
  jobLockMs: number;
  /**
   * Days the raw source of a message (with its attachments) and of a sent reply is kept
   * once its claim is finished; 0 keeps them forever. Decisions, ledger and audit stay.
   * @defaultValue 365
   */
  retentionDays: number;
  /** How often housekeeping (retention, expired sessions) runs, cluster-wide. @defaultValue 3600000 */
  housekeepingIntervalMs: number;
  intake: {
    /** Messages larger than this go to quarantine unread. @defaultValue 25 MiB */
    maxMessageBytes: number;
    /** Polling interval where IDLE is missing, and the longest IDLE wait. @defaultValue 30000 */
    pollIntervalMs: number;
    /** How often a full reconcile runs. @defaultValue 300000 */
    reconcileIntervalMs: number;
    /** Messages stored per transaction. @defaultValue 200 */
    batchSize: number;
    /**
     * Bytes of message sources a mailbox's poller holds at most (the batch being stored and
     * the one downloading beside it; a single larger message alone). Bounds its memory.
     * @defaultValue 64 MiB
     */
    batchBytes: number;
    /** Lifetime of the per-mailbox poller lock; a standby takes over within it. @defaultValue 15000 */
    lockTtlMs: number;
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads `.env` (KEY=VALUE lines, # comments, optional quotes) into a plain object. */
export function readDotEnv(file = resolve('.env')): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    out[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

export function loadConfig(env: NodeJS.ProcessEnv = { ...readDotEnv(), ...process.env }): Config {
  const str = (name: string, fallback?: string): string | undefined => {
    const v = env[name];
    if (v === undefined || v.trim() === '') return fallback;
    return v.trim();
  };
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
  const url = (
    name: string,
    fallback: string | undefined,
    protocols: string[],
  ): string | undefined => {
    const v = str(name, fallback);
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
  };
  const logLevel = str('LOG_LEVEL', 'info')!;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const logFormat = str(
    'LOG_FORMAT',
    process.stdout.isTTY && env.NODE_ENV !== 'production' ? 'pretty' : 'json',
  )!;
  if (logFormat !== 'json' && logFormat !== 'pretty') {
    throw new ConfigError('LOG_FORMAT', `must be json or pretty, got "${logFormat}"`);
  }
  // 0 asks the OS for any free port (tests, several instances on one host).
  const httpPort = int('HTTP_PORT', 8080, 0, 65535);
  const httpHost = str('HTTP_HOST', '127.0.0.1')!;
  const cookieSecure = str('COOKIE_SECURE', 'true')!.toLowerCase();
  if (cookieSecure !== 'true' && cookieSecure !== 'false')
    throw new ConfigError('COOKIE_SECURE', `must be true or false, got "${cookieSecure}"`);
  const allowPlaintextMail = str('ALLOW_PLAINTEXT_MAIL', 'false')!.toLowerCase();
  if (allowPlaintextMail !== 'true' && allowPlaintextMail !== 'false')
    throw new ConfigError(
      'ALLOW_PLAINTEXT_MAIL',
      `must be true or false, got "${allowPlaintextMail}"`,
    );
  const imap = str('IMAP_URL');
  const mailboxes: MailboxConfig[] = imap
    ? imap
        .split(/[,\s]+/)
        .filter(Boolean)
        .map((u) => ({ ...parseImapUrl(u), allowPlaintext: allowPlaintextMail === 'true' }))
    : [maildir(str('MAILDIR_PATH', 'var/mailbox')!)];
  const names = new Set(mailboxes.map((m) => m.name));
  if (names.size !== mailboxes.length)
    throw new ConfigError('IMAP_URL', 'names the same mailbox twice');
  const mailFrom = str('MAIL_FROM');
  if (mailFrom !== undefined) mailbox('MAIL_FROM', mailFrom);
  const smtpUrl = url('SMTP_URL', undefined, ['smtp:', 'smtps:']);
  if (smtpUrl !== undefined && mailFrom === undefined) {
    throw new ConfigError('MAIL_FROM', 'is required when SMTP_URL is set (the From of replies)');
  }
  const redisCluster = str('REDIS_CLUSTER', 'false')!.toLowerCase();
  if (redisCluster !== 'true' && redisCluster !== 'false')
    throw new ConfigError('REDIS_CLUSTER', `must be true or false, got "${redisCluster}"`);
  const redisUrl = str('REDIS_URL', 'redis://127.0.0.1:6379')!;
  if (redisCluster === 'true') redisClusterSeeds(redisUrl);
  else if (redisUrl.includes(','))
    throw new ConfigError(
      'REDIS_URL',
      'lists several servers; set REDIS_CLUSTER=true for a Redis Cluster',
    );
  const folder = (name: string, fallback: string): string => {
    const v = str(name, fallback)!;
    if (/[\r\n*%]/.test(v)) throw new ConfigError(name, 'is not a valid folder name');
    return v;
  };
  return Object.freeze({
    mailboxes,
    processedFolder: folder('IMAP_PROCESSED_FOLDER', 'Processed'),
    quarantineFolder: folder('IMAP_QUARANTINE_FOLDER', 'Quarantine'),
    redisUrl:
      redisCluster === 'true' ? redisUrl : url('REDIS_URL', redisUrl, ['redis:', 'rediss:'])!,
    redisCluster: redisCluster === 'true',
    redisPrefix: str('REDIS_PREFIX', 'claim-intake')!,
    databaseUrl: url('DATABASE_URL', 'postgres://localhost/claim_intake', [
      'postgres:',
      'postgresql:',
    ])!,
    httpHost,
    httpPort,
    ...metricsListener(str, int, { host: httpHost, port: httpPort }),
    cookieSecure: cookieSecure === 'true',
    trustProxy: trustProxy(str('TRUST_PROXY')),
    sessionIdleMinutes: int('SESSION_IDLE_MINUTES', 60, 1, 720),
    ...tokenLifetimes(int),
    policyFile: str('POLICY_FILE'),
    calendarFile: str('CALENDAR_FILE'),
    logLevel: logLevel as Config['logLevel'],
    logFormat,
    replyLimitPerSender: int('REPLY_LIMIT_PER_SENDER', 5, 0),
    replyLimitPerDomain: int('REPLY_LIMIT_PER_DOMAIN', 50, 0),
    replyLimitPerHour: int('REPLY_LIMIT_PER_HOUR', 20_000, 0),
    smtpUrl,
    allowPlaintextMail: allowPlaintextMail === 'true',
    mailAuth: mailAuth(str, { imap: imap !== undefined, smtpUrl }),
    mailFrom,
    outboxDir: resolve(str('OUTBOX_DIR', 'var/outbox')!),
    senderAuth: senderAuth(str),
    concurrency: Object.freeze({
      assess: int('WORKER_CONCURRENCY_ASSESS', 4, 1, 256),
      settle: int('WORKER_CONCURRENCY_SETTLE', 2, 1, 256),
      reply: int('WORKER_CONCURRENCY_REPLY', 4, 1, 256),
    }),
    stageMaxFailures: int('STAGE_MAX_FAILURES', 5, 1, 1000),
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 30_000, 0),
    jobLockMs: int('JOB_LOCK_MS', 30_000, 1000, 3_600_000),
    // 0 is "never purge" (an explicit choice, e.g. under a legal hold), not a zero-day retention.
    retentionDays: int('RETENTION_DAYS', 365, 0, 36_500),
    housekeepingIntervalMs: int('HOUSEKEEPING_INTERVAL_MS', 3_600_000, 1000),
    intake: Object.freeze({
      maxMessageBytes: int('MAX_MESSAGE_BYTES', 25 * 2 ** 20, 1024),
      pollIntervalMs: int('IMAP_POLL_INTERVAL_MS', 30_000, 100),
      reconcileIntervalMs: int('IMAP_RECONCILE_INTERVAL_MS', 300_000, 1000),
      batchSize: int('INTAKE_BATCH_SIZE', 200, 1, 10_000),
      batchBytes: int('INTAKE_BATCH_BYTES', DEFAULT_BATCH_BYTES, 2 ** 20, 2 ** 30),
      lockTtlMs: int('POLLER_LOCK_TTL_MS', 15_000, 1000),
    }),
  });
}
