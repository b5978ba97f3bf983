/**
 * MAIL_FROM with a display name (issue #14): the name shows in the From of replies, and the
 * bare address is what everything else uses: the SMTP envelope, the Message-ID's domain, the
 * reply row, and the check that never answers our own address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, mail, uniqueId, waitIdle } from './pipeline-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';
const ADDRESS = 'claims@cloud.example';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ env: { MAIL_FROM: `Claims Desk <${ADDRESS}>` } });
  await h.start();
}, 60_000);

afterAll(async () => {
  await h?.cleanup();
});

describe('MAIL_FROM with a display name', () => {
  it('shows the name in the From header and uses the bare address everywhere else', async () => {
    const messageId = uniqueId('named-from');
    const name = h.deliver(mail({ subject: 'Compensation please', messageId }), RECEIVED);
    const claim = await h.waitClaim(name, (c) => c.state === 'answered', 'claim answered');
    const [reply] = await h.sentTo(messageId);
    expect(reply?.header('from')).toBe(`Claims Desk <${ADDRESS}>`);
    expect(reply?.envelope).toEqual({ from: ADDRESS, to: ['it@demo-shop.test'] });
    expect(reply?.header('message-id')).toMatch(/^<clm-\d+\.v1\.[a-z0-9]+@cloud\.example>$/);
    const { rows } = await h.db.pool.query<{ from_address: string; message_id: string }>(
      'SELECT from_address, message_id FROM replies WHERE claim_id = $1',
      [claim.id],
    );
    expect(rows).toEqual([{ from_address: ADDRESS, message_id: reply?.header('message-id') }]);
  });

  it.each([ADDRESS, `"Claims Desk" <${ADDRESS}>`, 'Claims+loop@Cloud.Example'])(
    'never answers mail from our own address, written %s',
    async (from) => {
      const messageId = uniqueId('named-self');
      const name = h.deliver(mail({ from, subject: 'Compensation please', messageId }), RECEIVED);
      const claim = await h.waitClaim(name, (c) => c.state === 'ignored', 'claim ignored');
      await waitIdle(h);
      expect(await h.replies(claim.id)).toEqual([]);
      expect(await h.sentTo(messageId)).toEqual([]);
      const audit = await h.db.pool.query<{ details: { reason: string } }>(
        `SELECT details FROM audit_log WHERE claim_id = $1 AND action = 'claim.ignored'`,
        [claim.id],
      );
      expect(audit.rows.map((r) => r.details.reason)).toEqual(['own_address']);
    },
  );
});
