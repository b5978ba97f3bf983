/**
 * A claim's replay as the console and the API show it: the stored and the replayed decision
 * in the fields `claim-intake check` prints (so an agent compares what the CLI compares), the
 * fields that differ, and the records the decision read.
 */
import type pg from 'pg';
import { toCheckLine } from '../cli/check-line.ts';
import type { Assessment } from '../domain/assess/types.ts';
import { replayClaim } from '../pipeline/replay.ts';
import type { RecordsJson } from '../store/record-slices.ts';
import { claimExists } from '../store/review-store.ts';
import { ReviewError } from './errors.ts';

/** `check`'s output object without its `file`. */
export type CheckFields = Omit<ReturnType<typeof toCheckLine>, 'file'>;

export interface ReplayView {
  claimId: number;
  version: number;
  assessedAt: string;
  same: boolean;
  /** Assessment field names (`details.<key>` for the explanation's parts). */
  differences: string[];
  stored: CheckFields;
  replayed: CheckFields;
  records: RecordsJson;
}

export function checkFields(a: Assessment): CheckFields {
  const { file: _file, ...fields } = toCheckLine('', a);
  return fields;
}

/**
 * Replays the claim's decision at `version` (default: its latest). Throws ReviewError
 * not_found for an unknown claim, and replay.ts's ReplayUnavailableError when there is
 * nothing to replay (not assessed since slices were stored, no such version, email purged).
 */
export async function replayView(
  pool: pg.Pool,
  claimId: number,
  version?: number,
): Promise<ReplayView> {
  if (!(await claimExists(pool, claimId)))
    throw new ReviewError('not_found', `claim ${claimId} does not exist`);
  const r = await replayClaim(pool, claimId, version);
  return {
    claimId: r.claimId,
    version: r.version,
    assessedAt: r.assessedAt.toISOString(),
    same: r.same,
    differences: r.differences,
    stored: checkFields(r.stored),
    replayed: checkFields(r.replayed),
    records: r.records,
  };
}
