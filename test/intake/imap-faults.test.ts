/**
 * IMAP intake under faults, against a private Dovecot, the real PostgreSQL and Redis: the
 * poller SIGKILLed at random moments, a UIDVALIDITY change, Dovecot restarted mid-run,
 * PostgreSQL unreachable for a while. Whatever happens, every message is stored exactly
 * once and leaves the inbox only after it is stored.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningService, startService } from '../../src/service/index.ts';
import { ensureMailbox, sha256Of, storeMessages } from '../../src/store/messages-store.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type DovecotServer, startDovecot } from '../support/dovecot.ts';
import { deepMultipart } from '../support/hostile.ts';
import { type PollerProcess, startPollerProcess } from '../support/poller-process.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait.ts';

let db: TestDatabase;
let redis: TestRedis;
let dovecot: DovecotServer | undefined;
let service: RunningService | undefined;
let poller: PollerProcess | undefined;
let proxy: TcpProxy | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
  await migrate(db.pool);
});
afterEach(async () => {
  await poller?.kill();
  poller = undefined;
  proxy?.resume(); // a paused database would make stop() wait on nothing
  await service?.stop();
  service = undefined;
  await proxy?.close();
  proxy = undefined;
  await dovecot?.stop();
  dovecot = undefined;
});
afterAll(async () => {
  await db?.drop();
  await redis?.cleanup();
});

const FAST = {
  IMAP_POLL_INTERVAL_MS: '200',
  IMAP_RECONCILE_INTERVAL_MS: '1000',
  POLLER_LOCK_TTL_MS: '2000',
};

/** A fresh Dovecot per test: its own port, so its own mailbox name, rows and lock. */
async function freshDovecot(): Promise<{ server: DovecotServer; mailbox: string }> {
  dovecot = await startDovecot();
  return { server: dovecot, mailbox: loadConfig({ IMAP_URL: dovecot.url }).mailboxes[0]!.name };
}

function settings(server: DovecotServer, env: Record<string, string> = {}) {
  return {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    IMAP_URL: server.url,
    ...FAST,
    ...env,
  };
}

/** The service in this process; its log lines (level ≥ warn) are collected in `logs`. */
async function start(server: DovecotServer, env: Record<string, string> = {}) {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('warn', {
    write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>),
  });
  service = await startService(loadConfig(settings(server, env)), 'poller', logger);
  return logs;
}

function claimEmail(tag: string, n: number): Buffer {
  return Buffer.from(
    [
      `From: customer${n}@example.com`,
      'To: claims@example.net',
      `Subject: Compensation request ${tag} #${n}, account ACC-${n}`,
      `Message-ID: <${tag}-${n}@customers.example>`,
      'Date: Mon, 02 Mar 2026 09:00:00 +0800',
      '',
      `Our server was unreachable (${tag}, message ${n}). Please compensate.`,
      '',
    ].join('\r\n'),
  );
}

const emails = (tag: string, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => claimEmail(tag, from + i));

const count = async (sql: string, params: unknown[] = []) =>
  Number((await db.pool.query<{ n: string }>(sql, params)).rows[0]!.n);

const stored = (mailbox: string) =>
  count('SELECT count(*) n FROM messages WHERE mailbox = $1', [mailbox]);

/** Exactly `n` rows, one per Message-ID, each with its claim; the inbox empty, Processed `n`. */
async function expectEachStoredOnce(server: DovecotServer, mailbox: string, n: number) {
  expect(await stored(mailbox)).toBe(n);
  const { rows: doubled } = await db.pool.query(
    'SELECT message_id, count(*) FROM messages WHERE mailbox = $1 GROUP BY message_id HAVING count(*) > 1',
    [mailbox],
  );
  expect(doubled).toEqual([]);
  expect(
    await count(
      `SELECT count(DISTINCT m.message_id) n FROM messages m JOIN claims c ON c.message_id = m.id
        WHERE m.mailbox = $1`,
      [mailbox],
    ),
  ).toBe(n);
  expect(await server.count('INBOX')).toBe(0);
  expect(await server.count('Processed')).toBe(n);
}

const lockKey = (mailbox: string) => `${redis.prefix}:lock:mailbox:${mailbox}`;

describe('IMAP intake under faults', () => {
  it('a poller SIGKILLed at random moments during a 500-message intake, then restarted, stores every message exactly once', async () => {
    const { server, mailbox } = await freshDovecot();
    await server.appendMany(emails('kill', 0, 500));
    // Small batches: many store → move windows for the kills to land in, and a slower intake.
    const env = settings(server, { INTAKE_BATCH_SIZE: '5', LOG_LEVEL: 'info' });
    const storedAtKill: number[] = [];
    const runs: PollerProcess[] = [];
    // A dead predecessor's lock lasts up to its TTL: a new poller leads once it expires.
    const leads = (proc: PollerProcess) =>
      waitFor(
        async () => (await redis.client.get(lockKey(mailbox)))?.includes(`:${proc.pid}:`) === true,
        { timeoutMs: 20_000, message: `poller ${proc.pid} leads: ${proc.output()}` },
      );
    for (let round = 0; round < 5; round++) {
      const before = await stored(mailbox);
      const proc = startPollerProcess(env);
      poller = proc;
      runs.push(proc);
      await leads(proc);
      // The fault injection itself: a random point of the intake, then a random moment
      // around it. A point, not a delay: the whole intake may take less than a second, so a
      // random delay alone often killed a poller that had already finished.
      const target = before + 1 + Math.floor((Math.random() * (500 - before)) / 2);
      await waitFor(
        async () => (await stored(mailbox)) >= target || (await server.count('INBOX')) === 0,
        {
          timeoutMs: 20_000,
          intervalMs: 5,
          message: `poller ${proc.pid} stores: ${proc.output()}`,
        },
      );
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50));
      await proc.kill();
      storedAtKill.push(await stored(mailbox));
    }
    const last = startPollerProcess(env);
    poller = last;
    runs.push(last);
    await leads(last);
    await waitFor(
      async () => (await stored(mailbox)) === 500 && (await server.count('INBOX')) === 0,
      { timeoutMs: 40_000, message: `final run stores and moves the rest: ${last.output()}` },
    );
    await last.stop();
    expect(await last.exited).toMatchObject({ code: 0 });
    // Evidence of the store → move window: a restarted poller found stored, unmoved messages.
    const resumed = runs
      .flatMap((p) => p.logs())
      .filter((l) => l.msg === 'moving messages stored before an interruption')
      .reduce((sum, l) => sum + Number(l.processed), 0);
    console.info(
      `kill test: rows stored at each SIGKILL: ${storedAtKill.join(', ')}; ` +
        `${resumed} stored before a kill were moved by a later run`,
    );
    // At least one kill landed mid-intake (else the test proved nothing).
    expect(storedAtKill.some((n) => n > 0 && n < 500)).toBe(true);
    await expectEachStoredOnce(server, mailbox, 500);
  });

  it('after a UIDVALIDITY change, re-delivered messages are recognised by content and moved, new ones stored: zero duplicates', async () => {
    const { server, mailbox } = await freshDovecot();
    await server.appendMany(emails('uv', 0, 20));
    await start(server);
    await waitFor(
      async () => (await stored(mailbox)) === 20 && (await server.count('INBOX')) === 0,
      {
        timeoutMs: 20_000,
        message: 'first 20 stored and moved',
      },
    );
    await service!.stop();
    service = undefined;
    const before = await ensureMailbox(db.pool, mailbox);

    await server.appendMany(emails('uv', 20, 30)); // arrive while the service is down
    const client = await server.connect();
    try {
      await client.mailboxOpen('Processed');
      // A server that re-delivers after a resync: five processed messages back in the inbox.
      await client.messageCopy('1:5', 'INBOX', { uid: true });
    } finally {
      await client.logout();
    }
    const newValidity = before.uidValidity! + 1000;
    await server.setUidValidity(newValidity);
    expect(await server.count('INBOX')).toBe(15);

    const logs = await start(server);
    await waitFor(
      async () => (await stored(mailbox)) === 30 && (await server.count('INBOX')) === 0,
      {
        timeoutMs: 20_000,
        message: 'new ones stored, re-delivered ones moved',
      },
    );
    expect(logs.some((l) => l.msg === 'UIDVALIDITY changed: resyncing by content hash')).toBe(true);
    expect(await stored(mailbox)).toBe(30);
    const { rows: doubled } = await db.pool.query(
      'SELECT message_id FROM messages WHERE mailbox = $1 GROUP BY message_id HAVING count(*) > 1',
      [mailbox],
    );
    expect(doubled).toEqual([]);
    const { rows: fresh } = await db.pool.query<{ source_key: string }>(
      `SELECT source_key FROM messages WHERE mailbox = $1 AND message_id LIKE 'uv-2_@%' ORDER BY uid`,
      [mailbox],
    );
    expect(fresh).toHaveLength(10);
    for (const r of fresh) expect(r.source_key.startsWith(`${newValidity}:`)).toBe(true);
    expect(await ensureMailbox(db.pool, mailbox)).toMatchObject({ uidValidity: newValidity });
    expect(await server.count('Processed')).toBe(35); // 30 + the 5 re-delivered copies
  });

  it('Dovecot crashed and restarted, then restarted again, during a 300-message intake: the poller reconnects and finishes, each stored once', async () => {
    const { server, mailbox } = await freshDovecot();
    await server.appendMany(emails('restart', 0, 300));
    const logs = await start(server, { INTAKE_BATCH_SIZE: '10' });
    await waitFor(async () => (await stored(mailbox)) > 0, { message: 'intake under way' });
    await server.kill(); // a crash: the poller's connection just drops
    const atCrash = await stored(mailbox);
    expect(atCrash).toBeLessThan(300);
    await server.restart();
    await waitFor(async () => (await stored(mailbox)) > atCrash, {
      timeoutMs: 30_000,
      message: 'intake resumed after the crash',
    });
    // Graceful this time (BYE); the intake may or may not finish while Dovecot winds down.
    const atRestart = await stored(mailbox);
    await server.restart();
    await waitFor(
      async () => (await stored(mailbox)) === 300 && (await server.count('INBOX')) === 0,
      { timeoutMs: 60_000, message: 'all 300 stored and moved' },
    );
    console.info(`restart test: ${atCrash} stored at the crash, ${atRestart} at the restart`);
    expect(logs.filter((l) => l.msg === 'mailbox session failed').length).toBeGreaterThan(0);
    await expectEachStoredOnce(server, mailbox, 300);
  });

  it('while PostgreSQL is unreachable nothing is moved; once it is back, everything is stored once and moved', async () => {
    const { server, mailbox } = await freshDovecot();
    const pg = new URL(db.url);
    proxy = await startProxy(pg.hostname, Number(pg.port || 5432));
    const logs = await start(server, { DATABASE_URL: proxy.via(db.url) });
    await server.appendMany(emails('pg', 0, 5));
    await waitFor(
      async () => (await stored(mailbox)) === 5 && (await server.count('INBOX')) === 0,
      {
        timeoutMs: 20_000,
        message: 'first 5 stored and moved',
      },
    );

    const failures = () => logs.filter((l) => l.msg === 'mailbox session failed').length;
    const failedBefore = failures();
    proxy.pause();
    await server.appendMany(emails('pg', 5, 55));
    // Wait until the poller has tried, and failed, a few times with the database away.
    await waitFor(() => failures() >= failedBefore + 3, {
      timeoutMs: 30_000,
      message: 'the poller retried with the database away',
    });
    expect(await server.count('INBOX')).toBe(50);
    expect(await server.count('Processed')).toBe(5);
    expect(await stored(mailbox)).toBe(5);

    proxy.resume();
    await waitFor(
      async () => (await stored(mailbox)) === 55 && (await server.count('INBOX')) === 0,
      {
        timeoutMs: 60_000,
        message: 'the 50 stored and moved once the database is back',
      },
    );
    await expectEachStoredOnce(server, mailbox, 55);
  });

  it('a quarantined message stored before a crash but never moved goes to Quarantine, not Processed, on restart', async () => {
    const { server, mailbox } = await freshDovecot();
    const deep = deepMultipart(2999); // distinct bytes from the other files' hostile message
    await server.appendMany([deep, claimEmail('crash', 1)]);
    const client = await server.connect();
    let uidValidity: number;
    try {
      uidValidity = Number((await client.mailboxOpen('INBOX')).uidValidity);
    } finally {
      await client.logout();
    }
    // The first run stored both (UIDs 1 and 2) and died before moving them.
    await ensureMailbox(db.pool, mailbox);
    const received = new Date('2026-03-04T01:00:00Z');
    const common = { uidValidity, internalDate: received };
    const ok = claimEmail('crash', 1);
    await storeMessages(
      db.pool,
      mailbox,
      [
        {
          ...common,
          sourceKey: `${uidValidity}:1`,
          uid: 1,
          raw: deep,
          size: deep.length,
          messageId: 'hostile@example.com',
          sha256: sha256Of(deep),
          quarantine: 'unparseable',
        },
        {
          ...common,
          sourceKey: `${uidValidity}:2`,
          uid: 2,
          raw: ok,
          size: ok.length,
          messageId: 'crash-1@customers.example',
          sha256: sha256Of(ok),
          quarantine: null,
        },
      ],
      { uidValidity, lastUid: 2 },
    );
    await start(server);
    await waitFor(async () => (await server.count('INBOX')) === 0, {
      timeoutMs: 20_000,
      message: 'both moved',
    });
    expect(await server.count('Quarantine')).toBe(1);
    expect(await server.count('Processed')).toBe(1);
    expect(await stored(mailbox)).toBe(2);
  });
});
