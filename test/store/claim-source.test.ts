import { describe, expect, it } from 'vitest';
import { claimSource } from '../../src/store/review-store.ts';
import { freshDatabasePerTest } from '../support/database.ts';
import { storeClaim } from '../support/store-claim.ts';

const MAILBOX = 'maildir:/srv/claim-source-test';
const RAW = Buffer.from('Subject: late\r\n\r\nPlease pay.\r\n');

const db = freshDatabasePerTest();

describe('claimSource', () => {
  it("reads the claim's source as stored, and no purge time while it is kept", async () => {
    const id = await storeClaim(db().pool, MAILBOX, RAW, { sourceKey: 'kept' });
    const source = await claimSource(db().pool, id);
    expect(source?.raw?.equals(RAW)).toBe(true);
    expect(source?.purged_at).toBeNull();
  });

  it('answers no source and the purge time once retention dropped it', async () => {
    const id = await storeClaim(db().pool, MAILBOX, RAW, { sourceKey: 'purged' });
    await db().pool.query(
      `UPDATE messages SET raw = NULL, purged_at = '2026-05-01T00:00:00Z'
         FROM claims c WHERE c.message_id = messages.id AND c.id = $1`,
      [id],
    );
    expect(await claimSource(db().pool, id)).toEqual({
      raw: null,
      purged_at: new Date('2026-05-01T00:00:00Z'),
    });
  });

  it('answers null for no such claim', async () => {
    expect(await claimSource(db().pool, 999_999)).toBeNull();
  });
});
