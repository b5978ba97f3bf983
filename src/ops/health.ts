/**
 * Readiness: can this process do its work now? Checks Redis, PostgreSQL, each mailbox and
 * (where replies are sent) the way out, each with a short timeout. The answer is cached a
 * few seconds and concurrent callers share one run, so frequent probes and scrapes cost
 * one round of checks.
 *
 * A failed check is named by a code from CHECK_ERRORS, never by the driver's message: /readyz
 * answers without credentials, and those messages carry host and user names, database names,
 * paths and versions (an attacker's map). The message goes to the log instead.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { ReplyError } from 'ioredis';
import { createTransport } from 'nodemailer';
import pg from 'pg';
import type { Logger } from 'pino';
import type { AccessTokenSource } from '../mail/oauth2.ts';
import { smtpOffersNoStartTls, smtpPlaintextRefused, smtpTlsOptions } from '../mail-tls.ts';
import { provideTokens, smtpOAuth2Options } from '../reply/outbound/smtp-oauth2.ts';
import { pingDatabase } from '../store/database-ping.ts';
import type { RedisClient } from '../store/redis.ts';
import { isFresh, type MailboxState, readMailboxStates } from './mailbox-state.ts';

/** Why a check failed, as /readyz says it. */
export const CHECK_ERRORS = {
  timeout: 'no answer within the check timeout',
  unreachable: 'cannot connect (refused, reset, closed, or the name does not resolve)',
  auth_failed: 'the server refused the credentials',
  tls_failed: 'no TLS: the server offers no STARTTLS where it is required, or the handshake failed',
  failed: 'the server answered with an error',
  not_writable: 'the outbox directory cannot be written',
  not_connected: 'this process leads the mailbox but its session is not open',
  no_leader: 'no instance polls this mailbox',
  leader_stale: 'the instance polling this mailbox stopped publishing its state',
  state_unreadable: 'the mailbox state cannot be read from Redis',
} as const;

export type CheckError = keyof typeof CHECK_ERRORS;

export interface CheckResult {
  ok: boolean;
  error?: CheckError;
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
  /**
   * Where replies leave, for processes that send them; absent: not checked. `oauth2`
   * (SMTP_AUTH=oauth2): the login is XOAUTH2 with its tokens.
   */
  smtp?: { url: string | undefined; outboxDir: string; oauth2?: AccessTokenSource | undefined };
  /** Each check gives up after this long. @defaultValue 2000 */
  timeoutMs?: number;
  /** A result is reused this long. @defaultValue 5000 */
  cacheMs?: number;
  /** Where a check's failure is told in full (once per change). @defaultValue none */
  logger?: Logger;
  /** SMTP_URL off loopback may skip STARTTLS (ALLOW_PLAINTEXT_MAIL). @defaultValue false */
  allowPlaintextMail?: boolean;
}

export class ReadinessCheck {
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private cached: { at: number; result: Readiness } | undefined;
  private running: Promise<Readiness> | undefined;
  /** Each check's last code (undefined: it passed), so only changes are logged. */
  private readonly last = new Map<string, CheckError | undefined>();

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
      postgres: this.guard('postgres', () => pingDatabase(pool, this.timeoutMs)),
    };
    if (redis) {
      checks.redis = this.guard('redis', async () => {
        await redis.ping();
      });
      if (mailboxes.length > 0) {
        const states = this.guardValue(() =>
          readMailboxStates(redis, redisPrefix ?? '', mailboxes),
        );
        for (const name of mailboxes) checks[`mailbox:${name}`] = this.mailbox(name, states);
      }
    }
    const plaintext = this.options.allowPlaintextMail ?? false;
    if (smtp) checks.smtp = this.guard('smtp', () => wayOut(smtp, this.timeoutMs, plaintext));
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
    const check = `mailbox:${name}`;
    const own = this.options.local?.(name);
    if (own?.leader) return this.outcome(check, own.connected ? undefined : 'not_connected');
    const all = await states;
    if (all instanceof Error) return this.outcome(check, 'state_unreadable', all);
    const state = all.find((s) => s.name === name);
    if (!state?.leader) return this.outcome(check, 'no_leader');
    if (!isFresh(state)) return this.outcome(check, 'leader_stale', undefined, state.leader);
    return this.outcome(check, undefined);
  }

  private async guard(check: string, run: () => Promise<unknown>): Promise<CheckResult> {
    const outcome = await this.guardValue(run);
    return outcome instanceof Error
      ? this.outcome(check, checkError(outcome), outcome)
      : this.outcome(check, undefined);
  }

  /** The result, logged when it differs from the check's last one. */
  private outcome(
    check: string,
    code: CheckError | undefined,
    err?: Error,
    leader?: string,
  ): CheckResult {
    const log = this.options.logger;
    if (log && this.last.get(check) !== code) {
      if (code) log.warn({ check, code, err, leader }, 'readiness check fails');
      else if (this.last.has(check)) log.info({ check }, 'readiness check passes again');
    }
    this.last.set(check, code);
    return code ? { ok: false, error: code } : { ok: true };
  }

  /** The value, or the error (a timeout included) as a value: a check never throws. */
  private async guardValue<T>(run: () => Promise<T>): Promise<T | Error> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Error>((resolve) => {
      timer = setTimeout(() => resolve(new CheckTimeout(this.timeoutMs)), this.timeoutMs);
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

/** The check's own timeout, told apart from a driver's. */
class CheckTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'CheckTimeout';
  }
}

class OutboxNotWritable extends Error {
  constructor(cause: unknown) {
    super('the outbox directory cannot be written', { cause });
    this.name = 'OutboxNotWritable';
  }
}

/** Codes of Node, nodemailer and PostgreSQL (SQLSTATE) errors that say why a check failed. */
const ERROR_CODES: Record<string, CheckError> = {
  ECONNREFUSED: 'unreachable',
  ECONNRESET: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EPIPE: 'unreachable',
  ECONNECTION: 'unreachable',
  ESOCKET: 'unreachable',
  EDNS: 'unreachable',
  ETIMEDOUT: 'timeout',
  EAUTH: 'auth_failed',
  ENOAUTH: 'auth_failed',
  '28P01': 'auth_failed',
  '28000': 'auth_failed',
  ETLS: 'tls_failed',
  EREQUIRETLS: 'tls_failed',
  plaintext_refused: 'tls_failed',
};

/** Redis answers a refused login with these error prefixes (RESP error codes). */
const REDIS_AUTH = /^(NOAUTH|WRONGPASS)\b/;

export function checkError(error: Error): CheckError {
  if (error instanceof CheckTimeout) return 'timeout';
  if (error instanceof OutboxNotWritable) return 'not_writable';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && Object.hasOwn(ERROR_CODES, code)) return ERROR_CODES[code]!;
  if (error instanceof ReplyError) return REDIS_AUTH.test(error.message) ? 'auth_failed' : 'failed';
  if (error instanceof pg.DatabaseError) return 'failed';
  // Anything else lost the connection (ioredis' "Connection is closed", pg's "terminated").
  return 'unreachable';
}

/**
 * SMTP: a connection that gets through greeting, STARTTLS where required, and login
 * (nodemailer's verify); no mail is sent. The outbox: the directory can be written.
 */
async function wayOut(
  smtp: { url: string | undefined; outboxDir: string; oauth2?: AccessTokenSource | undefined },
  timeoutMs: number,
  allowPlaintext: boolean,
): Promise<void> {
  if (smtp.url === undefined) {
    try {
      await mkdir(smtp.outboxDir, { recursive: true });
      await access(smtp.outboxDir, constants.W_OK);
    } catch (error) {
      throw new OutboxNotWritable(error);
    }
    return;
  }
  const transporter = createTransport({
    ...(smtp.oauth2 ? smtpOAuth2Options(smtp.url) : { url: smtp.url }),
    ...smtpTlsOptions(smtp.url, allowPlaintext),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  });
  if (smtp.oauth2) provideTokens(transporter, smtp.oauth2);
  try {
    await transporter.verify();
  } catch (error) {
    // The log then says which setting and what to do, not "Error upgrading connection".
    throw smtpOffersNoStartTls(error) ? smtpPlaintextRefused(smtp.url, error) : error;
  } finally {
    transporter.close();
  }
}
