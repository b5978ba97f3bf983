import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import {
  HOUSEKEEPING_LOCK_KEY,
  type HousekeepingOutcome,
  runHousekeeping,
} from '../../src/ops/housekeeping.ts';
import {
  HOUSEKEEPING_QUEUE,
  startHousekeepingScheduler,
} from '../../src/ops/housekeeping-scheduler.ts';
import { queuePrefix } from '../../src/pipeline/queues.ts';
import { migrate } from '../../src/store/migrate.ts';
import { jsonLines, runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTestRedis, redisOptions } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { type ApiFixture, as, createApiFixture } from '../web/review-api-fixture.ts';

const silent = createLogger('silent');

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  await migrate(db.pool);
  return db;
}

async function auditRuns(db: TestDatabase) {
  const { rows } = await db.pool.query<{ actor: string; details: Record<string, number> }>(
    `SELECT actor, details FROM audit_log WHERE action = 'housekeeping.run' ORDER BY id`,
  );
  return rows;
}

async function seedConsole(db: TestDatabase): Promise<void> {
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO users (email, role, password_hash) VALUES ('ops@example.com', 'ops', 'x')
     ON CONFLICT (email) DO UPDATE SET role = 'ops' RETURNING id`,
  );
  await db.pool.query(
    `INSERT INTO sessions (id, user_id, csrf_token, expires_at) VALUES
       ('old', $1, 'c', now() - interval '1 day'), ('live', $1, 'c', now() + interval '1 hour')
     ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
    [rows[0]!.id],
  );
  await db.pool.query(
    `INSERT INTO sign_in_attempts (email, ip, ok, at) VALUES
       ('a@example.com', '192.0.2.1', false, now() - interval '2 days'),
       ('a@example.com', '192.0.2.1', false, now() - interval '5 minutes')`,
  );
}

describe('runHousekeeping', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  }, 30_000);
  afterAll(() => db?.drop());

  it('counts without changing anything on a dry run, and writes no audit entry', async () => {
    await seedConsole(db);
    const outcome = await runHousekeeping(db.pool, silent, { retentionDays: 365, dryRun: true });
    expect(outcome).toEqual({
      status: 'done',
      dryRun: true,
      retentionDays: 365,
      interrupted: false,
      counts: { messagesPurged: 0, repliesPurged: 0, sessionsDeleted: 1, signInAttemptsDeleted: 1 },
    });
    const sessions = await db.pool.query('SELECT id FROM sessions');
    expect(sessions.rowCount).toBe(2);
    expect(await auditRuns(db)).toEqual([]);
  });

  it('cleans the console tables and writes one audit entry with the counts per run', async () => {
    const first = await runHousekeeping(db.pool, silent, { retentionDays: 365 });
    expect(first).toMatchObject({
      status: 'done',
      counts: { sessionsDeleted: 1, signInAttemptsDeleted: 1 },
    });
    const second = await runHousekeeping(db.pool, silent, { retentionDays: 365 });
    expect(second).toMatchObject({ counts: { sessionsDeleted: 0, signInAttemptsDeleted: 0 } });
    const runs = await auditRuns(db);
    expect(runs).toEqual([
      {
        actor: 'system:housekeeping',
        details: {
          retention_days: 365,
          messages_purged: 0,
          replies_purged: 0,
          sessions_deleted: 1,
          sign_in_attempts_deleted: 1,
        },
      },
      {
        actor: 'system:housekeeping',
        details: {
          retention_days: 365,
          messages_purged: 0,
          replies_purged: 0,
          sessions_deleted: 0,
          sign_in_attempts_deleted: 0,
        },
      },
    ]);
    const attempts = await db.pool.query('SELECT 1 FROM sign_in_attempts');
    expect(attempts.rowCount).toBe(1);
  });

  it('skips while another run holds the cluster-wide lock, and runs once it is released', async () => {
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::bigint)', [HOUSEKEEPING_LOCK_KEY]);
      const before = (await auditRuns(db)).length;
      const outcome = await runHousekeeping(db.pool, silent, { retentionDays: 365 });
      expect(outcome.status).toBe('skipped');
      expect(await auditRuns(db)).toHaveLength(before);
      await other.query('SELECT pg_advisory_unlock($1::bigint)', [HOUSEKEEPING_LOCK_KEY]);
      expect((await runHousekeeping(db.pool, silent, { retentionDays: 365 })).status).toBe('done');
    } finally {
      await other.end();
    }
  });

  it('stops between batches once its signal is aborted, and says so in the audit entry', async () => {
    await seedConsole(db);
    const stop = new AbortController();
    stop.abort();
    const outcome = await runHousekeeping(db.pool, silent, {
      retentionDays: 365,
      signal: stop.signal,
    });
    expect(outcome).toMatchObject({
      status: 'done',
      interrupted: true,
      counts: { sessionsDeleted: 0, signInAttemptsDeleted: 0 },
    });
    expect((await auditRuns(db)).at(-1)?.details).toMatchObject({ interrupted: true });
    // The next run carries on.
    expect(await runHousekeeping(db.pool, silent, { retentionDays: 365 })).toMatchObject({
      interrupted: false,
      counts: { sessionsDeleted: 1, signInAttemptsDeleted: 1 },
    });
  });

  it('rejects options that make no sense instead of guessing', async () => {
    await expect(runHousekeeping(db.pool, silent, { retentionDays: -1 })).rejects.toThrow(
      RangeError,
    );
    await expect(
      runHousekeeping(db.pool, silent, { retentionDays: 30, batchSize: 0 }),
    ).rejects.toThrow(RangeError);
  });
});

describe('a purged claim in the console', () => {
  let x: ApiFixture;
  let claimId: number;
  let outcome: HousekeepingOutcome;
  beforeAll(async () => {
    x = await createApiFixture();
    claimId = x.f.ids.late;
    const pool = x.f.db.pool;
    // A claim answered long ago: its message and our reply are both past retention.
    await pool.query(`UPDATE claims SET state = 'answered' WHERE id = $1`, [claimId]);
    await pool.query(
      `UPDATE messages SET created_at = now() - interval '400 days'
        FROM claims c WHERE c.message_id = messages.id AND c.id = $1`,
      [claimId],
    );
    await pool.query(
      `INSERT INTO replies (claim_id, decision_version, kind, lang, to_address, message_id, subject, raw, state, created_at, sent_at)
       VALUES ($1, 1, 'rejected', 'en', 'customer@example.com', '<late.v1@claims.example>', 'Re: your claim',
               $2, 'sent', now() - interval '400 days', now() - interval '400 days')`,
      [claimId, Buffer.from('Subject: Re: your claim\r\n\r\nWe are sorry.\r\n')],
    );
    outcome = await runHousekeeping(pool, silent, { retentionDays: 365 });
  }, 60_000);
  afterAll(() => x?.close());

  it('purged the old message and reply and kept the claims in review', async () => {
    expect(outcome).toMatchObject({
      status: 'done',
      counts: { messagesPurged: 1, repliesPurged: 1 },
    });
    const { rows } = await x.f.db.pool.query<{ id: string; has_raw: boolean }>(
      'SELECT c.id, m.raw IS NOT NULL AS has_raw FROM claims c JOIN messages m ON m.id = c.message_id ORDER BY c.id',
    );
    for (const r of rows) expect(r.has_raw, `claim ${r.id}`).toBe(Number(r.id) !== claimId);
  });

  it('shows the claim with "original purged" instead of failing', async () => {
    const res = await x.app.inject({ url: `/api/review/claims/${claimId}`, headers: as(x.agent) });
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.email.purgedAt).toEqual(expect.any(String));
    expect(d.email.parseError).toMatch(/^original purged on \d{4}-\d{2}-\d{2}$/);
    expect(d.email.attachments).toEqual([]);
    // The decision stays; the thread still lists both messages, marked as purged.
    expect(d.decision).not.toBeNull();
    expect(d.thread).toHaveLength(2);
    const reply = d.thread.find((t: { direction: string }) => t.direction === 'reply');
    expect(reply).toMatchObject({
      subject: 'Re: your claim',
      to: ['customer@example.com'],
      text: '',
      state: 'sent',
      purgedAt: expect.any(String),
    });
  });

  it('says the email was purged in the email document and on the claim page', async () => {
    const doc = await x.app.inject({
      url: `/api/review/claims/${claimId}/email.html`,
      headers: as(x.agent),
    });
    expect(doc.statusCode).toBe(200);
    expect(doc.body).toMatch(/The original email was purged on \d{4}-\d{2}-\d{2}\./);
    const page = await x.app.inject({ url: `/claims/${claimId}`, headers: as(x.agent) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="purged"');
    expect(page.body).toMatch(/Original purged on \d{4}-\d{2}-\d{2}/);
  });

  it('answers a download of a purged attachment with a 404 that says why', async () => {
    const res = await x.app.inject({
      url: `/api/review/claims/${claimId}/attachments/0`,
      headers: as(x.agent),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: {
        code: 'not_found',
        message: expect.stringMatching(/purged on .*attachments are gone/),
      },
    });
  });
});

describe('the housekeeping schedule', () => {
  it('runs once per interval across two instances sharing Redis and PostgreSQL', async () => {
    const db = await freshDatabase();
    const redis = await createTestRedis();
    const options = {
      pool: db.pool,
      redis: { url: redis.url, prefix: redis.prefix },
      logger: silent,
      intervalMs: 60 * 60 * 1000,
      housekeeping: { retentionDays: 365 },
    };
    const one = startHousekeepingScheduler(options);
    const two = startHousekeepingScheduler(options);
    const queue = new Queue(HOUSEKEEPING_QUEUE, {
      connection: redisOptions(redis.url),
      prefix: queuePrefix(redis.prefix),
    });
    try {
      await Promise.all([one.scheduled, two.scheduled]);
      await waitFor(async () => (await auditRuns(db)).length > 0, {
        timeoutMs: 20_000,
        message: 'a scheduled housekeeping run',
      });
      await waitFor(async () => (await queue.getJobCounts('active')).active === 0, {
        message: 'the run to finish',
      });
      expect(await queue.getJobSchedulers()).toHaveLength(1);
      // The next run is an hour away: one job done, one waiting for its time, none else.
      const counts = await queue.getJobCounts('completed', 'delayed', 'wait', 'active', 'failed');
      expect(counts).toEqual({ completed: 1, delayed: 1, wait: 0, active: 0, failed: 0 });
      expect(await auditRuns(db)).toHaveLength(1);
    } finally {
      await queue.close();
      await Promise.all([one.close(), two.close()]);
      await redis.cleanup();
      await db.drop();
    }
  }, 60_000);
});

describe('claim-intake housekeeping', () => {
  let db: TestDatabase;
  let bare: TestDatabase;
  beforeAll(async () => {
    [db, bare] = await Promise.all([freshDatabase(), createTestDatabase()]);
    await seedConsole(db);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([db?.drop(), bare?.drop()]);
  });
  const env = (url: string, extra: Record<string, string> = {}) => ({
    env: { DATABASE_URL: url, LOG_LEVEL: 'silent', ...extra },
  });

  it('counts on --dry-run, then runs and prints the counts as one JSON line', async () => {
    const dry = await runCli(['housekeeping', '--dry-run'], env(db.url, { RETENTION_DAYS: '30' }));
    expect(dry.code).toBe(0);
    expect(jsonLines(dry.stdout)).toEqual([
      {
        status: 'done',
        dryRun: true,
        retentionDays: 30,
        interrupted: false,
        counts: {
          messagesPurged: 0,
          repliesPurged: 0,
          sessionsDeleted: 1,
          signInAttemptsDeleted: 1,
        },
      },
    ]);
    expect(await auditRuns(db)).toEqual([]);
    const run = await runCli(['housekeeping'], env(db.url, { RETENTION_DAYS: '30' }));
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout)).toEqual([
      expect.objectContaining({ status: 'done', dryRun: false, retentionDays: 30 }),
    ]);
    expect(await auditRuns(db)).toHaveLength(1);
    expect((await db.pool.query('SELECT 1 FROM sessions')).rowCount).toBe(1);
  }, 30_000);

  it('exits 2 on an unknown argument or a bad RETENTION_DAYS, 1 on an unmigrated database', async () => {
    const flag = await runCli(['housekeeping', '--now'], env(db.url));
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unexpected argument '--now'/);
    const days = await runCli(['housekeeping'], env(db.url, { RETENTION_DAYS: 'forever' }));
    expect(days.code).toBe(2);
    expect(days.stderr).toMatch(/RETENTION_DAYS: must be a whole number/);
    const unmigrated = await runCli(['housekeeping'], env(bare.url));
    expect(unmigrated.code).toBe(1);
    expect(unmigrated.stderr).toMatch(/run 'claim-intake migrate' first/);
    expect(unmigrated.stdout).toBe('');
  }, 30_000);
});
