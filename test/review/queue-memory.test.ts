/**
 * The review queue reads no raw source (issue #11, item 5): GET /api/review/claims and the
 * queue page list claims from the facts kept when each message was parsed. Measured where it
 * cannot be missed: the bytes the console server's own PostgreSQL connections receive, with
 * a control query proving that reading the sources would show up as tens of megabytes.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { parseEmail } from '../../src/mail/parse.ts';
import { createPool } from '../../src/store/database.ts';
import { FILL_BYTES, FILL_MESSAGES, saveMessageFacts } from '../../src/store/message-facts.ts';
import { migrate } from '../../src/store/migrate.ts';
import { buildServer } from '../../src/web/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { countPoolBytes, type PoolBytes } from '../support/pg-bytes.ts';
import { storeClaim } from '../support/store-claim.ts';
import { runUserAdd, signIn } from '../web/web-harness.ts';

const MAILBOX = 'maildir:/srv/queue-memory';
const CLAIMS = 10;
const SOURCE_BYTES = 5 * 2 ** 20;
const MB = 2 ** 20;
/** bytea arrives hex-encoded (pg speaks the text protocol): two bytes received per source byte. */
const HEX = 2;
const PASSWORD = 'correct horse battery staple';

let db: TestDatabase;
let web: pg.Pool;
let app: FastifyInstance;
let cookie: string;
let poolBytes: PoolBytes;

const measured = <T>(fn: () => Promise<T>) => poolBytes.measured(fn);

/** A 5 MiB claim email: unique subject and sender, a base64 log file attached. */
function largeEmail(tag: string, n: number): Buffer {
  const line = `${Buffer.alloc(57, `${tag}-${n} `).toString('base64')}\r\n`;
  return Buffer.from(
    [
      `From: Customer ${n} <customer${n}@${tag}.example>`,
      'To: claims@example.net',
      `Subject: Compensation claim ${tag} #${n}`,
      `Message-ID: <${tag}-${n}@customers.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Account: ACC-1; the log is attached.',
      '--b',
      'Content-Type: text/plain; name="server.log"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="server.log"',
      '',
      line.repeat(Math.ceil(SOURCE_BYTES / line.length)),
      '--b--',
      '',
    ].join('\r\n'),
  );
}

/** Stores the claims in review; with `facts`, parsed once as assessment does and their facts kept. */
async function claimsInReview(tag: string, facts: boolean): Promise<number[]> {
  const ids: number[] = [];
  for (let n = 0; n < CLAIMS; n++) {
    const raw = largeEmail(tag, n);
    const id = await storeClaim(db.pool, MAILBOX, raw, { sourceKey: `${tag}-${n}` });
    if (facts) {
      const { rows } = await db.pool.query<{ message_id: string }>(
        'SELECT message_id FROM claims WHERE id = $1',
        [id],
      );
      await saveMessageFacts(db.pool, rows[0]!.message_id, await parseEmail(raw));
    }
    ids.push(id);
  }
  await db.pool.query(
    `UPDATE claims SET state = 'review', decision = 'review', reasons = $2 WHERE id = ANY($1::bigint[])`,
    [ids, [`${tag}_reason`]],
  );
  return ids;
}

interface Listed {
  items: { id: number; subject: string; from: string | null }[];
}

async function list(tag: string): Promise<Listed> {
  const res = await app.inject({
    method: 'GET',
    url: `/api/review/claims?reason=${tag}_reason&limit=100`,
    headers: { cookie },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Listed>();
}

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  web = createPool(db.url);
  poolBytes = countPoolBytes(web);
  app = buildServer({ pool: web, logger: createLogger('silent', { write: () => undefined }) });
  await app.ready();
  const added = await runUserAdd(db.url, ['agent@example.com', '--role', 'agent'], `${PASSWORD}\n`);
  expect(added.code, added.stderr).toBe(0);
  cookie = (await signIn(app, 'agent@example.com', PASSWORD)).cookie;
}, 60_000);
afterAll(async () => {
  await app?.close();
  await web?.end();
  await db?.drop();
});

describe('review queue memory', () => {
  it('lists 10 claims with 5 MiB sources from their facts, receiving no source from PostgreSQL', async () => {
    const ids = await claimsInReview('kept', true);
    // The control: reading the sources through the same connections shows as ≥ 50 MiB.
    const control = await measured(() =>
      web.query(
        'SELECT raw FROM messages m JOIN claims c ON c.message_id = m.id WHERE c.id = ANY($1)',
        [ids],
      ),
    );
    expect(control.bytes).toBeGreaterThan(CLAIMS * SOURCE_BYTES);

    for (let refresh = 0; refresh < 3; refresh++) {
      const { result, bytes } = await measured(() => list('kept'));
      expect(bytes).toBeLessThan(64 * 1024);
      expect(result.items.map((i) => i.id).sort((a, b) => a - b)).toEqual(ids);
      for (const item of result.items) {
        const n = ids.indexOf(item.id);
        expect(item.subject).toBe(`Compensation claim kept #${n}`);
        expect(item.from).toBe(`customer${n}@kept.example`);
      }
    }
    const page = await measured(() =>
      app.inject({ method: 'GET', url: '/?reason=kept_reason', headers: { cookie } }),
    );
    expect(page.result.statusCode).toBe(200);
    expect(page.result.body).toContain('Compensation claim kept #9');
    expect(page.bytes).toBeLessThan(64 * 1024);
  });

  it('keeps the attachment list with the facts: name, type, size and hash, not the content', async () => {
    const { rows } = await db.pool.query<{ attachments: unknown; attachment_count: number }>(
      `SELECT f.attachments, f.attachment_count FROM message_facts f
         JOIN messages m ON m.id = f.message_id WHERE m.source_key = 'kept-0'`,
    );
    expect(rows[0]).toEqual({
      attachments: [
        {
          filename: 'server.log',
          contentType: 'text/plain',
          size: expect.any(Number),
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      ],
      attachment_count: 1,
    });
    expect((rows[0]!.attachments as { size: number }[])[0]!.size).toBeGreaterThan(3 * MB);
  });

  it('fills the facts of claims stored before facts were kept a bounded few per listing, each source read once', async () => {
    const ids = await claimsInReview('old', false);
    const known = [0];
    let listed: Listed | undefined;
    while (known.at(-1)! < CLAIMS && known.length <= CLAIMS) {
      const { result, bytes } = await measured(() => list('old'));
      listed = result;
      known.push(result.items.filter((item) => item.subject !== '').length);
      const filled = known.at(-1)! - known.at(-2)!;
      expect(filled).toBeGreaterThanOrEqual(1);
      expect(filled).toBeLessThanOrEqual(FILL_MESSAGES);
      // At most FILL_BYTES of sources (the first whatever its size), and only those it filled.
      expect(bytes).toBeLessThan(HEX * Math.max(FILL_BYTES, SOURCE_BYTES * 1.1) + MB);
      expect(bytes).toBeLessThan(HEX * filled * SOURCE_BYTES * 1.1 + MB);
    }
    expect(known.at(-1)).toBe(CLAIMS);
    for (const item of listed!.items) {
      expect(item.subject).toBe(`Compensation claim old #${ids.indexOf(item.id)}`);
    }
    // Filled once: the next listing reads no source.
    const { result, bytes } = await measured(() => list('old'));
    expect(result.items.every((item) => item.subject !== '')).toBe(true);
    expect(bytes).toBeLessThan(64 * 1024);
  });

  it('drops a message’s facts with its source when retention purges it, and lists it without reading anything', async () => {
    const [id] = await claimsInReview('purged', true);
    await db.pool.query(
      `UPDATE messages SET raw = NULL, purged_at = now()
        WHERE id = (SELECT message_id FROM claims WHERE id = $1)`,
      [id],
    );
    const left = await db.pool.query(
      'SELECT 1 FROM message_facts WHERE message_id = (SELECT message_id FROM claims WHERE id = $1)',
      [id],
    );
    expect(left.rowCount).toBe(0);
    const { result, bytes } = await measured(() => list('purged'));
    expect(result.items.find((i) => i.id === id)).toMatchObject({ subject: '', from: null });
    expect(bytes).toBeLessThan(64 * 1024);
  });

  it('keeps facts of hostile headers (NUL characters, thousands of attachments) without failing', async () => {
    const email = await parseEmail(Buffer.from('Subject: a\r\n\r\nbody'));
    const hostile = {
      ...email,
      subject: 'nul \u0000 inside',
      fromName: '\u0000',
      attachments: Array.from({ length: 5000 }, (_, i) => ({
        filename: `f${i}\u0000.txt`,
        contentType: 'text/plain',
        size: 1,
        sha256: '',
      })),
    };
    const id = await storeClaim(db.pool, MAILBOX, 'Subject: hostile\r\n\r\nx', { sourceKey: 'h' });
    const { rows } = await db.pool.query<{ message_id: string }>(
      'SELECT message_id FROM claims WHERE id = $1',
      [id],
    );
    await saveMessageFacts(db.pool, rows[0]!.message_id, hostile);
    const saved = await db.pool.query<{ subject: string; n: number; count: number }>(
      `SELECT subject, jsonb_array_length(attachments) n, attachment_count count
         FROM message_facts WHERE message_id = $1`,
      [rows[0]!.message_id],
    );
    expect(saved.rows[0]).toEqual({ subject: 'nul  inside', n: 100, count: 5000 });
  });
});
