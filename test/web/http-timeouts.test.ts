/**
 * Slow clients cannot hold the HTTP servers' connections: a client that trickles its headers
 * byte by byte (slow loris), one that trickles a body, and one that connects and says nothing
 * are all cut off, on the console and on the probe server, over real ports. The test shortens
 * the timeouts and waits for the socket to close (a condition, never a measured duration).
 */
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { ReadinessCheck } from '../../src/ops/health.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import {
  buildProbeServer,
  CONSOLE_TIMEOUTS,
  type HttpTimeouts,
  PROBE_TIMEOUTS,
} from '../../src/ops/ops-http.ts';
import { buildServer } from '../../src/web/server.ts';
import { ADMIN_URL } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

// Headers and the whole request get a fraction of a second; an idle socket much longer, so
// a trickling client (which is never idle) can only be cut by the first two.
const SHORT: HttpTimeouts = { headersMs: 300, requestMs: 600, idleMs: 30_000, keepAliveMs: 500 };

let pool: pg.Pool;
const servers: FastifyInstance[] = [];
beforeAll(() => {
  pool = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await pool.end();
});

async function listening(app: FastifyInstance): Promise<number> {
  servers.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

const consoleServer = (timeouts: Partial<HttpTimeouts>) =>
  listening(buildServer({ pool, logger: createLogger('silent'), timeouts }));

const probeServer = (timeouts: Partial<HttpTimeouts>) =>
  listening(
    buildProbeServer(
      createLogger('silent'),
      {
        readiness: new ReadinessCheck({ pool }),
        metrics: new Metrics({ defaultMetrics: false }),
      },
      timeouts,
    ),
  );

interface Client {
  socket: Socket;
  closed: () => boolean;
  received: () => string;
  /** Writes one byte every few milliseconds until the socket closes. */
  trickle(bytes: string): void;
}

async function client(port: number): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', resolve).once('error', reject),
  );
  let closed = false;
  let data = '';
  socket.on('data', (d: Buffer) => {
    data += d.toString('latin1');
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
  });
  return {
    socket,
    closed: () => closed,
    received: () => data,
    trickle(bytes) {
      let i = 0;
      const timer = setInterval(() => {
        if (closed || socket.destroyed) return clearInterval(timer);
        socket.write(bytes[i % bytes.length]!);
        i++;
      }, 20);
      socket.once('close', () => clearInterval(timer));
    },
  };
}

async function cutOff(c: Client, what: string): Promise<void> {
  try {
    await waitFor(c.closed, { timeoutMs: 15_000, message: `the server closes ${what}` });
  } finally {
    c.socket.destroy();
  }
}

describe.each([
  ['the console', consoleServer, 'POST /api/session'],
  ['the probe server', probeServer, 'GET /healthz'],
])('%s', (_name, start, path) => {
  let port: number;
  beforeAll(async () => {
    port = await start(SHORT);
  });

  it('cuts off a client that sends its headers byte by byte and never finishes', async () => {
    const c = await client(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    c.trickle('abcdefgh');
    await cutOff(c, 'a slow-loris connection');
    // Told why before the close: 408, and nothing else was served on that connection.
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('cuts off a client that trickles a body it announced', async () => {
    const c = await client(port);
    // Within both servers' body limits: the server waits for the body rather than refusing it.
    c.socket.write(
      `${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{`,
    );
    c.trickle(' ');
    await cutOff(c, 'a slow-body connection');
  });

  it('cuts off a client that connects and says nothing', async () => {
    const c = await client(port);
    await cutOff(c, 'a silent connection');
  });

  it('still answers a normal client after all that', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('the timeouts in production', () => {
  it('are set on both servers (Fastify leaves request and connection timeouts off)', async () => {
    const web = buildServer({ pool, logger: createLogger('silent') });
    const probe = buildProbeServer(createLogger('silent'), {
      readiness: new ReadinessCheck({ pool }),
      metrics: new Metrics({ defaultMetrics: false }),
    });
    servers.push(web, probe);
    await web.ready();
    await probe.ready();
    for (const [app, t] of [
      [web, CONSOLE_TIMEOUTS],
      [probe, PROBE_TIMEOUTS],
    ] as const) {
      expect(app.server.headersTimeout).toBe(t.headersMs);
      expect(app.server.requestTimeout).toBe(t.requestMs);
      expect(app.server.timeout).toBe(t.idleMs);
      expect(app.server.keepAliveTimeout).toBe(t.keepAliveMs);
      expect(t.headersMs).toBeGreaterThan(0);
      expect(t.headersMs).toBeLessThanOrEqual(t.requestMs);
    }
  });
});
