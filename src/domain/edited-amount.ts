/**
 * The amount an agent may approve instead of the computed one (DESIGN v1.1 "Agent
 * decisions"): a positive plain decimal with at most the currency's minor digits and at most
 * 12 integer digits (a ledger entry holds 16; a typo of a few extra digits must not become a
 * credit of billions). Read as text, never as a float, so every digit typed is kept or refused.
 */
import { formatMinor, minorDigitsOf } from './money.ts';

export const MAX_INTEGER_DIGITS = 12;

export type EditedAmount =
  | { ok: true; minor: bigint; text: string }
  | { ok: false; problem: string };

/** Digits, optionally one point and more digits: no sign, exponent, separator or space inside. */
const PLAIN = /^(\d+)(?:\.(\d+))?$/;

export function parseEditedAmount(input: string, currency: string): EditedAmount {
  const m = PLAIN.exec(input.trim());
  if (!m)
    return {
      ok: false,
      problem:
        'amount must be a plain decimal such as 80.00: digits and at most one point, no sign, exponent or separators',
    };
  const int = m[1]!.replace(/^0+(?=\d)/, '');
  if (int.length > MAX_INTEGER_DIGITS)
    return {
      ok: false,
      problem: `amount may have at most ${MAX_INTEGER_DIGITS} digits before the decimal point`,
    };
  const digits = minorDigitsOf(currency);
  const frac = m[2] ?? '';
  if (frac.length > digits)
    return {
      ok: false,
      problem:
        digits === 0
          ? `amount must be a whole number in ${currency}`
          : `amount may have at most ${digits} decimals in ${currency}`,
    };
  const minor = BigInt(int + frac.padEnd(digits, '0'));
  if (minor === 0n) return { ok: false, problem: 'amount must be more than zero' };
  return { ok: true, minor, text: formatMinor(minor, digits) };
}

/** Why approving `edited` needs an admin, or null when an agent may: all in minor units. */
export function editNeedsAdmin(
  edited: bigint,
  computed: bigint | null,
  reviewAbove: bigint,
): 'above_computed' | 'above_review_limit' | null {
  // No computed amount (nothing found owed) is computed zero: any payment is more than that.
  if (edited > (computed ?? 0n)) return 'above_computed';
  if (edited > reviewAbove) return 'above_review_limit';
  return null;
}
