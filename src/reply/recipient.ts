/**
 * Who a reply goes to, as the flood limits and the backscatter rules see it (DESIGN
 * "Automatic replies (v1.1)"): the mailbox the address reaches, its domain, and whether it
 * is a contact of a known account.
 */
import type pg from 'pg';
import { isContact } from '../store/records-store.ts';

export interface Recipient {
  /** The address the reply is sent to, lower-cased as the parser gives it. */
  address: string;
  /** The mailbox the per-sender limit counts: case and +tag folded. */
  mailbox: string;
  /** The domain the per-domain limit counts. */
  domain: string;
  /** A contact of some account in the records: may be greeted by name, is not held per domain. */
  contact: boolean;
}

/**
 * The mailbox an address reaches, so that a limit counts a mailbox and not a spelling:
 * `Victim+1@X.test` and `victim@x.test` are one. Case is folded throughout (RFC 5321 lets
 * a local part be case-sensitive; no mail service a customer uses makes it so), and a
 * `+tag` sub-address, everything from the first `+` of the local part, is dropped. A
 * quoted local part is left as written (its `+` or `@` may be literal), and so is one that
 * is all tag. A trailing dot of the domain (an absolute name) names the same domain.
 * Never throws: text without `@` is its own mailbox, with no domain.
 */
export function foldMailbox(address: string): { mailbox: string; domain: string } {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0) return { mailbox: lower, domain: '' };
  let local = lower.slice(0, at);
  const domain = lower.slice(at + 1).replace(/\.+$/, '');
  const plus = local.indexOf('+');
  if (plus > 0 && !local.startsWith('"')) local = local.slice(0, plus);
  return { mailbox: `${local}@${domain}`, domain };
}

/**
 * The recipient of a reply to `address`. Contacts are looked up exactly (lower-cased,
 * through the GIN index on accounts.emails, migration 007): a +tag variant of a contact's
 * address is not that contact, as the engine does not take it for one either.
 */
export async function recipientOf(
  client: pg.Pool | pg.PoolClient,
  address: string,
): Promise<Recipient> {
  const lower = address.trim().toLowerCase();
  const contact = await isContact(client, lower);
  return { address: lower, ...foldMailbox(lower), contact };
}
