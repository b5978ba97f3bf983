/**
 * The Traditional Chinese templates are held to what the others are (issue #12 item 5): the
 * start-up check loads and renders them and stops on a missing or broken one; they keep step
 * with the Simplified ones, expression for expression, so a branch added to one is not
 * forgotten in the other; and amounts, dates and the Content-Language header suit them.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import {
  composeReply,
  InvalidReplyError,
  type ReplyInput,
} from '../../src/reply/outbound/transport.ts';
import { formatMoney, longDate } from '../../src/reply/render/template-format.ts';
import {
  DEFAULT_TEMPLATES_DIR,
  REPLY_LANGS,
  ReplyTemplates,
  TemplateError,
} from '../../src/reply/render/templates.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A copy of the real templates with one file changed, or removed when `edit` returns null. */
async function templatesWith(file: string, edit: (source: string) => string | null) {
  const dir = await mkdtemp(path.join(tmpdir(), 'claim-templates-hant-'));
  dirs.push(dir);
  await cp(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
  const target = path.join(dir, file);
  const changed = edit(await readFile(target, 'utf8'));
  if (changed === null) await rm(target);
  else await writeFile(target, changed);
  return dir;
}

async function loadFailure(dir: string): Promise<TemplateError> {
  const err = await ReplyTemplates.load(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TemplateError);
  return err as TemplateError;
}

describe('the start-up check covers Traditional Chinese', () => {
  it('loads and proves the Traditional templates with the others', async () => {
    expect(REPLY_LANGS).toEqual(['en', 'zh', 'zh-Hant']);
    await expect(ReplyTemplates.load()).resolves.toBeInstanceOf(ReplyTemplates);
  });

  it('stops when a Traditional template is missing, naming it', async () => {
    const file = 'rejected.zh-Hant.txt.hbs';
    const dir = await templatesWith(file, () => null);
    const err = await loadFailure(dir);
    expect(err.file).toBe(path.join(dir, file));
    expect(err.message).toMatch(/missing template file/);
  });

  it('stops on a misspelt variable in a branch only some replies take', async () => {
    const file = 'refund_approved.zh-Hant.html.hbs';
    const dir = await templatesWith(file, (s) => s.replace('{{receipt}}', '{{reciept}}'));
    const err = await loadFailure(dir);
    expect(err.file).toBe(path.join(dir, file));
    expect(err.message).toMatch(/missing variable "reciept"/);
  });

  it('stops when a Traditional partial is broken, naming the partial', async () => {
    const file = path.join('partials', 'signature.zh-Hant.txt.hbs');
    const dir = await templatesWith(file, (s) => s.replace('{{claimRef}}', '{{#if claimRef}}'));
    const err = await loadFailure(dir);
    expect(err.file).toBe(path.join(dir, file));
  });
});

/**
 * The Handlebars expressions of a template in order, with the partials' language suffix
 * dropped. The fonts are the one thing only Traditional templates set.
 */
function expressions(source: string): string[] {
  const withoutFonts = source.replace(
    /\{\{#\*inline "fontFamily"\}\}[\s\S]*?\{\{\/inline~?\}\}\n?/,
    '',
  );
  return (withoutFonts.match(/\{\{[^}]*\}\}/g) ?? []).map((e) =>
    e.replace(/-zh-Hant\b/, '-<lang>').replace(/-zh\b/, '-<lang>'),
  );
}

describe('the Traditional templates keep step with the Simplified ones', () => {
  it('every Simplified template and partial has a Traditional twin with the same expressions', async () => {
    for (const sub of ['', 'partials']) {
      const dir = path.join(DEFAULT_TEMPLATES_DIR, sub);
      const simplified = (await readdir(dir)).filter((f) => /[.-]zh\.(txt|html)\.hbs$/.test(f));
      expect(simplified.length).toBeGreaterThan(0);
      for (const file of simplified) {
        const twin = file.replace(/([.-])zh\./, '$1zh-Hant.');
        const hans = await readFile(path.join(dir, file), 'utf8');
        const hant = await readFile(path.join(dir, twin), 'utf8');
        expect(expressions(hant), twin).toEqual(expressions(hans));
      }
    }
  });
});

describe('amounts, dates and headers for Traditional readers', () => {
  it('names the currency of an amount in yuan, which 元 alone would leave to the reader', () => {
    expect(formatMoney('1234567.50', 'CNY', 'zh-Hant')).toBe('人民幣 1,234,567.50 元');
    expect(formatMoney('1234.50', 'USD', 'zh-Hant')).toBe('1,234.50 USD');
    expect(formatMoney('1234.50', 'CNY', 'zh')).toBe('1,234.50 元');
  });

  it('writes a date as Taiwan and Hong Kong do, in the account’s zone', () => {
    const at = Date.parse('2027-03-03T17:00:00Z'); // 4 March 01:00 in Shanghai
    expect(longDate(at, 'Asia/Shanghai', 'zh-Hant')).toBe('2027年3月4日');
    expect(longDate(at, 'UTC', 'zh-Hant')).toBe('2027年3月3日');
  });

  const reply: ReplyInput = {
    claimRef: 'CLM-000123',
    to: 'it@demo-shop.test',
    from: 'claims@cloud.example',
    originalSubject: '賠償申請 帳號：demo-shop',
    originalMessageId: '<orig-1@demo-shop.test>',
    originalReferences: [],
    messageId: '<clm-123.v1@claims.example>',
    text: '您好：\n您的申請已核准。\n',
    html: '<p>您好：</p>',
    lang: 'zh-Hant',
    date: new Date('2026-11-20T10:00:00Z'),
  };

  it('tags the reply zh-Hant by script, not region: it goes to Hong Kong and Taiwan alike', async () => {
    const mail = await simpleParser(await composeReply(reply));
    expect(mail.headers.get('content-language')).toBe('zh-Hant');
    expect(mail.text).toContain('您的申請已核准。');
    expect(mail.subject).toBe('Re: 賠償申請 帳號：demo-shop [CLM-000123]');
  });

  it('refuses a language it has no tag for', async () => {
    const wrong = { ...reply, lang: 'ja' } as unknown as ReplyInput;
    await expect(composeReply(wrong)).rejects.toBeInstanceOf(InvalidReplyError);
    await expect(composeReply(wrong)).rejects.toThrow(/en, zh, zh-Hant/);
  });
});
