/**
 * Poison jobs (issue #11): a stage that keeps failing for one claim hands the claim to an
 * agent instead of being retried, then swept, then retried again forever. Failures are
 * counted per (claim, stage, decision version) in PostgreSQL (`stage_failures`), since a
 * job's own attempt count restarts whenever a sweep enqueues the work again. At
 * STAGE_MAX_FAILURES, or at once for a permanent error, the claim goes to review with
 * `stage_failed` and the last error in its audit trail; the sweeps leave such claims alone.
 *
 * Not every failure says something about the claim. What counts:
 * - a permanent error (ClaimIntakeError, not retryable): counted, and the claim handed over now;
 * - an unexpected error (a constraint, a bug, a bad row): each attempt, since it fails the same
 *   way every time;
 * - a temporary error about this claim's work (an SMTP 4xx for this message, a deadlock): only
 *   when its job is out of attempts, so a greylisting server or a busy row gets the whole backoff;
 * - an outage (database or mail server unreachable, the outbox not writable, the queue away):
 *   never, since it hits every claim alike; the alerts are for that, not the agents.
 */
import type pg from 'pg';
import { ClaimIntakeError } from '../domain/errors.ts';
import { maskUrlPasswords } from '../logger.ts';
import { SmtpTemporaryError } from '../reply/outbound/errors.ts';
import { asDatabaseError, withTransaction } from '../store/database.ts';
import { countFailure, poisonClaim } from '../store/stage-failures-store.ts';
import type { QueueName } from './queues.ts';

export type FailureKind = 'outage' | 'temporary' | 'fault' | 'permanent';

/**
 * Codes of failures that are nobody's claim's fault: the way out or the database is down,
 * or (reply_in_flight) another attempt is sending this very reply right now.
 */
const OUTAGE_CODES: ReadonlySet<string> = new Set([
  'database_unavailable',
  'schema_missing',
  'outbox_write_failed',
  'transport_closed',
  'queue_unavailable',
  'reply_in_flight',
]);

/** SQLSTATEs that pass on a later try: class 40 (serialization, deadlock), lock and statement timeouts. */
const TEMPORARY_SQLSTATE = /^(40|55P03$|57014$)/;

/** The queue refused the next stage's job (Redis away): the work stays owed in PostgreSQL. */
export class QueueUnavailableError extends ClaimIntakeError {
  constructor(cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('queue_unavailable', `cannot enqueue the next stage: ${why}`, {
      retryable: true,
      cause,
    });
  }
}

export function failureKind(error: unknown): FailureKind {
  const e = asDatabaseError(error);
  if (e instanceof SmtpTemporaryError) return e.scope === 'transport' ? 'outage' : 'temporary';
  if (e instanceof ClaimIntakeError) {
    if (OUTAGE_CODES.has(e.code)) return 'outage';
    return e.retryable ? 'temporary' : 'permanent';
  }
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && TEMPORARY_SQLSTATE.test(code)) return 'temporary';
  return 'fault';
}

/** Whether a failure adds to the claim's count; `lastAttempt`: its job has no attempt left. */
export function countsTowardPoison(kind: FailureKind, lastAttempt: boolean): boolean {
  return kind === 'fault' || kind === 'permanent' || (kind === 'temporary' && lastAttempt);
}

/** The error as an agent reads it in the audit trail: its code, message and SQLSTATE, no secrets. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return maskUrlPasswords(String(error)).slice(0, 2000);
  const code = (error as { code?: unknown }).code;
  const prefix = error instanceof ClaimIntakeError ? `${error.code}: ` : `${error.name}: `;
  const state =
    !(error instanceof ClaimIntakeError) && typeof code === 'string' ? ` (${code})` : '';
  return maskUrlPasswords(`${prefix}${error.message}${state}`).slice(0, 2000);
}

export interface StageFailure {
  claimId: number;
  stage: QueueName;
  /** The decision version the job acted on; 0 for assessment (no version yet). */
  version: number;
  error: unknown;
  /** A permanent error: the claim is handed over on this first failure. */
  permanent: boolean;
  maxFailures: number;
}

/**
 * Counts one failure and, at the limit (or for a permanent error), moves the claim to review
 * with `stage_failed` and audits the error. Returns the count and whether it was handed over.
 */
export async function recordStageFailure(
  pool: pg.Pool,
  f: StageFailure,
): Promise<{ failures: number; poisoned: boolean }> {
  const error = describeFailure(f.error);
  return withTransaction(pool, async (client) => {
    const work = { claimId: f.claimId, stage: f.stage, version: f.version };
    const failures = await countFailure(client, work, error);
    if (!f.permanent && failures < f.maxFailures) return { failures, poisoned: false };
    const poisoned = await poisonClaim(client, {
      ...work,
      failures,
      permanent: f.permanent,
      error,
    });
    return { failures, poisoned };
  });
}
