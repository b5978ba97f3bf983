/**
 * The review fixture (four claims in review) behind a console server, with an agent, an ops
 * user and an admin signed in through the real CLI and sign-in route.
 */
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../src/logger.ts';
import { buildServer } from '../../src/web/server.ts';
import { createFixture, type Fixture, RecordingProducer } from '../review/review-fixture.ts';
import { runUserAdd, signIn } from './web-harness.ts';

export interface Session {
  cookie: string;
  csrfToken: string;
}

export interface ApiFixture {
  f: Fixture;
  app: FastifyInstance;
  producer: RecordingProducer;
  agent: Session;
  ops: Session;
  close(): Promise<void>;
}

const PASSWORD = 'correct horse battery staple';

export async function createApiFixture(): Promise<ApiFixture> {
  const f = await createFixture();
  const producer = new RecordingProducer();
  const app = buildServer({
    pool: f.db.pool,
    logger: createLogger('silent', { write: () => undefined }),
    producer,
  });
  await app.ready();
  for (const [email, role] of [
    ['agent@example.com', 'agent'],
    ['ops@example.com', 'ops'],
  ] as const) {
    const r = await runUserAdd(f.db.url, [email, '--role', role], `${PASSWORD}\n`);
    if (r.code !== 0) throw new Error(`user add failed: ${r.stderr}`);
  }
  return {
    f,
    app,
    producer,
    agent: await signIn(app, 'agent@example.com', PASSWORD),
    ops: await signIn(app, 'ops@example.com', PASSWORD),
    async close() {
      await app.close();
      await f.db.drop();
    },
  };
}

/** Headers for a cookie session, with its CSRF token unless another is given. */
export function as(s: Session, csrf: string = s.csrfToken): Record<string, string> {
  return { cookie: s.cookie, 'x-csrf-token': csrf };
}
