/**
 * The ops API and page while Redis is away (a TCP proxy in front of the real one drops every
 * connection): stable 503s and a page that says so, and everything back once Redis returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpsFixture, type OpsFixture, PASSWORD, USERS } from '../ops/ops-fixture.ts';
import { REDIS_URL } from '../support/redis.ts';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait.ts';
import { signIn } from './web-harness.ts';

let proxy: TcpProxy;
let x: OpsFixture;
let headers: Record<string, string>;

beforeAll(async () => {
  const target = new URL(REDIS_URL);
  proxy = await startProxy(target.hostname, Number(target.port || 6379));
  x = await createOpsFixture({ via: (url) => proxy.via(url) });
  const s = await signIn(x.app, USERS.ops, PASSWORD);
  headers = { cookie: s.cookie, 'x-csrf-token': s.csrfToken };
}, 60_000);
afterAll(async () => {
  proxy?.resume();
  await x?.close();
  await proxy?.close();
});

const get = (url: string) => x.app.inject({ url, headers });

describe('ops while Redis is away', () => {
  it('answers 503 redis_unavailable, shows the problem on the page, and recovers', async () => {
    expect((await get('/api/ops/queues')).statusCode).toBe(200);
    proxy.pause();
    await waitFor(async () => (await get('/api/ops/queues')).statusCode === 503, {
      message: 'the queues answer 503 once the connection is gone',
    });
    for (const res of [
      await get('/api/ops/queues'),
      await get('/api/ops/queues/settle/failed'),
      await get('/api/ops/mailboxes'),
      await x.app.inject({ method: 'POST', url: '/api/ops/queues/settle/pause', headers }),
    ]) {
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json().error.code).toBe('redis_unavailable');
    }
    const page = await get('/ops');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The queues could not be read (is Redis reachable?)');

    proxy.resume();
    await waitFor(async () => (await get('/api/ops/queues')).statusCode === 200, {
      timeoutMs: 20_000,
      message: 'the queues answer again after Redis is back',
    });
    await waitFor(async () => (await get('/api/ops/mailboxes')).statusCode === 200);
  });
});
