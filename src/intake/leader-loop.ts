/**
 * Runs a mailbox session only while holding the mailbox's lock, restarting it with
 * backoff when it fails, and standing by (retrying the lock) while another instance
 * holds it. Returns when `signal` aborts; the lock is released in `finally`.
 */
import type { Logger } from 'pino';
import { Backoff, sleep } from './backoff.ts';
import type { MailboxLock } from './mailbox-lock.ts';

export type Session = (signal: AbortSignal) => Promise<void>;

export interface LeaderLoopOptions {
  lock: MailboxLock;
  lockTtlMs: number;
  logger: Logger;
  backoff?: Backoff;
  /** Called with true when leadership is won and false when it ends. */
  onLeadership?: (leader: boolean) => void;
}

export async function runAsLeader(
  session: Session,
  signal: AbortSignal,
  options: LeaderLoopOptions,
): Promise<void> {
  const { lock, logger } = options;
  const backoff = options.backoff ?? new Backoff();
  try {
    while (!signal.aborted) {
      let acquired = false;
      try {
        acquired = await lock.tryAcquire();
      } catch (error) {
        logger.warn({ err: error }, 'cannot reach Redis for the mailbox lock');
      }
      if (!acquired) {
        // A standby checks a few times per TTL, with jitter, so it takes over within the TTL.
        await sleep(options.lockTtlMs / 4 + Math.random() * (options.lockTtlMs / 8), signal);
        continue;
      }
      logger.info({ lock: lock.key }, 'mailbox leadership acquired');
      options.onLeadership?.(true);
      const lost = new AbortController();
      const onAbort = () => lost.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      // A stop that came while tryAcquire() was in flight fired no event: honour it here.
      if (signal.aborted) lost.abort();
      lock.keepAlive((reason) => {
        logger.warn({ reason }, 'mailbox leadership lost');
        lost.abort();
      });
      try {
        while (!lost.signal.aborted) {
          const started = Date.now();
          try {
            await session(lost.signal);
          } catch (error) {
            if (lost.signal.aborted) break;
            const delay = backoff.next(Date.now() - started);
            logger.warn(
              { err: error, retryInMs: delay, attempt: backoff.attempts },
              'mailbox session failed',
            );
            await sleep(delay, lost.signal);
          }
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
        await lock.release();
        options.onLeadership?.(false);
      }
    }
  } finally {
    await lock.release();
  }
}
