/**
 * The one place the console reads a message's source. The console shows what the assessment
 * kept of each message (store/message-facts.ts); it goes to the source, up to 25 MB, only for
 * what the facts do not hold: the original email's HTML and its attachments, and the facts of
 * a message kept by an older version (completed once, then saved: the queue's list fill, the
 * claim page, the reply preview, and the text of replies sent before migration 014).
 */
import type { EmailReader } from '../domain/email.ts';
import { type ExtractedAttachment, extractAttachment } from '../mail/attachment.ts';
import { parseEmail } from '../mail/parse.ts';

export type { ExtractedAttachment };

/** How the console reads a message's source: the same parser as the assessment and `check`. */
export const readOriginalEmail: EmailReader = parseEmail;

/**
 * The index-th attachment of a message's source (in the order `readOriginalEmail` lists
 * them), with its bytes; null when there is none or it cannot be read (mail/attachment.ts).
 */
export const readAttachment: (raw: Buffer, index: number) => Promise<ExtractedAttachment | null> =
  extractAttachment;
