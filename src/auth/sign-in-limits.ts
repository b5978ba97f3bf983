/**
 * The sign-in limiter's rules, pure: given the failures an attempt's account and address
 * have behind them, may its password be checked now, or how long must it wait?
 *
 * Three gates, each with waits that double per failure beyond its free allowance:
 * - the (account, address) pair: a guesser at one address is slowed, and nobody else is;
 * - the address across accounts: one address spraying a common password over many names;
 * - the account across addresses: once an account has many failures from everywhere, every
 *   address that already failed for it waits between its own guesses.
 * An address that never failed for an account is always checked (only its own address
 * gate can stop it). That is the trade-off: an attacker spread over many addresses gets one
 * guess per fresh address, then one per wait, but no attacker can lock the rightful person
 * out of their account from a clean address, as a plain per-account lockout would
 * (reproduced in issue #11: after an attack, the admin's right password got 429).
 */
import { isIP } from 'node:net';
import { ipv6Groups } from '../ipv6.ts';
import type { FailureHistory } from '../store/sign-in-store.ts';

export interface SignInLimits {
  /** Failures an (account, address) pair makes freely. @defaultValue 5 */
  pairFree: number;
  /** Failures an address makes freely, whatever the accounts. @defaultValue 20 */
  addressFree: number;
  /** Failures an account takes freely from all addresses together. @defaultValue 20 */
  accountFree: number;
  /** The first wait past an allowance; each further failure doubles it. @defaultValue 60 s */
  firstDelayMs: number;
  /** The longest wait. @defaultValue 15 min */
  maxDelayMs: number;
  /**
   * How long a failure counts. Longer than maxDelayMs, or waiting out the longest delay
   * would also forget the failures that caused it. @defaultValue 1 h
   */
  windowMs: number;
}

export const SIGN_IN_LIMITS: Readonly<SignInLimits> = Object.freeze({
  pairFree: 5,
  addressFree: 20,
  accountFree: 20,
  firstDelayMs: 60_000,
  maxDelayMs: 15 * 60_000,
  windowMs: 60 * 60_000,
});

export type SignInGate = 'address' | 'pair' | 'account';

export interface Wait {
  /** The gate that holds the attempt back (the address first: its refusals share a key). */
  gate: SignInGate;
  waitMs: number;
}

/** The wait after `failures` failures with `free` of them free: 0, then doubling, capped. */
export function delayAfter(failures: number, free: number, limits: SignInLimits): number {
  if (failures < free) return 0;
  // 2^(excess) overflows nothing: the exponent is capped well before doubles lose integers.
  const excess = Math.min(failures - free, 40);
  return Math.min(limits.firstDelayMs * 2 ** excess, limits.maxDelayMs);
}

/** Undefined when the password may be checked now; else the gate and how long to wait. */
export function waitBeforeCheck(
  history: FailureHistory,
  limits: SignInLimits = SIGN_IN_LIMITS,
): Wait | undefined {
  const remaining = (delay: number, sinceLastMs: number | null) =>
    sinceLastMs === null ? 0 : Math.max(0, delay - sinceLastMs);
  const { pair, address, account } = history;
  const waits: Wait[] = [
    {
      gate: 'address',
      waitMs: remaining(
        delayAfter(address.failures, limits.addressFree, limits),
        address.sinceLastMs,
      ),
    },
    {
      gate: 'pair',
      waitMs: remaining(delayAfter(pair.failures, limits.pairFree, limits), pair.sinceLastMs),
    },
    {
      gate: 'account',
      // Only addresses that already failed for the account wait: a clean one is checked.
      waitMs:
        pair.failures === 0
          ? 0
          : remaining(delayAfter(account.failures, limits.accountFree, limits), pair.sinceLastMs),
    },
  ];
  return waits.find((w) => w.waitMs > 0);
}

/**
 * The address a client is counted under: IPv4 as it is (also when IPv4-mapped), IPv6 by
 * its /64. One IPv6 customer usually holds a whole /64, so counting single IPv6 addresses
 * would hand an attacker 2^64 fresh "clients" (and as many refusal rows).
 */
export function addressKey(ip: string): string {
  const bare = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped) return mapped[1]!;
  if (isIP(bare) !== 6) return bare;
  return `${ipv6Groups(bare)
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
