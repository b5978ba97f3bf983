/**
 * What each assessment depended on, kept beside its decision so it can be replayed exactly
 * as it was made, even after the records, the policy or the calendar change (DESIGN v1.1,
 * "Records and replay"): the messages as assessed, the received time, the sender check,
 * the record slice, and the policy and calendar (stored once per distinct pair, by hash).
 */
import { createHash } from 'node:crypto';
import type { Assessment } from '../domain/assess/types.ts';
import { type Calendar, calendarJson } from '../domain/calendar.ts';
import { type Policy, policyJson } from '../domain/policy.ts';
import { asDatabaseError } from './database.ts';
import type { Queryable, RecordsJson } from './record-slices.ts';

/** The policy and calendar an engine runs with, and the key their snapshot is stored under. */
export interface EngineSettings {
  policy: Policy;
  calendar: Calendar;
  /** sha256 of the snapshot's JSON: engine_settings.hash. */
  hash: string;
}

/**
 * Stores the policy and calendar once (a second call with the same pair does nothing) and
 * returns them with their hash, for recording with every assessment.
 */
export async function saveEngineSettings(
  db: Queryable,
  policy: Policy,
  calendar: Calendar,
): Promise<EngineSettings> {
  const snapshot = { policy: policyJson(policy), calendar: calendarJson(calendar) };
  const hash = createHash('sha256').update(JSON.stringify(snapshot)).digest('hex');
  try {
    await db.query(
      `INSERT INTO engine_settings (hash, policy, calendar) VALUES ($1, $2, $3)
       ON CONFLICT (hash) DO NOTHING`,
      [hash, snapshot.policy, snapshot.calendar],
    );
  } catch (error) {
    throw asDatabaseError(error);
  }
  return { policy, calendar, hash };
}

export interface AssessmentInputs {
  claimId: number;
  /** claims.version the assessment produced. */
  version: number;
  /** The email as assessed: its message, or a follow-up's message then the original's. */
  messageIds: string[];
  receivedAt: number;
  senderAuthenticated: boolean | undefined;
  settings: string;
  slice: RecordsJson;
  assessment: Assessment;
}

/** A stored assessment with everything needed to run it again. */
export interface StoredAssessment extends AssessmentInputs {
  policy: Record<string, unknown>;
  calendar: Record<string, unknown>;
  /** The raw messages in `messageIds` order; null for one whose original was purged. */
  raws: { raw: Buffer | null; purgedAt: Date | null }[];
  assessedAt: Date;
}

/** The claim's assessment at `version`, else its latest; null when it has none. */
export async function loadAssessmentInputs(
  db: Queryable,
  claimId: number,
  version?: number,
): Promise<StoredAssessment | null> {
  try {
    const { rows } = await db.query<{
      version: number;
      message_ids: string[];
      received_at: Date;
      sender_authenticated: boolean | null;
      settings: string;
      slice: RecordsJson;
      assessment: Assessment;
      created_at: Date;
      policy: Record<string, unknown>;
      calendar: Record<string, unknown>;
    }>(
      `SELECT a.version, a.message_ids::text[] AS message_ids, a.received_at, a.sender_authenticated,
              a.settings, a.slice, a.assessment, a.created_at, s.policy, s.calendar
         FROM claim_assessments a JOIN engine_settings s ON s.hash = a.settings
        WHERE a.claim_id = $1 AND ($2::int IS NULL OR a.version = $2)
        ORDER BY a.version DESC LIMIT 1`,
      [claimId, version ?? null],
    );
    const row = rows[0];
    if (!row) return null;
    const messages = await db.query<{ id: string; raw: Buffer | null; purged_at: Date | null }>(
      'SELECT id::text, raw, purged_at FROM messages WHERE id = ANY($1::bigint[])',
      [row.message_ids],
    );
    const byId = new Map(messages.rows.map((m) => [m.id, m]));
    return {
      claimId,
      version: row.version,
      messageIds: row.message_ids,
      receivedAt: row.received_at.getTime(),
      senderAuthenticated: row.sender_authenticated ?? undefined,
      settings: row.settings,
      slice: row.slice,
      assessment: row.assessment,
      policy: row.policy,
      calendar: row.calendar,
      raws: row.message_ids.map((id) => ({
        raw: byId.get(id)?.raw ?? null,
        purgedAt: byId.get(id)?.purged_at ?? null,
      })),
      assessedAt: row.created_at,
    };
  } catch (error) {
    throw asDatabaseError(error);
  }
}
