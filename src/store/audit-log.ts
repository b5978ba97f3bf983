/**
 * The audit log's one writer (and the claim page's reader of a claim's trail). Every change to a claim, a user or the records is told here,
 * by whom and why; the table is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE,
 * migration 001), so nothing written here is ever changed.
 *
 * Entries go in with the change they tell of, in the caller's transaction: several in one
 * statement (`writeAudit`), or inside a statement of the caller's (`auditInsert`), so that a
 * stage pays no extra round trip for its audit trail.
 */
import type { Queryable } from './message-facts.ts';

/** Who did it: 'system:worker', 'system:settle', 'system:reply', 'agent:<email>', … */
export type Actor = string;

export interface AuditEntry {
  actor: Actor;
  /** What happened, as `subject.verb`: 'claim.assessed', 'reply.sent', 'user.added', … */
  action: string;
  claimId?: number | string | null | undefined;
  /** The stored message (messages.id) it concerns, if any. */
  messageId?: number | string | null;
  details?: object;
}

/** Appends the entries in one statement, in their order; nothing for none. */
export async function writeAudit(db: Queryable, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    auditInsert(
      `SELECT actor, action, claim_id, message_id, details
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::jsonb[])
              WITH ORDINALITY AS e(actor, action, claim_id, message_id, details, n)
        ORDER BY n`,
    ),
    [
      entries.map((e) => e.actor),
      entries.map((e) => e.action),
      entries.map((e) => (e.claimId == null ? null : String(e.claimId))),
      entries.map((e) => (e.messageId == null ? null : String(e.messageId))),
      entries.map((e) => JSON.stringify(e.details ?? {})),
    ],
  );
}

/**
 * The INSERT of audit rows taken from `rows`, a query giving (actor, action, claim_id,
 * message_id, details) in that order: for a caller that writes its change and its audit
 * entry in one statement (a data-modifying WITH).
 */
export function auditInsert(rows: string): string {
  return `INSERT INTO audit_log (actor, action, claim_id, message_id, details) ${rows}`;
}

/** An entry as a claim's audit trail shows it. */
export interface AuditTrailEntry {
  at: Date;
  actor: Actor;
  action: string;
  details: unknown;
}

/** The claim's audit entries, oldest first (by id among entries of the same instant). */
export async function claimAuditTrail(db: Queryable, claimId: number): Promise<AuditTrailEntry[]> {
  const { rows } = await db.query<AuditTrailEntry>(
    'SELECT at, actor, action, details FROM audit_log WHERE claim_id = $1 ORDER BY at, id',
    [claimId],
  );
  return rows;
}
