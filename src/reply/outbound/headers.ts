/**
 * Header values of a reply that come from the customer's email (subject, display name,
 * message ids, address). Everything here assumes hostile input: a CR or LF that reached a
 * header would let the sender add headers of their own (`\r\nBcc: victim@x`) to a message
 * we sign with our name, so control characters become spaces before MailComposer sees them,
 * and ids or addresses that are not exactly what the grammar allows are dropped or refused.
 */
import { InvalidReplyError } from './errors.ts';

/**
 * C0/C1 controls (CR, LF, NUL, …), Unicode line/paragraph separators (some clients break
 * lines on them) and bidi overrides/isolates (used to make a subject read backwards).
 */
const UNSAFE_CHARS = /[\p{Cc}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]/gu;

/** Longest part of the original subject we repeat; the whole header stays well under 998 octets. */
const MAX_SUBJECT_CHARS = 200;
const MAX_NAME_CHARS = 100;
/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254. */
const MAX_ADDRESS_CHARS = 254;
const MAX_MESSAGE_ID_CHARS = 250;
/**
 * References kept: the thread's first id (its root, which clients thread on) plus the most
 * recent ones. A long thread must not grow the header without bound.
 */
export const MAX_REFERENCES = 20;

/** Reply prefixes clients add: Re, Re[2], Re(2), AW (German), 回复/答复 (Simplified), 回覆 (Traditional). */
const REPLY_PREFIX = /^\s*(?:re|aw|回复|答复|回覆)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/iu;

/** Control and layout characters to spaces, runs of white space to one, trimmed. */
export function cleanHeaderText(text: string): string {
  return text.replace(UNSAFE_CHARS, ' ').replace(/\s+/g, ' ').trim();
}

/** Cuts by code points so a surrogate pair (emoji, rare CJK) is never split in two. */
function limit(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max).join('').trimEnd()}…`;
}

/** A claim reference as the service issues it: `CLM-` and digits. */
export function checkClaimRef(claimRef: string): string {
  if (!/^CLM-\d{1,18}$/.test(claimRef)) {
    throw new InvalidReplyError(
      'claimRef',
      `must look like CLM-000123, got ${JSON.stringify(claimRef)}`,
    );
  }
  return claimRef;
}

/**
 * `Re: <original without its reply prefixes> [CLM-000123]`. `Re:` also for Chinese
 * replies: every client, Chinese ones included, recognises it and threads on it (RFC 5322
 * §3.6.5), while a second localised prefix would stack up on each round.
 */
export function replySubject(originalSubject: string, claimRef: string): string {
  const tag = `[${checkClaimRef(claimRef)}]`;
  let subject = cleanHeaderText(originalSubject);
  for (let before = ''; before !== subject; ) {
    before = subject;
    subject = subject.replace(REPLY_PREFIX, '');
  }
  // A customer answering our earlier reply already carries the tag; keep it once, at the end.
  subject = cleanHeaderText(subject.split(tag).join(' '));
  subject = limit(subject, MAX_SUBJECT_CHARS);
  return subject === '' ? `Re: ${tag}` : `Re: ${subject} ${tag}`;
}

/** A display name safe for a header, or undefined when nothing printable is left. */
export function cleanDisplayName(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  const cleaned = limit(cleanHeaderText(name), MAX_NAME_CHARS);
  return cleaned === '' ? undefined : cleaned;
}

/** RFC 5322 atext (dot-atom characters); a msg-id's left side is a dot-atom. */
const ID_LEFT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+";
/** Its right side: a dot-atom or a domain literal like `[127.0.0.1]`. */
const ID_RIGHT = "(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+|\\[[A-Za-z0-9.:-]+\\])";
const MESSAGE_ID = new RegExp(`^${ID_LEFT}@${ID_RIGHT}$`);

/**
 * `<left@right>` when `id` (with or without angle brackets) is a well-formed msg-id, else
 * null. Anything with spaces, controls, a second `@` or stray brackets is dropped: it would
 * not thread anyway, and it must never become a header.
 */
export function normalizeMessageId(id: string | null | undefined): string | null {
  if (!id) return null;
  let core = id.trim();
  if (core.startsWith('<') && core.endsWith('>')) core = core.slice(1, -1);
  if (core.length === 0 || core.length > MAX_MESSAGE_ID_CHARS) return null;
  return MESSAGE_ID.test(core) ? `<${core}>` : null;
}

/**
 * References of a reply (RFC 5322 §3.6.4): the parent's References, or failing those its
 * single In-Reply-To, followed by the parent's Message-ID. Invalid ids are dropped,
 * duplicates kept once (first place), and the list cut to its root plus the latest ids.
 */
export function replyReferences(
  originalReferences: readonly string[],
  originalMessageId: string | null,
  originalInReplyTo: string | null = null,
): string[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  const add = (raw: string | null): void => {
    const id = normalizeMessageId(raw);
    if (id && !seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  };
  for (const ref of originalReferences) add(ref);
  if (ids.length === 0) add(originalInReplyTo);
  add(originalMessageId);
  if (ids.length <= MAX_REFERENCES) return ids;
  return [ids[0]!, ...ids.slice(ids.length - (MAX_REFERENCES - 1))];
}

/**
 * A bare mailbox address: no display name, no comments, no quoting, no list. A value like
 * `a@x, victim@y` or `a@x>\r\nBcc: …` is refused outright rather than repaired, since
 * guessing which part is the real sender is how a reply ends up with a stranger.
 */
const ADDRESS = /^[^\s\p{Cc}"(),:;<>@[\\\]]+@[^\s\p{Cc}"(),:;<>@[\\\]]+$/u;

export function checkAddress(field: string, address: string): string {
  const trimmed = address.trim();
  if (trimmed.length > MAX_ADDRESS_CHARS || !ADDRESS.test(trimmed)) {
    throw new InvalidReplyError(
      field,
      `not a plain email address: ${JSON.stringify(limit(address, 80))}`,
    );
  }
  return trimmed;
}
