/** Re-enqueues claims stored but never assessed (lost enqueue: crash, Redis away). */
import type pg from 'pg';
import type { Logger } from 'pino';
import { claimsAwaitingAssessment } from '../store/messages-store.ts';

export function createSweep(
  pool: pg.Pool,
  enqueue: (ids: number[]) => Promise<void>,
  logger: Logger,
) {
  return async (): Promise<void> => {
    try {
      const ids = await claimsAwaitingAssessment(pool);
      if (ids.length > 0) {
        await enqueue(ids);
        logger.info({ count: ids.length }, 'sweep enqueued waiting claims');
      }
    } catch (error) {
      logger.warn({ err: error }, 'sweep failed; will try again');
    }
  };
}
