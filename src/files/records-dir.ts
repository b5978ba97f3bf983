/**
 * The files of a records directory: for each kind, `NAME.json` (a JSON array) or
 * `NAME.jsonl` (JSON Lines), never both; a missing file is an empty list.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../domain/errors.ts';
import { RECORD_KINDS, type RecordKind, recordName } from '../domain/records.ts';
import { type ReadRecord, type RecordFormat, readRecords } from './record-stream.ts';

export interface RecordFile {
  kind: RecordKind;
  /** The file name, e.g. `orders.jsonl`; `NAME.json` when the kind has no file. */
  name: string;
  /** Its path; undefined when the directory has no file for this kind. */
  path: string | undefined;
  format: RecordFormat;
}

/** Stream chunks of 256 KiB: fewer, larger reads; still nothing next to a record batch. */
const READ_CHUNK = 256 * 1024;

async function isFile(path: string): Promise<boolean> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new InvalidInputError(path, '(file)', `cannot read (${error.code ?? error.message})`);
  });
  if (info?.isDirectory()) throw new InvalidInputError(path, '(file)', 'is a directory');
  return info !== undefined;
}

/**
 * One entry per kind, in the contract's order. Throws InvalidInputError when `dir` is not
 * a directory or holds both forms of one file. Reads no file.
 */
export async function recordFiles(dir: string): Promise<RecordFile[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new InvalidInputError(dir, '(directory)', 'no such records directory');
  return Promise.all(
    RECORD_KINDS.map(async (kind): Promise<RecordFile> => {
      const json = `${recordName(kind)}.json`;
      const jsonl = `${json}l`;
      const [hasJson, hasJsonl] = await Promise.all([
        isFile(join(dir, json)),
        isFile(join(dir, jsonl)),
      ]);
      if (hasJson && hasJsonl) {
        throw new InvalidInputError(
          join(dir, json),
          '(file)',
          `both ${json} and ${jsonl} exist; keep one of them`,
        );
      }
      if (hasJsonl) return { kind, name: jsonl, path: join(dir, jsonl), format: 'jsonl' };
      return { kind, name: json, path: hasJson ? join(dir, json) : undefined, format: 'json' };
    }),
  );
}

/** The validated records of one file, in batches; nothing for a missing file. */
export async function* readRecordFile<K extends RecordKind>(
  file: RecordFile & { kind: K },
): AsyncGenerator<ReadRecord<K>[]> {
  if (file.path === undefined) return;
  const path = file.path;
  // Closed when the reader stops iterating it, at the end or early on an error.
  const input = createReadStream(path, { highWaterMark: READ_CHUNK });
  yield* readRecords(file.kind, readable(input, path), file.format, path);
}

/** The stream's chunks, with a read failure named like any other input problem. */
async function* readable(
  input: AsyncIterable<Buffer>,
  path: string,
): AsyncGenerator<Buffer, void, undefined> {
  try {
    yield* input;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError(path, '(file)', `cannot read (${code ?? String(error)})`);
  }
}
