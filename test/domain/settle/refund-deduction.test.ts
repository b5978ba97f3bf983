import { describe, expect, it } from 'vitest';
import type { RefundLine } from '../../../src/domain/assess/types.ts';
import { DEDUCTION_SCALE, refundDeduction } from '../../../src/domain/settle/refund-deduction.ts';

const lines = (...deductions: string[]): RefundLine[] =>
  deductions.map((deduction, i) => ({ order: `ORD-${i + 1}`, amount: '100.00', deduction }));

describe('a refund’s deduction in all', () => {
  it('is kept to the scale of refund_settlements.deduction, numeric(20,4)', () => {
    expect(DEDUCTION_SCALE).toBe(4);
  });

  it.each([
    [[], '0.0000'],
    [['0.00'], '0.0000'],
    [['50.00', '0.00'], '50.0000'],
    [['33.3333', '33.3333', '33.3334'], '100.0000'],
    [['0.1', '0.2'], '0.3000'],
    [['12'], '12.0000'],
    [['0.00005', '0.00004'], '0.0001'],
    [['not a number', '20.00'], '20.0000'],
  ])('the deductions %j add up to %s', (deductions, total) => {
    expect(refundDeduction(lines(...deductions))).toBe(total);
  });
});
