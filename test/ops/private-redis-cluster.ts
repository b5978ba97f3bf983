/**
 * A private Redis Cluster per test: three `redis-server --cluster-enabled yes` masters on free
 * ports, joined by `redis-cli --cluster create`, no replicas, nothing kept on disk but the
 * nodes' own cluster files in a temp dir that stop() removes.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../support/dovecot.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);

export interface PrivateRedisCluster {
  /** REDIS_URL for REDIS_CLUSTER=true: every node, comma-separated. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

export async function startPrivateRedisCluster(size = 3): Promise<PrivateRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-test-'));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  const exits: Promise<void>[] = [];
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(exits);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      const port = await freePort();
      // The cluster bus would default to port + 10000, which may be taken or above 65535.
      const busPort = await freePort();
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--cluster-port',
          String(busPort),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      );
      ports.push(port);
      children.push(child);
      exits.push(new Promise((resolve) => child.once('exit', () => resolve())));
    }
    for (const [i, port] of ports.entries()) {
      await waitFor(
        async () => {
          if (children[i]!.exitCode !== null)
            throw new Error(`redis-server exited with ${children[i]!.exitCode}`);
          return (await ask(port, 'PING')) === 'PONG';
        },
        { message: `cluster node on port ${port}` },
      );
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    // Every node must know every slot's owner before a client is pointed at any of them.
    await waitFor(
      async () => {
        for (const port of ports) {
          if (!/cluster_state:ok/.test(await ask(port, 'CLUSTER', 'INFO'))) return false;
        }
        return true;
      },
      { timeoutMs: 15_000, message: 'cluster_state:ok on every node' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: ports.map((p) => `redis://127.0.0.1:${p}`).join(','),
    ports,
    stop,
  };
}

/** One command on one node over a short-lived plain connection; '' when it does not answer. */
async function ask(port: number, ...command: string[]): Promise<string> {
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return String(await client.call(command[0]!, ...command.slice(1)));
  } catch {
    return '';
  } finally {
    client.disconnect();
  }
}
