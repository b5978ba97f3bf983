/** The OpenAPI description of the ops API (src/web/routes/ops.ts); data only. */
import { csrf, errors, query } from './parts.ts';

const queueParam = {
  name: 'queue',
  in: 'path',
  required: true,
  schema: { type: 'string', enum: ['assess', 'settle', 'reply'] },
};
const jobIdParam = { name: 'jobId', in: 'path', required: true, schema: { type: 'string' } };
/** Ops actions take no body; the answer says what was done. */
const opsAction = (summary: string, extra: (typeof jobIdParam)[] = []) => ({
  post: {
    summary: `${summary} (ops, admin)`,
    parameters: [csrf, queueParam, ...extra],
    responses: {
      '200': { description: 'Done' },
      ...errors(400, 401, 403, 404, 409, 503),
    },
  },
});

export const OPS_PATHS = {
  '/api/ops/queues': {
    get: {
      summary:
        'Each queue (assess, settle, reply): counts by state, paused, completed and failed in the last hour, throughput per minute, failure rate, oldest waiting job in seconds (ops, admin)',
      responses: {
        '200': { description: '{ queues, at }' },
        ...errors(401, 403, 503),
      },
    },
  },
  '/api/ops/queues/{queue}/failed': {
    get: {
      summary:
        "A queue's failed jobs, most recent first: id, claimId, attemptsMade, failedReason, stack, finishedAt (ops, admin)",
      parameters: [
        queueParam,
        query('offset', 'integer', 'Jobs to skip, default 0'),
        query('limit', 'integer', '1–100, default 20'),
      ],
      responses: {
        '200': { description: '{ queue, total, offset, limit, jobs }' },
        ...errors(400, 401, 403, 404, 503),
      },
    },
  },
  '/api/ops/queues/{queue}/failed/{jobId}/retry': opsAction(
    'Move one failed job back to waiting for another attempt; audited as ops.job.retry',
    [jobIdParam],
  ),
  '/api/ops/queues/{queue}/failed/{jobId}/discard': opsAction(
    'Remove one failed job for good; audited as ops.job.discard',
    [jobIdParam],
  ),
  '/api/ops/queues/{queue}/retry-failed': opsAction(
    'Move every failed job of the queue back to waiting; audited as ops.queue.retry_failed',
  ),
  '/api/ops/queues/{queue}/pause': opsAction(
    'Pause the queue for every worker process (jobs stay in line); audited as ops.queue.pause',
  ),
  '/api/ops/queues/{queue}/resume': opsAction('Resume a paused queue; audited as ops.queue.resume'),
  '/api/ops/mailboxes': {
    get: {
      summary:
        "Each mailbox's state as its poller published it: connected, leader, lastPollAt, lagSeconds, stored, quarantined, reconnects, updatedAt, fresh (ops, admin)",
      responses: {
        '200': { description: '{ mailboxes, at }' },
        ...errors(401, 403, 503),
      },
    },
  },
};
