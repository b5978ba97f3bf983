/**
 * A refund's deduction in all: the unrecoverable ICP rewards its orders lose, as the refund's
 * settlement row records it beside the lines and the receipt.
 */
import type { RefundLine } from '../assess/types.ts';
import { decimal, formatMinor, parseDecimal, toMinor } from '../money.ts';

/**
 * Decimal places the deduction total is summed and written to: the scale of
 * refund_settlements.deduction (numeric(20,4), migration 002), not the currency's minor unit.
 * Summed at the column's own scale, the total is exactly what the column stores, with no
 * second rounding in PostgreSQL; only a line with more than 4 places is rounded (half-up).
 */
export const DEDUCTION_SCALE = 4;

/** Σ of the lines' deductions, exact to DEDUCTION_SCALE places; a line without one counts 0. */
export function refundDeduction(lines: readonly RefundLine[]): string {
  const total = lines.reduce(
    (sum, l) => sum + toMinor(parseDecimal(l.deduction) ?? decimal('0'), DEDUCTION_SCALE),
    0n,
  );
  return formatMinor(total, DEDUCTION_SCALE);
}
