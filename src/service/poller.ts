/**
 * The poller role: per mailbox, a leader loop (whoever holds the mailbox's Redis lock runs its
 * IMAP or Maildir session, a standby takes over when the lock lapses), and the state each
 * polled mailbox publishes for the ops pages.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config, MailboxConfig } from '../config.ts';
import { runImapSession } from '../intake/imap-session.ts';
import type { IntakeDeps } from '../intake/intake-deps.ts';
import { runAsLeader } from '../intake/leader-loop.ts';
import { MailboxLock } from '../intake/mailbox-lock.ts';
import { runMaildirSession } from '../intake/maildir-session.ts';
import type { AccessTokenSource } from '../mail/oauth2.ts';
import { imapOffersNoStartTls, PlaintextRefusedError } from '../mail-tls.ts';
import { MailboxStatePublisher } from '../ops/mailbox-state.ts';
import type { IntakeRecorder } from '../ops/metrics.ts';
import { connectRedis, type RedisClient } from '../store/redis.ts';

/** Each mailbox's state publisher, by mailbox name (none for a process that does not poll). */
export function mailboxPublishers(
  mailboxes: MailboxConfig[],
  redis: RedisClient,
  prefix: string,
  instance: string,
  logger: Logger,
): Map<string, MailboxStatePublisher> {
  return new Map(
    mailboxes.map((m) => [
      m.name,
      new MailboxStatePublisher(redis, prefix, m.name, instance, { logger }),
    ]),
  );
}

export interface PollerDeps {
  pool: pg.Pool;
  logger: Logger;
  /** Hands stored claims to the assessment queue. */
  enqueue(claimIds: number[]): Promise<void>;
  /** Enqueues every claim still waiting for assessment. */
  sweep(): Promise<void>;
  metrics: IntakeRecorder;
  /** host:pid, the lock's owner. */
  instance: string;
  /** IMAP_AUTH=oauth2: where the sessions get their tokens. */
  tokens: AccessTokenSource | undefined;
}

export interface Pollers {
  /** One per mailbox; each ends (never rejects) once `signal` aborts. */
  loops: Promise<void>[];
  /** The locks' connection; shutdown.ts disconnects it. */
  lockRedis: RedisClient;
}

export function startPollers(config: Config, deps: PollerDeps, signal: AbortSignal): Pollers {
  const { logger, metrics } = deps;
  const lockRedis = connectRedis(config.redis, { maxRetriesPerRequest: 1 });
  lockRedis.on('error', () => undefined);
  const intake: IntakeDeps = {
    pool: deps.pool,
    logger,
    config: config.intake,
    enqueue: deps.enqueue,
    sweep: deps.sweep,
    metrics,
  };
  const loops: Promise<void>[] = [];
  for (const mailbox of config.mailboxes) {
    const lock = new MailboxLock(lockRedis, config.redis.prefix, mailbox.name, {
      ttlMs: config.intake.lockTtlMs,
      owner: deps.instance,
    });
    const log = logger.child({ mailbox: mailbox.name });
    loops.push(
      runAsLeader(
        (leaderSignal) =>
          session(mailbox, intake, leaderSignal, deps.tokens).finally(() =>
            metrics.disconnected(mailbox.name),
          ),
        signal,
        {
          lock,
          lockTtlMs: config.intake.lockTtlMs,
          logger: log,
          onLeadership: (leader) => metrics.leadership(mailbox.name, leader),
        },
      ).catch((error: unknown) => log.error({ err: error }, 'mailbox loop ended with an error')),
    );
  }
  return { loops, lockRedis };
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
