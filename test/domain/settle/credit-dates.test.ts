import { describe, expect, it } from 'vitest';
import {
  ICP_CREDIT_WITHIN_DAYS,
  icpRewardCreditBy,
  icpRewardValidUntil,
} from '../../../src/domain/settle/credit-dates.ts';

describe('the ICP reward’s dates', () => {
  it('is credited within a week', () => {
    expect(ICP_CREDIT_WITHIN_DAYS).toBe(7);
  });

  it.each([
    ['2026-03-04T01:00:00.000Z', '2026-03-11T01:00:00.000Z'],
    ['2026-12-28T23:30:00.000Z', '2027-01-04T23:30:00.000Z'],
    ['2028-02-25T00:00:00.000Z', '2028-03-03T00:00:00.000Z'],
  ])('a claim received at %s is credited by %s', (at, by) => {
    expect(icpRewardCreditBy(new Date(at)).toISOString()).toBe(by);
  });

  it.each([
    ['2026-03-04T01:00:00.000Z', '2027-03-04T01:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', '2027-12-31T23:59:59.999Z'],
    ['2027-02-28T12:00:00.000Z', '2028-02-28T12:00:00.000Z'],
    ['2028-02-29T08:00:00.000Z', '2029-03-01T08:00:00.000Z'],
  ])('a reward granted for a claim received at %s is valid until %s', (at, until) => {
    expect(icpRewardValidUntil(new Date(at)).toISOString()).toBe(until);
  });

  it('leaves the receipt time as it was', () => {
    const at = new Date('2026-03-04T01:00:00.000Z');
    icpRewardCreditBy(at);
    icpRewardValidUntil(at);
    expect(at.toISOString()).toBe('2026-03-04T01:00:00.000Z');
  });
});
