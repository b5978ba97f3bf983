/**
 * A console server on a fresh, migrated database, with a logger writing to an array (to
 * check no secret reaches the logs), and users created through the real CLI.
 */
import { spawn } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../src/logger.ts';
import { migrate } from '../../src/store/migrate.ts';
import { buildServer } from '../../src/web/server.ts';
import { collectOutput } from '../support/child-output.ts';
import { BIN, type CliResult, REPO_ROOT } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

export interface WebHarness {
  db: TestDatabase;
  app: FastifyInstance;
  /** Every log line the server wrote. */
  logs: string[];
  addUser(email: string, role: string, password: string): Promise<CliResult>;
  close(): Promise<void>;
}

/** `claim-intake user add …` with the password on stdin, as a script would run it. */
export function runUserAdd(databaseUrl: string, args: string[], stdin: string): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, 'user', 'add', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const { stdout, stderr } = collectOutput(child);
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout: stdout(), stderr: stderr() }));
    child.stdin.end(stdin);
  });
}

export async function createWebHarness(): Promise<WebHarness> {
  const db = await createTestDatabase();
  await migrate(db.pool);
  const logs: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void logs.push(line) });
  const app = buildServer({ pool: db.pool, logger });
  await app.ready();
  return {
    db,
    app,
    logs,
    addUser: (email, role, password) =>
      runUserAdd(db.url, [email, '--role', role], `${password}\n`),
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

/** Signs in and returns the cookie header value and the CSRF token. */
export async function signIn(
  app: FastifyInstance,
  email: string,
  password: string,
): Promise<{ cookie: string; csrfToken: string }> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email, password },
  });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const c = res.cookies.find((x) => x.name === 'ci_session');
  if (!c) throw new Error('no session cookie');
  return {
    cookie: `ci_session=${c.value}`,
    csrfToken: res.json<{ csrfToken: string }>().csrfToken,
  };
}
