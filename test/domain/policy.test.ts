import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/domain/errors.ts';
import { DEFAULT_POLICY, parsePolicy } from '../../src/domain/policy.ts';

describe('the policy file', () => {
  it('takes the published defaults for every key left out', () => {
    expect(DEFAULT_POLICY).toMatchObject({
      timezone: 'Asia/Shanghai',
      claimWindowWorkingDays: 7,
      matchToleranceMinutes: 30,
      lookbackDays: 30,
      multipliers: { unavailable: 100, other: 1 },
      reviewAbove: { units: 500000n, scale: 2 },
      refundWindowHours: 120,
      refundMaxRequests: 3,
      refundMaxOrders: 3,
      icpAbandonDays: 10,
    });
  });

  it('overrides only the keys it names, one multiplier at a time', () => {
    const p = parsePolicy({ multipliers: { other: 2 }, review_above: '100.5' }, 'p.json');
    expect(p.multipliers).toEqual({ unavailable: 100, other: 2 });
    expect(p.reviewAbove).toEqual({ units: 1005n, scale: 1 });
  });

  it.each([
    [{ claim_window_working_days: -1 }, 'claim_window_working_days'],
    [{ claim_window_working_days: 1.5 }, 'claim_window_working_days'],
    [{ review_above: 5000 }, 'review_above'],
    [{ review_above: '-1.00' }, 'review_above'],
    [{ timezone: 'Nowhere/City' }, 'timezone'],
    [{ multipliers: { outage: 3 } }, 'multipliers.outage'],
    [{ multipliers: { unavailable: 'x' } }, 'multipliers.unavailable'],
    [{ refund_max_orders: 0 }, 'refund_max_orders'],
    [{ surprise: 1 }, 'surprise'],
  ])('rejects %j naming the field', (json, field) => {
    try {
      parsePolicy(json, 'p.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe(field);
      expect((error as Error).message).toMatch(/^p\.json: /);
    }
  });

  it('rejects a file that is not an object', () => {
    expect(() => parsePolicy([], 'p.json')).toThrow(/\(root\)/);
  });
});
