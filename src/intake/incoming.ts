/**
 * From raw bytes (or only a size, for a message too large to download) to the row the
 * store keeps: content hash, Message-ID, and whether it goes to quarantine. Shared by the
 * IMAP and Maildir sources. Cheap on purpose: the worker parses the message fully later.
 */
import type { Logger } from 'pino';
import { type IncomingMessage, type StoreOutcome, sha256Of } from '../store/messages-store.ts';
import { unparseableReason } from './parse-check.ts';

export type IncomingBase = Pick<
  IncomingMessage,
  'sourceKey' | 'uidValidity' | 'uid' | 'internalDate' | 'messageId'
>;

/**
 * `identity` names a message that is not downloaded (the server's header lines, size and
 * receipt time), so a resync after a UIDVALIDITY change recognises it again.
 */
export async function classifyIncoming(
  base: IncomingBase,
  raw: Buffer | null,
  size: number,
  maxBytes: number,
  identity = '',
): Promise<IncomingMessage> {
  if (raw === null || size > maxBytes || raw.length > maxBytes) {
    const key = `oversized\0${base.messageId ?? ''}\0${identity}\0${size}\0${base.internalDate.toISOString()}`;
    return {
      ...base,
      raw: null,
      size,
      sha256: sha256Of(Buffer.from(key)),
      quarantine: 'too_large',
    };
  }
  const common = {
    ...base,
    messageId: base.messageId ?? messageIdOf(raw),
    raw,
    size: raw.length,
    sha256: sha256Of(raw),
  };
  const problem = await unparseableReason(raw);
  if (problem !== null)
    return { ...common, quarantine: 'unparseable', quarantineDetail: problem.slice(0, 200) };
  return { ...common, quarantine: null };
}

/** The Message-ID from the top header block (first 64 KB), without angle brackets. */
export function messageIdOf(raw: Buffer): string | null {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const m = /^message-id:[ \t]*((?:.|\r?\n[ \t])*)/im.exec(end < 0 ? head : head.slice(0, end));
  return m ? stripBrackets(m[1]!.replace(/\r?\n[ \t]+/g, ' ')) : null;
}

export function stripBrackets(id: string | undefined | null): string | null {
  if (!id) return null;
  return id.trim().replace(/^<|>$/g, '').slice(0, 998) || null;
}

/**
 * One line per message of a stored batch, with its claim id and Message-ID, so a claim can be
 * followed from the mailbox to its reply: debug for claims, info for quarantine (ops look
 * there). Never the content.
 */
export function logOutcomes(
  log: Logger,
  messages: IncomingMessage[],
  outcomes: StoreOutcome[],
): void {
  const byKey = new Map(outcomes.map((o) => [o.sourceKey, o]));
  for (const m of messages) {
    const outcome = byKey.get(m.sourceKey);
    if (!outcome) continue;
    const fields = {
      claimId: outcome.claimId,
      messageId: m.messageId,
      sourceKey: m.sourceKey,
      status: outcome.status,
      size: m.size,
    };
    if (m.quarantine && outcome.status === 'stored')
      log.info(
        { ...fields, quarantine: m.quarantine, detail: m.quarantineDetail },
        'message quarantined',
      );
    else
      log.debug(fields, outcome.status === 'stored' ? 'message stored' : 'message already stored');
  }
}
