/**
 * Counts the bytes PostgreSQL sends to one pool's connections (closed ones included), so a
 * test can prove a stage never selected a large source: a 5 MiB bytea arrives hex-encoded,
 * over 10 MiB on the wire, where a row of facts is a few hundred bytes.
 */
import type { Socket } from 'node:net';
import type pg from 'pg';

export interface PoolBytes {
  /** Runs `fn` and returns its result with the bytes received meanwhile. */
  measured<T>(fn: () => Promise<T>): Promise<{ result: T; bytes: number }>;
}

/** Starts counting on `pool`: call it before the pool opens its first connection. */
export function countPoolBytes(pool: pg.Pool): PoolBytes {
  const sockets = new Set<Socket>();
  pool.on('connect', (client) => {
    sockets.add((client as unknown as { connection: { stream: Socket } }).connection.stream);
  });
  const read = () => [...sockets].reduce((sum, s) => sum + s.bytesRead, 0);
  return {
    async measured(fn) {
      const before = read();
      const result = await fn();
      return { result, bytes: read() - before };
    },
  };
}
