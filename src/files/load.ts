/**
 * Reads the records directory, policy file and calendar file of CONTRACT.md from disk.
 * Every failure is an InvalidInputError naming the file (and the field when there is one).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Calendar, parseCalendar } from '../domain/calendar.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { type Policy, parsePolicy } from '../domain/policy.ts';
import { emptyRecords, parseRecordFile, RECORD_FILES, type Records } from '../domain/records.ts';

/** The JSON in `file`; undefined when the file does not exist and `optional` is set. */
export async function readJson(file: string, optional = false): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (optional && code === 'ENOENT') return undefined;
    throw new InvalidInputError(
      file,
      '(file)',
      code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? error})`,
    );
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InvalidInputError(file, '(json)', `not valid JSON: ${(error as Error).message}`);
  }
}

/** Each records file's JSON objects exactly as read, before validation reshapes them. */
export type RawRecords = { [K in keyof Records]: Record<string, unknown>[] };

/**
 * Reads and validates a records directory, keeping the raw objects beside the parsed ones
 * (the database stores the contract's JSON as given). A missing file is an empty list.
 * `raw[kind][i]` is the object `records[kind][i]` was parsed from.
 */
export async function readRecordsDir(dir: string): Promise<{ records: Records; raw: RawRecords }> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new InvalidInputError(dir, '(directory)', 'no such records directory');
  const records = emptyRecords();
  const raw = emptyRecords() as unknown as RawRecords;
  const kinds = Object.keys(RECORD_FILES) as (keyof Records)[];
  await Promise.all(
    kinds.map(async (kind) => {
      const file = join(dir, RECORD_FILES[kind]);
      const json = await readJson(file, true);
      if (json === undefined) return;
      (records[kind] as unknown) = parseRecordFile(kind, json, file);
      // parseRecordFile accepted it, so it is an array of plain objects.
      raw[kind] = json as Record<string, unknown>[];
    }),
  );
  return { records, raw };
}

/** Loads a records directory; a missing file is an empty list. */
export async function loadRecordsDir(dir: string): Promise<Records> {
  return (await readRecordsDir(dir)).records;
}

export async function loadPolicyFile(file: string): Promise<Policy> {
  return parsePolicy(await readJson(file), file);
}

export async function loadCalendarFile(file: string): Promise<Calendar> {
  return parseCalendar(await readJson(file), file);
}
