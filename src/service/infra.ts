/**
 * What every role shares, built before any role starts: the policy and calendar files (a bad
 * one stops start-up before anything connects), the start-up checks of Redis and PostgreSQL,
 * the pool and its migrations, the reply templates, the pipeline's producer, the ops Redis
 * connection with the metrics, and the OAuth2 tokens IMAP and SMTP sign in with.
 * shutdown.ts releases what is opened here.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Calendar } from '../domain/calendar.ts';
import { CHINA_MAINLAND_CALENDAR } from '../domain/calendars/china-mainland.ts';
import { DEFAULT_POLICY, type Policy } from '../domain/policy.ts';
import { loadCalendarFile, loadPolicyFile } from '../files/load.ts';
import { type AccessTokenSource, OAuth2TokenProvider } from '../mail/oauth2.ts';
import { Metrics } from '../ops/metrics.ts';
import { checkPostgres, checkRedis } from '../ops/startup-checks.ts';
import { PipelineProducer, QUEUE_NAMES } from '../pipeline/queues.ts';
import { ReplyTemplates } from '../reply/render/templates.ts';
import { createPool, ensureDatabase } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { connectRedis, type RedisClient } from '../store/redis.ts';

export interface Infra {
  policy: Policy;
  calendar: Calendar;
  /** Checked (recent enough) and migrated. */
  pool: pg.Pool;
  /** Compiled and rendered against samples: a broken template has stopped start-up. */
  templates: ReplyTemplates;
  /** The console's review actions enqueue the next stage, so the producer exists before it. */
  producer: PipelineProducer;
  /**
   * Metrics, each polled mailbox's published state, readiness: a Redis connection of their
   * own, failing fast, so a probe never waits behind queue traffic.
   */
  opsRedis: RedisClient;
  metrics: Metrics;
}

export async function startInfra(config: Config, logger: Logger): Promise<Infra> {
  const policy: Policy = config.policyFile
    ? await loadPolicyFile(config.policyFile)
    : DEFAULT_POLICY;
  const calendar: Calendar = config.calendarFile
    ? await loadCalendarFile(config.calendarFile)
    : CHINA_MAINLAND_CALENDAR;
  const pool = await checkedPool(config, logger);
  const migrated = await migrate(pool, (obj) => logger.info(obj));
  if (migrated.applied.length > 0) logger.info({ applied: migrated.applied }, 'database migrated');
  const templates = await ReplyTemplates.load();
  const producer = new PipelineProducer(config.redis);
  const opsRedis = connectRedis(config.redis, { maxRetriesPerRequest: 1 });
  opsRedis.on('error', () => undefined);
  const metrics = new Metrics({
    queues: Object.fromEntries(QUEUE_NAMES.map((q) => [q, producer.queue(q)])),
  });
  return { policy, calendar, pool, templates, producer, opsRedis, metrics };
}

/**
 * Redis and PostgreSQL must be fit before anything connects for real: an evicting or old
 * Redis, or an old PostgreSQL, stops start-up with one line saying how to fix it. The
 * database is created when missing; the pool is ended again when its server is refused.
 */
async function checkedPool(config: Config, logger: Logger): Promise<pg.Pool> {
  const redisFacts = await checkRedis(config.redis, logger);
  if (await ensureDatabase(config.databaseUrl)) logger.info('database created');
  const pool = createPool(config.databaseUrl, {
    log: (obj) => logger.warn(obj),
  });
  const postgres = await checkPostgres(pool, config.databaseUrl).catch(async (error: unknown) => {
    await pool.end().catch(() => undefined);
    throw error;
  });
  logger.info({ redis: redisFacts, postgres: postgres.version }, 'start-up checks passed');
  return pool;
}

/** The token sources of IMAP and SMTP; undefined where that side signs in with a password. */
export interface MailTokens {
  imap: AccessTokenSource | undefined;
  smtp: AccessTokenSource | undefined;
}

/** IMAP_AUTH/SMTP_AUTH=oauth2: one token provider for both, so they share the cached token. */
export function mailTokens(config: Config, logger: Logger): MailTokens {
  const { oauth2 } = config.mailAuth;
  const tokens = oauth2
    ? new OAuth2TokenProvider({ ...oauth2, logger: logger.child({ component: 'oauth2' }) })
    : undefined;
  return {
    imap: config.mailAuth.imap === 'oauth2' ? tokens : undefined,
    smtp: config.mailAuth.smtp === 'oauth2' ? tokens : undefined,
  };
}
