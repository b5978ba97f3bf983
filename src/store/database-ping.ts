/**
 * The readiness probe's question to PostgreSQL: does the server answer a trivial query now?
 */
import type pg from 'pg';

/**
 * Runs `SELECT 1` through the pool; the driver gives up after `timeoutMs` (its query_timeout). Errors
 * are passed on as the driver raised them: the readiness check names the failure by their
 * codes (SQLSTATE, errno), which asDatabaseError would fold away.
 */
export async function pingDatabase(pool: pg.Pool, timeoutMs: number): Promise<void> {
  await pool.query({ text: 'SELECT 1', query_timeout: timeoutMs } as pg.QueryConfig);
}
