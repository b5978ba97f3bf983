/**
 * One poller per mailbox, for real: two `claim-intake start --role poller` processes on
 * one Dovecot mailbox, the real Redis lock between them. Only the lock holder polls and
 * stores; when it dies (SIGKILL) or stops (SIGTERM), the other takes over and ingests
 * what arrives next, each message stored once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { runAsLeader } from '../../src/intake/leader-loop.ts';
import { MailboxLock } from '../../src/intake/mailbox-lock.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningService, startService } from '../../src/service/index.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type DovecotServer, startDovecot } from '../support/dovecot.ts';
import { type PollerProcess, startPollerProcess } from '../support/poller-process.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

const TTL_MS = 2000;

let db: TestDatabase;
let redis: TestRedis;
let dovecot: DovecotServer | undefined;
let service: RunningService | undefined;
const processes: PollerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
  await migrate(db.pool);
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
  await service?.stop();
  service = undefined;
  await dovecot?.stop();
  dovecot = undefined;
});
afterAll(async () => {
  await db?.drop();
  await redis?.cleanup();
});

function claimEmail(tag: string, n: number): Buffer {
  return Buffer.from(
    [
      `From: customer${n}@example.com`,
      'To: claims@example.net',
      `Subject: Refund request ${tag} #${n}, account ACC-${n}`,
      `Message-ID: <${tag}-${n}@customers.example>`,
      '',
      `Please refund order ORD-${tag}-${n}.`,
      '',
    ].join('\r\n'),
  );
}

const emails = (tag: string, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => claimEmail(tag, from + i));

const stored = async (mailbox: string) =>
  Number(
    (
      await db.pool.query<{ n: string }>(
        'SELECT count(DISTINCT message_id) n FROM messages WHERE mailbox = $1',
        [mailbox],
      )
    ).rows[0]!.n,
  );

const storedBy = (p: PollerProcess) =>
  p
    .logs()
    .filter((l) => l.msg === 'batch stored and moved')
    .reduce((sum, l) => sum + Number(l.stored), 0);

/** Dovecot, two pollers on its INBOX, both started; returns them as [leader, standby]. */
async function twoPollers() {
  dovecot = await startDovecot();
  const server = dovecot;
  const mailbox = loadConfig({ IMAP_URL: server.url }).mailboxes[0]!.name;
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    IMAP_URL: server.url,
    IMAP_POLL_INTERVAL_MS: '200',
    IMAP_RECONCILE_INTERVAL_MS: '1000',
    POLLER_LOCK_TTL_MS: String(TTL_MS),
    LOG_LEVEL: 'info',
  };
  const pair = [startPollerProcess(env), startPollerProcess(env)];
  processes.push(...pair);
  const key = `${redis.prefix}:lock:mailbox:${mailbox}`;
  const holder = () => redis.client.get(key);
  const started = (p: PollerProcess) => p.logs().some((l) => l.msg === 'claim-intake started');
  await waitFor(async () => pair.every(started) && (await holder()) !== null, {
    timeoutMs: 60_000,
    message: `both pollers up, one holding the lock: ${pair.map((p) => p.output()).join('\n')}`,
  });
  const value = (await holder())!;
  const leader = pair.find((p) => value.includes(`:${p.pid}:`));
  if (!leader) throw new Error(`lock held by neither poller: ${value}`);
  const standby = pair.find((p) => p !== leader)!;
  return { server, mailbox, key, holder, leader, standby };
}

describe('two pollers on one mailbox', () => {
  it('only the lock holder polls and stores; when it is killed the other takes over once the lock expires and ingests new mail', async () => {
    const { server, mailbox, key, holder, leader, standby } = await twoPollers();
    const holders = new Set<string | null>();
    await server.appendMany(emails('pair', 0, 100));
    await waitFor(
      async () => {
        holders.add(await holder());
        return (await stored(mailbox)) === 100 && (await server.count('INBOX')) === 0;
      },
      { timeoutMs: 30_000, message: '100 stored and moved' },
    );
    expect(holders.size).toBe(1); // the same holder (host:pid:token) all along
    expect(storedBy(leader)).toBe(100);
    expect(storedBy(standby)).toBe(0);
    const opened = (p: PollerProcess) => p.logs().filter((l) => l.msg === 'IMAP session open');
    expect(opened(standby)).toEqual([]); // the standby never even connected to IMAP
    expect(opened(leader).length).toBeGreaterThan(0);

    await leader.kill();
    const killedAt = Date.now();
    // What bounds the takeover: the dead holder's key expires on its own within one TTL
    // (nobody renews it now), and the standby retries every 1/4–3/8 TTL.
    const left = await redis.client.pttl(key);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(TTL_MS);
    await server.appendMany(emails('pair', 100, 120)); // arrives while nobody leads
    await waitFor(async () => (await holder())?.includes(`:${standby.pid}:`) === true, {
      timeoutMs: 10 * TTL_MS,
      intervalMs: 20,
      message: 'the standby holds the lock',
    });
    // An observation, not an assertion (a loaded machine stretches it).
    console.info(`failover: standby leads ${Date.now() - killedAt} ms after the leader's SIGKILL`);
    await waitFor(
      async () => (await stored(mailbox)) === 120 && (await server.count('INBOX')) === 0,
      { timeoutMs: 20_000, message: 'the new leader ingests what arrived' },
    );
    expect(storedBy(standby)).toBe(20);
    expect(await server.count('Processed')).toBe(120);
    const { rows } = await db.pool.query(
      'SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS ids FROM messages WHERE mailbox = $1',
      [mailbox],
    );
    expect(rows[0]).toEqual({ n: 120, ids: 120 });
  });

  it('a leader stopped gracefully releases the lock at once and the other takes over', async () => {
    const { server, mailbox, holder, leader, standby } = await twoPollers();
    await server.appendMany(emails('stop', 0, 10));
    await waitFor(async () => (await stored(mailbox)) === 10, { message: '10 stored' });
    expect(storedBy(standby)).toBe(0);

    await leader.stop();
    expect(await leader.exited).toEqual({ code: 0, signal: null });
    // Released on the way out, not left to expire: the standby need not wait out a TTL.
    expect((await holder()) ?? '').not.toContain(`:${leader.pid}:`);
    await waitFor(async () => (await holder())?.includes(`:${standby.pid}:`) === true, {
      timeoutMs: 10 * TTL_MS,
      intervalMs: 20,
      message: 'the standby holds the lock',
    });
    await server.appendMany(emails('stop', 10, 15));
    await waitFor(
      async () => (await stored(mailbox)) === 15 && (await server.count('INBOX')) === 0,
      { timeoutMs: 20_000, message: 'the new leader ingests what arrived' },
    );
    expect(storedBy(leader)).toBe(10);
    expect(storedBy(standby)).toBe(5);
  });

  it('a poller that loses its lock mid-inbox stops storing after its current batch, and finishes once it leads again', async () => {
    dovecot = await startDovecot();
    const server = dovecot;
    const mailbox = loadConfig({ IMAP_URL: server.url }).mailboxes[0]!.name;
    await server.appendMany(emails('lost', 0, 1000));
    const logs: Record<string, unknown>[] = [];
    const logger = createLogger('warn', {
      write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>),
    });
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      IMAP_URL: server.url,
      IMAP_POLL_INTERVAL_MS: '200',
      POLLER_LOCK_TTL_MS: String(TTL_MS),
      INTAKE_BATCH_SIZE: '10',
    });
    service = await startService(config, 'poller', logger);
    await waitFor(async () => (await stored(mailbox)) > 0, { message: 'intake under way' });
    // Another instance holds the lock now (as after a stall past the TTL).
    const key = `${redis.prefix}:lock:mailbox:${mailbox}`;
    await redis.client.set(key, 'elsewhere:1:token', 'PX', 60_000);
    await waitFor(() => logs.some((l) => l.msg === 'mailbox leadership lost'), {
      timeoutMs: TTL_MS,
      message: 'the poller notices it lost the lock',
    });
    const atLoss = await stored(mailbox);
    expect(atLoss).toBeLessThan(900);
    // Asserting that nothing happens takes a bounded wait: a few poll intervals' worth.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await stored(mailbox)) - atLoss).toBeLessThanOrEqual(10); // at most the batch in hand
    expect(await redis.client.get(key)).toBe('elsewhere:1:token');

    await redis.client.del(key); // the other instance went away
    await waitFor(
      async () => (await stored(mailbox)) === 1000 && (await server.count('INBOX')) === 0,
      { timeoutMs: 30_000, message: 'it leads again and finishes' },
    );
    expect(await server.count('Processed')).toBe(1000);
  });

  it('a poller told to stop while it is acquiring the lock stops', async () => {
    const stop = new AbortController();
    // The stop arrives during the lock round trip (here: deterministically, right after it).
    class StopWhileAcquiring extends MailboxLock {
      override async tryAcquire(): Promise<boolean> {
        const acquired = await super.tryAcquire();
        stop.abort();
        return acquired;
      }
    }
    const lock = new StopWhileAcquiring(redis.client, redis.prefix, 'imap://stop@h:143/INBOX', {
      ttlMs: TTL_MS,
      owner: 'test',
    });
    let sessions = 0;
    const loop = runAsLeader(
      (signal) =>
        new Promise<void>((resolve) => {
          sessions++;
          if (signal.aborted) resolve();
          else signal.addEventListener('abort', () => resolve(), { once: true });
        }),
      stop.signal,
      { lock, lockTtlMs: TTL_MS, logger: createLogger('silent') },
    );
    let ended = false;
    void loop.then(() => {
      ended = true;
    });
    await waitFor(() => ended, { timeoutMs: TTL_MS, message: 'the leader loop returns' });
    expect(sessions).toBeLessThanOrEqual(1);
    expect(await lock.holder()).toBeNull(); // and released the lock it had just taken
  });
});
