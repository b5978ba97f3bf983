import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractAttachment } from '../../src/mail/attachment.ts';
import { parseEmail } from '../../src/mail/parse.ts';
import { ATTACHMENT_CSP, asciiFilename } from '../../src/web/routes/review.ts';
import { type ApiFixture, as, createApiFixture } from './review-api-fixture.ts';

let x: ApiFixture;
beforeAll(async () => {
  x = await createApiFixture();
  await x.f.db.pool.query(
    'UPDATE messages SET raw = $2 FROM claims c WHERE c.message_id = messages.id AND c.id = $1',
    [x.f.ids.d, RAW],
  );
}, 60_000);
afterAll(() => x?.close());

const HTML = Buffer.from('<html><body><script>alert(document.cookie)</script>hi</body></html>');
// Every byte value, so a re-encoding or a text decoding anywhere would show.
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('\n%%EOF\n'),
]);

const b64 = (b: Buffer) => b.toString('base64').replace(/.{1,76}/g, '$&\r\n');

const RAW = Buffer.from(
  [
    'From: Mallory <mallory@example.com>',
    'To: claims@example.com',
    'Subject: claim with attachments',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="m"',
    '',
    '--m',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'see attached',
    '--m',
    'Content-Type: text/html; name="<script>.html"',
    'Content-Disposition: attachment; filename="<script>.html"',
    'Content-Transfer-Encoding: base64',
    '',
    b64(HTML),
    '--m',
    'Content-Type: application/pdf',
    "Content-Disposition: attachment; filename*=UTF-8''Re%C3%A7u%20n%C2%B01.pdf",
    'Content-Transfer-Encoding: base64',
    '',
    b64(PDF),
    '--m--',
    '',
  ].join('\r\n'),
);

const url = (i: number | string, id = x.f.ids.d) => `/api/review/claims/${id}/attachments/${i}`;

describe('extractAttachment', () => {
  it('returns the index-th attachment in the order parseEmail lists them, with its bytes', async () => {
    const listed = (await parseEmail(RAW)).attachments;
    expect(listed.map((a) => a.filename)).toEqual(['<script>.html', 'Reçu n°1.pdf']);
    const html = await extractAttachment(RAW, 0);
    const pdf = await extractAttachment(RAW, 1);
    expect(html?.filename).toBe('<script>.html');
    expect(html?.contentType).toBe('text/html');
    expect(html?.content.equals(HTML)).toBe(true);
    expect(pdf?.filename).toBe('Reçu n°1.pdf');
    expect(pdf?.content.equals(PDF)).toBe(true);
    expect(pdf?.content.length).toBe(listed[1]?.size);
  });

  it('answers null for a missing index or no message', async () => {
    expect(await extractAttachment(RAW, 2)).toBeNull();
    expect(await extractAttachment(RAW, -1)).toBeNull();
    expect(await extractAttachment(Buffer.alloc(0), 0)).toBeNull();
    expect(await extractAttachment(Buffer.from('Subject: x\r\n\r\nno parts'), 0)).toBeNull();
  });
});

describe('GET /api/review/claims/:id/attachments/:index', () => {
  it('serves the exact bytes as an octet-stream download, never the declared type', async () => {
    for (const who of [x.agent, x.ops]) {
      const res = await x.app.inject({ url: url(0), headers: as(who) });
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(HTML)).toBe(true);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBe(ATTACHMENT_CSP);
      const disposition = String(res.headers['content-disposition']);
      expect(disposition).toBe(
        `attachment; filename="_script_.html"; filename*=UTF-8''%3Cscript%3E.html`,
      );
      expect(disposition).not.toMatch(/[<>]/);
    }
    const pdf = await x.app.inject({ url: url(1), headers: as(x.agent) });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.equals(PDF)).toBe(true);
    expect(pdf.headers['content-type']).toBe('application/octet-stream');
    expect(pdf.headers['content-disposition']).toBe(
      `attachment; filename="Recu n_1.pdf"; filename*=UTF-8''Re%C3%A7u%20n%C2%B01.pdf`,
    );
  });

  it('audits each download with its actor', async () => {
    const { rows } = await x.f.db.pool.query<{ actor: string; details: { index: number } }>(
      `SELECT actor, details FROM audit_log WHERE claim_id = $1 AND action = 'attachment.download'
        ORDER BY id`,
      [x.f.ids.d],
    );
    expect(rows.map((r) => [r.actor, r.details.index])).toEqual([
      ['agent:agent@example.com', 0],
      ['agent:ops@example.com', 0],
      ['agent:agent@example.com', 1],
    ]);
  });

  it('answers 404 JSON for a bad index or an unknown claim, and 401 without credentials', async () => {
    for (const u of [url(2), url('x'), url(-1), url(0, x.f.ids.a), url(0, 999_999_999)]) {
      const res = await x.app.inject({ url: u, headers: as(x.agent) });
      expect(res.statusCode, u).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
    const anon = await x.app.inject({ url: url(0) });
    expect(anon.statusCode).toBe(401);
    expect(anon.rawPayload.includes(HTML)).toBe(false);
  });

  it('keeps a safe ASCII fallback name for any filename', () => {
    expect(asciiFilename('"; evil=1\r\n.pdf')).toBe('_ evil_1_.pdf');
    expect(asciiFilename('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(asciiFilename('文件')).toBe('attachment');
    expect(asciiFilename('')).toBe('attachment');
  });

  it('links each listed attachment to its download on the claim page', async () => {
    const res = await x.app.inject({ url: `/claims/${x.f.ids.d}`, headers: as(x.agent) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`href="/api/review/claims/${x.f.ids.d}/attachments/1"`);
  });
});
