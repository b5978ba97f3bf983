/**
 * `claim-intake demo`: prepares the main job on a fresh machine. Loads the public example
 * records into the database and drops the example emails into the Maildir (MAILDIR_PATH,
 * default var/mailbox) with their received times as the files' delivery times, so
 * `claim-intake start` decides them as `examples/expected.jsonl` says. A database it cannot
 * use ends it with one line naming DATABASE_URL (exit 1).
 */
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, utimes } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import pg from 'pg';
import { ClaimIntakeError } from '../domain/errors.ts';
import { asDatabaseError, createPool, ensureDatabase } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { importRecordsDir } from '../store/records-store.ts';
import { configOrFail, failFor } from './command.ts';
import { databaseFailureLine, nameDatabase } from './database-url.ts';
import type { Io } from './main.ts';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');

interface ExpectedLine {
  file: string;
  received: string;
}

export async function runDemo(argv: string[], io: Io): Promise<number> {
  if (argv.length > 0) {
    io.stderr(`claim-intake demo: unexpected argument '${argv[0]}' (usage: demo)`);
    return 2;
  }
  const config = configOrFail(failFor('demo', io));
  if (!config) return 2;
  const maildir = config.mailboxes.find((m) => m.kind === 'maildir');
  if (!maildir) {
    io.stderr(
      'claim-intake demo: IMAP_URL is set; the demo fills the embedded Maildir (unset IMAP_URL)',
    );
    return 2;
  }
  const pool = createPool(config.databaseUrl, { max: 2 });
  try {
    await ensureDatabase(config.databaseUrl);
    await migrate(pool);
    const counts = await importRecordsDir(pool, join(EXAMPLES, 'records'));
    io.stdout(`records: ${counts.map((c) => `${c.file} ${c.records}`).join(', ')}`);
  } catch (error) {
    const line = demoFailureLine(error, config.databaseUrl);
    if (line === undefined) throw error;
    io.stderr(`claim-intake demo: ${line}`);
    return 1;
  } finally {
    await pool.end();
  }
  const expected = readFileSync(join(EXAMPLES, 'expected.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ExpectedLine);
  await mkdir(join(maildir.path, 'new'), { recursive: true });
  await mkdir(join(maildir.path, 'tmp'), { recursive: true });
  const stamp = Date.now();
  for (const [i, e] of expected.entries()) {
    const source = join(EXAMPLES, e.file);
    if (!existsSync(source)) continue;
    // Maildir names are unique per delivery: time, a counter and the host part.
    const target = join(maildir.path, 'new', `${stamp}.demo${i}.${basename(e.file, '.eml')}`);
    await copyFile(source, target);
    const received = new Date(e.received);
    await utimes(target, received, received);
  }
  io.stdout(
    `emails: ${expected.length} dropped into ${join(maildir.path, 'new')} with their received times`,
  );
  io.stdout(
    "next: 'npx claim-intake start' stores and decides them (decisions in the claims table)",
  );
  return 0;
}

/**
 * The one line for a failure to prepare the database, or undefined for an unexpected error.
 * Database failures name DATABASE_URL (password hidden), as the database commands do; so does
 * a server's own refusal (CREATE DATABASE without the right to, say).
 */
function demoFailureLine(error: unknown, databaseUrl: string): string | undefined {
  // Everything in the try above talks to the database: its driver errors are database ones.
  const known = asDatabaseError(error);
  if (known instanceof ClaimIntakeError)
    return databaseFailureLine(known, databaseUrl) ?? known.message;
  if (known instanceof pg.DatabaseError)
    return `${nameDatabase(databaseUrl)}: ${known.message.split('\n')[0]}`;
  return undefined;
}
