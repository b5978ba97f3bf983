/**
 * Replies in the customer's script through the real service (issue #12, items 5 and 7): a
 * claim written in Traditional Chinese is decided, paid and answered in Traditional Chinese
 * at the SMTP sink, tagged and recorded zh-Hant; the console previews such a claim's reply in
 * Traditional too; a Japanese complaint, whose kanji would pass for Chinese, is answered in
 * English.
 */
import { Converter } from 'opencc-js/cn2t';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyTemplates } from '../../src/reply/render/templates.ts';
import { previewReply } from '../../src/review/preview.ts';
import { waitFor } from '../support/wait.ts';
import {
  createHarness,
  type Harness,
  mail,
  type SentMail,
  uniqueId,
  waitIdle,
} from './pipeline-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';
const toTraditional: (text: string) => string = Converter({ from: 'cn', to: 'tw' });

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.start();
});

afterAll(async () => {
  await h?.cleanup();
});

const ref = (id: number) => `CLM-${String(id).padStart(6, '0')}`;

/** The one reply the sink received for this original, once it has arrived. */
async function theReply(messageId: string): Promise<SentMail> {
  await waitFor(async () => (await h.sentTo(messageId)).length > 0, {
    timeoutMs: 20_000,
    message: `a reply to ${messageId}`,
  });
  await waitIdle(h);
  const [reply, ...more] = await h.sentTo(messageId);
  expect(more).toEqual([]);
  return reply!;
}

describe('a claim written in Traditional Chinese', () => {
  it('is approved, paid and answered in Traditional Chinese', async () => {
    const messageId = uniqueId('hant-claim');
    const subject = '賠償申請 帳號：demo-shop 故障時間：2026年3月2日14時05分 次數：1次';
    const name = h.deliver(
      mail({ subject, body: '雲端伺服器無法連線，請協助處理。\n', messageId }),
      RECEIVED,
    );
    const claim = await h.waitClaim(name, (c) => c.state === 'answered', 'answered');
    expect(claim).toMatchObject({ type: 'compensation', decision: 'approved', amount: '100.0000' });
    const reply = await theReply(messageId);

    expect(reply.header('content-language')).toBe('zh-Hant');
    expect(reply.subject).toBe(`Re: ${subject} [${ref(claim.id)}]`);
    for (const fact of ['帳號 demo-shop', '人民幣 100.00 元', '賠償', 'INC-9003', ref(claim.id)]) {
      expect(reply.text).toContain(fact);
    }
    expect(reply.text).toContain('回覆時請在郵件主旨中保留此編號');
    expect(reply.html).toContain('<html lang="zh-Hant">');
    // Nothing in it is Simplified: OpenCC finds nothing to convert.
    expect(toTraditional(reply.text)).toBe(reply.text);
    expect((await h.replies(claim.id)).map((r) => [r.kind, r.lang, r.state])).toEqual([
      ['compensation_approved', 'zh-Hant', 'sent'],
    ]);
  });

  it('waiting for an agent, is acknowledged in Traditional, and the console previews its answer in Traditional', async () => {
    const messageId = uniqueId('hant-review');
    // Three occurrences where the records have one: an agent decides.
    const subject = '賠償申請 帳號：demo-shop 故障時間：2026年3月2日 10:15 次數：3次';
    const name = h.deliver(mail({ subject, messageId }), RECEIVED);
    const claim = await h.waitClaim(name, (c) => c.state === 'review', 'in review');
    expect(claim.reasons).toEqual(['count_mismatch']);
    const ack = await theReply(messageId);
    expect(ack.header('content-language')).toBe('zh-Hant');
    expect(ack.text).toContain('服務保障專員將進行審查');

    const templates = await ReplyTemplates.load();
    const preview = await previewReply(h.db.pool, templates, claim.id, { decision: 'approved' });
    expect(preview.lang).toBe('zh-Hant');
    expect(preview.text).toContain('您的申請已核准，帳號 demo-shop 將獲得賠償 人民幣 100.00 元。');
    expect(preview.html).toContain('<html lang="zh-Hant">');
    const rejected = await previewReply(h.db.pool, templates, claim.id, {
      decision: 'rejected',
      reasons: ['late_claim'],
    });
    // The late claim with its dates: when it arrived and the deadline.
    expect(rejected.text).toContain('申請於 2026-03-04 09:00 收到，已超過期限');
    expect(rejected.text).toContain('本次截止於 2026-03-11 當日結束');
  });
});

describe('a claim written in Japanese', () => {
  it('is answered in English, not in Chinese', async () => {
    const messageId = uniqueId('japanese');
    const name = h.deliver(
      mail({
        subject: '苦情：サーバーが何度も停止しています',
        body: 'アカウント demo-shop のサーバーが今週三回停止しました。対応をお願いします。\n',
        messageId,
      }),
      RECEIVED,
    );
    const claim = await h.waitClaim(name, (c) => c.decision !== null, 'assessed');
    expect(claim.type).toBe('complaint');
    const reply = await theReply(messageId);
    expect(reply.header('content-language')).toBe('en');
    expect(reply.text).toContain('complaints team');
    // None of the desk's own words are Chinese (and the subject is not quoted back).
    expect(reply.text).not.toContain('苦情：サーバーが何度も停止しています');
    expect(reply.text).not.toMatch(/您好|感谢|感謝|投诉|投訴/);
    expect((await h.replies(claim.id)).map((r) => [r.kind, r.lang])).toEqual([
      ['complaint_ack', 'en'],
    ]);
  });
});
