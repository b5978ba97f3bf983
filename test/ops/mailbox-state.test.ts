/** Mailbox state published by the poller and read by any process, against the real Redis. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailboxLock } from '../../src/intake/mailbox-lock.ts';
import {
  isFresh,
  MailboxStatePublisher,
  mailboxStateKey,
  readMailboxStates,
  STALE_AFTER_MS,
} from '../../src/ops/mailbox-state.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

const lockFor = (mailbox: string, owner: string) =>
  new MailboxLock(redis.client, redis.prefix, mailbox, { ttlMs: 5000, owner });

describe('mailbox state', () => {
  it('the leader publishes what it did and any reader sees it, leader taken from the lock', async () => {
    const lock = lockFor('claims', 'host-a:101');
    expect(await lock.tryAcquire()).toBe(true);
    const publisher = new MailboxStatePublisher(redis.client, redis.prefix, 'claims', 'host-a:101');
    publisher.leadership(true);
    publisher.connected();
    publisher.stored(3, 1);
    publisher.stored(2, 0);
    publisher.lag(42);
    publisher.reconnected();
    publisher.polled(new Date('2025-03-01T10:00:00Z'));
    await publisher.flushed();

    const [state] = await readMailboxStates(redis.client, redis.prefix, ['claims']);
    expect(state).toMatchObject({
      name: 'claims',
      connected: true,
      leader: 'host-a:101',
      lastPollAt: '2025-03-01T10:00:00.000Z',
      lagSeconds: 42,
      stored: 5,
      quarantined: 1,
      reconnects: 1,
    });
    expect(Date.parse(state!.updatedAt!)).not.toBeNaN();
    publisher.close();
    await lock.release();
  });

  it('totals start over when leadership is won again', async () => {
    const publisher = new MailboxStatePublisher(redis.client, redis.prefix, 'again', 'host-a:1');
    publisher.leadership(true);
    publisher.stored(7, 2);
    publisher.leadership(false);
    publisher.leadership(true);
    await publisher.flushed();
    const [state] = await readMailboxStates(redis.client, redis.prefix, ['again']);
    expect(state).toMatchObject({ stored: 0, quarantined: 0, connected: false });
    publisher.close();
  });

  it('a mailbox nobody publishes for reads as empty, without a leader', async () => {
    const states = await readMailboxStates(redis.client, redis.prefix, ['nobody', 'none']);
    expect(states).toEqual(
      ['nobody', 'none'].map((name) => ({
        name,
        connected: false,
        leader: null,
        lastPollAt: null,
        lagSeconds: null,
        stored: 0,
        quarantined: 0,
        reconnects: 0,
        updatedAt: null,
      })),
    );
  });

  it('a state left by an instance that lost the lock is not shown as connected', async () => {
    const old = new MailboxStatePublisher(redis.client, redis.prefix, 'moved', 'host-a:1');
    old.leadership(true);
    old.connected();
    await old.flushed();
    const lock = lockFor('moved', 'host-b:2');
    expect(await lock.tryAcquire()).toBe(true);
    const [state] = await readMailboxStates(redis.client, redis.prefix, ['moved']);
    expect(state).toMatchObject({ leader: 'host-b:2', connected: false });
    old.close();
    await lock.release();
  });

  it('the state expires when the leader stops refreshing it', async () => {
    const publisher = new MailboxStatePublisher(redis.client, redis.prefix, 'dying', 'host-a:1', {
      ttlSeconds: 1,
    });
    publisher.leadership(true);
    publisher.connected();
    await publisher.flushed();
    expect(await redis.client.exists(mailboxStateKey(redis.prefix, 'dying'))).toBe(1);
    publisher.close(); // as when the process dies: no more heartbeats
    await waitFor(
      async () => (await redis.client.exists(mailboxStateKey(redis.prefix, 'dying'))) === 0,
      { message: 'state key expired' },
    );
    const [state] = await readMailboxStates(redis.client, redis.prefix, ['dying']);
    expect(state).toMatchObject({ connected: false, updatedAt: null });
  });

  it('a leader heartbeats its state while nothing happens, so it stays fresh', async () => {
    const publisher = new MailboxStatePublisher(redis.client, redis.prefix, 'quiet', 'host-a:1', {
      heartbeatMs: 100,
    });
    publisher.leadership(true);
    await publisher.flushed();
    const [first] = await readMailboxStates(redis.client, redis.prefix, ['quiet']);
    await waitFor(async () => {
      const [now] = await readMailboxStates(redis.client, redis.prefix, ['quiet']);
      return now!.updatedAt! > first!.updatedAt!;
    });
    publisher.close();
    const written = Date.parse(first!.updatedAt!);
    expect(isFresh(first!, written + STALE_AFTER_MS)).toBe(true);
    expect(isFresh(first!, written + STALE_AFTER_MS + 1)).toBe(false);
  });

  it('garbage under the key reads as no state', async () => {
    await redis.client.set(mailboxStateKey(redis.prefix, 'junk'), '{"connected":true', 'EX', 60);
    const [state] = await readMailboxStates(redis.client, redis.prefix, ['junk']);
    expect(state).toMatchObject({ connected: false, updatedAt: null });
  });

  it('publishing with Redis unreachable never throws into intake', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    down.on('error', () => undefined);
    const publisher = new MailboxStatePublisher(down, redis.prefix, 'offline', 'host-a:1');
    publisher.leadership(true);
    publisher.connected();
    publisher.stored(1, 0);
    await publisher.flushed();
    publisher.close();
    down.disconnect();
  });
});
