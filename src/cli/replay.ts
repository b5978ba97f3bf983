/**
 * `claim-intake check --replay CLAIM_ID [--version N]`: runs the engine again on a claim's
 * stored assessment inputs (the email as assessed, its record slice, policy and calendar)
 * and prints the decision beside the stored one. One JSON line:
 * `{"claim":12,"version":1,"assessed_at":…,"same":true,"differences":[],"decision":{…check fields},"stored":{…}}`.
 * Exit 0 when the replay gives the stored decision, 1 when it differs, 2 for a usage error
 * (no such claim or assessment, a purged email, the database away).
 */

import { ReplayUnavailableError, replayClaim } from '../pipeline/replay.ts';
import { createPool } from '../store/database.ts';
import type { CheckArgs } from './check.ts';
import { databaseUrlForUsage, toCheckLine, UsageError } from './check-line.ts';
import { databaseFailureLine } from './database-url.ts';
import type { Io } from './main.ts';

export async function runReplay(parsed: CheckArgs, io: Io): Promise<number> {
  const { values, positionals } = parsed;
  const others = ['records', 'policy', 'calendar', 'received'] as const;
  const extra = others.find((o) => values[o] !== undefined);
  if (extra || positionals.length > 0)
    throw new UsageError(
      `--replay takes a claim id and optionally --version, not ${extra ? `--${extra}` : 'email files'}`,
    );
  const claimId = positiveInt(values.replay!, '--replay');
  const version =
    values.version === undefined ? undefined : positiveInt(values.version, '--version');
  const url = databaseUrlForUsage();
  const pool = createPool(url, { max: 1 });
  try {
    const replay = await replayClaim(pool, claimId, version);
    const { file: _file, ...decision } = toCheckLine('', replay.replayed);
    const { file: _stored, ...stored } = toCheckLine('', replay.stored);
    io.stdout(
      JSON.stringify({
        claim: claimId,
        version: replay.version,
        assessed_at: replay.assessedAt.toISOString(),
        same: replay.same,
        differences: replay.differences,
        decision,
        stored,
      }),
    );
    return replay.same ? 0 : 1;
  } catch (error) {
    if (error instanceof ReplayUnavailableError) throw new UsageError(error.message);
    const line = databaseFailureLine(error, url);
    if (line !== undefined) throw new UsageError(line);
    throw error;
  } finally {
    await pool.end();
  }
}

function positiveInt(text: string, flag: string): number {
  if (!/^[1-9]\d{0,15}$/.test(text.trim()))
    throw new UsageError(`${flag}: not a positive integer: ${text}`);
  return Number(text);
}
