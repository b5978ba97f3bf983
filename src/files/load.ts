/**
 * Reads the records directory, policy file and calendar file of CONTRACT.md from disk.
 * Every failure is an InvalidInputError naming the file (and the field when there is one).
 */
import { readFile } from 'node:fs/promises';
import { type Calendar, parseCalendar } from '../domain/calendar.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { type Policy, parsePolicy } from '../domain/policy.ts';
import { emptyRecords, type Records } from '../domain/records.ts';
import { jsonSyntaxError } from './json-error.ts';
import { readRecordFile, recordFiles } from './records-dir.ts';

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
  const json = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(json);
  } catch (error) {
    const { problem, line, column } = jsonSyntaxError(json, error);
    throw new InvalidInputError(file, '(json)', `not valid JSON: ${problem}`, { line, column });
  }
}

/**
 * Loads a small records directory into memory (`check --records`, tests): each file,
 * `NAME.json` or `NAME.jsonl`, streamed and validated like `import` does; a missing file is
 * an empty list. Large directories go to the database with `import` instead.
 */
export async function loadRecordsDir(dir: string): Promise<Records> {
  const records = emptyRecords();
  for (const file of await recordFiles(dir)) {
    const list = records[file.kind] as unknown[];
    for await (const batch of readRecordFile(file)) for (const r of batch) list.push(r.record);
  }
  return records;
}

export async function loadPolicyFile(file: string): Promise<Policy> {
  return parsePolicy(await readJson(file), file);
}

export async function loadCalendarFile(file: string): Promise<Calendar> {
  return parseCalendar(await readJson(file), file);
}
