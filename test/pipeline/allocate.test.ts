import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addRatio, type Ratio, roundHalfUp, ZERO } from '../../src/domain/money.ts';
import { allocate } from '../../src/pipeline/allocate.ts';

describe('per-incident ledger amounts add up to the rounded total', () => {
  it('gives the leftover cent to the largest remainder', () => {
    const third: Ratio = { num: 1n, den: 3n }; // 0.333… each, total 1.00
    expect(allocate(100n, [third, third, third], 2)).toEqual([34n, 33n, 33n]);
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
