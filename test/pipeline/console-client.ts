/**
 * The review console's API as an agent's browser or script calls it, over real HTTP against
 * the running service: users made through the real CLI, signed in through /api/session.
 */
import { runUserAdd } from '../web/web-harness.ts';

const PASSWORD = 'correct horse battery staple';

/** An answer of the API: its status and JSON body (an error is `{error: {code, message}}`). */
export interface ApiAnswer {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}

export interface ConsoleClient {
  email: string;
  /** POSTs JSON with the session cookie and CSRF token. */
  post(path: string, body: unknown): Promise<ApiAnswer>;
}

export async function consoleUser(
  base: string,
  databaseUrl: string,
  email: string,
  role: 'agent' | 'admin' | 'ops',
): Promise<ConsoleClient> {
  const added = await runUserAdd(databaseUrl, [email, '--role', role], `${PASSWORD}\n`);
  if (added.code !== 0) throw new Error(`user add failed: ${added.stderr}`);
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('ci_session='))
    ?.split(';')[0];
  if (!cookie) throw new Error('no session cookie');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    email,
    async post(path, body) {
      const r = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify(body),
      });
      const text = await r.text();
      try {
        return { status: r.status, body: JSON.parse(text) };
      } catch {
        // Not JSON (a crash page): kept as text, so a failing test shows what came back.
        return { status: r.status, body: { text } };
      }
    },
  };
}
