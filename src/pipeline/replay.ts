/**
 * Replays a stored assessment: the engine runs again on the email as it was assessed, the
 * record slice it read, and the policy and calendar it ran with (store/assessment-inputs.ts),
 * and the result is compared with the decision stored then. The same decision shows the
 * assessment is explained by what is stored; a difference is a defect to look into (the
 * engine changed, or is not a pure function of its inputs).
 */
import { isDeepStrictEqual } from 'node:util';
import { assess } from '../domain/assess/engine.ts';
import type { Assessment } from '../domain/assess/types.ts';
import { parseCalendar } from '../domain/calendar.ts';
import { ClaimIntakeError } from '../domain/errors.ts';
import { combineFollowUp } from '../domain/follow-up.ts';
import { parsePolicy } from '../domain/policy.ts';
import { RecordIndex } from '../domain/record-index.ts';
import { loadAssessmentInputs } from '../store/assessment-inputs.ts';
import { parse as parseSlice, type Queryable, type RecordsJson } from '../store/record-slices.ts';
import { readForAssessment } from './assess-claim.ts';

export interface Replay {
  claimId: number;
  /** The decision version replayed. */
  version: number;
  assessedAt: Date;
  /** The decision as stored when it was made. */
  stored: Assessment;
  /** The engine's decision now, on the stored inputs. */
  replayed: Assessment;
  /** True when the two are equal in every field, explanation included. */
  same: boolean;
  /** The fields that differ (`details.<key>` for the explanation's parts). */
  differences: string[];
  /** The records the decision used. */
  records: RecordsJson;
}

/** The claim has no stored assessment, or its email is gone (purged); a person reads why. */
export class ReplayUnavailableError extends ClaimIntakeError {
  constructor(message: string) {
    super('replay_unavailable', message);
  }
}

/**
 * Replays the claim's assessment at `version` (default: its latest). Throws
 * ReplayUnavailableError when there is nothing to replay.
 */
export async function replayClaim(
  db: Queryable,
  claimId: number,
  version?: number,
): Promise<Replay> {
  const stored = await loadAssessmentInputs(db, claimId, version);
  if (!stored) {
    throw new ReplayUnavailableError(
      version === undefined
        ? `claim ${claimId} has no stored assessment (not assessed yet, or assessed before slices were stored)`
        : `claim ${claimId} has no assessment at version ${version}`,
    );
  }
  const emails = [];
  for (const { raw, purgedAt } of stored.raws) {
    if (!raw) {
      throw new ReplayUnavailableError(
        purgedAt
          ? `claim ${claimId}: the original email was purged on ${purgedAt.toISOString().slice(0, 10)} (retention)`
          : `claim ${claimId}: a message of this assessment is missing`,
      );
    }
    // Read as the assessment read them, so the engine runs on the same email.
    emails.push(await readForAssessment(raw));
  }
  // [follow-up, original], combined as the assess stage did. A merge assessed before issue
  // #11 took the original's sender: if the answer came from someone else, its replay now
  // differs (`decision`, `reasons`), which is the point: such a merge is no longer made.
  const email = emails.length === 2 ? combineFollowUp(emails[0]!, emails[1]!) : emails[0]!;
  const replayed = assess(
    {
      email,
      receivedAt: stored.receivedAt,
      senderAuthenticated: stored.senderAuthenticated,
    },
    {
      index: new RecordIndex(parseSlice(stored.slice)),
      policy: parsePolicy(stored.policy, `engine_settings:${stored.settings}:policy`),
      calendar: parseCalendar(stored.calendar, `engine_settings:${stored.settings}:calendar`),
    },
  );
  const differences = differingFields(stored.assessment, asStored(replayed));
  return {
    claimId,
    version: stored.version,
    assessedAt: stored.assessedAt,
    stored: stored.assessment,
    replayed,
    same: differences.length === 0,
    differences,
    records: stored.slice,
  };
}

/** The assessment as it reads back from JSON storage (no undefined fields). */
function asStored(a: Assessment): Assessment {
  return JSON.parse(JSON.stringify(a)) as Assessment;
}

/** Parts of the explanation that decisions stored by earlier versions do not have. */
const OPTIONAL_DETAILS = new Set<string>(['excludedCauses']);

function differingFields(stored: Assessment, replayed: Assessment): string[] {
  const out: string[] = [];
  for (const key of Object.keys({ ...stored, ...replayed }) as (keyof Assessment)[]) {
    if (key === 'details') {
      for (const d of Object.keys({ ...stored.details, ...replayed.details })) {
        const k = d as keyof Assessment['details'];
        // A part of the explanation added by a later version: the stored decision lacks it.
        if (stored.details && !(k in stored.details) && OPTIONAL_DETAILS.has(k)) continue;
        if (!isDeepStrictEqual(stored.details?.[k], replayed.details?.[k]))
          out.push(`details.${d}`);
      }
    } else if (!isDeepStrictEqual(stored[key], replayed[key])) out.push(key);
  }
  return out;
}
