/**
 * Splitting a total across items, in integer minor units, so the parts add up to it exactly
 * (largest remainder method): each item gets its exact value rounded down, and the units left
 * over go one each to the largest remainders, the earlier item first on a tie. Two totals:
 *
 * - `allocate`: the total *is* the shares' sum, rounded once (the computed amount the customer
 *   was told). Each part is within one minor unit of its own share, so ledger entries per
 *   incident add up to that amount to the cent.
 * - `splitProportional`: the total is *not* the sum of its parts' values (an agent's edited
 *   amount, DESIGN v1.1 "Agent decisions"). Each part is total × share ÷ Σshares, within one
 *   minor unit; only the shares' proportions matter.
 */
import { pow10, type Ratio } from './money.ts';

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** The least common denominator of the shares. */
function commonDenominator(shares: readonly Ratio[]): bigint {
  return shares.reduce((d, s) => (d / gcd(d, s.den)) * s.den, 1n);
}

/**
 * Adds `left` units to `floors`, one each to the items with the largest remainders (the
 * earlier item first on a tie). The callers check that fewer units are left than items.
 */
function largestRemainder(floors: readonly bigint[], remainders: readonly bigint[], left: bigint) {
  const order = remainders
    .map((rem, i) => ({ i, rem }))
    .sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : a.i - b.i));
  const parts = [...floors];
  for (let k = 0; left > 0n; k++, left--) parts[order[k]!.i]! += 1n;
  return parts;
}

/**
 * @param total - the shares' exact sum rounded once to `minorDigits`, in integer minor units
 * @param shares - each item's exact value, in major units (e.g. a fee × time ratio)
 * @param minorDigits - the currency's minor digits (CNY 2, JPY 0)
 * @returns the parts, in minor units, in the order of `shares`; [] for no shares
 * @throws RangeError when `total` is not the shares' sum rounded (off by more than the items)
 */
export function allocate(total: bigint, shares: readonly Ratio[], minorDigits: number): bigint[] {
  if (shares.length === 0) return [];
  // Exact values in minor units over one denominator: the floors and the remainders' order
  // are those of each share's own value, whatever the denominator.
  const den = commonDenominator(shares);
  const scale = pow10(minorDigits);
  const exact = shares.map((s) => s.num * (den / s.den) * scale);
  const floors = exact.map((e) => e / den);
  const left = total - floors.reduce((a, b) => a + b, 0n);
  // The total is the exact sum rounded once, so it lies between Σ floors and Σ floors + n.
  if (left < 0n || left > BigInt(shares.length))
    throw new RangeError('total does not match the shares');
  return largestRemainder(
    floors,
    exact.map((e, i) => e - floors[i]! * den),
    left,
  );
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
  const lcd = commonDenominator(shares);
  let weights = shares.map((s) => s.num * (lcd / s.den));
  let sum = weights.reduce((a, b) => a + b, 0n);
  // Nothing computed to go by (every share zero): split evenly rather than refuse to pay.
  if (sum === 0n) {
    weights = shares.map(() => 1n);
    sum = BigInt(shares.length);
  }
  const floors = weights.map((w) => (total * w) / sum);
  // Σ floors > total − n, so fewer than n units are left: at most one per item.
  const left = total - floors.reduce((a, b) => a + b, 0n);
  return largestRemainder(
    floors,
    weights.map((w) => (total * w) % sum),
    left,
  );
}
