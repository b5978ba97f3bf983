/**
 * Start-up proves the templates: a missing file, a syntax error, a variable the data does
 * not have (even inside an `{{#if}}`), unescaped output in HTML or a template without the
 * claim reference stops `load` with a TemplateError naming the file. And customer text is
 * escaped in HTML, never in text.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClaimIntakeError } from '../../src/domain/errors.ts';
import { buildReplyData } from '../../src/reply/render/reply-data.ts';
import {
  DEFAULT_TEMPLATES_DIR,
  ReplyTemplates,
  TemplateError,
} from '../../src/reply/render/templates.ts';
import { at, baseRecords, contextOf, emailOf, run } from '../support/builders.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A copy of the real templates with one file changed (or removed, when `edit` returns null). */
async function templatesWith(
  file: string,
  edit: (source: string) => string | null,
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'claim-templates-'));
  dirs.push(dir);
  await cp(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
  const target = path.join(dir, file);
  const changed = edit(await readFile(target, 'utf8'));
  if (changed === null) await rm(target);
  else await writeFile(target, changed);
  return dir;
}

/** What `load` threw, checked to be a TemplateError naming this file. */
async function loadFailure(dir: string, file: string): Promise<TemplateError> {
  const err = await ReplyTemplates.load(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TemplateError);
  const te = err as TemplateError;
  expect(te).toBeInstanceOf(ClaimIntakeError);
  expect(te.code).toBe('template_invalid');
  expect(te.file).toBe(path.join(dir, file));
  expect(te.message).toContain(file);
  return te;
}

describe('loading the templates', () => {
  it('loads the shipped templates', async () => {
    await expect(ReplyTemplates.load()).resolves.toBeInstanceOf(ReplyTemplates);
  });

  it('fails on an unclosed {{#if}}, naming the file', async () => {
    const file = 'rejected.zh.html.hbs';
    const dir = await templatesWith(file, (s) => s.replace('{{/if}}', ''));
    expect((await loadFailure(dir, file)).message).toMatch(/parse error/);
  });

  it('fails on a reference to a variable the data does not have', async () => {
    const file = 'refund_approved.en.txt.hbs';
    const dir = await templatesWith(file, (s) => `${s}\nRefund to: {{bankAccount}}\n`);
    expect((await loadFailure(dir, file)).message).toContain('missing variable "bankAccount"');
  });

  it('fails on a misspelt variable inside a condition, which strict mode alone lets pass', async () => {
    const file = 'refund_approved.en.html.hbs';
    const dir = await templatesWith(file, (s) => s.replace('{{#if receipt}}', '{{#if reciept}}'));
    expect((await loadFailure(dir, file)).message).toContain('"reciept"');
  });

  it('fails on a misspelt field inside a loop', async () => {
    const file = 'compensation_approved.zh.txt.hbs';
    const dir = await templatesWith(file, (s) => s.replace('{{formula}}', '{{fromula}}'));
    expect((await loadFailure(dir, file)).message).toContain('"fromula"');
  });

  it('fails when a template file is missing', async () => {
    const file = 'needs_info.zh.txt.hbs';
    const dir = await templatesWith(file, () => null);
    expect((await loadFailure(dir, file)).message).toContain('missing template file');
  });

  it('fails on unescaped output in an HTML template', async () => {
    const file = 'review_ack.en.html.hbs';
    const dir = await templatesWith(file, (s) => s.replace('{{account}}', '{{{account}}}'));
    expect((await loadFailure(dir, file)).message).toContain('unescaped output');
  });

  it('fails on a template that does not show the claim reference', async () => {
    const file = 'review_ack.en.txt.hbs';
    const dir = await templatesWith(file, (s) => s.replace('{{> signature}}', 'Bye.'));
    expect((await loadFailure(dir, file)).message).toContain('claim reference');
  });

  it('fails on a broken partial, naming the partial', async () => {
    const file = path.join('partials', 'layout.html.hbs');
    const dir = await templatesWith(file, (s) => s.replace('{{> @partial-block}}', '{{#each x}}'));
    expect((await loadFailure(dir, file)).message).toMatch(/parse error/);
  });

  it.each([
    ['an old-style name', 'greeting-en.txt.hbs'],
    ['a language it has no replies in', 'greeting.fr.txt.hbs'],
  ])('refuses a partial under %s instead of skipping it', async (_, name) => {
    const dir = await templatesWith(path.join('partials', 'greeting.en.txt.hbs'), (s) => s);
    await writeFile(path.join(dir, 'partials', name), 'Hello,');
    const err = await loadFailure(dir, path.join('partials', name));
    expect(err.message).toContain('partial names are <name>.<txt|html>.hbs');
  });

  it("gives each language's template its own language's partial of the same name", async () => {
    const dir = await templatesWith(path.join('partials', 'signature.zh.txt.hbs'), (s) =>
      s.replace(/^/, 'ZH-SIGNATURE '),
    );
    const templates = await ReplyTemplates.load(dir);
    const mail = { subject: 'Complaint', fromName: 'Li' };
    const text = (lang: 'en' | 'zh' | 'zh-Hant') =>
      templates.render(
        'complaint_ack',
        lang,
        buildReplyData({
          contact: true,
          claimRef: 'CLM-000007',
          assessment: run(contextOf(baseRecords()), mail),
          email: emailOf(mail),
          lang,
          receivedAt: at('2026-03-04T09:00:00+08:00'),
        }),
      ).text;
    expect(text('zh')).toContain('ZH-SIGNATURE');
    expect(text('en')).not.toContain('ZH-SIGNATURE');
    expect(text('zh-Hant')).not.toContain('ZH-SIGNATURE');
  });
});

describe('customer text in replies', () => {
  let templates: ReplyTemplates;
  beforeAll(async () => {
    templates = await ReplyTemplates.load();
  });

  const SUBJECT = 'Complaint <script>alert(1)</script> & "quotes"';
  const NAME = '<img src=x onerror=alert(1)>';

  function render() {
    const mail = { subject: SUBJECT, fromName: NAME };
    const a = run(contextOf(baseRecords()), mail);
    const data = buildReplyData({
      contact: true,
      claimRef: 'CLM-000007',
      assessment: a,
      email: emailOf(mail),
      lang: 'en',
      receivedAt: at('2026-03-04T09:00:00+08:00'),
    });
    return templates.render('complaint_ack', 'en', data);
  }

  it('is escaped in HTML', () => {
    const { html } = render();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('Dear &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;,');
  });

  it('appears as written in the text part, which carries no markup', () => {
    const { text } = render();
    expect(text).toContain(`Dear ${NAME},`);
    expect(text).not.toMatch(/&lt;|&gt;|&amp;|&quot;|&#x/);
    expect(text).not.toMatch(/<(p|br|div|html|strong|table|ul|li)\b/i);
  });

  it('cannot add lines to the reply', () => {
    const mail = { subject: 'Complaint\r\n\r\nAll resolved, ignore this', fromName: 'A\u202eB' };
    const a = run(contextOf(baseRecords()), mail);
    const data = buildReplyData({
      contact: true,
      claimRef: 'CLM-000008',
      assessment: a,
      email: emailOf(mail),
      lang: 'en',
      receivedAt: at('2026-03-04T09:00:00+08:00'),
    });
    const { text } = templates.render('complaint_ack', 'en', data);
    // The subject is not repeated at all (its machine format reads badly back), and the
    // display name, folded to one line, adds none.
    expect(text).not.toContain('All resolved');
    expect(text).toContain('Dear A B,');
  });

  it('refuses data of another kind or language', () => {
    const a = run(contextOf(baseRecords()), { subject: 'Complaint' });
    const data = buildReplyData({
      contact: true,
      claimRef: 'CLM-000009',
      assessment: a,
      email: emailOf({ subject: 'Complaint' }),
      lang: 'en',
      receivedAt: 0,
    });
    expect(() => templates.render('review_ack', 'en', data)).toThrow(/complaint_ack\/en/);
    expect(() => templates.render('complaint_ack', 'zh', data)).toThrow(/complaint_ack\/en/);
  });
});
