/**
 * The reply a customer would get for an agent's draft decision, rendered with the real
 * templates from the same assessment the action would store. Nothing is saved.
 */
import type pg from 'pg';
import { recipientOf } from '../reply/recipient.ts';
import { renderClaimReply } from '../reply/render/claim-reply.ts';
import type { ReplyLang } from '../reply/render/language.ts';
import type { ReplyTemplates } from '../reply/render/templates.ts';
import { loadEmailFacts } from '../store/email-facts.ts';
import { claimToPreview } from '../store/review-store.ts';
import { applyDraft, type DecisionDraft } from './draft.ts';
import { ReviewError } from './errors.ts';
import { readOriginalEmail } from './original-email.ts';

export interface ReplyPreview {
  subject: string;
  text: string;
  html: string;
  lang: ReplyLang;
}

export async function previewReply(
  pool: pg.Pool,
  templates: ReplyTemplates,
  claimId: number,
  draft: DecisionDraft,
  actor = 'agent:preview@claim-intake.local',
): Promise<ReplyPreview> {
  const claim = await claimToPreview(pool, claimId);
  if (!claim) throw new ReviewError('not_found', `claim ${claimId} does not exist`);
  // Parsed only for a claim assessed before the facts kept all this (then saved for next time).
  const email =
    claim.assessment && claim.has_raw
      ? await loadEmailFacts(pool, claim.message_id, readOriginalEmail)
      : null;
  if (!claim.assessment || !email)
    throw new ReviewError('invalid_input', 'the claim has no assessed message to answer');
  const a = applyDraft(claim.assessment, draft, actor, new Date());
  // As the reply stage renders it: to a non-contact, nothing of the sender's words repeated.
  const contact = email.from ? (await recipientOf(pool, email.from)).contact : false;
  const reply = renderClaimReply(templates, {
    claimId,
    assessment: a,
    email,
    receivedAt: claim.received_at.getTime(),
    contact,
  });
  if (reply === null) throw new ReviewError('invalid_input', 'this decision gets no reply');
  return { subject: reply.subject, text: reply.text, html: reply.html, lang: reply.lang };
}
