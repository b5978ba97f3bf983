/** Reading records files as streams: elements, lines and the errors that name them. */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/domain/errors.ts';
import { JsonArrayReader } from '../../src/files/json-array-reader.ts';
import { type ReadRecord, type RecordFormat, readRecords } from '../../src/files/record-stream.ts';

const ORDER = {
  id: 'CS1',
  account: 'demo-shop',
  product: 'ECS',
  billing: 'monthly',
  amount: '300.00',
  purchased_at: '2026-03-01T10:00:00+08:00',
  status: 'paid',
};
const order = (id: string, extra: Record<string, unknown> = {}) => ({ ...ORDER, id, ...extra });

/** `text` as chunks of `size` bytes, so values and even characters straddle chunks. */
async function* chunks(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(
  text: string | Buffer,
  format: RecordFormat,
  size = 7,
): Promise<ReadRecord<'orders'>[]> {
  const out: ReadRecord<'orders'>[] = [];
  for await (const batch of readRecords('orders', chunks(text, size), format, 'orders.x'))
    out.push(...batch);
  return out;
}

async function failure(text: string | Buffer, format: RecordFormat, size = 7) {
  const error = await readAll(text, format, size).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as InvalidInputError;
}

const pretty = (records: unknown[]) => JSON.stringify(records, null, 2);

describe('a JSON array read as a stream', () => {
  it('yields every element with its index and the line it starts on, whatever the chunking', async () => {
    const text = pretty([order('A'), order('B'), order('C')]);
    for (const size of [1, 3, 64, 1 << 16]) {
      const read = await readAll(text, 'json', size);
      expect(read.map((r) => [r.index, r.line, r.record.id])).toEqual([
        [0, 2, 'A'],
        [1, 11, 'B'],
        [2, 20, 'C'],
      ]);
      expect(read[1]!.raw).toEqual(order('B'));
    }
  });

  it('accepts a UTF-8 byte order mark, a blank input and an empty array', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pretty([order('A')]))]);
    expect((await readAll(bom, 'json', 1)).map((r) => r.line)).toEqual([2]);
    expect(await readAll('', 'json')).toEqual([]);
    expect(await readAll(' \n\t\n', 'json')).toEqual([]);
    expect(await readAll('[]', 'json')).toEqual([]);
  });

  it('names the line, index and field of an invalid record', async () => {
    const text = pretty([order('A'), order('B', { amount: 'x' })]);
    const e = await failure(text, 'json');
    expect(e.message).toBe(
      'orders.x: line 11: [1].amount: must be a non-negative decimal string, got "x"',
    );
    expect(e).toMatchObject({ line: 11, field: '[1].amount' });
  });

  it('names the line and column of a syntax error, across chunks and multi-byte characters', async () => {
    const text = `[\n  {"id": "é€", "account": x}\n]`;
    for (const size of [1, 5, 100]) {
      const e = await failure(text, 'json', size);
      expect(e.message).toBe('orders.x: line 2, column 27: (json): not valid JSON: unexpected "x"');
    }
    const comma = await failure(`[\n${JSON.stringify(order('A'))},\n]`, 'json');
    expect(comma.message).toBe(
      'orders.x: line 3, column 1: (json): not valid JSON: unexpected "]"',
    );
  });

  it('rejects a root that is not an array, an unclosed array and data after it', async () => {
    expect((await failure('\n\n{"id": 1}', 'json')).message).toBe(
      'orders.x: line 3: (root): must be a JSON array',
    );
    expect((await failure(`[\n${JSON.stringify(order('A'))},\n`, 'json')).message).toMatch(
      /^orders\.x: line 3, column 1: \(json\): not valid JSON: the array is not closed/,
    );
    expect((await failure('[]\n[]', 'json')).message).toBe(
      'orders.x: line 2, column 1: (json): not valid JSON: unexpected data after the array',
    );
  });

  it('says which element is not an object', async () => {
    const e = await failure(`[\n${JSON.stringify(order('A'))},\n"B"\n]`, 'json');
    expect(e.message).toBe('orders.x: line 3: [1]: must be an object');
  });

  it('refuses an element larger than its limit before holding more of it', () => {
    const reader = new JsonArrayReader('big.json', 100);
    expect(() => reader.write(Buffer.from(`[\n{"id": "${'a'.repeat(200)}`))).toThrow(
      'big.json: line 2: [0]: a record is larger than 100 bytes',
    );
  });
});

describe('JSON Lines read as a stream', () => {
  it('yields one record a line, skipping blank lines, with CRLF and a byte order mark', async () => {
    const text = `\uFEFF${JSON.stringify(order('A'))}\r\n\r\n  \n${JSON.stringify(order('B'))}\n${JSON.stringify(order('C'))}`;
    const read = await readAll(text, 'jsonl', 5);
    expect(read.map((r) => [r.index, r.line, r.record.id])).toEqual([
      [0, 1, 'A'],
      [1, 4, 'B'],
      [2, 5, 'C'],
    ]);
  });

  it('names the line, the index (blank lines are not records) and the field', async () => {
    const lines = ['', ...Array.from({ length: 5 }, (_, i) => JSON.stringify(order(`O${i}`)))];
    lines.push(JSON.stringify(order('bad', { amount: 'x' })));
    const e = await failure(lines.join('\n'), 'jsonl');
    expect(e.message).toBe(
      'orders.x: line 7: [5].amount: must be a non-negative decimal string, got "x"',
    );
  });

  it('names the line and column of a syntax error', async () => {
    const text = `${JSON.stringify(order('A'))}\n{"id": "é", "account": tru}\n`;
    const e = await failure(text, 'jsonl');
    expect(e.message).toBe('orders.x: line 2, column 27: (json): not valid JSON: unexpected "}"');
    const cut = await failure('{"id": "A",\n', 'jsonl');
    expect(cut.message).toBe(
      'orders.x: line 1, column 12: (json): not valid JSON: the line ends inside a value',
    );
  });
});
