/**
 * Who is answered automatically (DESIGN "Automatic replies (v1.1)"). Anyone can put any
 * address in From: a reply to a forged or invented address is backscatter, mail we send to
 * someone who never wrote to us. So an automatic reply goes only where a reply is expected:
 * to a contact of a known account, or to any sender of a claim type whose mail passed
 * sender authentication (when it is on). An agent's decision is the agent's to send.
 */
import type { ClaimType } from '../domain/extract/classify.ts';
import type { ReasonCode } from '../domain/reasons.ts';
import type { ReplyKind } from './render/reply-data.ts';

export interface AutomaticReplyFacts {
  type: ClaimType;
  /** The decision's reasons. */
  reasons: readonly ReasonCode[];
  /** The sender check of the assessment (claim_assessments); null when it was off or unknown. */
  senderAuthenticated: boolean | null;
  /** The address the reply would go to is a contact of a known account. */
  contact: boolean;
}

/**
 * Why this decision gets no automatic reply, or null when it may get one. The claim then
 * waits in review (`no_automatic_reply`) for an agent to decide whether to answer.
 */
export function noAutomaticReply(facts: AutomaticReplyFacts): string | null {
  // Checked on the assessment's own result too: a needs-info decision reports only what is
  // missing, never `sender_unauthenticated`, yet its sender failed all the same.
  if (facts.senderAuthenticated === false || facts.reasons.includes('sender_unauthenticated'))
    return 'the sender failed authentication: a reply could go to a forged address';
  if (facts.type === 'unknown' && !facts.contact)
    return 'unclassified mail from an address that is no account’s contact (spam or backscatter)';
  return null;
}

const PAYING: ReadonlySet<ReplyKind> = new Set([
  'compensation_approved',
  'refund_approved',
  'icp_reward_approved',
]);

/**
 * A reply that tells of a payment: a limit may delay it, never drop it (the customer was
 * paid and must hear of it). Any other reply beyond a limit goes to an agent instead.
 */
export function tellsOfPayment(kind: ReplyKind): boolean {
  return PAYING.has(kind);
}
