/**
 * Loop and flood protection through the real service: at most REPLY_LIMIT_PER_SENDER
 * automatic replies per sender a day (the rest go to review), never an answer to our own
 * address or to automatic mail, and no header of the customer's making in a reply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import {
  createHarness,
  type Harness,
  MAIL_FROM,
  mail,
  uniqueId,
  waitIdle,
} from './pipeline-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ env: { REPLY_LIMIT_PER_SENDER: '2' } });
  await h.start();
});

afterAll(async () => {
  await h?.cleanup();
});

describe('flood protection', () => {
  it('answers a sender twice and sends the third claim to review', async () => {
    // Three claims at once, so their replies are prepared concurrently.
    const names = ['a', 'b', 'c'].map((tag) =>
      h.deliver(
        mail({
          from: 'flood@demo-shop.test',
          subject: `Compensation please (${tag})`,
          messageId: uniqueId(`flood-${tag}`),
        }),
        RECEIVED,
      ),
    );
    const claims = await Promise.all(
      names.map((n) =>
        h.waitClaim(n, (c) => c.state === 'answered' || c.state === 'review', 'claim finished'),
      ),
    );
    await waitIdle(h);
    const final = await Promise.all(claims.map((c) => h.claim(c.id)));
    const answered = final.filter((c) => c.state === 'answered');
    const limited = final.filter((c) => c.state === 'review');
    expect(answered).toHaveLength(2);
    expect(limited).toHaveLength(1);
    expect(limited[0]!.reasons).toContain('reply_limit_reached');
    expect(await h.replies(limited[0]!.id)).toEqual([]);
    expect(
      h.sink.messages.filter((m) => m.envelope.to.includes('flood@demo-shop.test')),
    ).toHaveLength(2);
    expect(
      await h.count(`SELECT count(*) n FROM replies WHERE to_address = 'flood@demo-shop.test'`),
    ).toBe(2);
    const audit = await h.db.pool.query<{ details: { reason: string } }>(
      `SELECT details FROM audit_log WHERE claim_id = $1 AND action = 'claim.to_review'`,
      [limited[0]!.id],
    );
    expect(audit.rows.map((r) => r.details.reason)).toEqual(['reply_limit_reached']);
  });

  it('counts the sender case-insensitively', async () => {
    const name = h.deliver(
      mail({
        from: 'Flood@Demo-Shop.TEST',
        subject: 'Compensation please (d)',
        messageId: uniqueId('flood-d'),
      }),
      RECEIVED,
    );
    const claim = await h.waitClaim(name, (c) => c.state === 'review', 'fourth claim to review');
    expect(claim.reasons).toContain('reply_limit_reached');
    expect(
      h.sink.messages.filter((m) => /flood@demo-shop\.test/i.test(m.envelope.to.join())),
    ).toHaveLength(2);
  });
});

describe('loop protection', () => {
  it('never answers mail from our own address', async () => {
    const messageId = uniqueId('self');
    const name = h.deliver(
      mail({ from: MAIL_FROM, subject: 'Compensation please', messageId }),
      RECEIVED,
    );
    const claim = await h.waitClaim(name, (c) => c.decision !== null, 'assessed');
    await waitFor(
      async () =>
        (await h.count(
          `SELECT count(*) n FROM audit_log WHERE claim_id = $1 AND action LIKE 'reply.%'`,
          [claim.id],
        )) === 0 && (await h.queuesIdle()),
      { message: 'reply stage done' },
    );
    expect(await h.replies(claim.id)).toEqual([]);
    expect(await h.sentTo(messageId)).toEqual([]);
    expect(h.sink.messages.filter((m) => m.envelope.to.includes(MAIL_FROM))).toEqual([]);
    // Done with, not owed: the sweeps must not keep offering it to the reply stage.
    expect((await h.claim(claim.id)).state).toBe('ignored');
    const audit = await h.db.pool.query<{ details: { reason: string } }>(
      `SELECT details FROM audit_log WHERE claim_id = $1 AND action = 'claim.ignored'`,
      [claim.id],
    );
    expect(audit.rows.map((r) => r.details.reason)).toEqual(['own_address']);
  });

  it('never answers our own address written in another case', async () => {
    const messageId = uniqueId('self-case');
    const name = h.deliver(
      mail({
        from: `"Claims Desk" <${MAIL_FROM.toUpperCase()}>`,
        subject: 'Compensation please',
        messageId,
      }),
      RECEIVED,
    );
    const claim = await h.waitClaim(name, (c) => c.decision !== null, 'assessed');
    await waitIdle(h);
    expect(await h.replies(claim.id)).toEqual([]);
    expect(await h.sentTo(messageId)).toEqual([]);
  });

  it('never answers automatic mail', async () => {
    const cases: Record<string, string>[] = [
      { 'Auto-Submitted': 'auto-replied' },
      { 'Auto-Submitted': 'auto-generated' },
      { Precedence: 'bulk' },
      { 'X-Autoreply': 'yes' },
    ];
    const delivered = cases.map((headers, i) => {
      const messageId = uniqueId(`auto${i}`);
      const name = h.deliver(
        mail({
          from: 'auto@demo-shop.test',
          subject: 'Automatic reply: Compensation claim - Account: demo-shop',
          messageId,
          headers,
        }),
        RECEIVED,
      );
      return { name, messageId };
    });
    for (const { name, messageId } of delivered) {
      const claim = await h.waitClaim(name, (c) => c.state === 'ignored', 'ignored');
      expect(claim.reasons).toEqual(['auto_generated']);
      await waitIdle(h);
      expect(await h.replies(claim.id)).toEqual([]);
      expect(await h.sentTo(messageId)).toEqual([]);
    }
  });
});

describe('header injection', () => {
  it('keeps an encoded CR/LF in the subject out of the reply headers', async () => {
    const messageId = uniqueId('inject');
    const evil = 'Compensation please\r\nBcc: victim@evil.test\r\nX-Injected: yes';
    const name = h.deliver(
      mail({
        // A contact: replies to anyone else never repeat the subject at all.
        from: 'it@demo-shop.test',
        subject: `=?UTF-8?B?${Buffer.from(evil).toString('base64')}?=`,
        rawSubject: true,
        messageId,
      }),
      RECEIVED,
    );
    const claim = await h.waitClaim(name, (c) => c.state === 'answered', 'answered');
    const [reply, ...more] = await h.sentTo(messageId);
    expect(more).toEqual([]);
    expect(reply!.envelope.to).toEqual(['it@demo-shop.test']);
    const names = reply!.headerLines.map((l) => l.name);
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-injected');
    expect(names.filter((n) => n === 'to')).toHaveLength(1);
    expect(reply!.header('to')).toBe('it@demo-shop.test');
    // The words are kept, on one line.
    expect(reply!.subject).toBe(
      `Re: Compensation please Bcc: victim@evil.test X-Injected: yes [CLM-${String(claim.id).padStart(6, '0')}]`,
    );
    expect(reply!.raw.toString('latin1')).not.toMatch(/\r\n(Bcc|X-Injected):/i);
  });
});
