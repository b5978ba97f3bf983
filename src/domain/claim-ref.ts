/**
 * The customer-facing claim reference, `CLM-000123`: the claim's id, zero-padded to six
 * digits. Replies carry it in their subject as `[CLM-000123]`, and a customer's answer that
 * keeps it there is matched back to the claim by it.
 */

/**
 * The bracketed reference anywhere in a subject, any case: 6 digits (the padded width) to 12
 * (well within the integers a Number holds exactly, so a long run of digits is no reference).
 */
const IN_SUBJECT = /\[CLM-(\d{6,12})\]/i;

/** 123 → 'CLM-000123'; an id of more than six digits keeps them all. */
export function formatClaimRef(claimId: number): string {
  return `CLM-${String(claimId).padStart(6, '0')}`;
}

/** The claim id a subject's `[CLM-nnnnnn]` names (the first one), or null when it names none. */
export function parseClaimRef(subject: string): number | null {
  const digits = IN_SUBJECT.exec(subject)?.[1];
  return digits === undefined ? null : Number(digits);
}
