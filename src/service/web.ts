/**
 * The HTTP side of every role: the readiness check and metrics (the probes), and the servers
 * that serve them and, in roles all and web, the console's API. Every role serves /healthz,
 * /readyz and /metrics; with METRICS_PORT the probes have a server of their own there, and
 * the console (often public) serves neither /readyz nor /metrics (ops/listen.ts).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { AccessTokenSource } from '../mail/oauth2.ts';
import { type LocalMailbox, ReadinessCheck } from '../ops/health.ts';
import { type Listener, listeners } from '../ops/listen.ts';
import { readMailboxStates } from '../ops/mailbox-state.ts';
import { buildHealthServer, buildProbeServer, type ProbeEndpoints } from '../ops/ops-http.ts';
import { QueueAdmin } from '../ops/queue-admin.ts';
import type { RedisClient } from '../store/redis.ts';
import { buildServer } from '../web/server.ts';
import type { Infra } from './infra.ts';

export interface ProbeDeps {
  pool: pg.Pool;
  opsRedis: RedisClient;
  metrics: Infra['metrics'];
  /** A poller's own view of the mailboxes it polls; absent in other roles. */
  local: ((mailbox: string) => LocalMailbox | undefined) | undefined;
  /** Where replies leave is checked in the roles that send them. */
  sends: boolean;
  smtpTokens: AccessTokenSource | undefined;
  logger: Logger;
}

/** The metrics and the readiness check, the metrics watching it. */
export function buildProbes(config: Config, deps: ProbeDeps): ProbeEndpoints {
  const { local, logger } = deps;
  const probes = {
    metrics: deps.metrics,
    readiness: new ReadinessCheck({
      pool: deps.pool,
      redis: deps.opsRedis,
      redisPrefix: config.redis.prefix,
      mailboxes: config.mailboxes.map((m) => m.name),
      ...(local ? { local } : {}),
      ...(deps.sends
        ? {
            smtp: {
              url: config.reply.smtpUrl,
              outboxDir: config.reply.outboxDir,
              oauth2: deps.smtpTokens,
            },
          }
        : {}),
      allowPlaintextMail: config.allowPlaintextMail,
      // /readyz says only a code; the driver's message (hosts, users, paths) is logged here.
      logger: logger.child({ component: 'readiness' }),
    }),
  };
  probes.metrics.watchReadiness(probes.readiness);
  return probes;
}

export interface HttpServers {
  /** Not listening yet: index.ts takes the ports before any mailbox or queue work starts. */
  servers: Listener[];
  /** METRICS_PORT is set: the probes listen last, on their own port. */
  ownPort: boolean;
}

/**
 * The servers a role runs, built (not listening) at the addresses the settings give: with
 * `withConsole` (roles all and web) the console's, else the probes' alone.
 */
export function httpServers(
  config: Config,
  withConsole: boolean,
  infra: Infra,
  probes: ProbeEndpoints,
  logger: Logger,
): HttpServers {
  if (!config.cookieSecure && !/^(127\.|::1$|localhost$)/.test(config.httpHost))
    // A session cookie without Secure travels in clear over any plain-http hop.
    logger.warn({ httpHost: config.httpHost }, 'COOKIE_SECURE=false on a non-loopback HTTP_HOST');
  const ownPort = config.metricsPort !== undefined;
  const web = withConsole ? consoleServer(config, infra, probes, logger) : undefined;
  const probeServer = ownPort || !web ? buildProbeServer(logger, probes) : undefined;
  const servers = listeners(
    { host: config.httpHost, port: config.httpPort },
    { host: config.metricsHost, port: config.metricsPort },
    { front: web ?? (ownPort ? buildHealthServer(logger) : undefined), probes: probeServer },
  );
  return { servers, ownPort };
}

function consoleServer(config: Config, infra: Infra, probes: ProbeEndpoints, logger: Logger) {
  const { opsRedis, producer } = infra;
  return buildServer({
    pool: infra.pool,
    logger,
    producer,
    templates: infra.templates,
    probes,
    serveProbes: config.metricsPort === undefined,
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
          config.redis.prefix,
          config.mailboxes.map((m) => m.name),
        ),
    },
  });
}
