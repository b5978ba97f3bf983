/**
 * The reply to one claim's decision, rendered: the one path shared by the reply stage and
 * the console's preview, so what an agent previews is what the customer receives.
 */
import type { Assessment } from '../../domain/assess/types.ts';
import { formatClaimRef } from '../../domain/claim-ref.ts';
import type { ParsedEmail } from '../../domain/email.ts';
import { replySubject } from '../outbound/headers.ts';
import { type ReplyLang, replyLanguage } from './language.ts';
import { buildReplyData, type ReplyKind, replyKind } from './reply-data.ts';
import type { ReplyTemplates } from './templates.ts';

export interface ClaimReply {
  kind: ReplyKind;
  lang: ReplyLang;
  ref: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * What a reply takes of the customer's message, as its facts keep it (src/store/
 * message-facts.ts): the reply stage and the preview answer without parsing the source again.
 */
export interface ReplyEmail extends Pick<ParsedEmail, 'from' | 'fromName' | 'subject'> {
  /** The reply's language, read from the customer's words when the message was assessed. */
  lang: ReplyLang;
}

export interface ClaimReplyInput {
  claimId: number;
  assessment: Assessment;
  /** The customer's message the reply answers: its facts, or the parsed email itself. */
  email: ReplyEmail | ParsedEmail;
  /** The claim's receipt time, epoch ms. */
  receivedAt: number;
  /** The refund receipt number, once settlement generated it. */
  receipt?: string | null;
  /**
   * The sender is a contact of a known account (src/reply/recipient.ts). Otherwise the reply
   * repeats none of their words: a neutral greeting, and the subject only the claim reference.
   */
  contact: boolean;
}

/** What of the customer's own header text a reply may repeat: nothing, to a non-contact. */
export function quotedHeaders(
  email: Pick<ParsedEmail, 'subject' | 'fromName'>,
  contact: boolean,
): { subject: string; name: string | null } {
  return contact ? { subject: email.subject, name: email.fromName } : { subject: '', name: null };
}

/** The rendered reply, or null for a decision that is never answered (auto-generated mail). */
export function renderClaimReply(
  templates: ReplyTemplates,
  input: ClaimReplyInput,
): ClaimReply | null {
  const kind = replyKind(input.assessment);
  if (kind === null) return null;
  const lang = 'lang' in input.email ? input.email.lang : replyLanguage(input.email);
  const ref = formatClaimRef(input.claimId);
  const data = buildReplyData({
    claimRef: ref,
    assessment: input.assessment,
    email: input.email,
    lang,
    receivedAt: input.receivedAt,
    ...(input.receipt ? { receipt: input.receipt } : {}),
    contact: input.contact,
  });
  const rendered = templates.render(kind, lang, data);
  const subject = replySubject(quotedHeaders(input.email, input.contact).subject, ref);
  return { kind, lang, ref, subject, ...rendered };
}
