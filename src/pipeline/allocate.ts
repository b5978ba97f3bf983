/**
 * Splits a total already rounded once into per-item minor units that add up to it exactly
 * (largest remainder method): each item gets its exact share rounded down, and the units
 * left over go to the items with the largest remainders. Ledger entries per incident then
 * sum to the amount the customer was told, to the cent.
 */
import { pow10, type Ratio } from '../domain/money.ts';

export function allocate(total: bigint, shares: Ratio[], minorDigits: number): bigint[] {
  if (shares.length === 0) return [];
  // Common denominator, then exact values scaled to minor units.
  const den = shares.reduce((d, s) => (d % s.den === 0n ? d : d * s.den), 1n);
  const scale = pow10(minorDigits);
  const exact = shares.map((s) => s.num * (den / s.den) * scale);
  const floors = exact.map((e) => e / den);
  let left = total - floors.reduce((a, b) => a + b, 0n);
  const order = exact
    .map((e, i) => ({ i, rem: e - floors[i]! * den }))
    .sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : a.i - b.i));
  // The total is the exact sum rounded once, so it lies between Σ floors and Σ floors + n.
  if (left < 0n || left > BigInt(shares.length))
    throw new RangeError('total does not match the shares');
  const out = [...floors];
  for (let k = 0; left > 0n; k++, left--) out[order[k]!.i]! += 1n;
  return out;
}
