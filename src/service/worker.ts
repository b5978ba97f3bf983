/**
 * The worker role: the reply transport, the pipeline's BullMQ workers (assess → settle →
 * reply) over the engine settings saved for replay, the periodic sweep that enqueues whatever
 * a stage still owes, and the cluster-wide housekeeping scheduler.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { AccessTokenSource } from '../mail/oauth2.ts';
import { senderAuthenticated } from '../mail/sender-auth/index.ts';
import {
  type HousekeepingScheduler,
  startHousekeepingScheduler,
} from '../ops/housekeeping-scheduler.ts';
import { startWorkers, type Workers } from '../pipeline/workers.ts';
import { createReplyTransport } from '../reply/outbound/transport.ts';
import type { ReplyTransport } from '../reply/outbound/types.ts';
import { saveEngineSettings } from '../store/assessment-inputs.ts';
import type { Infra } from './infra.ts';

export interface WorkerRole {
  transport: ReplyTransport;
  workers: Workers;
  /** Runs the sweep every IMAP_RECONCILE_INTERVAL_MS. */
  sweepTimer: NodeJS.Timeout;
  housekeeping: HousekeepingScheduler;
}

export interface WorkerRoleDeps {
  infra: Infra;
  logger: Logger;
  /** Enqueues every claim a stage still owes (shared with the poller). */
  sweep(): Promise<void>;
  /** SMTP_AUTH=oauth2: where the transport gets its tokens. */
  smtpTokens: AccessTokenSource | undefined;
}

export async function startWorkerRole(
  config: Config,
  { infra, logger, sweep, smtpTokens }: WorkerRoleDeps,
): Promise<WorkerRole> {
  const { pool, producer, metrics, templates } = infra;
  const transport = createReplyTransport({
    smtpUrl: config.reply.smtpUrl,
    outboxDir: config.reply.outboxDir,
    smtp: { allowPlaintext: config.allowPlaintextMail, oauth2: smtpTokens },
  });
  // Stored once, referenced by every assessment so it can be replayed as it was made.
  const engine = await saveEngineSettings(pool, infra.policy, infra.calendar);
  const auth = config.senderAuth;
  const workers = startWorkers({
    pool,
    redis: config.redis,
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
      mailFrom: config.reply.mailFrom,
      limits: config.reply.limits,
    },
    ...(auth.mode === 'off'
      ? {}
      : {
          senderCheck: async (raw, email) =>
            (await senderAuthenticated(raw, email, auth)).authenticated,
        }),
  });
  await sweep();
  const sweepTimer = setInterval(() => void sweep(), config.intake.reconcileIntervalMs);
  sweepTimer.unref();
  // Retention and console clean-up: one run per interval across all worker processes.
  const housekeeping = startHousekeepingScheduler({
    pool,
    redis: config.redis,
    logger,
    intervalMs: config.housekeepingIntervalMs,
    housekeeping: { retentionDays: config.retentionDays },
  });
  return { transport, workers, sweepTimer, housekeeping };
}
