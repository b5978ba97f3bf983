import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addRatio,
  formatMinor,
  minorDigitsOf,
  parseDecimal,
  type Ratio,
  ratioOf,
  roundHalfUp,
  ZERO,
} from '../../src/domain/money.ts';

describe('decimals are read exactly', () => {
  it('keeps every digit of a decimal string', () => {
    expect(parseDecimal('1234.50')).toEqual({ units: 123450n, scale: 2 });
    expect(parseDecimal('0.1')).toEqual({ units: 1n, scale: 1 });
    expect(parseDecimal('-3')).toEqual({ units: -3n, scale: 0 });
  });

  it('refuses floats, exponents, numbers and junk', () => {
    for (const bad of ['1e3', '1.2.3', '', ' ', 'abc', '.5', '5.', '0x10'])
      expect(parseDecimal(bad)).toBeUndefined();
    expect(parseDecimal(12.5)).toBeUndefined();
  });
});

describe('rounding happens once, half-up, to the minor unit', () => {
  it('rounds an exact half up and anything below it down', () => {
    expect(roundHalfUp({ num: 1005n, den: 1000n }, 2)).toBe(101n); // 1.005 → 1.01
    expect(roundHalfUp({ num: 10049n, den: 10000n }, 2)).toBe(100n); // 1.0049 → 1.00
    expect(roundHalfUp({ num: 1n, den: 3n }, 2)).toBe(33n);
    expect(roundHalfUp({ num: 2n, den: 3n }, 2)).toBe(67n);
  });

  it('rounds negative halves away from zero', () => {
    expect(roundHalfUp({ num: -1005n, den: 1000n }, 2)).toBe(-101n);
    expect(roundHalfUp({ num: 1005n, den: -1000n }, 2)).toBe(-101n);
  });

  it('rounding the sum is not the sum of rounded parts, and the engine rounds the sum', () => {
    const third: Ratio = { num: 1n, den: 300n }; // 0.00333…
    const sum = [third, third, third].reduce(addRatio, ZERO);
    expect(roundHalfUp(sum, 2)).toBe(1n);
    expect([third, third, third].map((t) => roundHalfUp(t, 2)).reduce((a, b) => a + b)).toBe(0n);
  });

  it('never strays more than half a minor unit from the exact value', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        (num, den) => {
          const rounded = roundHalfUp({ num, den }, 2);
          // |rounded/100 − num/den| ≤ 1/200  ⇔  |200·rounded·den − 200·num| ≤ den
          const diff = 2n * (rounded * den - num * 100n);
          expect(diff <= den && diff >= -den).toBe(true);
        },
      ),
    );
  });

  it('leaves an amount that already has the minor digits unchanged', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), (units) => {
        expect(roundHalfUp(ratioOf({ units, scale: 2 }), 2)).toBe(units);
      }),
    );
  });
});

describe('parts sum exactly', () => {
  it('adding ratios in any order gives the same total', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            num: fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
            den: fc.bigInt({ min: 1n, max: 86_400_000n }),
          }),
          {
            maxLength: 20,
          },
        ),
        (parts) => {
          const forward = parts.reduce(addRatio, ZERO);
          const backward = [...parts].reverse().reduce(addRatio, ZERO);
          expect(forward.num * backward.den).toBe(backward.num * forward.den);
        },
      ),
    );
  });

  it('a daily fee split into per-minute parts sums back to the day', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 8n }), (feeUnits) => {
        const fee = ratioOf({ units: feeUnits, scale: 2 });
        let total = ZERO;
        for (let minute = 0; minute < 1440; minute++)
          total = addRatio(total, { num: fee.num, den: fee.den * 1440n });
        expect(roundHalfUp(total, 2)).toBe(feeUnits);
      }),
      { numRuns: 20 },
    );
  });
});

describe('amounts print with the currency’s minor digits', () => {
  it('CNY has two digits, JPY none, KWD three', () => {
    expect(minorDigitsOf('CNY')).toBe(2);
    expect(minorDigitsOf('JPY')).toBe(0);
    expect(minorDigitsOf('KWD')).toBe(3);
    expect(formatMinor(123450n, 2)).toBe('1234.50');
    expect(formatMinor(5n, 2)).toBe('0.05');
    expect(formatMinor(1234n, 0)).toBe('1234');
    expect(formatMinor(-5n, 2)).toBe('-0.05');
  });

  it('formatting then parsing gives the same units back', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.integer({ min: 0, max: 3 }),
        (units, digits) => {
          expect(parseDecimal(formatMinor(units, digits))).toEqual({ units, scale: digits });
        },
      ),
    );
  });
});
