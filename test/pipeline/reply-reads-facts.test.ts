/**
 * Parse once (issue #13, item 2): the reply stage answers from the facts the assessment kept
 * and never reads the customer's source. Measured where it cannot be missed: the bytes the
 * reply stage's own PostgreSQL connections receive, for a claim whose source is 5 MiB. A claim
 * assessed before the facts kept what a reply needs is answered too: its source is read and
 * parsed that once, and the facts kept for every later reply.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCalendarFile, loadPolicyFile } from '../../src/files/load.ts';
import { assessClaim } from '../../src/pipeline/assess-claim.ts';
import { prepareReply, type ReplyDeps } from '../../src/pipeline/reply.ts';
import { createReplyTransport } from '../../src/reply/outbound/transport.ts';
import { ReplyTemplates } from '../../src/reply/render/templates.ts';
import { type EngineSettings, saveEngineSettings } from '../../src/store/assessment-inputs.ts';
import { createPool } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { importRecordsDir } from '../../src/store/records-store.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { largeClaimEmail } from '../support/large-claim.ts';
import { countPoolBytes, type PoolBytes } from '../support/pg-bytes.ts';
import { storeClaim } from '../support/store-claim.ts';

const EXAMPLES = join(REPO_ROOT, 'examples');
const MAILBOX = 'maildir:/srv/reply-reads-facts';
const SOURCE_BYTES = 5 * 2 ** 20;
/** Far below one source (which arrives hex-encoded: two bytes per byte). */
const NO_SOURCE = 64 * 1024;

let db: TestDatabase;
let pool: pg.Pool;
let engine: EngineSettings;
let deps: ReplyDeps;
let poolBytes: PoolBytes;

const measured = <T>(fn: () => Promise<T>) => poolBytes.measured(fn);

/** The example's approved compensation claim from a contact, with a 5 MiB log attached. */
function largeClaim(tag: string): Buffer {
  return largeClaimEmail(tag, {
    headers: [
      'From: IT <it@demo-shop.test>',
      'To: claims@cloud.example',
      'References: <root@mail.test>',
    ],
    text: 'ECS unreachable. The log is attached.',
    bytes: SOURCE_BYTES,
  });
}

async function assessed(tag: string): Promise<number> {
  const id = await storeClaim(db.pool, MAILBOX, largeClaim(tag), {
    sourceKey: tag,
    received: new Date('2026-03-04T09:00:00+08:00'),
  });
  await assessClaim(db.pool, id, engine);
  return id;
}

async function reply(claimId: number, version: number) {
  const { rows } = await db.pool.query<{ kind: string; lang: string; raw: Buffer }>(
    'SELECT kind, lang, raw FROM replies WHERE claim_id = $1 AND decision_version = $2',
    [claimId, version],
  );
  return rows[0];
}

const replyLang = async (claimId: number) =>
  (
    await db.pool.query<{ reply_lang: string | null }>(
      `SELECT f.reply_lang FROM claims c JOIN message_facts f ON f.message_id = c.message_id
        WHERE c.id = $1`,
      [claimId],
    )
  ).rows[0]?.reply_lang;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  await importRecordsDir(db.pool, join(EXAMPLES, 'records'));
  engine = await saveEngineSettings(
    db.pool,
    await loadPolicyFile(join(EXAMPLES, 'policy.json')),
    await loadCalendarFile(join(EXAMPLES, 'calendar.json')),
  );
  pool = createPool(db.url);
  poolBytes = countPoolBytes(pool);
  deps = {
    pool,
    templates: await ReplyTemplates.load(),
    // Never used: preparing a reply sends nothing.
    transport: createReplyTransport({ outboxDir: join(tmpdir(), 'reply-reads-facts') }),
    mailFrom: 'claims@cloud.example',
    limits: { perSender: 100, perDomain: 100, perHour: 1000 },
  };
}, 60_000);
afterAll(async () => {
  await deps?.transport.close();
  await pool?.end();
  await db?.drop();
});

describe('the reply stage', () => {
  it('prepares a threaded reply from the facts, receiving no source from PostgreSQL', async () => {
    const id = await assessed('kept');
    // The control: reading the source through the same pool shows as ≥ 10 MiB.
    const control = await measured(() =>
      pool.query(
        'SELECT m.raw FROM claims c JOIN messages m ON m.id = c.message_id WHERE c.id = $1',
        [id],
      ),
    );
    expect(control.bytes).toBeGreaterThan(2 * SOURCE_BYTES);

    const { result, bytes } = await measured(() => prepareReply(deps, id, 1));
    expect(result.status).toBe('ready');
    expect(bytes).toBeLessThan(NO_SOURCE);
    const r = await reply(id, 1);
    expect(r).toMatchObject({ kind: 'compensation_approved', lang: 'en' });
    const headers = r!.raw.toString('latin1').split('\r\n\r\n')[0]!;
    expect(headers).toContain('In-Reply-To: <kept@mail.test>');
    expect(headers).toContain('References: <root@mail.test> <kept@mail.test>');
    expect(headers).toContain('To: IT <it@demo-shop.test>');
  });

  it('answers a claim assessed before the facts kept a reply’s needs: parsed once, then kept', async () => {
    const id = await assessed('old');
    // As migration 013 found it: the facts lists show, nothing a reply needs.
    await db.pool.query(
      `UPDATE message_facts SET header_message_id = NULL, in_reply_to = NULL, reference_ids = NULL,
              reply_lang = NULL, to_addresses = NULL, date_ms = NULL, text_excerpt = NULL, text_chars = NULL
        WHERE message_id = (SELECT message_id FROM claims WHERE id = $1)`,
      [id],
    );
    const first = await measured(() => prepareReply(deps, id, 1));
    expect(first.result.status).toBe('ready');
    expect(first.bytes).toBeGreaterThan(2 * SOURCE_BYTES);
    expect(await replyLang(id)).toBe('en');
    const headers = (await reply(id, 1))!.raw.toString('latin1').split('\r\n\r\n')[0]!;
    expect(headers).toContain('References: <root@mail.test> <old@mail.test>');

    // A later decision (an agent's) is answered from the facts kept the first time.
    await db.pool.query('UPDATE claims SET version = 2 WHERE id = $1', [id]);
    const second = await measured(() => prepareReply(deps, id, 2));
    expect(second.result.status).toBe('ready');
    expect(second.bytes).toBeLessThan(NO_SOURCE);
  });

  it('answers a claim whose message has no facts at all, keeping them', async () => {
    const id = await assessed('none');
    await db.pool.query(
      'DELETE FROM message_facts WHERE message_id = (SELECT message_id FROM claims WHERE id = $1)',
      [id],
    );
    expect((await prepareReply(deps, id, 1)).status).toBe('ready');
    expect(await replyLang(id)).toBe('en');
  });
});
