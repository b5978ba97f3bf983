/**
 * A private `redis-server` per test, started with the settings the test needs (an evicting
 * policy, say), so the shared Redis's configuration is never touched. Nothing on disk.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../support/dovecot.ts';
import { waitFor } from '../support/wait.ts';

export interface PrivateRedis {
  url: string;
  port: number;
  /** A client on it, for setting ACLs and the like. */
  client: Redis;
  stop(): Promise<void>;
}

/** `port`: a given one (to start a server again where a stopped one listened), else any free. */
export async function startPrivateRedis(args: string[] = [], port?: number): Promise<PrivateRedis> {
  port ??= await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A server started with --requirepass refuses the helper's own client without it: ioredis'
  // ready check gets NOAUTH and the connection is closed, so the wait below would never end.
  const at = args.indexOf('--requirepass');
  const password = at >= 0 ? args[at + 1] : undefined;
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    password,
  });
  client.on('error', () => undefined);
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
        if (client.status !== 'ready') await client.connect();
        return (await client.ping()) === 'PONG';
      },
      { message: `private redis-server on port ${port}` },
    );
  } catch (error) {
    // A server that never answered is still a process of this test run.
    client.disconnect();
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client,
    async stop() {
      client.disconnect();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
