/**
 * The ops API (roles ops and admin): queue health, failed jobs and what to do with them,
 * pause and resume, and each mailbox's state. Every change is written to the audit log with
 * who did it; a cookie-authenticated change also needs the CSRF header (see guard.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { actorOf } from '../../auth/principal.ts';
import { isFresh, type MailboxState } from '../../ops/mailbox-state.ts';
import { type QueueAdmin, QueueAdminError } from '../../ops/queue-admin.ts';
import { writeAudit } from '../../store/audit-log.ts';
import { ApiError } from '../errors.ts';
import { guard } from '../guard.ts';

export interface OpsDeps {
  queues: QueueAdmin;
  /** The state of every configured mailbox, as its poller last published it. */
  mailboxes(): Promise<MailboxState[]>;
}

export const OPS_ROLES = ['ops', 'admin'] as const;

const MAX_PAGE = 100;

type QueueParams = { queue: string };
type JobParams = { queue: string; jobId: string };

/** Query integers: absent → the default; anything but plain digits in range → 400. */
function intParam(raw: unknown, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw !== 'string' || !/^\d{1,7}$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new ApiError('invalid_input', `${name} must be a whole number from ${min} to ${max}`);
  return Number(raw);
}

/**
 * QueueAdmin's codes are the API's codes; a failure while Redis is away is a 503 the
 * client may retry, anything else stays an internal error (logged).
 */
async function run<T>(ops: OpsDeps, work: (ops: OpsDeps) => Promise<T>): Promise<T> {
  try {
    return await work(ops);
  } catch (error) {
    if (error instanceof QueueAdminError) throw new ApiError(error.code, error.message);
    if (!(await ops.queues.reachable().catch(() => false))) throw new ApiError('redis_unavailable');
    throw error;
  }
}

export function opsRoutes(
  app: FastifyInstance,
  { pool, ops }: { pool: pg.Pool; ops: OpsDeps | undefined },
): void {
  const opsOnly = guard(pool, OPS_ROLES);
  const deps = (): OpsDeps => {
    if (!ops) throw new ApiError('ops_unavailable');
    return ops;
  };
  const record = (request: FastifyRequest, action: string, details: Record<string, unknown>) =>
    writeAudit(pool, { actor: actorOf(request.principal!), action, details });

  app.get('/api/ops/queues', { preHandler: opsOnly }, async () => ({
    queues: await run(deps(), (o) => o.queues.health()),
    at: new Date().toISOString(),
  }));

  app.get('/api/ops/queues/:queue/failed', { preHandler: opsOnly }, async (request) => {
    const { queue } = request.params as QueueParams;
    const query = request.query as { offset?: unknown; limit?: unknown };
    const offset = intParam(query.offset, 'offset', 0, 0, 1_000_000);
    const limit = intParam(query.limit, 'limit', 20, 1, MAX_PAGE);
    return run(deps(), (o) => o.queues.failed(queue, offset, limit));
  });

  app.post(
    '/api/ops/queues/:queue/failed/:jobId/retry',
    { preHandler: opsOnly },
    async (request) => {
      const { queue, jobId } = request.params as JobParams;
      const job = await run(deps(), (o) => o.queues.retry(queue, jobId));
      await record(request, 'ops.job.retry', { queue, jobId, claimId: job.claimId });
      return { queue, job, retried: true };
    },
  );

  app.post(
    '/api/ops/queues/:queue/failed/:jobId/discard',
    { preHandler: opsOnly },
    async (request) => {
      const { queue, jobId } = request.params as JobParams;
      const job = await run(deps(), (o) => o.queues.discard(queue, jobId));
      await record(request, 'ops.job.discard', {
        queue,
        jobId,
        claimId: job.claimId,
        failedReason: job.failedReason,
      });
      return { queue, job, discarded: true };
    },
  );

  app.post('/api/ops/queues/:queue/retry-failed', { preHandler: opsOnly }, async (request) => {
    const { queue } = request.params as QueueParams;
    const retried = await run(deps(), (o) => o.queues.retryAllFailed(queue));
    await record(request, 'ops.queue.retry_failed', { queue, retried });
    return { queue, retried };
  });

  app.post('/api/ops/queues/:queue/pause', { preHandler: opsOnly }, async (request) => {
    const { queue } = request.params as QueueParams;
    await run(deps(), (o) => o.queues.pause(queue));
    await record(request, 'ops.queue.pause', { queue });
    return { queue, paused: true };
  });

  app.post('/api/ops/queues/:queue/resume', { preHandler: opsOnly }, async (request) => {
    const { queue } = request.params as QueueParams;
    await run(deps(), (o) => o.queues.resume(queue));
    await record(request, 'ops.queue.resume', { queue });
    return { queue, paused: false };
  });

  app.get('/api/ops/mailboxes', { preHandler: opsOnly }, async (request) => {
    const now = Date.now();
    // Reading the states is a few GETs: a failure here is Redis being away.
    const states = await deps()
      .mailboxes()
      .catch((error: unknown) => {
        request.log.warn({ err: error }, 'mailbox states unreadable');
        throw new ApiError('redis_unavailable');
      });
    return {
      mailboxes: states.map((m) => ({ ...m, fresh: isFresh(m, now) })),
      at: new Date(now).toISOString(),
    };
  });
}
