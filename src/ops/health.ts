/**
 * Readiness: can this process do its work now? Checks Redis, PostgreSQL, each mailbox and
 * (where replies are sent) the way out, each with a short timeout. The answer is cached a
 * few seconds and concurrent callers share one run, so frequent probes and scrapes cost
 * one round of checks.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { createTransport } from 'nodemailer';
import type pg from 'pg';
import type { RedisClient } from '../store/redis.ts';
import { isFresh, type MailboxState, readMailboxStates } from './mailbox-state.ts';

export interface CheckResult {
  ok: boolean;
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/** What this process knows first-hand of a mailbox it polls (poller roles only). */
export interface LocalMailbox {
  /** This process holds the mailbox's lock. */
  leader: boolean;
  /** Its session is open. */
  connected: boolean;
}

export interface ReadinessOptions {
  pool: pg.Pool;
  /** Without it (a bare console server) Redis and the mailboxes are not checked. */
  redis?: RedisClient;
  redisPrefix?: string;
  /** Mailbox names as in config. @defaultValue none */
  mailboxes?: string[];
  /** For a poller: its own view of a mailbox; absent for web and worker processes. */
  local?: (mailbox: string) => LocalMailbox | undefined;
  /** Where replies leave, for processes that send them; absent: not checked. */
  smtp?: { url: string | undefined; outboxDir: string };
  /** Each check gives up after this long. @defaultValue 2000 */
  timeoutMs?: number;
  /** A result is reused this long. @defaultValue 5000 */
  cacheMs?: number;
}

export class ReadinessCheck {
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private cached: { at: number; result: Readiness } | undefined;
  private running: Promise<Readiness> | undefined;

  constructor(private readonly options: ReadinessOptions) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.cacheMs = options.cacheMs ?? 5000;
    if (!(this.timeoutMs > 0)) throw new RangeError('readiness timeoutMs must be positive');
    if (!(this.cacheMs >= 0)) throw new RangeError('readiness cacheMs must not be negative');
  }

  async check(): Promise<Readiness> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached.result;
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<Readiness> {
    const { pool, redis, redisPrefix, mailboxes = [], smtp } = this.options;
    const checks: Record<string, Promise<CheckResult>> = {
      postgres: this.guard(async () => {
        await pool.query({ text: 'SELECT 1', query_timeout: this.timeoutMs } as pg.QueryConfig);
      }),
    };
    if (redis) {
      checks.redis = this.guard(async () => {
        await redis.ping();
      });
      if (mailboxes.length > 0) {
        const states = this.guardValue(() =>
          readMailboxStates(redis, redisPrefix ?? '', mailboxes),
        );
        for (const name of mailboxes) checks[`mailbox:${name}`] = this.mailbox(name, states);
      }
    }
    if (smtp) checks.smtp = this.guard(() => wayOut(smtp, this.timeoutMs));
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, p]) => [name, await p] as const),
    );
    const result: Readiness = {
      ready: entries.every(([, c]) => c.ok),
      checks: Object.fromEntries(entries),
    };
    this.cached = { at: Date.now(), result };
    return result;
  }

  /**
   * A leader is ready when its session is open; anyone else (a standby poller, a web or
   * worker process) when the published state shows a leader that is alive.
   */
  private async mailbox(
    name: string,
    states: Promise<MailboxState[] | Error>,
  ): Promise<CheckResult> {
    const own = this.options.local?.(name);
    if (own?.leader) {
      return own.connected ? { ok: true } : { ok: false, error: 'session not connected' };
    }
    const all = await states;
    if (all instanceof Error) return { ok: false, error: `cannot read state: ${all.message}` };
    const state = all.find((s) => s.name === name);
    if (!state?.leader) return { ok: false, error: 'no instance polls this mailbox' };
    if (!isFresh(state)) return { ok: false, error: `state of leader ${state.leader} is stale` };
    return { ok: true };
  }

  private async guard(run: () => Promise<unknown>): Promise<CheckResult> {
    const outcome = await this.guardValue(run);
    return outcome instanceof Error ? { ok: false, error: outcome.message } : { ok: true };
  }

  /** The value, or the error (a timeout included) as a value: a check never throws. */
  private async guardValue<T>(run: () => Promise<T>): Promise<T | Error> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Error>((resolve) => {
      timer = setTimeout(
        () => resolve(new Error(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([
        run().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * SMTP: a connection that gets through greeting and login (nodemailer's verify); no mail
 * is sent. The outbox: the directory can be written.
 */
async function wayOut(
  smtp: { url: string | undefined; outboxDir: string },
  timeoutMs: number,
): Promise<void> {
  if (smtp.url === undefined) {
    await mkdir(smtp.outboxDir, { recursive: true });
    await access(smtp.outboxDir, constants.W_OK);
    return;
  }
  const transporter = createTransport({
    url: smtp.url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  });
  try {
    await transporter.verify();
  } finally {
    transporter.close();
  }
}
