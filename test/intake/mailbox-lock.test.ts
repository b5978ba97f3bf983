/** The per-mailbox lock against the real Redis. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailboxLock } from '../../src/intake/mailbox-lock.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

const lockFor = (owner: string, ttlMs = 1500) =>
  new MailboxLock(redis.client, redis.prefix, 'imap://claims@h:143/INBOX', { ttlMs, owner });

describe('one poller per mailbox', () => {
  it('only one of two instances holds the lock', async () => {
    const a = lockFor('a');
    const b = lockFor('b');
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect(await b.holder()).toMatch(/^a:/);
    await a.release();
    expect(await b.tryAcquire()).toBe(true);
    await b.release();
  });

  it('a holder that keeps renewing keeps the lock past its TTL', async () => {
    const a = lockFor('a', 1000);
    const b = lockFor('b', 1000);
    expect(await a.tryAcquire()).toBe(true);
    a.keepAlive(() => undefined);
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      expect(await b.tryAcquire()).toBe(false);
      await new Promise((r) => setTimeout(r, 200));
    }
    await a.release();
  });

  it('a dead holder’s lock expires and a standby takes over within the TTL', async () => {
    const dead = lockFor('dead', 1000);
    const standby = lockFor('standby', 1000);
    expect(await dead.tryAcquire()).toBe(true); // never renewed: as if the process died
    const start = Date.now();
    await waitFor(() => standby.tryAcquire(), { timeoutMs: 3000, intervalMs: 100 });
    expect(Date.now() - start).toBeLessThan(2000);
    await standby.release();
  });

  it('a holder never releases or renews a lock someone else now holds, and learns it lost it', async () => {
    const a = lockFor('a', 1000);
    const b = lockFor('b', 1000);
    expect(await a.tryAcquire()).toBe(true);
    await redis.client.del(a.key); // the key vanished (e.g. a stall past the TTL)
    expect(await b.tryAcquire()).toBe(true);
    let lost = '';
    a.keepAlive((reason) => {
      lost = reason;
    });
    await waitFor(() => lost !== '', { timeoutMs: 3000 });
    await a.release();
    expect(await b.holder()).toMatch(/^b:/);
    await b.release();
  });

  it('release is safe to call twice and without holding', async () => {
    const a = lockFor('a');
    await a.release();
    expect(await a.tryAcquire()).toBe(true);
    await a.release();
    await a.release();
    expect(await a.holder()).toBeNull();
  });
});
