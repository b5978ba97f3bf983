/**
 * Reads one records file (CONTRACT.md, "Records directory") as a stream: a JSON array
 * through JsonArrayReader, or JSON Lines (one record a line, blank lines allowed) through
 * node:readline and JSON.parse. Each record is validated as it arrives and handed on in
 * batches, so memory holds a batch, never the file. Every error names the file, the line,
 * the record index and the field.
 */
import { createInterface } from 'node:readline';
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { InvalidInputError } from '../domain/errors.ts';
import { parseRecord, type RecordKind, type Records } from '../domain/records.ts';
import { JsonArrayReader } from './json-array-reader.ts';

export type RecordFormat = 'json' | 'jsonl';

export interface ReadRecord<K extends RecordKind = RecordKind> {
  /** Its index among the file's records (JSON Lines: blank lines are not records). */
  index: number;
  /** The 1-based line it starts on. */
  line: number;
  /** The object as read: what the database keeps. */
  raw: Record<string, unknown>;
  record: Records[K][number];
}

/**
 * The largest record accepted, in bytes. A record is held whole while it is read, so this
 * bounds what one record (or one line without a newline) can make the reader hold.
 */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** JSON Lines records handed on at a time. */
const LINES_PER_BATCH = 1000;

/**
 * The validated records of `input`, in batches (one per chunk of a JSON array, or per
 * LINES_PER_BATCH lines). `file` names the input in errors. Throws InvalidInputError.
 */
export function readRecords<K extends RecordKind>(
  kind: K,
  input: AsyncIterable<Buffer | string>,
  format: RecordFormat,
  file: string,
): AsyncGenerator<ReadRecord<K>[]> {
  return format === 'json' ? readJsonArray(kind, input, file) : readJsonLines(kind, input, file);
}

function validated<K extends RecordKind>(
  kind: K,
  value: unknown,
  file: string,
  index: number,
  line: number,
): ReadRecord<K> {
  try {
    const record = parseRecord(kind, value, file, index);
    return { index, line, raw: value as Record<string, unknown>, record };
  } catch (error) {
    if (error instanceof InvalidInputError) throw error.at({ line });
    throw error;
  }
}

async function* readJsonArray<K extends RecordKind>(
  kind: K,
  input: AsyncIterable<Buffer | string>,
  file: string,
): AsyncGenerator<ReadRecord<K>[]> {
  const reader = new JsonArrayReader(file, MAX_RECORD_BYTES);
  for await (const chunk of input) {
    const elements = reader.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (elements.length > 0)
      yield elements.map((e) => validated(kind, e.value, file, e.index, e.line));
  }
  const last = reader.end();
  if (last.length > 0) yield last.map((e) => validated(kind, e.value, file, e.index, e.line));
}

async function* readJsonLines<K extends RecordKind>(
  kind: K,
  input: AsyncIterable<Buffer | string>,
  file: string,
): AsyncGenerator<ReadRecord<K>[]> {
  const source = Readable.from(input);
  const limited = new LineLengthLimit(file, MAX_RECORD_BYTES);
  // pipeline, not pipe: a failing input (a dropped upload) must fail the reading too.
  pipeline(source, limited, () => undefined);
  const lines = createInterface({ input: limited, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    let batch: ReadRecord<K>[] = [];
    let lineNo = 0;
    let index = 0;
    for await (let text of lines) {
      lineNo++;
      if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim() === '') continue;
      batch.push(validated(kind, parseLine(text, file, lineNo), file, index++, lineNo));
      if (batch.length === LINES_PER_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    // Stopped early (an invalid record): readline lets go of its input first (else the
    // input's premature-close error would reach it with no one listening), then the input's
    // iteration is ended, which closes it.
    lines.close();
    source.destroy();
  }
}

function parseLine(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Parsed again by the streaming tokenizer only to say where and what, in the same words
    // as for a JSON array (V8's messages quote the input, and not always the position).
    const problem = describeSyntaxError(text);
    throw new InvalidInputError(file, '(json)', problem.problem, {
      line,
      ...(problem.column === undefined ? {} : { column: problem.column }),
    });
  }
}

function describeSyntaxError(text: string): { problem: string; column?: number } {
  // The line, wrapped as the only element of an array: the reader's errors on the first line
  // point at the line's own characters (shifted by the one-character "["); on the second,
  // at the wrapper's "]": the line ended inside a value.
  const reader = new JsonArrayReader('line', MAX_RECORD_BYTES);
  try {
    reader.write(Buffer.from(`[${text}\n]`));
    reader.end();
  } catch (error) {
    if (error instanceof InvalidInputError && error.field === '(json)') {
      if (error.line !== 1)
        return { problem: 'not valid JSON: the line ends inside a value', column: text.length + 1 };
      return error.column === undefined
        ? { problem: error.problem }
        : { problem: error.problem, column: error.column - 1 };
    }
  }
  return { problem: 'not valid JSON: one JSON value per line' };
}

/** Fails the stream once a line grows past `max` bytes, before readline holds all of it. */
class LineLengthLimit extends Transform {
  private sinceNewline = 0;
  private newlines = 0;

  constructor(
    private readonly file: string,
    private readonly max: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const last = chunk.lastIndexOf(0x0a);
    if (last === -1) this.sinceNewline += chunk.length;
    else {
      for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) this.newlines++;
      this.sinceNewline = chunk.length - last - 1;
    }
    if (this.sinceNewline > this.max) {
      const problem = `a line is longer than ${this.max} bytes`;
      done(new InvalidInputError(this.file, '(line)', problem, { line: this.newlines + 1 }));
      return;
    }
    done(null, chunk);
  }
}
