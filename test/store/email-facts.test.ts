/**
 * Facts kept before migration 013 (what lists show only), or none at all, are completed the
 * first time the reply stage or the console needs them: the source is parsed that once and
 * the facts saved, so claims of older versions keep working without a bulk migration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEmail } from '../../src/mail/parse.ts';
import { loadEmailFacts } from '../../src/store/email-facts.ts';
import { factsOf, saveMessageFacts } from '../../src/store/message-facts.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { storeClaim } from '../support/store-claim.ts';

const MAILBOX = 'maildir:/srv/email-facts';
/** One claim email; `key` makes each stored copy a message of its own (sources are unique). */
const rawOf = (key: string) =>
  Buffer.from(
    [
      `X-Test: ${key}`,
      'From: 陳大文 <Chan@Example.com>',
      'To: claims@example.net, Other <other@example.net>',
      'Cc: cc@example.net',
      'Subject: 賠償申請 帳號：demo-shop',
      'Date: Tue, 03 Mar 2026 10:00:00 +0800',
      'Message-ID: <old-1@example.com>',
      'In-Reply-To: <parent@example.com>',
      'References: <root@example.com> <parent@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      '故障時間：2026-03-03 10:05，次數：兩次。',
      '--b',
      'Content-Type: application/octet-stream; name="log.bin"',
      'Content-Disposition: attachment; filename="log.bin"',
      '',
      'abc',
      '--b--',
      '',
    ].join('\r\n'),
  );

let db: TestDatabase;

async function stored(key: string, raw: Buffer = rawOf(key)): Promise<string> {
  const id = await storeClaim(db.pool, MAILBOX, raw, { sourceKey: key });
  const { rows } = await db.pool.query<{ message_id: string }>(
    'SELECT message_id FROM claims WHERE id = $1',
    [id],
  );
  return rows[0]!.message_id;
}

/** The facts row as migration 011 kept it: what lists show, nothing of 013's columns. */
async function keptBefore013(key: string, messageId: string): Promise<void> {
  await saveMessageFacts(db.pool, messageId, await parseEmail(rawOf(key)));
  await db.pool.query(
    `UPDATE message_facts SET header_message_id = NULL, in_reply_to = NULL, reference_ids = NULL,
            reply_lang = NULL, to_addresses = NULL, date_ms = NULL, text_excerpt = NULL,
            text_chars = NULL, from_name = left(from_name, 998),
            attachments = '[{"filename":"log.bin","contentType":"application/octet-stream","size":3}]'
      WHERE message_id = $1`,
    [messageId],
  );
}

const replyLang = async (messageId: string) =>
  (
    await db.pool.query<{ reply_lang: string | null }>(
      'SELECT reply_lang FROM message_facts WHERE message_id = $1',
      [messageId],
    )
  ).rows[0]?.reply_lang;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
});
afterAll(async () => {
  await db?.drop();
});

describe('whole facts of a message', () => {
  it('are read back as the assessment kept them', async () => {
    const id = await stored('kept');
    await saveMessageFacts(db.pool, id, await parseEmail(rawOf('kept')));
    const facts = await loadEmailFacts(db.pool, id, parseEmail);
    expect(facts).toEqual(factsOf(await parseEmail(rawOf('kept'))));
    expect(facts).toMatchObject({
      subject: '賠償申請 帳號：demo-shop',
      from: 'chan@example.com',
      fromName: '陳大文',
      to: ['claims@example.net', 'other@example.net', 'cc@example.net'],
      date: Date.parse('2026-03-03T02:00:00Z'),
      messageId: 'old-1@example.com',
      inReplyTo: 'parent@example.com',
      references: ['root@example.com', 'parent@example.com'],
      lang: 'zh-Hant',
      text: expect.stringContaining('故障時間'),
      attachments: [
        {
          filename: 'log.bin',
          contentType: 'application/octet-stream',
          size: 3,
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      ],
      attachmentCount: 1,
    });
  });

  it('kept before migration 013 are completed from the source once, then read as kept', async () => {
    const id = await stored('before-013');
    await keptBefore013('before-013', id);
    expect(await replyLang(id)).toBeNull();
    expect(await loadEmailFacts(db.pool, id, parseEmail)).toEqual(
      factsOf(await parseEmail(rawOf('before-013'))),
    );
    expect(await replyLang(id)).toBe('zh-Hant');
    // Completed: read as kept from now on, not parsed again.
    const parsedAt = () =>
      db.pool.query('SELECT parsed_at FROM message_facts WHERE message_id = $1', [id]);
    const before = (await parsedAt()).rows;
    await loadEmailFacts(db.pool, id, parseEmail);
    expect((await parsedAt()).rows).toEqual(before);
  });

  it('are made again from a source that was replaced', async () => {
    const id = await stored('replaced');
    await saveMessageFacts(db.pool, id, await parseEmail(rawOf('replaced')));
    await db.pool.query(
      `UPDATE messages SET raw = 'From: x@example.com\r\nSubject: other\r\n\r\nx' WHERE id = $1`,
      [id],
    );
    expect(await loadEmailFacts(db.pool, id, parseEmail)).toMatchObject({
      subject: 'other',
      from: 'x@example.com',
    });
  });

  it('of a message stored before facts were kept are made from the source and saved', async () => {
    const id = await stored('no-facts');
    expect(await replyLang(id)).toBeUndefined();
    expect(await loadEmailFacts(db.pool, id, parseEmail)).toMatchObject({
      messageId: 'old-1@example.com',
    });
    expect(await replyLang(id)).toBe('zh-Hant');
  });

  it('are none for a message whose source is gone, and for no message at all', async () => {
    const id = await stored('purged');
    await db.pool.query(`UPDATE messages SET raw = NULL, purged_at = now() WHERE id = $1`, [id]);
    expect(await loadEmailFacts(db.pool, id, parseEmail)).toBeNull();
    expect(await loadEmailFacts(db.pool, '999999999', parseEmail)).toBeNull();
  });

  it('keep a bounded excerpt of a long text, and how long the whole text was', async () => {
    const long = Buffer.from(
      `Subject: long\r\nFrom: a@example.com\r\n\r\n${'x\u0000'.repeat(30_000)}`,
    );
    const id = await stored('long', long);
    const facts = await loadEmailFacts(db.pool, id, parseEmail);
    expect(facts?.text).toHaveLength(8_000);
    expect(facts?.textChars).toBe(60_000);
  });
});
