/**
 * Stores one raw email as a claim the way intake does (message row, claim row, audit entry),
 * without a mailbox or the queues: the claim waits in 'received' for whatever the test does.
 */
import type pg from 'pg';
import { ensureMailbox, sha256Of, storeMessages } from '../../src/store/messages-store.ts';

export async function storeClaim(
  pool: pg.Pool,
  mailbox: string,
  raw: Buffer | string,
  options: { sourceKey: string; received?: Date; messageId?: string | null },
): Promise<number> {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  await ensureMailbox(pool, mailbox);
  const [outcome] = await storeMessages(pool, mailbox, [
    {
      sourceKey: options.sourceKey,
      uidValidity: null,
      uid: null,
      raw: bytes,
      size: bytes.length,
      internalDate: options.received ?? new Date(),
      messageId: options.messageId ?? null,
      sha256: sha256Of(bytes),
      quarantine: null,
    },
  ]);
  const claimId = outcome?.claimId;
  if (!claimId) throw new Error(`${options.sourceKey} was stored before (a duplicate)`);
  return claimId;
}
