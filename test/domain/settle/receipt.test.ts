import { describe, expect, it } from 'vitest';
import { receiptNumber } from '../../../src/domain/settle/receipt.ts';

describe('a refund receipt number', () => {
  it.each([
    [42, '2026-03-04T01:00:00Z', 'RF-20260304-000042'],
    [1, '2026-12-31T23:59:59.999Z', 'RF-20261231-000001'],
    [123_456, '2027-01-01T00:00:00Z', 'RF-20270101-123456'],
    [1_234_567, '2026-03-04T01:00:00Z', 'RF-20260304-1234567'],
  ])('claim %i received at %s has receipt %s', (id, at, receipt) => {
    expect(receiptNumber(id, new Date(at))).toBe(receipt);
  });

  it('is dated by the UTC day of receipt, not the customer’s local day', () => {
    // 07:30 on 5 March in Shanghai is still 4 March in UTC.
    expect(receiptNumber(7, new Date('2026-03-05T07:30:00+08:00'))).toBe('RF-20260304-000007');
  });

  it('is the same each time the claim is settled', () => {
    const at = new Date('2026-03-04T01:00:00Z');
    expect(receiptNumber(42, at)).toBe(receiptNumber(42, new Date(at.getTime())));
  });
});
