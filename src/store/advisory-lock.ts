/**
 * Session-level PostgreSQL advisory locks for work that must run at most once at a time
 * across every instance (housekeeping), without making anyone wait: a second caller finds
 * the lock taken and skips. A session-level lock belongs to its connection, so one
 * dedicated connection holds it for the whole run while the work itself uses the pool.
 */
import type pg from 'pg';
import { connect } from './database.ts';

/** What withAdvisoryLock did: ran `fn` under the lock, or found the lock held elsewhere. */
export type LockedRun<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Takes the advisory lock `key` (a bigint as text) on a connection of its own without
 * waiting, runs `fn` while holding it, then unlocks and releases the connection. When
 * another session holds the lock, `fn` does not run. A connection whose unlock failed is
 * destroyed rather than returned to the pool: dropping it ends its session, and the lock
 * with it.
 */
export async function withAdvisoryLock<T>(
  pool: pg.Pool,
  key: string,
  fn: () => Promise<T>,
): Promise<LockedRun<T>> {
  const lock = await connect(pool);
  const onError = () => undefined; // a dead connection fails its pending query; nothing else to do
  lock.on('error', onError);
  let broken: Error | undefined;
  try {
    const { rows } = await lock.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS ok',
      [key],
    );
    if (!rows[0]?.ok) return { acquired: false };
    try {
      return { acquired: true, value: await fn() };
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch((e: Error) => {
        broken = e; // the connection is dropped below, and its session's lock with it
      });
    }
  } finally {
    lock.off('error', onError);
    lock.release(broken);
  }
}
