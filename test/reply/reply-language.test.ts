/**
 * The language of a reply (issue #12, items 5 and 7): Chinese customers are answered in the
 * script they wrote, Simplified or Traditional, whatever names or addresses in the other
 * script they paste; Japanese customers, whose kanji would pass for Chinese, are answered in
 * English; everyone else in English.
 */
import { describe, expect, it } from 'vitest';
import { chineseScript } from '../../src/reply/render/chinese-script.ts';
import { replyLanguage } from '../../src/reply/render/language.ts';
import { emailOf } from '../support/builders.ts';

const lang = (subject: string, text = '') => replyLanguage(emailOf({ subject, text }));

describe('Traditional Chinese gets a Traditional Chinese reply', () => {
  it.each([
    [
      'a Taiwan claim subject',
      '賠償申請 帳號：demo-shop 故障時間：2026年3月2日 10:15 次數：1次',
      '',
    ],
    [
      'a Hong Kong claim (賬號, Cantonese)',
      '賠償申請 賬號：demo-shop',
      '你好，我哋嘅伺服器喺今日上午故障咗兩次，麻煩跟進。',
    ],
    ['a Traditional body under a bare subject', 'demo-shop', '雲端主機昨天無法連線兩次，請賠償。'],
    ['a one-word Traditional subject', '投訴', ''],
    [
      'Traditional that writes 台 and 平台, which Simplified→Traditional turns into 臺',
      '平台故障 帳號 demo-shop',
      '台灣的客戶反映雲端主機無法連線，請協助處理。',
    ],
    [
      'Traditional naming a company written in Simplified',
      '退款申請 帳號：demo-shop',
      '本公司（北京华为云计算技术有限公司代理）申請退款，訂單編號 ORD-1。',
    ],
    [
      'Traditional with a casual の for 的',
      '賠償',
      '我の伺服器昨天又掛了，帳號 demo-shop，請賠償。',
    ],
  ])('%s', (_what, subject, text) => {
    expect(lang(subject, text)).toBe('zh-Hant');
  });
});

describe('Simplified Chinese keeps the Simplified reply', () => {
  it.each([
    [
      'a mainland claim subject',
      '赔偿申请 账号：demo-shop 故障时间：2026年3月2日 10:15 次数：1次',
      '',
    ],
    [
      'Simplified that writes 著名, which Traditional→Simplified turns into 着名',
      '投诉',
      '我们是著名的电商平台，你们的服务器又宕机了。',
    ],
    [
      'Simplified naming a branch written in Traditional',
      '退款申请',
      '我司台湾分公司「雲端科技」申请退款，订单号 ORD-1。',
    ],
    ['a subject of characters both scripts share', '故障', ''],
    [
      'Chinese quoting a game by its katakana name',
      '赔偿申请 账号 demo-shop',
      '我们的ポケモン游戏服务器昨天故障了两次，请尽快赔偿。',
    ],
  ])('%s', (_what, subject, text) => {
    expect(lang(subject, text)).toBe('zh');
  });
});

describe('Japanese gets an English reply (the desk has no Japanese templates)', () => {
  it.each([
    [
      'a Japanese compensation request',
      '補償申請について',
      'お世話になっております。昨日サーバーが停止しました。補償をお願いします。',
    ],
    [
      'a kanji-heavy subject with its katakana',
      '補償申請 アカウント：demo-shop 障害発生日時：2026年3月2日 10:15 回数：1回',
      '',
    ],
    ['a refund request', '返金のお願い', '注文 ORD-1 の返金をお願いいたします。'],
    ['a complaint', '苦情', 'サービスが何度も止まっています。'],
    ['an inquiry', 'お問い合わせ', '請求書の発行方法を教えてください。'],
  ])('%s', (_what, subject, text) => {
    expect(lang(subject, text)).toBe('en');
  });
});

describe('everything else gets an English reply', () => {
  it.each([
    ['English', 'Compensation claim', 'Account demo-shop, fault at 10:15 on 2 March.'],
    ['English naming a Traditional company', 'Refund for 雲端 order', 'Please refund order ORD-1.'],
    [
      'English over a quoted Traditional reply of ours',
      'Re: claim',
      'Thanks, the account is demo-shop.\n\n> 您好：請補充帳號與故障時間。',
    ],
    ['Korean', '보상 신청', '서버가 두 번 중단되었습니다.'],
    ['nothing at all', '', ''],
  ])('%s', (_what, subject, text) => {
    expect(lang(subject, text)).toBe('en');
  });
});

describe('reading the script', () => {
  it('counts marks, so a few characters of the other script do not turn it', () => {
    expect(chineseScript('帳號故障時間')).toBe('Hant');
    expect(chineseScript('帳號故障時間 华为')).toBe('Hant');
    expect(chineseScript('账号故障时间 雲端')).toBe('Hans');
  });

  it('calls an even count Simplified, the desk’s own', () => {
    expect(chineseScript('帳号')).toBe('Hans');
    expect(chineseScript('')).toBe('Hans');
  });

  it('reads only the subject and the start of the body, however long the body', () => {
    // 2,600 characters of Simplified, then far more Traditional than that, unread.
    const simplified = '服务器昨天故障了，请赔偿。'.repeat(200);
    const traditional = '伺服器昨天故障了，請賠償。'.repeat(5_000);
    expect(lang('赔偿申请', simplified + traditional)).toBe('zh');
    expect(lang('賠償申請', traditional + simplified)).toBe('zh-Hant');
  });
});
