/**
 * Sender authentication in the running service (SENDER_AUTH=header): a claim whose From
 * domain failed DMARC at our receiving server goes to review with sender_unauthenticated and
 * pays nothing; the same claim with dmarc=pass is approved and paid; a forged
 * Authentication-Results from someone else's authserv-id counts for nothing. A sender who
 * failed authentication gets no automatic reply at all (DESIGN "Automatic replies (v1.1)").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, mail, uniqueId, waitIdle } from './pipeline-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';
const SUBJECT =
  'Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({
    env: { SENDER_AUTH: 'header', SENDER_AUTH_AUTHSERV_ID: 'mx.claims.example' },
  });
  await h.start();
});

afterAll(async () => {
  await h?.cleanup();
});

function claimMail(results: string[]): string {
  const headers: Record<string, string> = {};
  // mail() takes one value per name: stack several Authentication-Results by folding them in.
  if (results.length > 0)
    headers['Authentication-Results'] = results.join('\r\nAuthentication-Results: ');
  return mail({ subject: SUBJECT, messageId: uniqueId('auth'), headers });
}

describe('a forged sender never triggers a payout', () => {
  it('dmarc=fail at our server: review with sender_unauthenticated, nothing paid', async () => {
    const name = h.deliver(
      claimMail(['mx.claims.example; dmarc=fail (p=reject) header.from=demo-shop.test']),
      RECEIVED,
      'auth-fail',
    );
    const claim = await h.waitClaim(name, (c) => c.decision !== null, 'assessed');
    expect(claim.decision).toBe('review');
    expect(claim.reasons).toContain('sender_unauthenticated');
    expect(await h.ledger(claim.id)).toEqual([]);
  });

  it('a pass written by someone else’s server counts for nothing', async () => {
    const name = h.deliver(
      claimMail(['evil.example; dmarc=pass header.from=demo-shop.test']),
      RECEIVED,
      'auth-forged',
    );
    const claim = await h.waitClaim(name, (c) => c.decision !== null, 'assessed');
    expect(claim.reasons).toContain('sender_unauthenticated');
    expect(await h.ledger(claim.id)).toEqual([]);
  });

  it('dmarc=pass at our server: approved and paid', async () => {
    const name = h.deliver(
      claimMail(['mx.claims.example; dmarc=pass header.from=demo-shop.test']),
      RECEIVED,
      'auth-pass',
    );
    const claim = await h.waitClaim(name, (c) => c.state === 'answered', 'answered');
    expect(claim.decision).toBe('approved');
    expect(claim.reasons).not.toContain('sender_unauthenticated');
    expect((await h.ledger(claim.id)).length).toBe(1);
  });
});

describe('a sender who failed authentication gets no automatic reply', () => {
  const FAIL = 'mx.claims.example; dmarc=fail (p=reject) header.from=demo-shop.test';

  it('neither the acknowledgement of a claim in review nor a needs-info request: both wait for an agent', async () => {
    const sent = [
      { subject: SUBJECT, messageId: uniqueId('auth-noreply') },
      { subject: 'Compensation please', messageId: uniqueId('auth-noreply-info') },
    ].map((m) => ({
      ...m,
      name: h.deliver(mail({ ...m, headers: { 'Authentication-Results': FAIL } }), RECEIVED),
    }));
    for (const { name, messageId } of sent) {
      const claim = await h.waitClaim(
        name,
        (c) => c.reasons.includes('no_automatic_reply'),
        'held without a reply',
      );
      await waitIdle(h);
      expect((await h.claim(claim.id)).state).toBe('review');
      expect(await h.replies(claim.id)).toEqual([]);
      expect(await h.sentTo(messageId)).toEqual([]);
      expect(await h.ledger(claim.id)).toEqual([]);
    }
  });
});
