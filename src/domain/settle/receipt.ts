/**
 * A refund's receipt number: `RF-YYYYMMDD-NNNNNN`, the claim's receipt date (UTC) and its id
 * zero-padded to six digits (a longer id keeps all its digits). A claim pays at most one
 * refund, so the number is unique, as refund_settlements.receipt_no must be, and settling the
 * claim again builds the same one.
 */
export function receiptNumber(claimId: number, receivedAt: Date): string {
  const day = receivedAt.toISOString().slice(0, 10).replace(/-/g, '');
  return `RF-${day}-${String(claimId).padStart(6, '0')}`;
}
