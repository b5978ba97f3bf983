/**
 * One poller per mailbox across all instances: a Redis lock with a time to live, renewed
 * while held. When the holder dies, its key expires and a standby takes over within the TTL.
 * Renewal and release check the token first, so an instance can never extend or delete a
 * lock another instance holds (the classic single-instance Redis lock pattern).
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../store/redis.ts';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface LockOptions {
  /** Time to live of the key. @defaultValue 15000 */
  ttlMs: number;
  /** Identifies the holder in the key's value (for ops), e.g. host:pid. */
  owner: string;
}

export class MailboxLock {
  readonly key: string;
  private readonly token: string;
  private renewTimer: NodeJS.Timeout | undefined;
  private held = false;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    mailbox: string,
    private readonly options: LockOptions,
  ) {
    if (options.ttlMs < 1000) throw new RangeError('lock ttlMs must be at least 1000');
    this.key = `${prefix}:lock:mailbox:${mailbox}`;
    this.token = `${options.owner}:${randomUUID()}`;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Tries once; true when this instance now holds the lock. */
  async tryAcquire(): Promise<boolean> {
    const ok = await this.redis.set(this.key, this.token, 'PX', this.options.ttlMs, 'NX');
    this.held = ok === 'OK';
    return this.held;
  }

  /**
   * Renews every third of the TTL until released; `onLost` runs once when a renewal finds
   * the lock gone or taken (e.g. this process stalled past the TTL), so the caller stops.
   */
  keepAlive(onLost: (reason: string) => void): void {
    this.stopRenewing();
    const tick = async () => {
      try {
        const renewed = await this.redis.eval(
          RENEW,
          1,
          this.key,
          this.token,
          String(this.options.ttlMs),
        );
        if (renewed !== 1) {
          this.held = false;
          this.stopRenewing();
          onLost('lock taken or expired');
          return;
        }
        this.lastRenewedAt = Date.now();
      } catch (error) {
        // A failed renewal is not yet a lost lock: the key may live on until its TTL. Give up
        // only when the TTL has surely passed without a successful renewal.
        if (Date.now() - this.lastRenewedAt > this.options.ttlMs) {
          this.held = false;
          this.stopRenewing();
          onLost(`cannot renew: ${(error as Error).message}`);
          return;
        }
      }
    };
    this.lastRenewedAt = Date.now();
    this.renewTimer = setInterval(() => void tick(), Math.floor(this.options.ttlMs / 3));
    this.renewTimer.unref();
  }

  private lastRenewedAt = 0;

  private stopRenewing(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  /** Safe to call twice, and when never acquired. */
  async release(): Promise<void> {
    this.stopRenewing();
    if (!this.held) return;
    this.held = false;
    await this.redis.eval(RELEASE, 1, this.key, this.token).catch(() => undefined);
  }

  /** The current holder's value, for ops pages; null when free. */
  async holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}
