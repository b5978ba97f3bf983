/**
 * IMAP intake through the real service (startService) against a private Dovecot, the real
 * PostgreSQL and Redis: every message stored exactly once with its INTERNALDATE, moved to
 * Processed, assessed; too-large and unparseable messages quarantined and kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningService, startService } from '../../src/service/index.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type DovecotServer, startDovecot } from '../support/dovecot.ts';
import { deepMultipart } from '../support/hostile.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

let db: TestDatabase;
let redis: TestRedis;
let dovecot: DovecotServer | undefined;
let service: RunningService | undefined;
let outbox: string;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
  await migrate(db.pool);
  outbox = mkdtempSync(join(tmpdir(), 'claim-intake-outbox-')); // role 'all' answers claims
});
afterEach(async () => {
  await service?.stop();
  service = undefined;
  await dovecot?.stop();
  dovecot = undefined;
});
afterAll(async () => {
  await db?.drop();
  await redis?.cleanup();
  rmSync(outbox, { recursive: true, force: true });
});

/** A fresh Dovecot per test: its own port, so its own mailbox name, rows and lock. */
async function freshDovecot(): Promise<DovecotServer> {
  dovecot = await startDovecot();
  return dovecot;
}

async function start(server: DovecotServer, env: Record<string, string> = {}) {
  const config = loadConfig({
    HTTP_PORT: '0', // the console on any free port: test files run side by side
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    IMAP_URL: server.url,
    IMAP_POLL_INTERVAL_MS: '200',
    IMAP_RECONCILE_INTERVAL_MS: '1000',
    POLLER_LOCK_TTL_MS: '2000',
    OUTBOX_DIR: outbox,
    ...env,
  });
  service = await startService(config, 'all', createLogger('silent'));
  return config.mailboxes[0]!.name;
}

function claimEmail(tag: string, n: number): Buffer {
  return Buffer.from(
    [
      `From: customer${n}@example.com`,
      'To: claims@example.net',
      `Subject: Compensation request ${tag} #${n}, account ACC-${n}`,
      `Message-ID: <${tag}-${n}@customers.example>`,
      'Date: Mon, 02 Mar 2026 09:00:00 +0800',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Our server was unreachable (${tag}, message ${n}). Please compensate.`,
      '',
    ].join('\r\n'),
  );
}

async function folders(server: DovecotServer): Promise<string[]> {
  const client = await server.connect();
  try {
    return (await client.list()).map((f) => f.path).sort();
  } finally {
    await client.logout();
  }
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await db.pool.query<{ n: string }>(sql, params)).rows[0]!.n);

describe('IMAP intake', () => {
  it('stores 500 distinct messages exactly once with their INTERNALDATE, moves them to a created Processed folder and assesses them', async () => {
    const server = await freshDovecot();
    expect(await folders(server)).toEqual(['INBOX']);
    const base = Date.parse('2026-03-02T01:00:00Z');
    const dateOf = (n: number) => new Date(base + n * 61_000);
    await server.appendMany(
      Array.from({ length: 500 }, (_, n) => ({
        raw: claimEmail('bulk', n),
        internalDate: dateOf(n),
      })),
    );
    expect(await server.count('INBOX')).toBe(500);

    const mailbox = await start(server, { MAX_MESSAGE_BYTES: '300000' });
    await waitFor(
      async () =>
        (await count('SELECT count(*) n FROM messages WHERE mailbox = $1', [mailbox])) === 500 &&
        (await server.count('INBOX')) === 0,
      { timeoutMs: 30_000, message: '500 stored and moved' },
    );
    expect(await folders(server)).toEqual(['INBOX', 'Processed', 'Quarantine']);
    expect(await server.count('Processed')).toBe(500);
    expect(await server.count('Quarantine')).toBe(0);
    expect(
      await count(
        `SELECT count(DISTINCT m.message_id) n FROM messages m JOIN claims c ON c.message_id = m.id
          WHERE m.mailbox = $1 AND m.state = 'stored'`,
        [mailbox],
      ),
    ).toBe(500);

    for (const n of [0, 1, 137, 250, 388, 499]) {
      const { rows } = await db.pool.query<{ internal_date: Date; received_at: Date }>(
        `SELECT m.internal_date, c.received_at FROM messages m JOIN claims c ON c.message_id = m.id
          WHERE m.mailbox = $1 AND m.message_id = $2`,
        [mailbox, `bulk-${n}@customers.example`],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.internal_date.toISOString()).toBe(dateOf(n).toISOString());
      expect(rows[0]!.received_at.toISOString()).toBe(dateOf(n).toISOString());
    }

    // Role 'all': the worker assesses what the poller stored.
    await waitFor(
      async () =>
        (await count(
          `SELECT count(*) n FROM claims c JOIN messages m ON m.id = c.message_id
            WHERE m.mailbox = $1 AND c.state = 'received'`,
          [mailbox],
        )) === 0,
      { timeoutMs: 60_000, message: 'every claim assessed' },
    );
    expect(
      await count(
        `SELECT count(*) n FROM claims c JOIN messages m ON m.id = c.message_id
          WHERE m.mailbox = $1 AND c.decision IS NOT NULL`,
        [mailbox],
      ),
    ).toBe(500);
    expect(
      await count(
        `SELECT count(*) n FROM audit_log a JOIN messages m ON m.id = a.message_id
          WHERE m.mailbox = $1 AND a.action = 'message.stored'`,
        [mailbox],
      ),
    ).toBe(500);
  });

  it('quarantines a message over MAX_MESSAGE_BYTES (unread) and one the parser rejects (kept), with claims for review', async () => {
    const server = await freshDovecot();
    const line = 'x'.repeat(76);
    const big = Buffer.from(
      `From: customer@example.com\r\nSubject: big attachment\r\nMessage-ID: <big@customers.example>\r\n\r\n${`${line}\r\n`.repeat(5200)}`,
    );
    expect(big.length).toBeGreaterThan(400_000);
    const deep = deepMultipart(3000);
    const received = new Date('2026-03-03T02:03:04Z');
    await server.appendMany([big, deep], { internalDate: received });

    const mailbox = await start(server, { MAX_MESSAGE_BYTES: '300000' });
    await waitFor(async () => (await server.count('Quarantine')) === 2, {
      timeoutMs: 20_000,
      message: 'both quarantined',
    });
    expect(await server.count('INBOX')).toBe(0);
    expect(await server.count('Processed')).toBe(0);

    const { rows } = await db.pool.query(
      `SELECT m.uid, m.state, m.size, m.raw, m.internal_date, c.state AS claim_state, c.reasons
         FROM messages m JOIN claims c ON c.message_id = m.id WHERE m.mailbox = $1 ORDER BY m.uid`,
      [mailbox],
    );
    expect(rows).toHaveLength(2);
    const [tooLarge, unparseable] = rows;
    expect(tooLarge).toMatchObject({
      state: 'quarantined',
      raw: null,
      claim_state: 'review',
      reasons: ['message_too_large'],
    });
    expect(Number(tooLarge.size)).toBe(big.length);
    expect(unparseable).toMatchObject({
      state: 'quarantined',
      claim_state: 'review',
      reasons: ['message_unparseable'],
    });
    expect(Buffer.compare(unparseable.raw, deep)).toBe(0);
    for (const r of rows) expect(r.internal_date.toISOString()).toBe(received.toISOString());

    // Both are still on the server, whole, in Quarantine.
    const client = await server.connect();
    try {
      await client.mailboxOpen('Quarantine', { readOnly: true });
      const kept = await client.fetchAll('1:*', { size: true });
      expect(kept.map((m) => m.size).sort()).toEqual([big.length, deep.length].sort());
    } finally {
      await client.logout();
    }
    // Quarantined claims are not assessed: they wait for an agent.
    expect(
      await count(
        `SELECT count(*) n FROM claims c JOIN messages m ON m.id = c.message_id
          WHERE m.mailbox = $1 AND c.state <> 'review'`,
        [mailbox],
      ),
    ).toBe(0);
  });
});
