import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteBatches } from '../../src/intake/byte-batches.ts';

const MB = 2 ** 20;
const size = (n: number) => n;

describe('intake batches bounded by count and bytes', () => {
  it('cuts a batch before the message that would take it over the bytes', () => {
    expect(byteBatches([10, 10, 10, 10], size, { count: 100, bytes: 25 })).toEqual([
      [10, 10],
      [10, 10],
    ]);
  });

  it('cuts a batch at the count, however small its messages', () => {
    expect(byteBatches([1, 1, 1, 1, 1], size, { count: 2, bytes: MB })).toEqual([
      [1, 1],
      [1, 1],
      [1],
    ]);
  });

  it('stores a message larger than the bound alone, so large messages go one at a time', () => {
    const twenty = 20 * MB;
    expect(byteBatches([twenty, twenty, 1, twenty], size, { count: 200, bytes: 16 * MB })).toEqual([
      [twenty],
      [twenty],
      [1],
      [twenty],
    ]);
  });

  it('counts no bytes for a message too large to download (quarantined by its metadata)', () => {
    const notDownloaded = (n: number) => (n > 25 * MB ? 0 : n);
    expect(
      byteBatches([30 * MB, 30 * MB, 10, 10], notDownloaded, { count: 200, bytes: 20 }),
    ).toEqual([[30 * MB, 30 * MB, 10, 10]]);
  });

  it('keeps every message once, in order, each batch within both bounds unless a single message is larger', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 300 }),
        (sizes, count, bytes) => {
          const batches = byteBatches(sizes, size, { count, bytes });
          expect(batches.flat()).toEqual(sizes);
          for (const batch of batches) {
            expect(batch.length).toBeGreaterThan(0);
            expect(batch.length).toBeLessThanOrEqual(count);
            const total = batch.reduce((a, b) => a + b, 0);
            if (batch.length > 1) expect(total).toBeLessThanOrEqual(bytes);
          }
          // No batch could have taken the next batch's first message as well.
          for (let i = 1; i < batches.length; i++) {
            const before = batches[i - 1]!;
            const total = before.reduce((a, b) => a + b, 0);
            expect(before.length === count || total + batches[i]![0]! > bytes).toBe(true);
          }
        },
      ),
    );
  });
});
