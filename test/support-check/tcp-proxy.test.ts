/** The TCP proxy makes a service unreachable (closed or hung) and reachable again. */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait.ts';

let echo: Server;
let echoPort: number;
let proxy: TcpProxy;
const echoSockets = new Set<Socket>();

beforeAll(async () => {
  echo = createServer((socket) => {
    echoSockets.add(socket);
    socket.on('close', () => echoSockets.delete(socket));
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as { port: number }).port;
  proxy = await startProxy('127.0.0.1', echoPort);
});

afterAll(async () => {
  await proxy?.close();
  for (const socket of echoSockets) socket.destroy();
  await new Promise((resolve) => echo?.close(resolve));
});

interface Conn {
  socket: Socket;
  received: () => string;
  closed: () => boolean;
}

function connect(): Conn {
  const socket = createConnection({ host: '127.0.0.1', port: proxy.port });
  let data = '';
  let closed = false;
  socket.setEncoding('utf8').on('data', (d: string) => {
    data += d;
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
  });
  return { socket, received: () => data, closed: () => closed };
}

async function echoes(conn: Conn, text: string): Promise<void> {
  const before = conn.received().length;
  conn.socket.write(text);
  await waitFor(() => conn.received().slice(before) === text, { message: `echo of ${text}` });
}

describe('startProxy', () => {
  it('forwards both ways', async () => {
    const conn = connect();
    await echoes(conn, 'hello');
    expect(proxy.connections()).toBe(1);
    conn.socket.destroy();
    await waitFor(() => proxy.connections() === 0, { message: 'connection released' });
  });

  it('pause() closes existing connections and refuses new ones; resume() restores service', async () => {
    const existing = connect();
    await echoes(existing, 'before');
    proxy.pause();
    await waitFor(existing.closed, { message: 'existing connection closed' });

    const refused = connect();
    refused.socket.write('anyone?');
    await waitFor(refused.closed, { message: 'new connection closed at once' });
    expect(refused.received()).toBe('');

    proxy.resume();
    const after = connect();
    await echoes(after, 'after');
    after.socket.destroy();
  });

  it('blackhole() holds connections silently; resume() delivers what was queued', async () => {
    const existing = connect();
    await echoes(existing, 'x');
    proxy.blackhole();
    existing.socket.write('queued');
    const held = connect();
    held.socket.write('late');
    // Nothing must come back while the network "hangs"; give it a few polls to prove silence.
    await expect(
      waitFor(() => existing.received() !== 'x' || held.received() !== '', {
        timeoutMs: 300,
        message: 'silence',
      }),
    ).rejects.toThrow(/silence/);
    expect(existing.closed() || held.closed()).toBe(false);

    proxy.resume();
    await waitFor(() => existing.received() === 'xqueued', { message: 'queued bytes delivered' });
    await waitFor(() => held.received() === 'late', { message: 'held connection forwarded' });
    existing.socket.destroy();
    held.socket.destroy();
  });

  it('via() points a service URL at the proxy', () => {
    expect(proxy.via('postgres://u:p@db.internal:5432/claims')).toBe(
      `postgres://u:p@127.0.0.1:${proxy.port}/claims`,
    );
  });
});
