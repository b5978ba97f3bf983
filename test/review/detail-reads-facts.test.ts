/**
 * Parse once (issue #13, item 2): the claim page, its thread and the reply preview show the
 * facts kept when each message was assessed and never read the customer's source; only the
 * view of the original email does. Measured where it cannot be missed: the bytes the console's
 * own PostgreSQL connections receive, for a claim whose source is 5 MiB. Claims assessed before
 * the facts kept all this, and replies sent before their text was kept, are shown too: read
 * from their bytes once, and kept.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCalendarFile, loadPolicyFile } from '../../src/files/load.ts';
import { assessClaim } from '../../src/pipeline/assess-claim.ts';
import { prepareReply } from '../../src/pipeline/reply.ts';
import { createReplyTransport } from '../../src/reply/outbound/transport.ts';
import { ReplyTemplates } from '../../src/reply/render/templates.ts';
import { getClaimDetail, getOriginalEmail } from '../../src/review/detail.ts';
import { previewReply } from '../../src/review/preview.ts';
import { type EngineSettings, saveEngineSettings } from '../../src/store/assessment-inputs.ts';
import { createPool } from '../../src/store/database.ts';
import { MAX_EXCERPT_CHARS } from '../../src/store/message-facts.ts';
import { migrate } from '../../src/store/migrate.ts';
import { importRecordsDir } from '../../src/store/records-store.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { largeClaimEmail } from '../support/large-claim.ts';
import { countPoolBytes, type PoolBytes } from '../support/pg-bytes.ts';
import { storeClaim } from '../support/store-claim.ts';

const EXAMPLES = join(REPO_ROOT, 'examples');
const MAILBOX = 'maildir:/srv/detail-reads-facts';
const SOURCE_BYTES = 5 * 2 ** 20;
/** Far below one source (which arrives hex-encoded: two bytes per byte). */
const NO_SOURCE = 64 * 1024;
const MAIL_FROM = 'claims@cloud.example';
/** The customer's words: longer than the excerpt the claim page shows. */
const WORDS = `ECS unreachable since 10:05. ${'The log is attached. '.repeat(1000)}`;

let db: TestDatabase;
let console_: pg.Pool;
let engine: EngineSettings;
let templates: ReplyTemplates;
let poolBytes: PoolBytes;

const measured = <T>(fn: () => Promise<T>) => poolBytes.measured(fn);

/** An approved compensation claim from the account's contact, with a 5 MiB log attached. */
function largeClaim(tag: string): Buffer {
  return largeClaimEmail(tag, {
    headers: [
      'From: IT Desk <it@demo-shop.test>',
      'To: claims@cloud.example',
      'Cc: ops@demo-shop.test',
      'Date: Tue, 03 Mar 2026 10:00:00 +0800',
    ],
    text: WORDS,
    bytes: SOURCE_BYTES,
  });
}

/** Stored, assessed by the real stage, answered (the reply prepared) and put in review. */
async function reviewed(tag: string): Promise<number> {
  const id = await storeClaim(db.pool, MAILBOX, largeClaim(tag), {
    sourceKey: tag,
    received: new Date('2026-03-04T09:00:00+08:00'),
  });
  await assessClaim(db.pool, id, engine);
  const prepared = await prepareReply(
    {
      pool: db.pool,
      templates,
      transport: createReplyTransport({ outboxDir: join(tmpdir(), 'detail-reads-facts') }),
      mailFrom: MAIL_FROM,
      limits: { perSender: 100, perDomain: 100, perHour: 1000 },
    },
    id,
    1,
  );
  expect(prepared.status).toBe('ready');
  await db.pool.query(`UPDATE claims SET state = 'review', decision = 'review' WHERE id = $1`, [
    id,
  ]);
  return id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  await importRecordsDir(db.pool, join(EXAMPLES, 'records'));
  engine = await saveEngineSettings(
    db.pool,
    await loadPolicyFile(join(EXAMPLES, 'policy.json')),
    await loadCalendarFile(join(EXAMPLES, 'calendar.json')),
  );
  templates = await ReplyTemplates.load();
  console_ = createPool(db.url);
  poolBytes = countPoolBytes(console_);
}, 60_000);
afterAll(async () => {
  await console_?.end();
  await db?.drop();
});

describe('the claim page and the reply preview', () => {
  it('show the email, its thread and the reply from the facts, receiving no source from PostgreSQL', async () => {
    const id = await reviewed('kept');
    const detail = await measured(() => getClaimDetail(console_, id));
    expect(detail.bytes).toBeLessThan(NO_SOURCE);
    const d = detail.result;
    expect(d.email).toMatchObject({
      subject:
        'Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1',
      from: 'it@demo-shop.test',
      fromName: 'IT Desk',
      to: ['claims@cloud.example', 'ops@demo-shop.test'],
      date: '2026-03-03T02:00:00.000Z',
      parseError: null,
      attachmentCount: 1,
      attachments: [
        {
          filename: 'ecs.log',
          contentType: 'text/plain',
          size: expect.any(Number),
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      ],
    });
    expect(d.email.text).toBe(WORDS.slice(0, MAX_EXCERPT_CHARS));
    expect(d.email.textChars).toBeGreaterThan(MAX_EXCERPT_CHARS);
    expect(d.thread.map((t) => [t.direction, t.subject.slice(0, 22), t.from])).toEqual([
      ['customer', 'Compensation claim - A', 'it@demo-shop.test'],
      ['reply', 'Re: Compensation claim', MAIL_FROM],
    ]);
    expect(d.thread[0]!.text).toBe(d.email.text);
    expect(d.thread[1]!.text).toContain('demo-shop');

    const preview = await measured(() =>
      previewReply(console_, templates, id, { decision: 'approved' }),
    );
    expect(preview.bytes).toBeLessThan(NO_SOURCE);
    expect(preview.result).toMatchObject({ lang: 'en', subject: expect.stringMatching(/^Re: /) });

    // The control, and the one view that reads the source: the original email.
    const original = await measured(() => getOriginalEmail(console_, id));
    expect(original.bytes).toBeGreaterThan(2 * SOURCE_BYTES);
    expect(original.result.text.trim()).toBe(WORDS.trim());
  });

  it('show a claim assessed before the facts kept all this, reading its source once', async () => {
    const id = await reviewed('old');
    // As migrations 013 and 014 found them: the facts lists show, a reply row without its text.
    await db.pool.query(
      `UPDATE message_facts SET header_message_id = NULL, in_reply_to = NULL, reference_ids = NULL,
              reply_lang = NULL, to_addresses = NULL, date_ms = NULL, text_excerpt = NULL, text_chars = NULL
        WHERE message_id = (SELECT message_id FROM claims WHERE id = $1)`,
      [id],
    );
    await db.pool.query(
      'UPDATE replies SET text_part = NULL, from_address = NULL WHERE claim_id = $1',
      [id],
    );
    const first = await measured(() => getClaimDetail(console_, id));
    expect(first.bytes).toBeGreaterThan(2 * SOURCE_BYTES);
    expect(first.result.email.to).toEqual(['claims@cloud.example', 'ops@demo-shop.test']);
    expect(first.result.thread[1]).toMatchObject({
      direction: 'reply',
      from: MAIL_FROM,
      text: expect.stringContaining('demo-shop'),
    });
    const again = await measured(() => getClaimDetail(console_, id));
    expect(again.bytes).toBeLessThan(NO_SOURCE);
    expect(again.result.email).toEqual(first.result.email);
    expect(again.result.thread).toEqual(first.result.thread);
  });

  it('show a purged reply without its text', async () => {
    const id = await reviewed('purged-reply');
    await db.pool.query(
      `UPDATE replies SET state = 'sent', raw = NULL, purged_at = now() WHERE claim_id = $1`,
      [id],
    );
    const d = await getClaimDetail(console_, id);
    expect(d.thread[1]).toMatchObject({
      direction: 'reply',
      text: '',
      purgedAt: expect.any(String),
    });
  });
});
