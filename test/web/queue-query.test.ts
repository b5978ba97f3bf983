/**
 * The review queue's query string, read without a server: the amounts are compared by value,
 * and a cursor that comes back altered is refused before it reaches SQL.
 */
import { describe, expect, it } from 'vitest';
import { type Query, queueQuery } from '../../src/web/queue-query.ts';

const cursorOf = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');

describe('the queue query', () => {
  it('passes the amounts on as written, compared by value', () => {
    expect(queueQuery({ minAmount: '99.50', maxAmount: '100' }).filters).toMatchObject({
      minAmount: '99.50',
      maxAmount: '100',
    });
  });

  it.each<[string, Query, RegExp]>([
    ['an amount that is not one', { minAmount: '1e3' }, /'minAmount' must be an amount/],
    [
      'an amount too long to be one',
      { maxAmount: '1'.repeat(31) },
      /'maxAmount' must be an amount/,
    ],
    ['a minimum above the maximum', { minAmount: '100.01', maxAmount: '100' }, /above 'maxAmount'/],
  ])('refuses %s', (_, query, message) => {
    expect(() => queueQuery(query)).toThrow(message);
  });

  it.each([
    ['a real time and id', ['2026-03-02 10:05:00.123456+08', '42'], true],
    ['an offset with minutes', ['2026-03-02 10:05:00+05:30', '42'], true],
    ['the 30th of February', ['2026-02-30 10:05:00+08', '42'], false],
    ['month 13', ['2026-13-01 10:05:00+08', '42'], false],
    ['an offset past 15 hours', ['2026-03-02 10:05:00+16', '42'], false],
    ['an id that is not a number', ['2026-03-02 10:05:00+08', '42; DROP'], false],
    ['one key too few', ['2026-03-02 10:05:00+08'], false],
    ['a key that is not text', ['2026-03-02 10:05:00+08', 42], false],
  ])('takes a cursor with %s: %s', (_, values, ok) => {
    const read = () => queueQuery({ cursor: cursorOf(values) });
    if (ok) expect(read().cursor).toBe(cursorOf(values));
    else expect(read).toThrow(/bad cursor/);
  });
});
