/**
 * Each mailbox's live state, published to Redis by the instance polling it, so any web or
 * worker process can show it (and judge readiness) without talking to the mailbox itself.
 *
 * The state lives under `{prefix}:mailbox-state:<name>` with a time to live, refreshed by a
 * heartbeat while this instance leads: when the leader dies the key expires. The leader
 * itself is read from the poller lock, which is the authority on who polls. Writes never
 * throw into intake: with Redis away the state is simply not published (logged at debug).
 */
import type { Logger } from 'pino';
import type { RedisClient } from '../store/redis.ts';

export interface MailboxState {
  /** Mailbox name as in config (password-free). */
  name: string;
  /** The leader's session is connected now. */
  connected: boolean;
  /** The instance holding the poller lock (hostname:pid), null when none. */
  leader: string | null;
  /** ISO time of the last successful poll. */
  lastPollAt: string | null;
  /** Age of the oldest message seen in the folder but not yet stored; 0 when none waiting. */
  lagSeconds: number | null;
  /** Totals since this leader started. */
  stored: number;
  quarantined: number;
  reconnects: number;
  /** When the state was last written (stale => leader probably gone). */
  updatedAt: string | null;
}

export interface MailboxStateOptions {
  /** Time to live of the published key. @defaultValue 180 */
  ttlSeconds: number;
  /** How often a leader rewrites its state even when nothing happens. @defaultValue 15000 */
  heartbeatMs: number;
  /** Where failed writes are noted (at debug). @defaultValue none */
  logger?: Logger;
}

const DEFAULTS: MailboxStateOptions = { ttlSeconds: 180, heartbeatMs: 15_000 };

/**
 * A state not rewritten for this long is stale: its leader stopped heartbeating (dead or
 * stuck) though the key has not expired yet. Four default heartbeats.
 */
export const STALE_AFTER_MS = 60_000;

/** True when the state was written within `STALE_AFTER_MS` of `now`. */
export function isFresh(state: MailboxState, now: number = Date.now()): boolean {
  if (state.updatedAt === null) return false;
  return now - Date.parse(state.updatedAt) <= STALE_AFTER_MS;
}

/** What the publisher writes: the state plus the instance that wrote it. */
interface Published extends Omit<MailboxState, 'name' | 'leader'> {
  instance: string;
}

export function mailboxStateKey(redisPrefix: string, mailbox: string): string {
  return `${redisPrefix}:mailbox-state:${mailbox}`;
}

/** The poller lock's key (see MailboxLock); its value is `<owner>:<uuid>`. */
function lockKey(redisPrefix: string, mailbox: string): string {
  return `${redisPrefix}:lock:mailbox:${mailbox}`;
}

export class MailboxStatePublisher {
  readonly key: string;
  private readonly options: MailboxStateOptions;
  private state: Published;
  private heartbeat: NodeJS.Timeout | undefined;
  private writing = false;
  private dirty = false;
  private idle: Promise<void> = Promise.resolve();
  private settleIdle: () => void = () => undefined;

  constructor(
    private readonly redis: RedisClient,
    redisPrefix: string,
    readonly mailbox: string,
    instance: string,
    options: Partial<MailboxStateOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    if (!Number.isInteger(this.options.ttlSeconds) || this.options.ttlSeconds < 1) {
      throw new RangeError('mailbox state ttlSeconds must be a positive integer');
    }
    if (!(this.options.heartbeatMs >= 100)) {
      throw new RangeError('mailbox state heartbeatMs must be at least 100');
    }
    this.key = mailboxStateKey(redisPrefix, mailbox);
    this.state = initial(instance);
  }

  /** Leadership won (totals start over, a heartbeat keeps the key alive) or ended. */
  leadership(leader: boolean): void {
    this.stopHeartbeat();
    if (leader) {
      this.state = initial(this.state.instance);
      this.heartbeat = setInterval(() => this.publish(), this.options.heartbeatMs);
      this.heartbeat.unref();
    } else {
      this.state.connected = false;
    }
    this.publish();
  }

  connected(): void {
    this.state.connected = true;
    this.publish();
  }

  disconnected(): void {
    this.state.connected = false;
    this.publish();
  }

  reconnected(): void {
    this.state.reconnects += 1;
    this.publish();
  }

  polled(at: Date = new Date()): void {
    this.state.lastPollAt = at.toISOString();
    this.publish();
  }

  lag(seconds: number): void {
    this.state.lagSeconds = Math.max(0, seconds);
    this.publish();
  }

  stored(stored: number, quarantined: number): void {
    this.state.stored += stored;
    this.state.quarantined += quarantined;
    this.publish();
  }

  /** Resolves when no write is in flight (tests, shutdown). */
  flushed(): Promise<void> {
    return this.idle;
  }

  /** Stops the heartbeat; the key expires on its own. Safe to call twice. */
  close(): void {
    this.stopHeartbeat();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /**
   * At most one write in flight: updates arriving meanwhile are folded into one more write
   * of the latest snapshot, so a slow or absent Redis never queues up writes.
   */
  private publish(): void {
    if (this.writing) {
      this.dirty = true;
      return;
    }
    this.writing = true;
    this.idle = new Promise((resolve) => {
      this.settleIdle = resolve;
    });
    void this.writeLoop();
  }

  private async writeLoop(): Promise<void> {
    do {
      this.dirty = false;
      const snapshot: Published = { ...this.state, updatedAt: new Date().toISOString() };
      try {
        await this.redis.set(this.key, JSON.stringify(snapshot), 'EX', this.options.ttlSeconds);
      } catch (error) {
        this.options.logger?.debug(
          { err: error, mailbox: this.mailbox },
          'cannot publish mailbox state',
        );
      }
    } while (this.dirty);
    this.writing = false;
    this.settleIdle();
  }
}

function initial(instance: string): Published {
  return {
    instance,
    connected: false,
    lastPollAt: null,
    lagSeconds: null,
    stored: 0,
    quarantined: 0,
    reconnects: 0,
    updatedAt: null,
  };
}

/**
 * The state of each named mailbox, in the order given. A mailbox nobody publishes for (no
 * leader, or the leader's key expired) comes back empty; a state written by an instance
 * that no longer holds the lock is shown as not connected.
 */
export async function readMailboxStates(
  redis: RedisClient,
  redisPrefix: string,
  mailboxNames: string[],
): Promise<MailboxState[]> {
  if (mailboxNames.length === 0) return [];
  const keys = mailboxNames.flatMap((name) => [
    mailboxStateKey(redisPrefix, name),
    lockKey(redisPrefix, name),
  ]);
  // One GET per key, not one MGET: the state and lock keys of different mailboxes hash to
  // different slots, and a Redis Cluster refuses a multi-key command across slots (CROSSSLOT).
  // Sent back to back on one connection, they still cost about one round trip.
  const values = await Promise.all(keys.map((key) => redis.get(key)));
  return mailboxNames.map((name, i) => {
    const published = parsePublished(values[2 * i] ?? null);
    const lock = values[2 * i + 1] ?? null;
    const leader = lock === null ? null : ownerOf(lock);
    const empty: MailboxState = { name, leader, ...withoutInstance(initial('')) };
    if (!published) return empty;
    const { instance, ...state } = published;
    return { name, leader, ...state, connected: state.connected && instance === leader };
  });
}

/** The lock value is `<owner>:<uuid>`; the owner (host:pid) may itself hold colons. */
function ownerOf(lockValue: string): string {
  const cut = lockValue.lastIndexOf(':');
  return cut > 0 ? lockValue.slice(0, cut) : lockValue;
}

function withoutInstance(p: Published): Omit<Published, 'instance'> {
  const { instance: _, ...rest } = p;
  return rest;
}

/** Anything unreadable (another version, a hand-edited key) counts as no state. */
function parsePublished(raw: string | null): Published | null {
  if (raw === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' ? x : null);
  const count = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0);
  if (typeof o.instance !== 'string') return null;
  return {
    instance: o.instance,
    connected: o.connected === true,
    lastPollAt: str(o.lastPollAt),
    lagSeconds:
      typeof o.lagSeconds === 'number' && Number.isFinite(o.lagSeconds) ? o.lagSeconds : null,
    stored: count(o.stored),
    quarantined: count(o.quarantined),
    reconnects: count(o.reconnects),
    updatedAt: str(o.updatedAt),
  };
}
