/**
 * The ordered stop of a running service: intake first, then HTTP, in-flight jobs and
 * housekeeping, then the reply transport (bounded by the grace), and the connections last.
 * The stop is safe to call twice (the second call gets the first one's promise) and waits
 * for in-flight work. releaseInfra is the short form for a start-up that failed to listen.
 */
import type { Logger } from 'pino';
import type { Listener } from '../ops/listen.ts';
import type { MailboxStatePublisher } from '../ops/mailbox-state.ts';
import type { RedisClient } from '../store/redis.ts';
import type { Infra } from './infra.ts';
import type { WorkerRole } from './worker.ts';

/** Everything a started service holds, as the roles it runs left it. */
export interface RunningParts {
  infra: Infra;
  /** Aborted first: the mailbox loops end their sessions and release their locks. */
  abort: AbortController;
  /** Resolves when every mailbox loop has ended. */
  done: Promise<void>;
  servers: Listener[];
  publishers: Map<string, MailboxStatePublisher>;
  /** The poller role's lock connection. */
  lockRedis: RedisClient | undefined;
  /** The worker role's parts. */
  worker: WorkerRole | undefined;
  /** SHUTDOWN_GRACE_MS: how long active jobs, and then the transport, are waited for. */
  graceMs: number;
  logger: Logger;
}

/** The service's stop(): runs the ordered stop once, however often it is called. */
export function stopOnce(parts: RunningParts): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= stop(parts);
    return stopping;
  };
}

async function stop(parts: RunningParts): Promise<void> {
  const { infra, worker, graceMs, logger } = parts;
  logger.info('stopping: intake first, then in-flight jobs');
  parts.abort.abort();
  if (worker?.sweepTimer) clearInterval(worker.sweepTimer);
  // Stop taking requests first; in-flight ones finish before close() resolves.
  await Promise.all(parts.servers.map((s) => s.app.close()));
  await parts.done;
  await worker?.workers.close(graceMs);
  await worker?.housekeeping.close();
  // A stalled SMTP server must not hold shutdown past the grace: unsent replies stay
  // pending in PostgreSQL and are sent after the next start.
  await Promise.race([
    worker?.transport.close(),
    new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
  ]);
  await infra.producer.close();
  parts.lockRedis?.disconnect();
  for (const publisher of parts.publishers.values()) publisher.close();
  await Promise.all([...parts.publishers.values()].map((p) => p.flushed()));
  infra.opsRedis.disconnect();
  await infra.pool.end().catch(() => undefined);
  logger.info('stopped');
}

/** What a start-up that could not take its ports gives back: the producer, ops Redis, pool. */
export async function releaseInfra(infra: Infra): Promise<void> {
  await infra.producer.close().catch(() => undefined);
  infra.opsRedis.disconnect();
  await infra.pool.end().catch(() => undefined);
}
