import { describe, expect, it } from 'vitest';
import { claimAuditTrail, writeAudit } from '../../src/store/audit-log.ts';
import { withTransaction } from '../../src/store/database.ts';
import { freshDatabasePerTest } from '../support/database.ts';
import { storeClaim } from '../support/store-claim.ts';

const MAILBOX = 'maildir:/srv/claim-audit-trail-test';

const db = freshDatabasePerTest();

const claim = (sourceKey: string) =>
  storeClaim(db().pool, MAILBOX, `Subject: ${sourceKey}\r\n\r\nPlease pay.\r\n`, { sourceKey });

describe('claimAuditTrail', () => {
  it("lists the claim's own entries oldest first, in written order within one instant", async () => {
    const mine = await claim('mine');
    const other = await claim('other');
    // One transaction: now() is the same instant for all three, so only the id orders them.
    await withTransaction(db().pool, (client) =>
      writeAudit(
        client,
        { actor: 'agent:b@example.com', action: 'test.second', claimId: mine, details: { n: 2 } },
        { actor: 'agent:x@example.com', action: 'test.elsewhere', claimId: other },
        { actor: 'agent:a@example.com', action: 'test.first', claimId: mine },
      ),
    );
    await writeAudit(db().pool, { actor: 'system:test', action: 'test.later', claimId: mine });

    const trail = await claimAuditTrail(db().pool, mine);
    // Intake's own entry for the stored claim comes first.
    expect(trail.map((e) => e.action)).toEqual([
      'message.stored',
      'test.second',
      'test.first',
      'test.later',
    ]);
    expect(trail[1]).toMatchObject({ actor: 'agent:b@example.com', details: { n: 2 } });
    expect(trail[1]?.at).toBeInstanceOf(Date);
    expect(trail[1]?.at.getTime()).toBe(trail[2]?.at.getTime());
    expect(trail[3]?.at.getTime()).toBeGreaterThanOrEqual(trail[2]?.at.getTime() ?? Infinity);
  });

  it('answers an empty trail for no such claim', async () => {
    expect(await claimAuditTrail(db().pool, 999_999)).toEqual([]);
  });
});
