import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addRatio, type Ratio, roundHalfUp, ZERO } from '../../src/domain/money.ts';
import { allocate } from '../../src/domain/money-split.ts';

describe('per-incident ledger amounts add up to the rounded total', () => {
  it('gives the leftover cent to the largest remainder', () => {
    const third: Ratio = { num: 1n, den: 3n }; // 0.333… each, total 1.00
    expect(allocate(100n, [third, third, third], 2)).toEqual([34n, 33n, 33n]);
  });

  const r = (num: bigint, den: bigint): Ratio => ({ num, den });
  it.each([
    ['one share takes the total', 13333n, [r(400n, 3n)], 2, [13333n]],
    ['100.00 and 33.333… make 133.33', 13333n, [r(100n, 1n), r(100n, 3n)], 2, [10000n, 3333n]],
    [
      'the cent rounded up goes to the larger remainder',
      3n,
      [r(15n, 1000n), r(16n, 1000n)],
      2,
      [1n, 2n],
    ],
    ['a tie goes to the earlier share', 1n, [r(5n, 1000n), r(5n, 1000n)], 2, [1n, 0n]],
    ['in yen, to the whole unit', 101n, [r(101n, 2n), r(101n, 2n)], 0, [51n, 50n]],
    ['in dinars, to the fils', 1000n, [r(1n, 3n), r(2n, 3n)], 3, [333n, 667n]],
    ['a zero share gets nothing', 500n, [r(0n, 1n), r(5n, 1n)], 2, [0n, 500n]],
    ['no shares, no parts', 0n, [], 2, []],
  ] as [string, bigint, Ratio[], number, bigint[]][])('%s', (_, total, shares, digits, parts) => {
    expect(allocate(total, shares, digits)).toEqual(parts);
  });

  it.each([
    ['more than the shares could round to', 103n],
    ['less than their parts rounded down', 98n],
  ])('refuses a total %s', (_, total) => {
    const half: Ratio = { num: 1n, den: 2n }; // 0.50 each: 1.00 in all
    expect(() => allocate(total, [half, half], 2)).toThrow(RangeError);
  });

  it('always sums exactly to the total, and each part is within a unit of its share', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            num: fc.bigInt({ min: 0n, max: 10n ** 9n }),
            den: fc.bigInt({ min: 1n, max: 86_400_000n }),
          }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        (shares) => {
          const total = roundHalfUp(shares.reduce(addRatio, ZERO), 2);
          const parts = allocate(total, shares, 2);
          expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
          parts.forEach((p, i) => {
            const s = shares[i]!;
            // |p − 100·s| < 1  ⇔  |p·den − 100·num| < den
            const diff = p * s.den - 100n * s.num;
            expect(diff < s.den && diff > -s.den).toBe(true);
          });
        },
      ),
    );
  });
});
