/**
 * The decision order of policy v1: ignored (handled before), needs_info when required
 * fields are missing, review when a known account's mail comes from a stranger, rejected
 * on any rejecting reason, review on any reason needing review, else approved.
 */
import { formatMinor, minorDigitsOf, roundHalfUp } from '../money.ts';
import { type Reason, reasonCodes } from '../reasons.ts';
import type { Claim, Outcome } from './claim.ts';
import type { Assessment } from './types.ts';

/** Types whose rules need a known account; an unknown one ends them with `account_unknown`. */
const NEEDS_ACCOUNT = new Set(['compensation', 'refund', 'icp_reward']);

export function decide(claim: Claim, out: Outcome): Assessment {
  const a = claim.result;
  if (out.missing.length > 0)
    return close(
      a,
      'needs_info',
      out.missing.map((code) => ({ code, effect: 'review' })),
    );
  if (claim.accountId !== null && !claim.account && NEEDS_ACCOUNT.has(a.type)) {
    return close(a, 'rejected', [{ code: 'account_unknown', effect: 'reject' }]);
  }
  const rejecting = out.reasons.some((r) => r.effect === 'reject');
  // With a rejecting reason nothing is paid, so what would have been taken off a payment
  // (reward_deducted, an excluded incident beside payable ones) is not told (DESIGN v1.1).
  const reasons: Reason[] = rejecting
    ? out.reasons.filter((r) => r.effect !== 'inform')
    : [...out.reasons];
  const sender = claim.input.email.from;
  const stranger =
    claim.account !== undefined && (sender === null || !claim.account.emails.includes(sender));
  if (stranger) reasons.push({ code: 'sender_not_account_contact', effect: 'review' });
  if (claim.input.senderAuthenticated === false)
    reasons.push({ code: 'sender_unauthenticated', effect: 'review' });

  const decision = stranger
    ? 'review'
    : rejecting
      ? 'rejected'
      : reasons.some((r) => r.effect === 'review')
        ? 'review'
        : 'approved';
  close(a, decision, reasons);
  // A stranger's claim that would be rejected goes to review, but it owes nothing: no
  // amount for an agent to approve (DESIGN v1.1).
  if (!rejecting && out.amount && claim.account) {
    const currency = claim.account.currency;
    a.amount = formatMinor(
      roundHalfUp(out.amount, minorDigitsOf(currency)),
      minorDigitsOf(currency),
    );
    a.currency = currency;
  }
  if (decision === 'rejected') {
    a.incidents = [];
    a.orders = [];
  }
  return a;
}

function close(a: Assessment, decision: Assessment['decision'], reasons: Reason[]): Assessment {
  a.decision = decision;
  a.reasons = reasonCodes(reasons);
  for (const r of reasons) {
    if (r.subject === undefined) continue;
    const list = a.details.perItem[r.subject] ?? [];
    if (!list.includes(r.code)) list.push(r.code);
    a.details.perItem[r.subject] = list;
  }
  if (decision === 'needs_info' || decision === 'rejected') {
    a.amount = null;
    a.currency = null;
    a.incidents = [];
    a.orders = [];
  }
  return a;
}
