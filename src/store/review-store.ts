/**
 * The review console's reads: whether a claim exists, its queue and its detail. The console
 * (src/review) keeps the logic; the SQL is here.
 */
import type pg from 'pg';

/** Whether a claim with this id exists. */
export async function claimExists(pool: pg.Pool, claimId: number): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM claims WHERE id = $1', [claimId]);
  return Boolean(rowCount);
}
