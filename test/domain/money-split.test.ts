import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ratio } from '../../src/domain/money.ts';
import { splitProportional } from '../../src/domain/money-split.ts';

const units = (n: bigint): Ratio => ({ num: n, den: 1n });
const sum = (parts: bigint[]) => parts.reduce((a, b) => a + b, 0n);

describe('an edited total is split in proportion to the computed shares', () => {
  it('pays one incident the whole edited amount', () => {
    expect(splitProportional(8000n, [units(10000n)])).toEqual([8000n]);
  });

  it('splits 150.01 over two equal shares as 75.01 and 75.00: a tie goes to the earlier item', () => {
    expect(splitProportional(15001n, [units(10000n), units(10000n)])).toEqual([7501n, 7500n]);
  });

  it('gives the units left over to the largest remainders', () => {
    // 1.00 over shares 1 : 2 : 3 is 0.1666…, 0.3333…, 0.5 → 16, 33, 50 and one unit left:
    // 0.1666… has the largest remainder.
    expect(splitProportional(100n, [units(1n), units(2n), units(3n)])).toEqual([17n, 33n, 50n]);
  });

  it('reads shares that are exact fractions (the formula values), not rounded ones', () => {
    const third: Ratio = { num: 1n, den: 3n };
    const twoThirds: Ratio = { num: 2n, den: 3n };
    expect(splitProportional(1000n, [third, twoThirds])).toEqual([333n, 667n]);
  });

  it('gives a share of zero nothing while another share is positive', () => {
    expect(splitProportional(500n, [units(0n), units(7n)])).toEqual([0n, 500n]);
  });

  it('splits evenly when every share is zero (nothing computed to go by)', () => {
    expect(splitProportional(101n, [units(0n), units(0n)])).toEqual([51n, 50n]);
  });

  it('refuses what cannot be split: no items, a negative total or share, a zero denominator', () => {
    expect(() => splitProportional(100n, [])).toThrow(RangeError);
    expect(() => splitProportional(-1n, [units(1n)])).toThrow(RangeError);
    expect(() => splitProportional(100n, [units(-1n), units(2n)])).toThrow(RangeError);
    expect(() => splitProportional(100n, [{ num: 1n, den: 0n }])).toThrow(RangeError);
  });

  const shares = fc.array(
    fc.record({
      num: fc.bigInt({ min: 0n, max: 10n ** 12n }),
      den: fc.bigInt({ min: 1n, max: 86_400_000n }),
    }),
    { minLength: 1, maxLength: 12 },
  );
  const totals = fc.bigInt({ min: 0n, max: 10n ** 14n });

  it('always adds up to the edited total exactly', () => {
    fc.assert(
      fc.property(totals, shares, (total, s) => {
        expect(sum(splitProportional(total, s))).toBe(total);
      }),
    );
  });

  it('gives each part its exact proportional value within one minor unit', () => {
    fc.assert(
      fc.property(
        totals,
        shares.filter((s) => s.some((r) => r.num > 0n)),
        (total, s) => {
          const parts = splitProportional(total, s);
          // Exact value of part i: total × s_i / Σs. Compared without division:
          // |part·Σs − total·s_i| < Σs, all over the common denominator.
          const den = s.reduce((d, r) => d * r.den, 1n);
          const weights = s.map((r) => (r.num * den) / r.den);
          const all = weights.reduce((a, b) => a + b, 0n);
          parts.forEach((p, i) => {
            const diff = p * all - total * weights[i]!;
            expect(diff < all && diff > -all).toBe(true);
          });
        },
      ),
    );
  });

  it('is deterministic, and equal shares differ by at most one unit, earlier first', () => {
    fc.assert(
      fc.property(totals, fc.integer({ min: 1, max: 12 }), (total, n) => {
        const equal = Array.from({ length: n }, () => units(3n));
        const parts = splitProportional(total, equal);
        expect(splitProportional(total, equal)).toEqual(parts);
        for (let i = 1; i < n; i++) expect(parts[i - 1]! - parts[i]!).toBeGreaterThanOrEqual(0n);
        expect(parts[0]! - parts[n - 1]!).toBeLessThanOrEqual(1n);
      }),
    );
  });
});
