/**
 * The composition root of the running service: builds every component from one Config
 * and owns their lifetimes. Roles: `poller` (mailbox intake), `worker` (assessment),
 * `web` (the console's HTTP API), `all` (all three). Stop is safe to call twice and waits for in-flight work.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config, MailboxConfig } from './config.ts';
import type { Calendar } from './domain/calendar.ts';
import { CHINA_MAINLAND_CALENDAR } from './domain/calendars/china-mainland.ts';
import { DEFAULT_POLICY, type Policy } from './domain/policy.ts';
import { loadCalendarFile, loadPolicyFile } from './files/load.ts';
import { runImapSession } from './intake/imap-session.ts';
import type { IntakeDeps } from './intake/intake-deps.ts';
import { runAsLeader } from './intake/leader-loop.ts';
import { MailboxLock } from './intake/mailbox-lock.ts';
import { runMaildirSession } from './intake/maildir-session.ts';
import { type AccessTokenSource, OAuth2TokenProvider } from './mail/oauth2.ts';
import { senderAuthenticated } from './mail/sender-auth.ts';
import { imapOffersNoStartTls, PlaintextRefusedError } from './mail-tls.ts';
import { ReadinessCheck } from './ops/health.ts';
import { keepHeapNearLiveData } from './ops/heap-policy.ts';
import {
  type HousekeepingScheduler,
  startHousekeepingScheduler,
} from './ops/housekeeping-scheduler.ts';
import { listenAll, listeners } from './ops/listen.ts';
import { MailboxStatePublisher, readMailboxStates } from './ops/mailbox-state.ts';
import { Metrics } from './ops/metrics.ts';
import { buildHealthServer, buildProbeServer } from './ops/ops-http.ts';
import { QueueAdmin } from './ops/queue-admin.ts';
import { checkPostgres, checkRedis } from './ops/startup-checks.ts';
import { PipelineProducer, QUEUE_NAMES } from './pipeline/queues.ts';
import { createSweep } from './pipeline/sweeps.ts';
import { startWorkers, type Workers } from './pipeline/workers.ts';
import { createReplyTransport } from './reply/outbound.ts';
import type { ReplyTransport } from './reply/outbound-types.ts';
import { ReplyTemplates } from './reply/templates.ts';
import { saveEngineSettings } from './store/assessment-inputs.ts';
import { createPool, ensureDatabase } from './store/database.ts';
import { migrate } from './store/migrate.ts';
import { connectRedis, type RedisClient } from './store/redis.ts';
import { buildServer } from './web/server.ts';

export const ROLES = ['all', 'poller', 'worker', 'web'] as const;
export type Role = (typeof ROLES)[number];

/** The From of replies when MAIL_FROM is unset (the embedded default writes to the outbox). */
const DEFAULT_MAIL_FROM = 'claims@claim-intake.local';

export interface RunningService {
  stop(): Promise<void>;
  /** Resolves when every mailbox loop has ended (after stop). */
  done: Promise<void>;
  /** The HTTP port listened on (HTTP_PORT, or the one chosen for HTTP_PORT=0). */
  port: number;
  /** With METRICS_PORT: the port the probes and metrics listen on (the chosen one for 0). */
  metricsPort?: number;
}

export async function startService(
  config: Config,
  role: Role,
  logger: Logger,
): Promise<RunningService> {
  keepHeapNearLiveData();
  // Policy and calendar first: a bad file stops start-up before anything connects.
  const policy: Policy = config.policyFile
    ? await loadPolicyFile(config.policyFile)
    : DEFAULT_POLICY;
  const calendar: Calendar = config.calendarFile
    ? await loadCalendarFile(config.calendarFile)
    : CHINA_MAINLAND_CALENDAR;
  // Redis and PostgreSQL must be fit before anything connects for real: an evicting or old
  // Redis, or an old PostgreSQL, stops start-up with one line saying how to fix it.
  const redisFacts = await checkRedis(config, logger);
  if (await ensureDatabase(config.databaseUrl)) logger.info('database created');
  const pool = createPool(config.databaseUrl, {
    log: (obj) => logger.warn(obj),
  });
  const postgres = await checkPostgres(pool, config.databaseUrl).catch(async (error: unknown) => {
    await pool.end().catch(() => undefined);
    throw error;
  });
  logger.info({ redis: redisFacts, postgres: postgres.version }, 'start-up checks passed');
  const migrated = await migrate(pool, (obj) => logger.info(obj));
  if (migrated.applied.length > 0) logger.info({ applied: migrated.applied }, 'database migrated');

  // Templates are compiled and rendered against samples now: a broken one stops start-up.
  const templates = await ReplyTemplates.load();
  // The console's review actions enqueue the next stage, so the producer exists before it.
  const producer = new PipelineProducer(config, config.redisPrefix);
  const polls = role === 'all' || role === 'poller';
  const sends = role === 'all' || role === 'worker';
  // Ops: metrics, each polled mailbox's published state, readiness. Its own Redis
  // connection, failing fast, so a probe never waits behind queue traffic.
  const opsRedis = connectRedis(config, { maxRetriesPerRequest: 1 });
  opsRedis.on('error', () => undefined);
  const metrics = new Metrics({
    queues: Object.fromEntries(QUEUE_NAMES.map((q) => [q, producer.queue(q)])),
  });
  const instance = `${hostname()}:${process.pid}`;
  const publishers = new Map(
    (polls ? config.mailboxes : []).map((m) => [
      m.name,
      new MailboxStatePublisher(opsRedis, config.redisPrefix, m.name, instance, { logger }),
    ]),
  );
  const intakeMetrics = metrics.intake(publishers);
  // IMAP_AUTH/SMTP_AUTH=oauth2: one token provider for both, so they share the cached token.
  const { oauth2 } = config.mailAuth;
  const tokens = oauth2
    ? new OAuth2TokenProvider({ ...oauth2, logger: logger.child({ component: 'oauth2' }) })
    : undefined;
  const imapTokens = config.mailAuth.imap === 'oauth2' ? tokens : undefined;
  const smtpTokens = config.mailAuth.smtp === 'oauth2' ? tokens : undefined;
  const probes = {
    metrics,
    readiness: new ReadinessCheck({
      pool,
      redis: opsRedis,
      redisPrefix: config.redisPrefix,
      mailboxes: config.mailboxes.map((m) => m.name),
      ...(polls ? { local: (name: string) => intakeMetrics.local(name) } : {}),
      ...(sends
        ? { smtp: { url: config.smtpUrl, outboxDir: config.outboxDir, oauth2: smtpTokens } }
        : {}),
      allowPlaintextMail: config.allowPlaintextMail,
      // /readyz says only a code; the driver's message (hosts, users, paths) is logged here.
      logger: logger.child({ component: 'readiness' }),
    }),
  };
  metrics.watchReadiness(probes.readiness);
  if (!config.cookieSecure && !/^(127\.|::1$|localhost$)/.test(config.httpHost))
    // A session cookie without Secure travels in clear over any plain-http hop.
    logger.warn({ httpHost: config.httpHost }, 'COOKIE_SECURE=false on a non-loopback HTTP_HOST');
  // Every role serves /healthz, /readyz and /metrics; the console only web and all. With
  // METRICS_PORT the probes have a server of their own there, and the console (often public)
  // serves neither /readyz nor /metrics (listen.ts). Ports are taken before any mailbox or
  // queue work starts, so a busy port stops start-up cleanly.
  const ownPort = config.metricsPort !== undefined;
  const web =
    role === 'all' || role === 'web'
      ? buildServer({
          pool,
          logger,
          producer,
          templates,
          probes,
          serveProbes: !ownPort,
          cookieSecure: config.cookieSecure,
          trustProxy: config.trustProxy,
          sessionIdleMinutes: config.sessionIdleMinutes,
          apiTokenDays: config.apiTokenDays,
          apiTokenMaxDays: config.apiTokenMaxDays,
          // The ops pages: the producer's queues, and the state every poller publishes.
          ops: {
            queues: new QueueAdmin(producer),
            mailboxes: () =>
              readMailboxStates(
                opsRedis,
                config.redisPrefix,
                config.mailboxes.map((m) => m.name),
              ),
          },
        })
      : undefined;
  const probeServer = ownPort || !web ? buildProbeServer(logger, probes) : undefined;
  const servers = listeners(
    { host: config.httpHost, port: config.httpPort },
    { host: config.metricsHost, port: config.metricsPort },
    { front: web ?? (ownPort ? buildHealthServer(logger) : undefined), probes: probeServer },
  );
  let ports: number[];
  try {
    ports = await listenAll(servers);
  } catch (error) {
    await producer.close().catch(() => undefined);
    opsRedis.disconnect();
    await pool.end().catch(() => undefined);
    throw error;
  }

  const enqueue = (ids: number[]) => producer.enqueue(ids);
  const sweep = createSweep(pool, producer, logger.child({ component: 'sweep' }));
  const abort = new AbortController();
  const loops: Promise<void>[] = [];
  let lockRedis: RedisClient | undefined;
  let workers: Workers | undefined;
  let transport: ReplyTransport | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let housekeeping: HousekeepingScheduler | undefined;

  if (role === 'all' || role === 'poller') {
    lockRedis = connectRedis(config, { maxRetriesPerRequest: 1 });
    lockRedis.on('error', () => undefined);
    const deps: IntakeDeps = {
      pool,
      logger,
      config: { ...config.intake, ...folders(config) },
      enqueue,
      sweep,
      metrics: intakeMetrics,
    };
    for (const mailbox of config.mailboxes) {
      const lock = new MailboxLock(lockRedis, config.redisPrefix, mailbox.name, {
        ttlMs: config.intake.lockTtlMs,
        owner: instance,
      });
      const log = logger.child({ mailbox: mailbox.name });
      loops.push(
        runAsLeader(
          (signal) =>
            session(mailbox, deps, signal, imapTokens).finally(() =>
              intakeMetrics.disconnected(mailbox.name),
            ),
          abort.signal,
          {
            lock,
            lockTtlMs: config.intake.lockTtlMs,
            logger: log,
            onLeadership: (leader) => intakeMetrics.leadership(mailbox.name, leader),
          },
        ).catch((error: unknown) => log.error({ err: error }, 'mailbox loop ended with an error')),
      );
    }
  }

  if (role === 'all' || role === 'worker') {
    transport = createReplyTransport({
      smtpUrl: config.smtpUrl,
      outboxDir: config.outboxDir,
      smtp: { allowPlaintext: config.allowPlaintextMail, oauth2: smtpTokens },
    });
    // Stored once, referenced by every assessment so it can be replayed as it was made.
    const engine = await saveEngineSettings(pool, policy, calendar);
    const auth = config.senderAuth;
    workers = startWorkers({
      pool,
      redisUrl: config.redisUrl,
      redisCluster: config.redisCluster,
      redisPrefix: config.redisPrefix,
      logger,
      producer,
      engine,
      concurrency: config.concurrency,
      jobLockMs: config.jobLockMs,
      maxStageFailures: config.stageMaxFailures,
      metrics,
      reply: {
        templates,
        transport,
        mailFrom: config.mailFrom ?? DEFAULT_MAIL_FROM,
        limits: {
          perSender: config.replyLimitPerSender,
          perDomain: config.replyLimitPerDomain,
          perHour: config.replyLimitPerHour,
        },
      },
      ...(auth.mode === 'off'
        ? {}
        : {
            senderCheck: async (raw, email) =>
              (await senderAuthenticated(raw, email, auth)).authenticated,
          }),
    });
    await sweep();
    sweepTimer = setInterval(() => void sweep(), config.intake.reconcileIntervalMs);
    sweepTimer.unref();
    // Retention and console clean-up: one run per interval across all worker processes.
    housekeeping = startHousekeepingScheduler({
      pool,
      redisUrl: config.redisUrl,
      redisCluster: config.redisCluster,
      redisPrefix: config.redisPrefix,
      logger,
      intervalMs: config.housekeepingIntervalMs,
      housekeeping: { retentionDays: config.retentionDays },
    });
  }

  logger.info({ role, mailboxes: config.mailboxes.map((m) => m.name) }, 'claim-intake started');
  const done = Promise.all(loops).then(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    done,
    port: ports[0]!,
    ...(ownPort ? { metricsPort: ports.at(-1)! } : {}),
    stop: () => {
      stopping ??= (async () => {
        logger.info('stopping: intake first, then in-flight jobs');
        abort.abort();
        if (sweepTimer) clearInterval(sweepTimer);
        // Stop taking requests first; in-flight ones finish before close() resolves.
        await Promise.all(servers.map((s) => s.app.close()));
        await done;
        await workers?.close(config.shutdownGraceMs);
        await housekeeping?.close();
        // A stalled SMTP server must not hold shutdown past the grace: unsent replies stay
        // pending in PostgreSQL and are sent after the next start.
        await Promise.race([
          transport?.close(),
          new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref()),
        ]);
        await producer.close();
        lockRedis?.disconnect();
        for (const publisher of publishers.values()) publisher.close();
        await Promise.all([...publishers.values()].map((p) => p.flushed()));
        opsRedis.disconnect();
        await pool.end().catch(() => undefined);
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}

function session(
  mailbox: MailboxConfig,
  deps: IntakeDeps,
  signal: AbortSignal,
  tokens?: AccessTokenSource,
): Promise<void> {
  if (mailbox.kind === 'maildir') return runMaildirSession(mailbox, deps, signal);
  // A server that offers no STARTTLS where it is required: the leader loop's warning then
  // names IMAP_URL and the fix, rather than imapflow's "Server does not support STARTTLS".
  return runImapSession(mailbox, deps, signal, tokens).catch((error: unknown) => {
    throw imapOffersNoStartTls(error)
      ? new PlaintextRefusedError('IMAP_URL', mailbox.host, mailbox.port, error)
      : error;
  });
}

function folders(config: Config) {
  return { processedFolder: config.processedFolder, quarantineFolder: config.quarantineFolder };
}
