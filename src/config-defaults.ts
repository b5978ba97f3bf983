/**
 * Every setting's default, in one table keyed by the environment variable it stands in for.
 * src/config.ts falls back to these; the pipeline's workers use them when a caller leaves an
 * option out; docs/configuration.md's settings table states them, and
 * test/config/defaults-doc.test.ts holds the table and this object to the same values.
 *
 * Settings without a single default (IMAP_URL, SMTP_URL, METRICS_PORT, METRICS_HOST,
 * LOG_FORMAT, POLICY_FILE, CALENDAR_FILE) are not here: unset, they mean something else.
 * No imports: every layer may read it.
 */
export const DEFAULTS = Object.freeze({
  // Intake
  MAILDIR_PATH: 'var/mailbox',
  IMAP_PROCESSED_FOLDER: 'Processed',
  IMAP_QUARANTINE_FOLDER: 'Quarantine',
  /** 25 MiB: larger messages are quarantined unread. */
  MAX_MESSAGE_BYTES: 25 * 2 ** 20,
  IMAP_POLL_INTERVAL_MS: 30_000,
  IMAP_RECONCILE_INTERVAL_MS: 300_000,
  INTAKE_BATCH_SIZE: 200,
  /** 64 MiB of message sources per poller (the batch being stored and the next). */
  INTAKE_BATCH_BYTES: 64 * 2 ** 20,
  POLLER_LOCK_TTL_MS: 15_000,
  /** How the poller signs in: `password` (from IMAP_URL) or `oauth2`. */
  IMAP_AUTH: 'password',

  // Stores
  DATABASE_URL: 'postgres://localhost/claim_intake',
  REDIS_URL: 'redis://127.0.0.1:6379',
  REDIS_PREFIX: 'claim-intake',
  REDIS_CLUSTER: false,
  RETENTION_DAYS: 365,
  HOUSEKEEPING_INTERVAL_MS: 3_600_000,

  // Logs
  LOG_LEVEL: 'info',

  // Replies
  /** The From of replies when MAIL_FROM is unset (the embedded default writes to the outbox). */
  MAIL_FROM: 'claims@claim-intake.local',
  OUTBOX_DIR: 'var/outbox',
  REPLY_LIMIT_PER_SENDER: 5,
  REPLY_LIMIT_PER_DOMAIN: 50,
  REPLY_LIMIT_PER_HOUR: 20_000,
  SENDER_AUTH: 'off',
  /** How replies sign in to SMTP_URL: `password` or `oauth2`. */
  SMTP_AUTH: 'password',
  ALLOW_PLAINTEXT_MAIL: false,

  // Workers
  WORKER_CONCURRENCY_ASSESS: 4,
  WORKER_CONCURRENCY_SETTLE: 2,
  WORKER_CONCURRENCY_REPLY: 4,
  SHUTDOWN_GRACE_MS: 30_000,
  STAGE_MAX_FAILURES: 5,
  JOB_LOCK_MS: 30_000,

  // HTTP and the console
  HTTP_HOST: '127.0.0.1',
  HTTP_PORT: 8080,
  COOKIE_SECURE: true,
  SESSION_IDLE_MINUTES: 60,
  /** Capped at API_TOKEN_MAX_DAYS when that is set lower. */
  API_TOKEN_DAYS: 90,
  API_TOKEN_MAX_DAYS: 365,
  TRUST_PROXY: 'off',
} as const);
