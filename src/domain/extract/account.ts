/**
 * The account a claim is about: a label (account, account id, acct, 账号, 帐号, 账户,
 * 帐户) followed by the id; without a label, a token equal to a known account id.
 */
import type { RecordIndex } from '../record-index.ts';

const LABELLED =
  /(?<![A-Za-z])(?:account\s*(?:id|no\.?|number)?|acct|账号|帐号|账户|帐户)(?:\s*(?:id|ID|名))?(\s*[:：=]\s*|\s*)([A-Za-z0-9][A-Za-z0-9._@-]*)/gi;

export interface FoundAccount {
  /** As in the records when known, else as written. */
  id: string;
  known: boolean;
}

/**
 * Looks in one text. A labelled id the records know wins; then an unlabelled known id;
 * then a labelled unknown id, provided it looks like an id (a separator after the label,
 * or a digit or punctuation in it), so "my account was down" does not yield "was".
 */
export function findAccount(text: string, index: RecordIndex): FoundAccount | null {
  let unknown: string | null = null;
  for (const m of text.matchAll(LABELLED)) {
    const id = (m[2] ?? '').replace(/[._-]+$/, '');
    if (id === '') continue;
    const account = index.account(id);
    if (account) return { id: account.id, known: true };
    const separated = /[:：=]/.test(m[1] ?? '');
    if (unknown === null && (separated || /[\d._@-]/.test(id))) unknown = id;
  }
  const bare = index.knownAccountIn(text);
  if (bare) return { id: bare.id, known: true };
  return unknown === null ? null : { id: unknown, known: false };
}
