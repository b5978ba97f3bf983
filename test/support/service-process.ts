/**
 * A claim-intake process of any role for scale-out tests, on top of poller-process.ts: each
 * gets an HTTP port of its own (every role may serve /healthz and /metrics, and processes of
 * one test must not collide), logs at info so a test can tell which process did what, and is
 * handed back once it says it started.
 */
import { createServer } from 'node:net';
import type { Role } from '../../src/service/index.ts';
import { type PollerProcess, startPollerProcess } from './poller-process.ts';
import { waitFor } from './wait.ts';

export interface ServiceProcess extends PollerProcess {
  role: Role;
  /** The HTTP_PORT it was given. */
  port: number;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Its JSON log lines whose `msg` is `msg`. */
  logged(msg: string): Record<string, unknown>[];
}

/** A TCP port free on 127.0.0.1 right now (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port assigned')),
      );
    });
  });
}

/**
 * Starts `claim-intake start --role <role>` with `env` (LOG_LEVEL info unless given) on a
 * free port and waits for its 'claim-intake started' line; a process that exits first fails
 * the start with its output.
 */
export async function startServiceProcess(
  role: Role,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = startPollerProcess(
    { LOG_LEVEL: 'info', ...env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) },
    role,
  );
  const logged = (msg: string) => child.logs().filter((l) => l.msg === msg);
  const service: ServiceProcess = {
    role,
    port,
    url: `http://127.0.0.1:${port}`,
    logged,
    pid: child.pid,
    exited: child.exited,
    get dead() {
      return child.dead;
    },
    output: child.output,
    logs: child.logs,
    kill: child.kill,
    stop: child.stop,
  };
  try {
    await waitFor(() => child.dead || logged('claim-intake started').length > 0, {
      timeoutMs,
      message: `${role} process ${child.pid} started`,
    });
  } catch (error) {
    await child.kill();
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  }
  if (child.dead) throw new Error(`${role} process exited while starting:\n${child.output()}`);
  return service;
}
