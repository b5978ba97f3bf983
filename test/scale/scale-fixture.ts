/**
 * Inputs and a console client for the scale-out tests: copies of the examples, each with a
 * Message-ID of its own, delivered into a Maildir with their receipt time; and sign-in and
 * JSON calls against a running web process over real HTTP.
 */
import { readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SESSION_COOKIE } from '../../src/web/guard.ts';
import { EXAMPLES } from '../pipeline/pipeline-harness.ts';
import type { ServiceProcess } from '../support/service-process.ts';

export interface Example {
  file: string;
  received: string;
}

export const EXAMPLE_LIST: Example[] = readFileSync(join(EXAMPLES, 'expected.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Example);

/** The example's bytes with its own Message-ID (and From); Latin-1 keeps other charsets intact. */
export function copyOf(file: string, messageId: string, from?: string): Buffer {
  let text = readFileSync(join(EXAMPLES, file)).toString('latin1');
  const replace = (pattern: RegExp, line: string) => {
    if (!pattern.test(text)) throw new Error(`${file}: no ${pattern}`);
    text = text.replace(pattern, line);
  };
  replace(/^Message-ID: <[^>]+>$/im, `Message-ID: <${messageId}>`);
  if (from) replace(/^From: .*$/im, `From: ${from}`);
  return Buffer.from(text, 'latin1');
}

/** Into new/ through tmp/, with the receipt time as mtime, as a Maildir writer does. */
export function deliver(maildir: string, name: string, raw: Buffer, received: string): void {
  const tmp = join(maildir, 'tmp', name);
  writeFileSync(tmp, raw);
  utimesSync(tmp, new Date(received), new Date(received));
  renameSync(tmp, join(maildir, 'new', name));
}

export interface Session {
  cookie: string;
  csrfToken: string;
}

/** A JSON call as a signed-in browser makes it: the session cookie and the CSRF header. */
export async function call(
  server: ServiceProcess,
  method: 'GET' | 'POST',
  path: string,
  session?: Session,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrfToken } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function signIn(
  server: ServiceProcess,
  email: string,
  password: string,
): Promise<Session> {
  const res = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error('no session cookie');
  return { cookie, csrfToken: ((await res.json()) as { csrfToken: string }).csrfToken };
}
