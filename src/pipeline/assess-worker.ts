/**
 * The assessment stage: a BullMQ worker that turns a stored claim's raw message into a
 * decision with the same engine as `check`, and records it with an audit event. Idempotent:
 * the claim row is locked and only a claim still 'received' is assessed, so a job that
 * runs twice (retry, stalled job, two workers) decides once.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import { assess } from '../domain/assess/engine.ts';
import type { Assessment, EngineContext } from '../domain/assess/types.ts';
import { parseEmail } from '../mail/parse.ts';
import { withTransaction } from '../store/database.ts';
import { ASSESS_QUEUE, type AssessJob, queuePrefix } from './assess-queue.ts';

export interface AssessWorkerOptions {
  pool: pg.Pool;
  redisUrl: string;
  redisPrefix: string;
  logger: Logger;
  /** The engine's inputs besides the email; called per job, so it may refresh records. */
  context: () => Promise<EngineContext>;
  /** @defaultValue 4 */
  concurrency?: number;
}

const STATE_AFTER: Record<Assessment['decision'], string> = {
  ignored: 'ignored',
  review: 'review',
  needs_info: 'assessed',
  approved: 'assessed',
  rejected: 'assessed',
};

/** Assesses one claim; returns the decision, or null when it was assessed before. */
export async function assessClaim(
  pool: pg.Pool,
  claimId: number,
  ctx: EngineContext,
): Promise<Assessment | null> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{
      state: string;
      raw: Buffer | null;
      internal_date: Date;
      message_id: string;
    }>(
      `SELECT c.state, m.raw, m.internal_date, m.id AS message_id
         FROM claims c JOIN messages m ON m.id = c.message_id
        WHERE c.id = $1 FOR UPDATE OF c`,
      [claimId],
    );
    const row = rows[0];
    if (!row) throw new UnrecoverableError(`claim ${claimId} does not exist`);
    if (row.state !== 'received') return null;
    if (row.raw === null) throw new UnrecoverableError(`claim ${claimId} has no raw message`);
    const email = await parseEmail(row.raw);
    const a = assess({ email, receivedAt: row.internal_date.getTime() }, ctx);
    const vip = a.account ? (ctx.index.account(a.account)?.vip ?? false) : false;
    await client.query(
      `UPDATE claims SET state = $2, type = $3, decision = $4, account = $5, amount = $6, currency = $7,
              reasons = $8, assessment = $9, vip = $10, version = version + 1, updated_at = now()
        WHERE id = $1`,
      [
        claimId,
        STATE_AFTER[a.decision],
        a.type,
        a.decision,
        a.account,
        a.amount,
        a.currency,
        a.reasons,
        a,
        vip,
      ],
    );
    await client.query(
      `INSERT INTO audit_log (actor, action, claim_id, message_id, details) VALUES ('system:worker', 'claim.assessed', $1, $2, $3)`,
      [
        claimId,
        row.message_id,
        { type: a.type, decision: a.decision, reasons: a.reasons, amount: a.amount },
      ],
    );
    return a;
  });
}

export function startAssessWorker(options: AssessWorkerOptions): Worker<AssessJob> {
  const log = options.logger.child({ component: 'assess-worker' });
  // Workers wait for Redis when it is away (no request limit) and resume by themselves.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const worker = new Worker<AssessJob>(
    ASSESS_QUEUE,
    async (job) => {
      const ctx = await options.context();
      const a = await assessClaim(options.pool, job.data.claimId, ctx);
      log.info(
        { claimId: job.data.claimId, jobId: job.id, decision: a?.decision ?? 'already-assessed' },
        'claim assessed',
      );
      return a ? { decision: a.decision } : { decision: null };
    },
    { connection, prefix: queuePrefix(options.redisPrefix), concurrency: options.concurrency ?? 4 },
  );
  worker.on('failed', (job, error) =>
    log.warn({ jobId: job?.id, err: error }, 'assessment failed'),
  );
  worker.on('error', (error) => log.warn({ err: error }, 'assessment worker error'));
  worker.on('closed', () => connection.disconnect());
  return worker;
}
