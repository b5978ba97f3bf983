/**
 * What the queue page's first render shows for a query string: the same filters, sort and page
 * as the API would answer, or the reason they are invalid (shown, never a crash).
 */
import type pg from 'pg';
import { ReviewError } from '../../review/errors.ts';
import { listReviewQueue, queueChoices } from '../../review/queue.ts';
import { ApiError } from '../errors.ts';
import { type Query, queueQuery } from '../queue-query.ts';
import type { QueueView } from './queue-page.ts';

export async function queueView(pool: pg.Pool, query: Query, me: string): Promise<QueueView> {
  const choices = await queueChoices(pool);
  try {
    const q = queueQuery(query, me);
    const queue = await listReviewQueue(pool, q.filters, q.sort, {
      ...(q.limit === undefined ? {} : { limit: q.limit }),
      ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
    });
    return { query, queue, choices, me };
  } catch (error) {
    const invalid =
      error instanceof ApiError
        ? error.code === 'invalid_input'
        : error instanceof ReviewError && error.code === 'invalid_input';
    if (!invalid) throw error;
    return { query, queue: null, error: (error as Error).message, choices, me };
  }
}
