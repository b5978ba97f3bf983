/**
 * The threading ids of a customer's message as its facts keep them: the ones a reply can
 * carry, in a bounded list that gives the reply exactly the References header the whole list
 * gives. A hostile message may name thousands of ids; a reply names at most MAX_REFERENCES.
 */
import type { ParsedEmail } from '../domain/email.ts';
import { normalizeMessageId } from '../reply/outbound/headers.ts';

/**
 * References kept: the root and the latest 99. More than a reply carries (MAX_REFERENCES in
 * reply/outbound/headers.ts: the root and the latest 19), or the reply would change.
 */
export const KEPT_REFERENCES = 100;

export interface ThreadIds {
  /** Message-ID, without angle brackets; null when absent or malformed. */
  messageId: string | null;
  inReplyTo: string | null;
  /** References, well-formed, each once; at most KEPT_REFERENCES + 1. */
  references: string[];
}

/** The id without angle brackets when a reply would carry it, else null (see normalizeMessageId). */
function wellFormed(id: string | null): string | null {
  return normalizeMessageId(id)?.slice(1, -1) ?? null;
}

/**
 * A malformed id is dropped, as replyReferences drops it. When the list is cut, the message's
 * own id is kept where the cut would take it from the middle: replyReferences adds it only
 * when it is not among the References and then keeps the root and the latest, so without it
 * the reply would name it once more at the end.
 */
export function threadIdsOf(
  email: Pick<ParsedEmail, 'messageId' | 'inReplyTo' | 'references'>,
): ThreadIds {
  const messageId = wellFormed(email.messageId);
  const inReplyTo = wellFormed(email.inReplyTo);
  const all = [...new Set(email.references.map(wellFormed).filter((id) => id !== null))];
  if (all.length <= KEPT_REFERENCES) return { messageId, inReplyTo, references: all };
  const latest = all.slice(-(KEPT_REFERENCES - 1));
  const inMiddle = messageId !== null && all.indexOf(messageId) > 0 && !latest.includes(messageId);
  return {
    messageId,
    inReplyTo,
    references: [all[0]!, ...(inMiddle ? [messageId] : []), ...latest],
  };
}
