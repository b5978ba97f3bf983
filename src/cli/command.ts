/**
 * What the commands share: one prefixed line on stderr for a failure, the validated Config
 * or the one line naming the bad setting, and a pool whose expected database failures
 * (unreachable, schema missing, migration failed) end the command with one line and exit 1.
 */

import type pg from 'pg';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { asDatabaseError, createPool } from '../store/database.ts';
import { databaseFailureLine } from './database-url.ts';
import type { Io } from './main.ts';

export type Fail = (line: string, code: number) => number;

/** A `fail` for `claim-intake <command>`: prints the line, returns the exit code. */
export function failFor(command: string, io: Io): Fail {
  return (line, code) => {
    io.stderr(`claim-intake ${command}: ${line}`);
    return code;
  };
}

/** The Config, or undefined after printing the setting's one line (the caller exits 2). */
export function configOrFail(fail: Fail): Config | undefined {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      fail(error.message, 2);
      return undefined;
    }
    throw error;
  }
}

/** Runs `work` on a pool of `max` connections to `url`, and always ends the pool. */
export async function withDatabase(
  url: string,
  max: number,
  fail: Fail,
  work: (pool: pg.Pool) => Promise<number>,
): Promise<number> {
  const pool = createPool(url, { max });
  try {
    return await work(pool);
  } catch (error) {
    // A raw pg error that means "unreachable" or "no schema" is named as such first.
    const line = databaseFailureLine(asDatabaseError(error), url);
    if (line === undefined) throw error;
    return fail(line, 1);
  } finally {
    await pool.end();
  }
}
