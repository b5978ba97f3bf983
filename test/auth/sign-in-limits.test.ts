/**
 * The sign-in limiter's rules on their own (auth/sign-in-limits.ts): no database, no clock.
 * The same rules against the real console: test/web/sign-in-limits.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  addressKey,
  delayAfter,
  SIGN_IN_LIMITS,
  waitBeforeCheck,
} from '../../src/auth/sign-in-limits.ts';
import type { FailureHistory } from '../../src/store/sign-in-store.ts';

const MINUTE = 60_000;

/** A history with `pair` failures of the pair, each side counting at least those. */
function history(
  pair: number,
  { address = pair, account = pair, sinceLastMs = 0 } = {},
): FailureHistory {
  return {
    pair: { failures: pair, sinceLastMs: pair === 0 ? null : sinceLastMs },
    address: { failures: address, sinceLastMs: address === 0 ? null : sinceLastMs },
    account: { failures: account },
  };
}

describe('the wait after failures', () => {
  it('is none within the free allowance, a minute past it, doubling, at most 15 minutes', () => {
    const waits = [4, 5, 6, 7, 8, 9, 10, 50].map((n) => delayAfter(n, 5, SIGN_IN_LIMITS));
    expect(waits).toEqual([0, 1, 2, 4, 8, 15, 15, 15].map((m) => m * MINUTE));
  });
});

describe('a password check', () => {
  it('runs for a pair with fewer than 5 failures', () => {
    expect(waitBeforeCheck(history(4))).toBeUndefined();
  });

  it('waits for a pair with 5 failures, less the time since the last one', () => {
    expect(waitBeforeCheck(history(5, { sinceLastMs: 20_000 }))).toEqual({
      gate: 'pair',
      waitMs: 40_000,
    });
    expect(waitBeforeCheck(history(5, { sinceLastMs: MINUTE }))).toBeUndefined();
  });

  it('waits for an address with 20 failures over any accounts, named by the address gate', () => {
    expect(waitBeforeCheck(history(5, { address: 20 }))?.gate).toBe('address');
    expect(waitBeforeCheck(history(0, { address: 20, account: 0 }))?.gate).toBe('address');
  });

  it('runs from a clean address, however many failures the account has elsewhere', () => {
    expect(waitBeforeCheck(history(0, { address: 0, account: 500 }))).toBeUndefined();
  });

  it('waits from an address that already failed for an account with 20 failures', () => {
    expect(waitBeforeCheck(history(1, { account: 20 }))).toEqual({
      gate: 'account',
      waitMs: MINUTE,
    });
  });
});

describe('the address an attempt is counted under', () => {
  it('is an IPv4 address as it is, also when IPv4-mapped', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the /64 of an IPv6 address, so one customer’s addresses share it', () => {
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
  });
});
