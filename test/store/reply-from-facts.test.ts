/**
 * Parse once (issue #13, item 2): the reply stage answers from the message's facts instead of
 * parsing its source again, and a stored reply must not differ because of it. Every example
 * email and a set of hostile ones are stored and assessed by the real assessment stage (which
 * keeps their facts), and each is answered under every example's decision, to a contact and to
 * a stranger: the reply built from the facts read back from PostgreSQL is, byte for byte, the
 * reply built from the parsed email the way the reply stage built it before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assessment } from '../../src/domain/assess/types.ts';
import type { ParsedEmail } from '../../src/domain/email.ts';
import { loadCalendarFile, loadPolicyFile } from '../../src/files/load.ts';
import { parseEmail } from '../../src/mail/parse.ts';
import { assessClaim, readForAssessment } from '../../src/pipeline/assess-claim.ts';
import { composeReply } from '../../src/reply/outbound/transport.ts';
import {
  quotedHeaders,
  type ReplyEmail,
  renderClaimReply,
} from '../../src/reply/render/claim-reply.ts';
import { ReplyTemplates } from '../../src/reply/render/templates.ts';
import { type EngineSettings, saveEngineSettings } from '../../src/store/assessment-inputs.ts';
import { loadEmailFacts } from '../../src/store/email-facts.ts';
import type { EmailFacts } from '../../src/store/message-facts.ts';
import { migrate } from '../../src/store/migrate.ts';
import { importRecordsDir } from '../../src/store/records-store.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { exampleCases } from '../support/examples.ts';
import {
  brokenBase64,
  brokenEncodedWords,
  hugeHeader,
  nulBytes,
  randomGarbage,
} from '../support/hostile.ts';
import { storeClaim } from '../support/store-claim.ts';

const EXAMPLES = join(REPO_ROOT, 'examples');
const MAILBOX = 'maildir:/srv/reply-from-facts';
const RECEIVED = '2026-03-04T09:00:00+08:00';
const CRLF = '\r\n';

/** `latin1` headers are bytes as written (raw 8-bit); otherwise UTF-8. */
function message(
  headers: string[],
  body: string | Buffer,
  encoding: 'utf8' | 'latin1' = 'utf8',
): Buffer {
  return Buffer.concat([
    Buffer.from([...headers, 'MIME-Version: 1.0', '', ''].join(CRLF), encoding),
    Buffer.isBuffer(body) ? body : Buffer.from(body),
  ]);
}

const refs = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `<r${i}.${tag}@thread.example>`);

/** Mail written to break what a reply repeats or threads on. */
const HOSTILE: Record<string, Buffer> = {
  // A display name that is mostly space: a cut after 998 characters would greet "a", not "a b".
  'spaced name': message(
    [
      `From: "a${' '.repeat(3000)}b" <spaced@example.com>`,
      'Subject: Compensation claim account: demo-shop',
      'Message-ID: <spaced@example.com>',
    ],
    'Fault time 2026-03-03 10:05, once.',
  ),
  'controls and bidi': message(
    [
      'From: =?utf-8?B?4oCuZXZpbOKArCBuYW1l?= <bidi@example.com>',
      'Subject: Re: RE: 回复: Compensation \u202eclaim\u202c [CLM-000001] =?utf-8?Q?=E2=80=A8x?=',
      'Message-ID: <bidi@example.com>',
    ],
    'body',
  ),
  'long thread, own id in the middle': message(
    [
      'From: Threaded <threaded@example.com>',
      'Subject: Compensation claim',
      'Message-ID: <r40.long@thread.example>',
      'In-Reply-To: <parent@thread.example>',
      `References: ${refs(150, 'long').join(' ')}`,
    ],
    'body',
  ),
  'long thread, own id new': message(
    [
      'From: Threaded <threaded2@example.com>',
      'Subject: Compensation claim',
      'Message-ID: <own@thread.example>',
      `References: ${[...refs(120, 'new'), ...refs(30, 'new')].join(' ')}`,
    ],
    'body',
  ),
  'malformed ids': message(
    [
      'From: Ids <ids@example.com>',
      'Subject: Refund order ORD-1',
      'Message-ID: <two@@x.example>',
      'In-Reply-To: <parent@ok.example>',
      `References: <bad@@x> <${'l'.repeat(300)}@x.example> not-an-id`,
    ],
    'body',
  ),
  'in-reply-to only': message(
    [
      'From: Answer <answer@example.com>',
      'Subject: Re: [CLM-000002]',
      'Message-ID: <answer@example.com>',
      'In-Reply-To: <clm-000002.v1.abc@claims.example>',
    ],
    'The account is demo-shop.',
  ),
  'address too long for a reply': message(
    [`From: Long <${'l'.repeat(300)}@example.com>`, 'Subject: Complaint'],
    'body',
  ),
  'subject at the parser bound': message(
    ['From: Long Subject <subject@example.com>', `Subject: Compensation ${'長'.repeat(5000)}`],
    'body',
  ),
  'raw GBK subject': message(
    [
      'From: GBK <gbk@example.com>',
      'Content-Type: text/plain; charset=gbk',
      `Subject: ${iconv.encode('赔偿申请 账号：demo-shop', 'gbk').toString('latin1')}`,
    ],
    iconv.encode('故障时间 2026-03-03 10:05，一次。', 'gbk'),
    'latin1',
  ),
  'traditional Chinese': message(
    ['From: 陳大文 <chan@example.com>', 'Subject: 賠償申請 帳號：demo-shop'],
    '故障時間：2026-03-03 10:05，次數：兩次。請儘快處理。',
  ),
  japanese: message(
    ['From: 山田 <yamada@example.jp>', 'Subject: 補償申請について'],
    'サーバーが停止しました。ご確認ください。',
  ),
  'nul bytes': nulBytes(),
  'broken base64': brokenBase64(),
  'broken encoded words': brokenEncodedWords(),
  'huge header': hugeHeader(300_000, true),
  'random garbage': randomGarbage(20_000),
};

let db: TestDatabase;
let templates: ReplyTemplates;
let engine: EngineSettings;
const stored = new Map<string, { raw: Buffer; messageId: string; assessment: Assessment }>();

async function storeAndAssess(name: string, raw: Buffer, received: string): Promise<void> {
  const id = await storeClaim(db.pool, MAILBOX, raw, {
    sourceKey: name,
    received: new Date(received),
  });
  await assessClaim(db.pool, id, engine);
  const { rows } = await db.pool.query<{ messageId: string; assessment: Assessment }>(
    'SELECT message_id AS "messageId", assessment FROM claims WHERE id = $1',
    [id],
  );
  stored.set(name, { raw, ...rows[0]! });
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
  for (const c of exampleCases(EXAMPLES))
    await storeAndAssess(c.file, readFileSync(join(EXAMPLES, c.file)), c.received);
  for (const [name, raw] of Object.entries(HOSTILE)) await storeAndAssess(name, raw, RECEIVED);
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

interface Threading {
  messageId: string | null;
  references: string[];
  inReplyTo: string | null;
}

/** The MIME boundaries nodemailer draws at random, as one fixed string of the same length. */
function fixedBoundaries(raw: Buffer): Buffer {
  return Buffer.from(
    raw.toString('latin1').replace(/_NmP-[0-9a-f]{16}-/g, `_NmP-${'0'.repeat(16)}-`),
    'latin1',
  );
}

/**
 * The reply's bytes as the reply stage builds them (src/pipeline/reply.ts), with its own
 * Message-ID, Date and MIME boundaries fixed; or why there is none.
 */
async function replyBytes(
  email: ReplyEmail | ParsedEmail,
  thread: Threading,
  assessment: Assessment,
  contact: boolean,
): Promise<Buffer | string> {
  const reply = renderClaimReply(templates, {
    claimId: 42,
    assessment,
    email,
    receivedAt: Date.parse(RECEIVED),
    receipt: 'RF-20260304-000042',
    contact,
  });
  if (reply === null) return 'no reply';
  if (!email.from) return `no sender; ${reply.lang} ${reply.subject} ${reply.text} ${reply.html}`;
  const quoted = quotedHeaders(email, contact);
  try {
    const raw = await composeReply({
      claimRef: reply.ref,
      to: email.from.trim().toLowerCase(),
      toName: quoted.name,
      from: 'claims@claims.example',
      originalSubject: quoted.subject,
      originalMessageId: thread.messageId,
      originalReferences: thread.references,
      originalInReplyTo: thread.inReplyTo,
      messageId: '<clm-000042.v1.fixed@claims.example>',
      text: reply.text,
      html: reply.html,
      lang: reply.lang,
      date: new Date('2026-03-04T02:00:00Z'),
    });
    return fixedBoundaries(raw);
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

describe('a reply built from the message facts', () => {
  it('is byte for byte the reply built from the parsed email, for every email and decision', async () => {
    const decisions = [...stored.values()].map((s) => s.assessment);
    let compared = 0;
    for (const [name, s] of stored) {
      const email = await parseEmail(s.raw);
      const facts = await loadEmailFacts(db.pool, s.messageId, readForAssessment);
      expect(facts, name).not.toBeNull();
      for (const assessment of decisions)
        for (const contact of [true, false]) {
          const before = await replyBytes(email, email, assessment, contact);
          const after = await replyBytes(
            facts as EmailFacts,
            facts as EmailFacts,
            assessment,
            contact,
          );
          expect(
            after,
            `${name}, ${assessment.decision} ${assessment.type}, contact ${contact}`,
          ).toEqual(before);
          if (Buffer.isBuffer(before)) compared++;
        }
    }
    // Most pairs are real replies, not two refusals that happen to agree.
    expect(compared).toBeGreaterThan(stored.size * decisions.length);
  });

  it('keeps what the hostile cases test: a whole spaced name, long threads cut, the reply language', async () => {
    const facts = async (name: string) =>
      (await loadEmailFacts(db.pool, stored.get(name)!.messageId, readForAssessment))!;
    expect((await facts('spaced name')).fromName).toHaveLength(3002);
    const middle = await facts('long thread, own id in the middle');
    expect(middle.references).toHaveLength(101);
    expect(middle.references.slice(0, 2)).toEqual([
      'r0.long@thread.example',
      'r40.long@thread.example',
    ]);
    expect((await facts('long thread, own id new')).references).toHaveLength(100);
    expect(await facts('malformed ids')).toMatchObject({
      messageId: null,
      inReplyTo: 'parent@ok.example',
      references: [],
    });
    expect((await facts('traditional Chinese')).lang).toBe('zh-Hant');
    expect((await facts('raw GBK subject')).lang).toBe('zh');
    expect((await facts('japanese')).lang).toBe('en');
  });
});
