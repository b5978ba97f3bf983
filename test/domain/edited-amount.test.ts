import { describe, expect, it } from 'vitest';
import { editNeedsAdmin, parseEditedAmount } from '../../src/domain/edited-amount.ts';

const ok = (text: string, currency = 'CNY') => {
  const r = parseEditedAmount(text, currency);
  if (!r.ok) throw new Error(`expected ${text} to be accepted: ${r.problem}`);
  return r;
};
const problem = (text: string, currency = 'CNY') => {
  const r = parseEditedAmount(text, currency);
  if (r.ok) throw new Error(`expected ${text} to be refused`);
  return r.problem;
};

describe('an amount an agent types is a positive decimal string the currency can pay', () => {
  it('reads it exactly in minor units and writes it with the currency digits', () => {
    expect(ok('80')).toEqual({ ok: true, minor: 8000n, text: '80.00' });
    expect(ok(' 80.5 ')).toEqual({ ok: true, minor: 8050n, text: '80.50' });
    expect(ok('0.01')).toEqual({ ok: true, minor: 1n, text: '0.01' });
    expect(ok('1200', 'JPY')).toEqual({ ok: true, minor: 1200n, text: '1200' });
    expect(ok('999999999999.99')).toMatchObject({ minor: 99999999999999n });
    expect(ok('000080.00')).toMatchObject({ text: '80.00' });
  });

  it('refuses more decimals than the currency has: CNY 2, JPY 0', () => {
    expect(problem('80.001')).toMatch(/at most 2 decimals in CNY/);
    expect(problem('80.5', 'JPY')).toMatch(/whole number in JPY/);
  });

  it('refuses more than 12 digits before the decimal point, however long', () => {
    expect(problem('9999999999999999.99')).toMatch(/at most 12 digits before the decimal point/);
    expect(problem('1'.repeat(40))).toMatch(/at most 12 digits/);
    expect(problem(`1${'0'.repeat(5000)}`)).toMatch(/at most 12 digits/);
    expect(ok('000000000000000001').text).toBe('1.00');
  });

  it('refuses zero, signs, exponents, separators and anything that is not a plain decimal', () => {
    for (const bad of [
      '0',
      '0.00',
      '-5',
      '+5',
      '1e3',
      '1E3',
      '80,00',
      '1 000',
      '.5',
      '5.',
      '',
      'NaN',
      'Infinity',
      '0x10',
      '８０',
    ])
      expect(problem(bad), bad).toMatch(/amount/);
  });
});

describe('an edited amount above the computed one or the review limit needs an admin', () => {
  const limit = 500000n; // 5000.00
  it('lets an agent pay less than computed, within the limit', () => {
    expect(editNeedsAdmin(8000n, 10000n, limit)).toBeNull();
    expect(editNeedsAdmin(10000n, 10000n, limit)).toBeNull();
    expect(editNeedsAdmin(limit, 600000n, limit)).toBeNull();
  });

  it('asks for an admin above the computed amount', () => {
    expect(editNeedsAdmin(12000n, 10000n, limit)).toBe('above_computed');
  });

  it('asks for an admin above the review limit, even below the computed amount', () => {
    expect(editNeedsAdmin(limit + 1n, 600000n, limit)).toBe('above_review_limit');
  });

  it('treats a claim with no computed amount as computed zero', () => {
    expect(editNeedsAdmin(1n, null, limit)).toBe('above_computed');
  });
});
