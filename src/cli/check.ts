/**
 * `claim-intake check FILE.eml... [--records DIR] [--policy FILE] [--calendar FILE]
 * [--received ISO]`: assesses emails offline with the service's engine and prints one
 * JSON object per file (CONTRACT.md). Records come from DIR (all loaded: a small
 * directory), else from the database at DATABASE_URL, read per email as the service reads
 * them (store/record-slices.ts): a provider's millions of records are never loaded.
 * Exit 0 whatever the decisions; 2 for usage errors (an unreachable or unmigrated
 * database included).
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { assess, blankAssessment } from '../domain/assess/engine.ts';
import type { Assessment, EngineContext } from '../domain/assess/types.ts';
import type { Calendar } from '../domain/calendar.ts';
import { CHINA_MAINLAND_CALENDAR } from '../domain/calendars/china-mainland.ts';
import type { ParsedEmail } from '../domain/email.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { DEFAULT_POLICY, type Policy } from '../domain/policy.ts';
import { RecordIndex } from '../domain/record-index.ts';
import type { Records } from '../domain/records.ts';
import { fromLocal, isRealDate, parseIsoInstant } from '../domain/time.ts';
import { loadCalendarFile, loadPolicyFile, loadRecordsDir } from '../files/load.ts';
import { parseEmail } from '../mail/parse.ts';
import { databaseUrlForUsage, toCheckLine, UsageError } from './check-line.ts';
import { databaseFailureLine } from './database-url.ts';
import type { Io } from './main.ts';

export async function runCheck(argv: string[], io: Io): Promise<number> {
  let setup: Awaited<ReturnType<typeof prepare>>;
  try {
    const parsed = parseCheckArgs(argv);
    if (parsed.values.replay !== undefined)
      return await (await import('./replay.ts')).runReplay(parsed, io);
    setup = await prepare(parsed);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidInputError) {
      io.stderr(`claim-intake check: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const { files, records, policy, calendar, receivedAt } = setup;
  const warned = new Set<string>();
  try {
    for (const file of files) {
      let raw: Buffer;
      try {
        raw = await readFile(file);
      } catch (error) {
        io.stderr(
          `claim-intake check: ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`,
        );
        return 2;
      }
      const email = await parseEmail(raw);
      const ctx = { index: await records.indexFor(email), policy, calendar };
      const assessment = assessSafely(email, receivedAt, ctx, (message) =>
        io.stderr(`claim-intake check: ${file}: ${message}`),
      );
      for (const w of assessment.warnings) {
        if (!warned.has(w)) io.stderr(`claim-intake check: warning: ${w}`);
        warned.add(w);
      }
      io.stdout(JSON.stringify(toCheckLine(file, assessment)));
    }
  } catch (error) {
    const line = records.failureLine(error);
    if (line === undefined) throw error;
    io.stderr(`claim-intake check: ${line}`);
    return 2;
  } finally {
    await records.close();
  }
  return 0;
}

/**
 * The engine is total by design; should a defect still make it throw, the email gets a
 * decision an agent will see (review, unclassified) and the error goes to stderr, so one
 * bad email never costs the others their answers.
 */
function assessSafely(
  email: ParsedEmail,
  receivedAt: number,
  ctx: EngineContext,
  report: (message: string) => void,
): Assessment {
  try {
    return assess({ email, receivedAt }, ctx);
  } catch (error) {
    report(`internal error, sent to review: ${(error as Error).stack ?? error}`);
    const fallback = blankAssessment(ctx.policy.timezone, String(error));
    fallback.reasons = ['unclassified'];
    return fallback;
  }
}

/** Where the records of each email come from: a directory loaded whole, or the database. */
interface RecordsFor {
  indexFor(email: ParsedEmail): Promise<RecordIndex>;
  /** The one line to print for an expected failure (database away, bad record), else undefined. */
  failureLine(error: unknown): string | undefined;
  close(): Promise<void>;
}

async function prepare(parsed: CheckArgs) {
  const { values, positionals: files } = parsed;
  if (values.version !== undefined) throw new UsageError('--version goes with --replay');
  if (files.length === 0)
    throw new UsageError('no email files given (usage: check FILE.eml... [options])');
  for (const file of files) {
    const info = await stat(file).catch(() => undefined);
    if (!info) throw new UsageError(`${file}: no such file`);
    if (!info.isFile()) throw new UsageError(`${file}: not a regular file`);
  }
  const policy: Policy = values.policy ? await loadPolicyFile(values.policy) : DEFAULT_POLICY;
  const calendar: Calendar = values.calendar
    ? await loadCalendarFile(values.calendar)
    : CHINA_MAINLAND_CALENDAR;
  const receivedAt =
    values.received === undefined ? Date.now() : parseReceived(values.received, policy.timezone);
  const records =
    values.records === undefined
      ? await databaseRecords(policy)
      : directoryRecords(await loadRecordsDir(values.records));
  return { files, receivedAt, policy, calendar, records };
}

function directoryRecords(records: Records): RecordsFor {
  const index = new RecordIndex(records);
  return { indexFor: async () => index, failureLine: () => undefined, close: async () => {} };
}

/**
 * The records stored by `import`, at DATABASE_URL, read per email. The database is asked
 * once before any email (reachable, migrated), so a usage error comes before any output.
 */
async function databaseRecords(policy: Policy): Promise<RecordsFor> {
  // Loaded here: with --records, `check` needs neither the driver nor the slice queries.
  const [{ createPool }, { checkSliceQueries, readSlice }] = await Promise.all([
    import('../store/database.ts'),
    import('../store/record-slices.ts'),
  ]);
  const url = databaseUrlForUsage();
  const pool = createPool(url, { max: 1 });
  const failureLine = (error: unknown) =>
    error instanceof InvalidInputError ? error.message : databaseFailureLine(error, url);
  try {
    await checkSliceQueries(pool);
  } catch (error) {
    await pool.end();
    const line = failureLine(error);
    throw line === undefined ? error : new UsageError(line);
  }
  return {
    indexFor: async (email) => new RecordIndex((await readSlice(pool, email, policy)).records),
    failureLine,
    close: () => pool.end(),
  };
}

export type CheckArgs = ReturnType<typeof parseCheckArgs>;

function parseCheckArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        records: { type: 'string' },
        policy: { type: 'string' },
        calendar: { type: 'string' },
        received: { type: 'string' },
        replay: { type: 'string' },
        version: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

/** ISO 8601 with an offset, or a local time read in the policy's zone. */
function parseReceived(text: string, timeZone: string): number {
  const zoned = parseIsoInstant(text);
  if (zoned !== undefined) return zoned;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(
    text.trim(),
  );
  if (
    m &&
    isRealDate(Number(m[1]), Number(m[2]), Number(m[3])) &&
    Number(m[4] ?? 0) < 24 &&
    Number(m[5] ?? 0) < 60
  ) {
    const [, y, mo, d, h, mi, s, ms] = m;
    return fromLocal(
      {
        year: Number(y),
        month: Number(mo),
        day: Number(d),
        hour: Number(h ?? 0),
        minute: Number(mi ?? 0),
        second: Number(s ?? 0),
        millisecond: Number((ms ?? '0').padEnd(3, '0')),
      },
      timeZone,
    );
  }
  throw new UsageError(`--received: not an ISO 8601 time: ${text}`);
}
