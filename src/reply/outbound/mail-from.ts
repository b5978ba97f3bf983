/**
 * MAIL_FROM: one RFC 5322 mailbox, `claims@example.com` or `Claims Desk <claims@example.com>`.
 * The display name is for the From header only; everything that uses our address as an
 * address (the SMTP envelope, the own-address loop check, the Message-ID's domain, reply
 * rows, the outbox) takes the bare address from here.
 */
import addressparser from 'nodemailer/lib/addressparser';
import { ClaimIntakeError } from '../../domain/errors.ts';
import { InvalidReplyError } from './errors.ts';
import { checkAddress, cleanDisplayName } from './headers.ts';

export interface MailFrom {
  /** The bare address: `claims@example.com`. */
  address: string;
  /** The display name, when one was given: `Claims Desk`. */
  name: string | undefined;
}

/** MAIL_FROM is not one mailbox; `problem` says why in a few words. */
export class InvalidMailFromError extends ClaimIntakeError {
  constructor(readonly problem: string) {
    super('invalid_mail_from', problem);
  }
}

const EXPECTED = 'expected one mailbox like claims@example.com or Claims Desk <claims@example.com>';

/** Quoted strings and comments, where `@`, `<` and `>` are only text. */
const QUOTED_OR_COMMENT = /"(?:[^"\\]|\\.)*"|\((?:[^()\\]|\\.)*\)/g;

const count = (text: string, char: string): number => text.split(char).length - 1;

/**
 * The address and display name of `value`, parsed by nodemailer's address parser. That
 * parser repairs what it can (`Desk <a@x` or `Desk <a@x> b@y` still give an address), so the
 * text outside quotes and comments is checked too: a guessed sender is refused, not used.
 * Throws InvalidMailFromError.
 */
export function parseMailFrom(value: string): MailFrom {
  const parsed = read(value);
  if (typeof parsed === 'object') return parsed;
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  throw new InvalidMailFromError(`${parsed}: ${shown} (${EXPECTED})`);
}

/** The mailbox, or what is wrong with it. */
function read(value: string): MailFrom | string {
  const entries = addressparser(value);
  if (entries.length > 1) return `holds ${entries.length} addresses`;
  const entry = entries[0];
  if (entry?.group !== undefined) return 'is a group, not one mailbox';
  if (!entry?.address) return 'holds no address';
  const bare = value.replace(QUOTED_OR_COMMENT, ' ');
  if (count(bare, '@') > 1) return 'holds more than one address';
  const opens = count(bare, '<');
  if (opens > 1 || opens !== count(bare, '>')) return 'has unbalanced angle brackets';
  const angled = /<([^>]*)>/.exec(bare);
  if (!angled && bare.trim() !== entry.address)
    return 'has text beside the address (a name goes before <address>)';
  if (angled && angled[1]!.trim() !== entry.address) return 'has more than an address in <>';
  try {
    return { address: checkAddress('from', entry.address), name: cleanDisplayName(entry.name) };
  } catch (error) {
    if (error instanceof InvalidReplyError) return 'is not a valid address';
    throw error;
  }
}
