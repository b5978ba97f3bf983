import { describe, expect, it } from 'vitest';
import { auditInsert, writeAudit } from '../../src/store/audit-log.ts';
import { withTransaction } from '../../src/store/database.ts';
import type { Queryable } from '../../src/store/message-facts.ts';
import { freshDatabasePerTest } from '../support/database.ts';
import { storeClaim } from '../support/store-claim.ts';

const MAILBOX = 'maildir:/srv/audit-log-test';

const db = freshDatabasePerTest();

interface AuditRow {
  id: string;
  actor: string;
  action: string;
  claim_id: string | null;
  message_id: string | null;
  details: unknown;
}

/** The entries of one actor, oldest first (intake writes its own for each stored claim). */
async function entriesOf(actor: string): Promise<AuditRow[]> {
  const { rows } = await db().pool.query<AuditRow>(
    'SELECT id, actor, action, claim_id, message_id, details FROM audit_log WHERE actor = $1 ORDER BY id',
    [actor],
  );
  return rows;
}

async function claimWithMessage(): Promise<{ claimId: number; messageId: string }> {
  const claimId = await storeClaim(db().pool, MAILBOX, 'Subject: late\r\n\r\nPlease pay.\r\n', {
    sourceKey: 'one',
  });
  const { rows } = await db().pool.query<{ message_id: string }>(
    'SELECT message_id FROM claims WHERE id = $1',
    [claimId],
  );
  return { claimId, messageId: rows[0]!.message_id };
}

describe('writeAudit', () => {
  it('writes several entries in one call in the order given, ids ascending', async () => {
    const { claimId, messageId } = await claimWithMessage();
    await withTransaction(db().pool, (client) =>
      writeAudit(
        client,
        { actor: 'system:test', action: 'test.third', claimId, messageId, details: { n: 3 } },
        { actor: 'system:test', action: 'test.first', claimId: String(claimId), details: { n: 1 } },
        { actor: 'system:test', action: 'test.second', messageId: Number(messageId) },
      ),
    );
    const rows = await entriesOf('system:test');
    expect(rows.map((r) => [r.action, r.claim_id, r.message_id, r.details])).toEqual([
      ['test.third', String(claimId), messageId, { n: 3 }],
      ['test.first', String(claimId), null, { n: 1 }],
      ['test.second', null, messageId, {}],
    ]);
    const ids = rows.map((r) => BigInt(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(ids).size).toBe(3);
  });

  it('stores a null or missing claim and message as NULL', async () => {
    await writeAudit(
      db().pool,
      { actor: 'system:test', action: 'test.nulls', claimId: null, messageId: null },
      { actor: 'system:test', action: 'test.missing' },
    );
    const rows = await entriesOf('system:test');
    expect(rows.map((r) => [r.action, r.claim_id, r.message_id])).toEqual([
      ['test.nulls', null, null],
      ['test.missing', null, null],
    ]);
  });

  it('keeps quotes, backslashes, array-literal marks and unicode in actor and details exactly', async () => {
    const actor = 'agent:"o\'brien",{x}\\@example.com';
    const details = {
      quote: 'say "hi"',
      backslash: 'C:\\claims\\new',
      escaped: '\\"\\\\',
      literal: '{NULL, "a"}',
      unicode: 'Zürich — 東京 😀 \u2028',
      control: 'tab\there\nnewline',
      nested: { list: ['a"b', '\\', null, 1.5], empty: {} },
    };
    await writeAudit(db().pool, { actor, action: 'test.text', details });
    const [row] = await entriesOf(actor);
    expect(row?.details).toEqual(details);
    // The same jsonb as node-postgres stores for the object passed as a parameter (how the
    // hand-written inserts did it).
    const { rows } = await db().pool.query<{ same: boolean }>(
      'SELECT details = $1::jsonb AS same FROM audit_log WHERE actor = $2',
      [details, actor],
    );
    expect(rows).toEqual([{ same: true }]);
  });

  it('writes nothing and sends no statement for no entries', async () => {
    const sent: string[] = [];
    const recording = {
      query: async (sql: string) => {
        sent.push(sql);
        return { rows: [] };
      },
    } as unknown as Queryable;
    await writeAudit(recording);
    expect(sent).toEqual([]);
    await writeAudit(db().pool);
    const { rows } = await db().pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_log');
    expect(rows[0]?.n).toBe('0');
  });
});

describe('auditInsert', () => {
  it('writes the audit entry of a data-modifying WITH in the same statement', async () => {
    const { claimId, messageId } = await claimWithMessage();
    const { rows } = await db().pool.query<{ id: string }>(
      `WITH claim AS (
         UPDATE claims SET assignee = $2, updated_at = now() WHERE id = $1 RETURNING id, message_id
       ), audit AS (
         ${auditInsert(
           `SELECT $3::text, 'review.assign', id, message_id, jsonb_build_object('assignee', $2::text)
              FROM claim`,
         )}
       )
       SELECT id FROM claim`,
      [claimId, 'alice@example.com', 'agent:bob@example.com'],
    );
    expect(rows).toEqual([{ id: String(claimId) }]);
    expect(await entriesOf('agent:bob@example.com')).toMatchObject([
      {
        action: 'review.assign',
        claim_id: String(claimId),
        message_id: messageId,
        details: { assignee: 'alice@example.com' },
      },
    ]);
    const claim = await db().pool.query('SELECT assignee FROM claims WHERE id = $1', [claimId]);
    expect(claim.rows).toEqual([{ assignee: 'alice@example.com' }]);
  });
});
