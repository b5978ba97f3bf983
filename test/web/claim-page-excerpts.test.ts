/**
 * The claim page shows what the message's facts keep: the first 16,000 characters of the text
 * and the first 100 attachments. It says when there is more, so an agent never takes an
 * excerpt for the whole email (the sandboxed frame above shows it all).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, as, createApiFixture } from './review-api-fixture.ts';

const TEXT = `${'the customer wrote a long story. '.repeat(700)}THE END`;
const ATTACHMENTS = 102;

const RAW = Buffer.from(
  [
    'From: Customer <it@demo-shop.test>',
    'To: claims@example.com',
    'Subject: long claim with many attachments',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="m"',
    '',
    '--m',
    'Content-Type: text/plain; charset=utf-8',
    '',
    TEXT,
    ...Array.from({ length: ATTACHMENTS }, (_, i) => [
      '--m',
      `Content-Type: text/plain; name="note-${i}.txt"`,
      `Content-Disposition: attachment; filename="note-${i}.txt"`,
      '',
      `note ${i}`,
    ]).flat(),
    '--m--',
    '',
  ].join('\r\n'),
);

let x: ApiFixture;
beforeAll(async () => {
  x = await createApiFixture();
  // Replacing the source drops its facts (migration 015): the page reads them from it once.
  await x.f.db.pool.query(
    'UPDATE messages SET raw = $2 FROM claims c WHERE c.message_id = messages.id AND c.id = $1',
    [x.f.ids.d, RAW],
  );
}, 60_000);
afterAll(() => x?.close());

describe('the claim page of a long email with many attachments', () => {
  it('says the text part is an excerpt and counts the attachments it does not list', async () => {
    const res = await x.app.inject({ url: `/claims/${x.f.ids.d}`, headers: as(x.agent) });
    expect(res.statusCode).toBe(200);
    expect(TEXT.length).toBeGreaterThan(16_000);
    expect(res.body).toContain(
      `The first 16,000 of ${TEXT.length.toLocaleString('en')} characters; the email above shows it all.`,
    );
    expect(res.body).not.toContain('THE END');
    expect(res.body.match(/\/attachments\/\d+" download/g)).toHaveLength(100);
    expect(res.body).toContain('and 2 more attachments');
  });

  it('says nothing more for a short email', async () => {
    const res = await x.app.inject({ url: `/claims/${x.f.ids.a}`, headers: as(x.agent) });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('id="email-text-more"');
    expect(res.body).not.toContain('id="attachments-more"');
  });
});
