/**
 * The account a claim is about: a label (account, account id, acct, 账号, 帐号, 账户,
 * 帐户) followed by the id; without a label, a token equal to a known account id.
 */
import type { RecordLookup } from '../record-index.ts';

// A word after the label ("account id", "account no.") belongs to the label only when
// the id does not run on from it: "account nova-77" is the account "nova-77".
const LABELLED =
  /(?<![A-Za-z])(?:account|acct|账号|帐号|账户|帐户)(?:\s*(?:id|no\.|no|number|名)(?![A-Za-z0-9_-]))?(\s*[:：=]\s*|\s*)([A-Za-z0-9][A-Za-z0-9._@-]*)/gi;

/** Dates, times and bare small numbers follow "account" in prose; they are not ids. */
const DATE_MARK = /[年月日时点]/;
const NOT_AN_ID = /^(?:\d{4}[-/.年]\d{1,2}|\d{1,2}:\d{2}|\d{1,3}$)/;

export interface FoundAccount {
  /** As in the records when known, else as written. */
  id: string;
  known: boolean;
}

/**
 * Looks in one text. A labelled id the records know wins; then a labelled unknown id,
 * provided it looks like an id (a separator after the label, or a digit or punctuation in
 * it), so "my account was down" does not yield "was"; then an unlabelled known id.
 */
export function findAccount(text: string, index: RecordLookup): FoundAccount | null {
  let unknown: string | null = null;
  for (const m of text.matchAll(LABELLED)) {
    const id = (m[2] ?? '').replace(/[._-]+$/, '');
    const next = text.charAt((m.index ?? 0) + m[0].length);
    if (id === '' || NOT_AN_ID.test(id) || DATE_MARK.test(next)) continue;
    // "account iddemo-shop": a label word glued to a known id.
    const glued = /^(?:id|no|number)(.+)$/i.exec(id)?.[1];
    const account = index.account(id) ?? (glued ? index.account(glued) : undefined);
    if (account) return { id: account.id, known: true };
    const separated = /[:：=]/.test(m[1] ?? '');
    if (unknown === null && (separated || /[\d._@-]/.test(id))) unknown = id;
  }
  // A labelled id wins over an unlabelled token, even when the records do not know it.
  if (unknown !== null) return { id: unknown, known: false };
  const bare = index.knownAccountIn(text);
  return bare ? { id: bare.id, known: true } : null;
}
