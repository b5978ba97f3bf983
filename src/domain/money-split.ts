/**
 * Splits a total that is not the sum of its parts' own values (an agent's edited amount,
 * DESIGN v1.1 "Agent decisions") across items in proportion to their computed shares, by the
 * largest remainder method: each item gets total × share ÷ Σshares rounded down, and the
 * units left over go one each to the largest remainders, the earlier item first on a tie.
 * The parts add up to the total exactly and each is within one minor unit of its exact value.
 *
 * (src/pipeline/allocate.ts splits a total that *is* the rounded sum of the shares: there each
 * part is within a unit of its own share. Here only the proportions matter.)
 */
import type { Ratio } from './money.ts';

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * @param total - the amount to split, in integer minor units (≥ 0)
 * @param shares - each item's computed value (≥ 0), exact; only their proportions count
 * @returns the parts, in minor units, in the order of `shares`
 * @throws RangeError for no items, a negative total or share, or a zero denominator
 */
export function splitProportional(total: bigint, shares: readonly Ratio[]): bigint[] {
  if (shares.length === 0) throw new RangeError('nothing to split the amount across');
  if (total < 0n) throw new RangeError('a negative amount cannot be split');
  for (const s of shares)
    if (s.den <= 0n || s.num < 0n) throw new RangeError('shares must be non-negative fractions');
  // Whole-number weights over the least common denominator keep every step exact.
  const lcd = shares.reduce((d, s) => (d / gcd(d, s.den)) * s.den, 1n);
  let weights = shares.map((s) => s.num * (lcd / s.den));
  let sum = weights.reduce((a, b) => a + b, 0n);
  // Nothing computed to go by (every share zero): split evenly rather than refuse to pay.
  if (sum === 0n) {
    weights = shares.map(() => 1n);
    sum = BigInt(shares.length);
  }
  const floors = weights.map((w) => (total * w) / sum);
  const order = weights
    .map((w, i) => ({ i, rem: (total * w) % sum }))
    .sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : a.i - b.i));
  // Σ floors > total − n, so fewer than n units are left: at most one per item.
  let left = total - floors.reduce((a, b) => a + b, 0n);
  const parts = [...floors];
  for (let k = 0; left > 0n; k++, left--) parts[order[k]!.i]! += 1n;
  return parts;
}
