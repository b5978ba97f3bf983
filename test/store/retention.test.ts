import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatClaimRef } from '../../src/domain/claim-ref.ts';
import { loadCalendarFile, loadPolicyFile } from '../../src/files/load.ts';
import { assessClaim } from '../../src/pipeline/assess-claim.ts';
import { saveEngineSettings } from '../../src/store/assessment-inputs.ts';
import { ensureMailbox, sha256Of, storeMessages } from '../../src/store/messages-store.ts';
import { migrate } from '../../src/store/migrate.ts';
import {
  countConsoleLeftovers,
  countPurgeable,
  deleteExpiredSessions,
  deleteOldSignInAttempts,
  purgeRawSources,
} from '../../src/store/retention.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

const MAILBOX = 'maildir:/srv/retention-test';
const DAY_MS = 24 * 60 * 60 * 1000;

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  await ensureMailbox(db.pool, MAILBOX);
}, 30_000);
afterEach(() => db?.drop());

function source(n: string): Buffer {
  return Buffer.from(
    `From: customer-${n}@example.com\r\nTo: claims@example.com\r\nSubject: claim ${n}\r\nMessage-ID: <${n}@example.com>\r\n\r\nPlease compensate ${n}.\r\n`,
  );
}

/** Stores one message as intake does, then sets its claim's state and the message's age. */
async function claimOf(n: string, state: string, ageDays: number): Promise<number> {
  const raw = source(n);
  const [out] = await storeMessages(db.pool, MAILBOX, [
    {
      sourceKey: n,
      uidValidity: null,
      uid: null,
      raw,
      size: raw.length,
      internalDate: new Date(Date.now() - ageDays * DAY_MS),
      messageId: `${n}@example.com`,
      sha256: sha256Of(raw),
      quarantine: null,
    },
  ]);
  const claimId = out!.claimId!;
  await db.pool.query(`UPDATE claims SET state = $2, decision = 'approved' WHERE id = $1`, [
    claimId,
    state,
  ]);
  await db.pool.query(
    `UPDATE messages SET created_at = now() - make_interval(days => $2)
      FROM claims c WHERE c.message_id = messages.id AND c.id = $1`,
    [claimId, ageDays],
  );
  return claimId;
}

async function messageOf(claimId: number) {
  const { rows } = await db.pool.query<{
    id: string;
    raw: Buffer | null;
    purged_at: Date | null;
    sha256: Buffer;
    message_id: string | null;
  }>(
    `SELECT m.id, m.raw, m.purged_at, m.sha256, m.message_id FROM claims c
       JOIN messages m ON m.id = c.message_id WHERE c.id = $1`,
    [claimId],
  );
  return rows[0]!;
}

async function addReply(claimId: number, state: string, ageDays: number): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO replies (claim_id, decision_version, kind, lang, to_address, message_id, subject, raw, state, created_at)
     VALUES ($1, 1, 'approved', 'en', 'c@example.com', $2, 'Re: claim', $3, $4, now() - make_interval(days => $5))
     RETURNING id`,
    [claimId, `<reply-${claimId}@claims.example>`, Buffer.from('reply source'), state, ageDays],
  );
  return rows[0]!.id;
}

async function engineContext() {
  const examples = join(REPO_ROOT, 'examples');
  return saveEngineSettings(
    db.pool,
    await loadPolicyFile(join(examples, 'policy.json')),
    await loadCalendarFile(join(examples, 'calendar.json')),
  );
}

/** Stores a customer's answer naming the claim's reference in its subject; its claim id. */
/** The original's sender answering it (only the original sender or a contact may amend a claim). */
async function lateAnswer(claimId: number, n: string): Promise<number> {
  const raw = Buffer.from(
    `From: customer-${n}@example.com\r\nTo: claims@example.com\r\nSubject: Re: [${formatClaimRef(claimId)}] my claim\r\nMessage-ID: <answer-${claimId}@example.com>\r\n\r\nThe order was ORD-1.\r\n`,
  );
  const [out] = await storeMessages(db.pool, MAILBOX, [
    {
      sourceKey: `answer-${claimId}`,
      uidValidity: null,
      uid: null,
      raw,
      size: raw.length,
      internalDate: new Date(),
      messageId: `answer-${claimId}@example.com`,
      sha256: sha256Of(raw),
      quarantine: null,
    },
  ]);
  return out!.claimId!;
}

describe('purgeRawSources', () => {
  it('drops the raw source of old messages whose claim is finished, and keeps the row', async () => {
    const answered = await claimOf('answered', 'answered', 400);
    const ignored = await claimOf('ignored', 'ignored', 366);
    const closed = await claimOf('closed', 'closed', 500);
    const counts = await purgeRawSources(db.pool, 365);
    expect(counts.messages).toBe(3);
    for (const id of [answered, ignored, closed]) {
      const m = await messageOf(id);
      expect(m.raw).toBeNull();
      expect(m.purged_at).toBeInstanceOf(Date);
      // The hash and Message-ID stay: duplicates and late answers are still recognised.
      expect(m.sha256.length).toBe(32);
      expect(m.message_id).not.toBeNull();
    }
  });

  it('keeps messages younger than the retention period', async () => {
    const young = await claimOf('young', 'answered', 364);
    expect((await purgeRawSources(db.pool, 365)).messages).toBe(0);
    expect((await messageOf(young)).raw).not.toBeNull();
  });

  it('never purges a message whose claim is unfinished, however old', async () => {
    const open: number[] = [];
    for (const state of ['received', 'assessed', 'review', 'settling', 'settled'])
      open.push(await claimOf(`open-${state}`, state, 1000));
    expect((await purgeRawSources(db.pool, 365)).messages).toBe(0);
    for (const id of open) expect((await messageOf(id)).raw).not.toBeNull();
  });

  it('keeps a merged follow-up while the claim it was merged into is open', async () => {
    const parent = await claimOf('parent', 'review', 500);
    const followUp = await claimOf('follow-up', 'merged', 400);
    const followUpMessage = (await messageOf(followUp)).id;
    await db.pool.query('INSERT INTO claim_messages (claim_id, message_id) VALUES ($1, $2)', [
      parent,
      followUpMessage,
    ]);
    expect((await purgeRawSources(db.pool, 365)).messages).toBe(0);
    await db.pool.query(`UPDATE claims SET state = 'answered' WHERE id = $1`, [parent]);
    expect((await purgeRawSources(db.pool, 365)).messages).toBe(2);
    expect((await messageOf(followUp)).raw).toBeNull();
  });

  it('leaves claims, the ledger and the audit log as they were', async () => {
    const id = await claimOf('ledger', 'answered', 400);
    await db.pool.query(
      `INSERT INTO ledger_entries (claim_id, account, kind, incident, amount, currency)
       VALUES ($1, 'ACC-1', 'compensation', 'INC-1', 12.5, 'CNY')`,
      [id],
    );
    const snapshot = async () => ({
      claims: (await db.pool.query('SELECT * FROM claims ORDER BY id')).rows,
      ledger: (await db.pool.query('SELECT * FROM ledger_entries ORDER BY id')).rows,
      audit: (await db.pool.query('SELECT * FROM audit_log ORDER BY id')).rows,
    });
    const before = await snapshot();
    expect((await purgeRawSources(db.pool, 365)).messages).toBe(1);
    expect(await snapshot()).toEqual(before);
  });

  it('works in batches and purges nothing more on a second run', async () => {
    for (let i = 0; i < 5; i++) await claimOf(`batch-${i}`, 'answered', 400);
    // Old open claims between them are passed over, not purged, by every batch.
    await claimOf('batch-open', 'review', 400);
    const counts = await purgeRawSources(db.pool, 365, 2);
    expect(counts).toEqual({ messages: 5, replies: 0, batches: 3 });
    expect(await purgeRawSources(db.pool, 365, 2)).toEqual({
      messages: 0,
      replies: 0,
      batches: 0,
    });
  });

  it('still recognises a purged message delivered again as a duplicate', async () => {
    await claimOf('again', 'answered', 400);
    await purgeRawSources(db.pool, 365);
    const raw = source('again');
    const [out] = await storeMessages(db.pool, MAILBOX, [
      {
        sourceKey: 'again-redelivered',
        uidValidity: null,
        uid: null,
        raw,
        size: raw.length,
        internalDate: new Date(),
        messageId: 'again@example.com',
        sha256: sha256Of(raw),
        quarantine: null,
      },
    ]);
    expect(out?.status).toBe('duplicate');
  });

  it('drops sent replies of finished claims, never a pending, failed or open one', async () => {
    const done = await claimOf('reply-done', 'answered', 400);
    const open = await claimOf('reply-open', 'review', 400);
    const failedClaim = await claimOf('reply-failed', 'closed', 400);
    const sent = await addReply(done, 'sent', 400);
    const onOpen = await addReply(open, 'sent', 400);
    const failed = await addReply(failedClaim, 'failed', 400);
    const counts = await purgeRawSources(db.pool, 365);
    expect(counts.replies).toBe(1);
    const { rows } = await db.pool.query<{ id: string; raw: Buffer | null; purged: boolean }>(
      'SELECT id, raw, purged_at IS NOT NULL AS purged FROM replies ORDER BY id',
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(sent)).toMatchObject({ raw: null, purged: true });
    expect(byId.get(onOpen)?.raw).not.toBeNull();
    expect(byId.get(failed)?.raw).not.toBeNull();
    // The Message-ID that threads a late answer to its claim is kept.
    const kept = await db.pool.query('SELECT 1 FROM replies WHERE message_id = $1', [
      `<reply-${done}@claims.example>`,
    ]);
    expect(kept.rowCount).toBe(1);
  });

  it('refuses to drop the bytes of a reply that may still be sent', async () => {
    const id = await claimOf('guard', 'answered', 400);
    const pending = await addReply(id, 'pending', 400);
    await expect(
      db.pool.query('UPDATE replies SET raw = NULL WHERE id = $1', [pending]),
    ).rejects.toMatchObject({ constraint: 'replies_raw_until_sent' });
  });

  it('counts what it would purge without changing anything', async () => {
    const id = await claimOf('count', 'answered', 400);
    await addReply(id, 'sent', 400);
    await claimOf('count-open', 'review', 400);
    expect(await countPurgeable(db.pool, 365)).toEqual({ messages: 1, replies: 1 });
    expect((await messageOf(id)).raw).not.toBeNull();
  });

  it('lets a late answer to a purged needs-info claim be assessed as a claim of its own', async () => {
    const original = await claimOf('needs-info', 'answered', 400);
    await db.pool.query(`UPDATE claims SET decision = 'needs_info' WHERE id = $1`, [original]);
    await purgeRawSources(db.pool, 365);
    const answer = await lateAnswer(original, 'needs-info');
    const assessed = await assessClaim(db.pool, answer, await engineContext());
    expect(assessed?.claimId).toBe(answer);
    expect(assessed?.mergedInto).toBeUndefined();
    const { rows } = await db.pool.query<{ version: number; state: string }>(
      'SELECT version, state FROM claims WHERE id = $1',
      [original],
    );
    expect(rows[0]).toEqual({ version: 0, state: 'answered' });
  });

  it('does not merge an answer into an original purged while the answer waited for its claim', async () => {
    const original = await claimOf('racing', 'answered', 400);
    await db.pool.query(`UPDATE claims SET decision = 'needs_info' WHERE id = $1`, [original]);
    const answer = await lateAnswer(original, 'racing');
    const ctx = await engineContext();
    // The purge's transaction, step by step: the claim locked, then its message purged.
    const purge = new pg.Client({ connectionString: db.url });
    await purge.connect();
    try {
      await purge.query('BEGIN');
      await purge.query('SELECT id FROM claims WHERE id = $1 FOR SHARE', [original]);
      const assessing = assessClaim(db.pool, answer, ctx);
      await waitFor(
        async () =>
          (
            await purge.query(
              `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
              [db.name],
            )
          ).rowCount === 1,
        { message: 'the assessment waiting for the original claim' },
      );
      await purge.query(
        `UPDATE messages SET raw = NULL, purged_at = now()
          FROM claims c WHERE c.message_id = messages.id AND c.id = $1`,
        [original],
      );
      await purge.query('COMMIT');
      const assessed = await assessing;
      expect(assessed?.mergedInto).toBeUndefined();
      expect(assessed?.claimId).toBe(answer);
    } finally {
      await purge.end();
    }
  });

  it('rejects a retention that is not a whole number of days ≥ 1', async () => {
    await expect(purgeRawSources(db.pool, 0)).rejects.toThrow(RangeError);
    await expect(purgeRawSources(db.pool, 1.5)).rejects.toThrow(RangeError);
  });
});

describe('console clean-up', () => {
  async function user(): Promise<string> {
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO users (email, role, password_hash) VALUES ('agent@example.com', 'agent', 'x') RETURNING id`,
    );
    return rows[0]!.id;
  }

  it('deletes expired sessions and keeps live ones', async () => {
    const userId = await user();
    for (const [id, expires] of [
      ['expired-1', '-1 hour'],
      ['expired-2', '-30 days'],
      ['live', '+1 hour'],
    ] as const) {
      await db.pool.query(
        `INSERT INTO sessions (id, user_id, csrf_token, expires_at) VALUES ($1, $2, 'csrf', now() + $3::interval)`,
        [id, userId, expires],
      );
    }
    expect(await countConsoleLeftovers(db.pool, DAY_MS)).toMatchObject({ sessions: 2 });
    expect(await deleteExpiredSessions(db.pool, 1)).toBe(2);
    const { rows } = await db.pool.query('SELECT id FROM sessions');
    expect(rows).toEqual([{ id: 'live' }]);
  });

  it('deletes sign-in attempts older than the given age and keeps the recent ones', async () => {
    for (const [ago, ok] of [
      ['25 hours', false],
      ['3 days', true],
      ['23 hours', false],
      ['1 minute', false],
    ] as const) {
      await db.pool.query(
        `INSERT INTO sign_in_attempts (email, ip, ok, at) VALUES ('a@example.com', '192.0.2.1', $1, now() - $2::interval)`,
        [ok, ago],
      );
    }
    expect(await countConsoleLeftovers(db.pool, DAY_MS)).toMatchObject({ signInAttempts: 2 });
    expect(await deleteOldSignInAttempts(db.pool, DAY_MS, 1)).toBe(2);
    const { rows } = await db.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM sign_in_attempts',
    );
    expect(Number(rows[0]!.n)).toBe(2);
  });
});
