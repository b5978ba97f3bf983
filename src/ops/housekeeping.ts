/**
 * One housekeeping run: purge raw sources past retention, delete expired console sessions
 * and sign-in attempts the rate limiter no longer reads, then write one audit entry with
 * the counts. At most one run at a time across every instance: the run holds a PostgreSQL
 * advisory lock, so a second run (an overlapping scheduled job, an operator's
 * `claim-intake housekeeping` during a scheduled one) skips instead of competing.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { SIGN_IN_LIMITS } from '../auth/sign-in-limits.ts';
import { withAdvisoryLock } from '../store/advisory-lock.ts';
import { writeAudit } from '../store/audit-log.ts';
import {
  countConsoleLeftovers,
  countPurgeable,
  DEFAULT_BATCH_SIZE,
  deleteExpiredSessions,
  deleteOldSignInAttempts,
  purgeRawSources,
} from '../store/retention.ts';
import { countOldRefusals, deleteOldRefusals } from '../store/sign-in-store.ts';

/** The ASCII bytes of "cihouse!" as a bigint: fixed, and unlikely to be anyone else's key. */
export const HOUSEKEEPING_LOCK_KEY = Buffer.from('cihouse!').readBigInt64BE().toString();

/**
 * Sign-in attempts are kept a day: far longer than the limiter's window (an hour), so
 * a change to that window never makes the limiter forget failures, and recent attempts
 * stay for anyone looking into a sign-in problem.
 */
export const SIGN_IN_ATTEMPT_RETENTION_MS = Math.max(24 * 60 * 60 * 1000, SIGN_IN_LIMITS.windowMs);

export interface HousekeepingOptions {
  /** RETENTION_DAYS: raw sources older than this are purged; 0 keeps them forever. */
  retentionDays: number;
  /** Rows per transaction. @defaultValue 500 */
  batchSize?: number;
  /** Count what a run would do, change nothing and write no audit entry. @defaultValue false */
  dryRun?: boolean;
  /** Stops the run between batches (shutdown); the next run carries on where it stopped. */
  signal?: AbortSignal;
}

export interface HousekeepingCounts {
  messagesPurged: number;
  repliesPurged: number;
  sessionsDeleted: number;
  signInAttemptsDeleted: number;
}

export type HousekeepingOutcome =
  | {
      status: 'done';
      dryRun: boolean;
      retentionDays: number;
      counts: HousekeepingCounts;
      /** True when the signal stopped it before the end: the counts are what it did. */
      interrupted: boolean;
    }
  | { status: 'skipped'; why: string };

export async function runHousekeeping(
  pool: pg.Pool,
  logger: Logger,
  options: HousekeepingOptions,
): Promise<HousekeepingOutcome> {
  const { retentionDays, batchSize = DEFAULT_BATCH_SIZE, dryRun = false, signal } = options;
  if (!Number.isInteger(retentionDays) || retentionDays < 0)
    throw new RangeError('retentionDays must be a whole number ≥ 0');
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError('batchSize must be a whole number ≥ 1');
  const run = await withAdvisoryLock(pool, HOUSEKEEPING_LOCK_KEY, async () => {
    const counts = dryRun
      ? await countAll(pool, retentionDays)
      : await doAll(pool, retentionDays, batchSize, signal);
    const interrupted = signal?.aborted === true;
    if (!dryRun) {
      await writeAudit(pool, {
        actor: 'system:housekeeping',
        action: 'housekeeping.run',
        details: {
          retention_days: retentionDays,
          ...snakeCase(counts),
          ...(interrupted ? { interrupted } : {}),
        },
      });
    }
    logger.info({ ...counts, retentionDays, dryRun, interrupted }, 'housekeeping done');
    return { status: 'done', dryRun, retentionDays, counts, interrupted } as const;
  });
  if (run.acquired) return run.value;
  logger.info('housekeeping skipped: another run is in progress');
  return { status: 'skipped', why: 'another housekeeping run is in progress' };
}

async function doAll(
  pool: pg.Pool,
  retentionDays: number,
  batchSize: number,
  signal: AbortSignal | undefined,
): Promise<HousekeepingCounts> {
  const purged =
    retentionDays === 0
      ? { messages: 0, replies: 0 }
      : await purgeRawSources(pool, retentionDays, batchSize, signal);
  return {
    messagesPurged: purged.messages,
    repliesPurged: purged.replies,
    sessionsDeleted: await deleteExpiredSessions(pool, batchSize, signal),
    // Refusal counters are sign-in attempts too (counted instead of stored one by one).
    signInAttemptsDeleted:
      (await deleteOldSignInAttempts(pool, SIGN_IN_ATTEMPT_RETENTION_MS, batchSize, signal)) +
      (await deleteOldRefusals(pool, SIGN_IN_ATTEMPT_RETENTION_MS, batchSize, signal)),
  };
}

async function countAll(pool: pg.Pool, retentionDays: number): Promise<HousekeepingCounts> {
  const purgeable =
    retentionDays === 0 ? { messages: 0, replies: 0 } : await countPurgeable(pool, retentionDays);
  const consoleRows = await countConsoleLeftovers(pool, SIGN_IN_ATTEMPT_RETENTION_MS);
  return {
    messagesPurged: purgeable.messages,
    repliesPurged: purgeable.replies,
    sessionsDeleted: consoleRows.sessions,
    signInAttemptsDeleted:
      consoleRows.signInAttempts + (await countOldRefusals(pool, SIGN_IN_ATTEMPT_RETENTION_MS)),
  };
}

function snakeCase(counts: HousekeepingCounts) {
  return {
    messages_purged: counts.messagesPurged,
    replies_purged: counts.repliesPurged,
    sessions_deleted: counts.sessionsDeleted,
    sign_in_attempts_deleted: counts.signInAttemptsDeleted,
  };
}
