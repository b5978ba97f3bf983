/**
 * A TCP proxy in front of a real service (PostgreSQL, Redis, IMAP) so a test can make it
 * "unreachable for a while" without touching the shared service itself.
 *
 *  - pause():     like the service crashing: open connections are closed, new ones are accepted
 *                 and reset at once (the listening port stays ours, so resume() cannot lose it).
 *  - blackhole(): like a hung network: connections stay open but nothing moves either way, and
 *                 new ones are accepted (the kernel completes the handshake) but never answered.
 *                 Clients only notice through their own timeouts.
 *  - resume():    forward again. Connections held by blackhole() carry on where they stopped (as
 *                 TCP does once a partition heals): the bytes queued meanwhile are delivered.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  host: '127.0.0.1';
  port: number;
  /** `url` with its host:port replaced by the proxy's (e.g. a postgres:// or imap:// URL). */
  via(url: string): string;
  pause(): void;
  resume(): void;
  blackhole(): void;
  /** Client connections currently open through the proxy. */
  connections(): number;
  close(): Promise<void>;
}

type Mode = 'forward' | 'paused' | 'blackhole';

interface Pair {
  client: Socket;
  upstream?: Socket;
  piped: boolean;
}

export async function startProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: Mode = 'forward';
  const pairs = new Set<Pair>();

  const drop = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };

  const startForwarding = (pair: Pair) => {
    if (pair.piped) return;
    if (!pair.upstream) {
      const upstream = createConnection({ host: targetHost, port: targetPort });
      pair.upstream = upstream;
      // Target down: the client sees its connection closed, as it would without the proxy.
      upstream.on('error', () => drop(pair));
      upstream.on('close', () => drop(pair));
    }
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
    pair.piped = true;
  };

  const stopForwarding = (pair: Pair) => {
    // Unread bytes wait in the socket buffers until resume() (or are discarded with the socket).
    if (pair.upstream) {
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      pair.upstream.pause();
    }
    pair.client.pause();
    pair.piped = false;
  };

  const server = createServer({ pauseOnConnect: true }, (client) => {
    if (mode === 'paused') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, piped: false };
    pairs.add(pair);
    client.on('error', () => drop(pair));
    client.on('close', () => drop(pair));
    if (mode === 'forward') startForwarding(pair);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no port');
  const port = address.port;

  return {
    host: '127.0.0.1',
    port,
    via(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    pause() {
      mode = 'paused';
      for (const pair of pairs) drop(pair);
    },
    blackhole() {
      mode = 'blackhole';
      for (const pair of pairs) stopForwarding(pair);
    },
    resume() {
      mode = 'forward';
      for (const pair of pairs) startForwarding(pair);
    },
    connections: () => pairs.size,
    close() {
      mode = 'paused';
      for (const pair of pairs) drop(pair);
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
