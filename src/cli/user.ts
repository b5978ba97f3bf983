/**
 * `claim-intake user add EMAIL --role agent|ops|admin`: creates a console user. The
 * password comes from stdin when it is not a terminal (first line), else it is asked for
 * twice without echo; it never appears in argv, where `ps` would show it.
 * Exit 0 prints one line saying what was made: `added user admin@example.com (role admin,
 * id 1)`; 2 for bad input; 1 when the database fails.
 */
import { parseArgs } from 'node:util';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/password.ts';
import { addUser, USER_ROLES, type UserRole } from '../auth/users.ts';
import { failFor, withDatabase } from './command.ts';
import { databaseFailureLine, readDatabaseUrl } from './database-url.ts';
import type { Io } from './main.ts';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

export type Input = NodeJS.ReadableStream & {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
};

export async function runUser(
  argv: string[],
  io: Io,
  stdin: Input = process.stdin,
): Promise<number> {
  const failWith = failFor('user', io);
  const fail = (line: string, code = 2) => failWith(line, code);
  let email: string;
  let role: UserRole;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { role: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const [verb, address, ...extra] = positionals;
    if (verb !== 'add' || !address || extra.length > 0)
      return fail('usage: user add EMAIL --role agent|ops|admin');
    email = address.trim().toLowerCase();
    if (!EMAIL.test(email) || email.length > 254)
      return fail(`'${address}' is not an email address`);
    if (!(USER_ROLES as readonly (string | undefined)[]).includes(values.role))
      return fail(`--role must be one of ${USER_ROLES.join(', ')}`);
    role = values.role as UserRole;
  } catch (error) {
    return fail((error as Error).message);
  }
  let password: string;
  if (stdin.isTTY) {
    password = await promptHidden(stdin, 'Password: ');
    if ((await promptHidden(stdin, 'Repeat password: ')) !== password)
      return fail('the passwords differ');
  } else {
    password = firstLine(await readAll(stdin));
  }
  if (password.length < MIN_PASSWORD_LENGTH)
    return fail(`the password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH)
    return fail(`the password has more than ${MAX_PASSWORD_LENGTH} characters`);

  let url: string;
  try {
    url = readDatabaseUrl();
  } catch (error) {
    return fail(databaseFailureLine(error, '') ?? String(error));
  }
  return withDatabase(url, 1, fail, async (pool) => {
    const id = await addUser(pool, { email, role, password });
    if (id === undefined) return fail(`${email} already exists`);
    io.stdout(`added user ${email} (role ${role}, id ${id})`);
    return 0;
  });
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** Reads one line from a terminal in raw mode, so the typed characters are not echoed. */
function promptHidden(stdin: Input, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  stdin.setRawMode?.(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let line = '';
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done(line);
        if (ch === '\u0003') return done(undefined); // Ctrl-C
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    const done = (value: string | undefined) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      process.stderr.write('\n');
      if (value === undefined) reject(new Error('cancelled'));
      else resolve(value);
    };
    stdin.on('data', onData);
  });
}
